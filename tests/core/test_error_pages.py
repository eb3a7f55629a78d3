"""The French DSFR error pages, with DEBUG off (the test settings): 400, 403, 404, 500 and the
CSRF refusal, each in French, `lang="fr"`, with the right status and a way back home."""

import re

import pytest
from django.test import Client

from segur_funding.organizations.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]


def _page(response) -> str:
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert 'href="/"' in html  # "Page d'accueil": a way back
    return html


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_debug_is_off_in_these_tests(settings):
    assert settings.DEBUG is False


def test_unknown_address_shows_the_french_404_page(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = _page(response)
    assert "Page non trouvée" in html and "Erreur 404" in html
    assert _title(html) == "Page non trouvée — Ségur numérique SONS"
    assert "Not Found" not in html


def test_404_page_keeps_the_header_of_a_logged_in_user(client):
    client.force_login(User.objects.create_user("perdu@test.example", "pw"))
    html = _page(client.get("/devis/editeur/999999/"))
    assert "Se déconnecter (perdu@test.example)" in html


def test_server_error_shows_the_french_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/test-erreur/500/")
    assert response.status_code == 500
    html = _page(response)
    assert "Erreur inattendue" in html and "Erreur 500" in html
    assert _title(html) == "Erreur inattendue — Ségur numérique SONS"
    assert "Server Error" not in html and "erreur provoquée par un test" not in html


def test_500_page_renders_without_request_or_context_processors():
    """Django renders 500.html with an empty context: nothing in it may need more."""
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Erreur inattendue" in html


def test_permission_denied_shows_the_french_403_page(client):
    response = client.get("/test-erreur/403/")
    assert response.status_code == 403
    html = _page(response)
    assert "Accès refusé" in html and "Erreur 403" in html
    assert 'href="/connexion/"' in html  # anonymous: told to log in


def test_bad_request_shows_the_french_400_page(client):
    response = client.get("/test-erreur/400/")
    assert response.status_code == 400
    html = _page(response)
    assert "Requête incorrecte" in html and "Erreur 400" in html


def test_form_sent_without_csrf_token_shows_the_french_csrf_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/connexion/", {"username": "x@test.example", "password": "pw"})
    assert response.status_code == 403
    html = _page(response)
    assert "Formulaire expiré" in html and "Rien n'a été enregistré" in html
    assert "CSRF verification failed" not in html
