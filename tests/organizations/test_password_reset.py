"""Password reset by e-mail (Django's views, French DSFR pages): the link arrives in the mailbox,
sets a new password once, and the answer never tells whether an address has an account."""

import re
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from segur_funding.organizations.models import User

pytestmark = pytest.mark.django_db


class BrokenSmtpBackend(BaseEmailBackend):
    """The mail server is down (the process boundary this test replaces)."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Post the reset form and run what is queued after commit (the e-mail task)."""

    def post(email: str, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/mot-de-passe/oublie/", {"email": email}, follow=True, **extra)

    return post


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user("labo@test.example", "ancien-mot-de-passe")


def _reset_link(message) -> str:
    return re.search(r"https?://\S+/mot-de-passe/nouveau/\S+/", message.body).group(0)


def test_login_page_offers_the_forgotten_password_link(client):
    html = client.get("/connexion/").content.decode()
    assert '<a class="fr-link" href="/mot-de-passe/oublie/">Mot de passe oublié ?</a>' in html


def test_reset_form_is_french(client):
    response = client.get("/mot-de-passe/oublie/")
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="fr"' in html
    assert "<title>Mot de passe oublié — Ségur numérique SONS</title>" in html


def test_known_and_unknown_addresses_get_the_same_answer(ask, user):
    known = ask("labo@test.example")
    unknown = ask("inconnu@test.example")
    assert known.redirect_chain == unknown.redirect_chain == [("/mot-de-passe/oublie/envoye/", 302)]
    assert known.content == unknown.content
    assert "Si un compte existe pour cette adresse" in known.content.decode()
    assert [m.to for m in mail.outbox] == [["labo@test.example"]]


def test_inactive_account_gets_no_email(ask, user):
    user.is_active = False
    user.save()
    ask("labo@test.example")
    assert mail.outbox == []


def test_mail_server_down_gives_the_same_answer_as_an_unknown_address(ask, user, settings):
    settings.EMAIL_BACKEND = "tests.organizations.test_password_reset.BrokenSmtpBackend"
    known = ask("labo@test.example")
    unknown = ask("inconnu@test.example")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content


def test_reset_link_is_built_on_the_site_url_not_the_host_header(ask, user, settings):
    settings.SEGUR_SITE_URL = "https://segur.example.gouv.fr"
    settings.ALLOWED_HOSTS = ["*"]
    ask("labo@test.example", HTTP_HOST="attaquant.example")
    (message,) = mail.outbox
    assert message.subject == "Ségur numérique SONS : choisir un nouveau mot de passe"
    assert _reset_link(message).startswith("https://segur.example.gouv.fr/mot-de-passe/nouveau/")
    assert "attaquant.example" not in message.body
    assert "valable 3 jours" in message.body


def test_reset_link_sets_a_new_password_once(client, ask, user):
    ask("LABO@test.example")
    link = _reset_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    form = client.get(f"/{link}", follow=True)
    assert "Choisir un nouveau mot de passe" in form.content.decode()
    form_url = form.redirect_chain[-1][0]

    weak = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200
    assert "Ce mot de passe est entièrement numérique." in weak.content.decode()

    done = client.post(
        form_url, {"new_password1": "Nouveau-mot-2026", "new_password2": "Nouveau-mot-2026"}, follow=True
    )
    assert "Mot de passe modifié" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("Nouveau-mot-2026")

    again = client.get(f"/{link}", follow=True).content.decode()
    assert "Lien expiré ou déjà utilisé" in again
    assert 'href="/mot-de-passe/oublie/"' in again
