"""Page titles and admin branding say « Ségur numérique », not the code name of the project."""

import pytest

pytestmark = pytest.mark.django_db


def test_page_title_names_the_page_then_the_service(client):
    html = client.get("/connexion/").content.decode()
    assert "<title>Connexion — Ségur numérique SONS</title>" in html
    assert "segur_funding" not in html


def test_home_has_a_skip_link_to_the_content(client):
    html = client.get("/").content.decode()
    assert '<a class="fr-link" href="#content">Aller au contenu</a>' in html
    assert 'id="content"' in html


def test_header_has_the_dsfr_mobile_menu(client):
    html = client.get("/").content.decode()
    assert 'aria-controls="menu-principal"' in html
    assert 'class="fr-header__menu fr-modal" id="menu-principal"' in html
    assert 'class="fr-header__menu-links"' in html


def test_admin_is_branded_for_ans_and_asp_reviewers(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Ségur numérique — instruction ANS / ASP" in html
    assert "segur_funding" not in html
