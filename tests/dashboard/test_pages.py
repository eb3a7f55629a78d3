"""The footer's mandatory pages: reachable from every page's footer, in French, and the site map
links to pages that exist."""

import re

import pytest

pytestmark = pytest.mark.django_db

FOOTER_PAGES = {
    "/plan-du-site/": "Plan du site",
    "/accessibilite/": "Déclaration d'accessibilité",
    "/mentions-legales/": "Mentions légales",
    "/donnees-personnelles/": "Données personnelles",
    "/gestion-des-cookies/": "Gestion des cookies",
}


def test_home_footer_links_every_mandatory_page(client):
    html = client.get("/").content.decode()
    footer = html[html.index('<footer class="fr-footer"'):]
    for url in FOOTER_PAGES:
        assert f'href="{url}"' in footer
    assert "Accessibilité : non conforme" in footer


@pytest.mark.parametrize(("url", "heading"), FOOTER_PAGES.items())
def test_footer_page_is_french_with_its_title(client, url, heading):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert f"<h1>{heading}</h1>" in html.replace("&#x27;", "'")
    assert f"<title>{heading} — Ségur numérique SONS</title>" in html.replace("&#x27;", "'")


def test_accessibility_statement_states_non_conformity_and_what_was_measured(client):
    html = client.get("/accessibilite/").content.decode()
    assert "non conforme" in html and "RGAA" in html
    assert "axe-core" in html and "375 pixels" in html
    # Keyboard-only runs of the lab, editor and reviewer journeys; the admin lists; backup codes.
    assert "Au clavier seul" in html
    for journey in ("le laboratoire, sur téléphone", "l'éditeur, sur téléphone", "les instructeurs"):
        assert journey in html.replace("&#x27;", "'")
    assert "versements, devis, signalements de devis" in html and "codes de secours" in html
    assert "Défenseur des droits" in html


def test_cookie_page_names_only_the_strictly_necessary_cookies_in_use(client, settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.SESSION_COOKIE_AGE = 8 * 3600
    html = client.get("/gestion-des-cookies/").content.decode()
    assert "strictement nécessaires" in html
    assert "__Host-sessionid" in html and "__Host-csrftoken" in html
    assert "8 heures" in html
    assert "aucun cookie de mesure d'audience" in html


def test_personal_data_page_gives_the_lockout_figures_in_force(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    html = client.get("/donnees-personnelles/").content.decode()
    assert "après 5 échecs" in html


def test_every_sitemap_link_leads_to_a_page(client):
    html = client.get("/plan-du-site/").content.decode()
    main = html[html.index('<main'):html.index('</main>')]
    links = re.findall(r'href="(/[^"]*)"', main)
    assert len(links) >= 20
    for url in links:
        response = client.get(url)
        # Pages behind a login send an anonymous visitor to it; nothing is missing or broken.
        assert response.status_code in {200, 302}, url
        if response.status_code == 302:
            assert response["Location"].startswith(("/connexion/", "/admin/login/")), url
