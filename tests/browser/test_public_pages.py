"""The public pages, the error pages and the password reset, on a phone (375 px) and a desktop
(1280 px) screen: every page with 0 JavaScript error and 0 axe-core violation of any impact,
and the header's tools (« Se connecter », « Se déconnecter », notifications) reachable on a
phone through the « Menu » button."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from segur_funding.organizations.models import User

from .conftest import AXE_ALL_IMPACTS, assert_accessible, login

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
SCREENS = [pytest.param(PHONE, id="375px"), pytest.param(DESKTOP, id="1280px")]

PUBLIC_PAGES = [
    ("/", "Accueil"),
    ("/referencement/solutions-referencees/", "Solutions référencées"),
    ("/statistiques/", "Statistiques du programme"),
    ("/connexion/", "Connexion"),
    ("/mot-de-passe/oublie/", "Mot de passe oublié"),
    ("/accessibilite/", "Déclaration d'accessibilité"),
    ("/mentions-legales/", "Mentions légales"),
    ("/donnees-personnelles/", "Données personnelles"),
    ("/gestion-des-cookies/", "Gestion des cookies"),
    ("/plan-du-site/", "Plan du site"),
]


def _check(page, console_errors, *, title: str, status_logged: int | None = None) -> None:
    """The page's title, no JavaScript error and no axe violation at all.

    An error page's own status is the one console line Chromium writes by itself (« Failed to
    load resource: … 404 ») for the document; it is the expected answer, not a script error.
    """
    # Retried until the navigation a click started has landed (a loaded machine is slow to).
    expect(page).to_have_title(f"{title} — Ségur numérique SONS")
    page.wait_for_load_state("load")
    errors = [
        e for e in console_errors
        if not (status_logged and f"status of {status_logged}" in e and f"[{page.url}]" in e)
    ]
    assert errors == [], f"Erreurs JavaScript sur {page.url} : {errors}"
    assert_accessible(page, impact=AXE_ALL_IMPACTS)
    console_errors.clear()


def _open_menu_on_phone(page) -> None:
    """On a phone the tools are hidden behind « Menu », which opens the DSFR header modal."""
    if page.viewport_size["width"] >= 992:
        return
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("dialog").wait_for()


@pytest.mark.parametrize("screen", SCREENS)
def test_public_and_footer_pages_have_no_js_error_and_no_axe_violation(
    page, console_errors, reference_data, screen
):
    page.set_viewport_size(screen)
    for url, title in PUBLIC_PAGES:
        page.goto(url)
        _check(page, console_errors, title=title)
        assert page.locator("footer").get_by_role("link", name="Accessibilité : non conforme").is_visible()


@pytest.mark.parametrize("screen", SCREENS)
def test_error_pages_are_french_dsfr_pages_without_js_error(page, console_errors, settings, screen):
    settings.ROOT_URLCONF = "tests.error_urls"
    page.set_viewport_size(screen)

    response = page.goto("/cette-page-n-existe-pas/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1, name="Page non trouvée").is_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    _check(page, console_errors, title="Page non trouvée", status_logged=404)

    response = page.goto("/test-erreur/500/")
    assert response.status == 500
    assert page.get_by_role("heading", level=1, name="Erreur inattendue").is_visible()
    _check(page, console_errors, title="Erreur inattendue", status_logged=500)
    page.get_by_role("link", name="Page d'accueil").click()
    expect(page).to_have_title("Accueil — Ségur numérique SONS")


def test_phone_reaches_se_connecter_through_the_menu_only(page, console_errors):
    page.set_viewport_size(PHONE)
    page.goto("/")
    login_link = page.get_by_role("link", name="Se connecter")
    assert not login_link.is_visible()  # not in the visible header at 375 px
    page.get_by_role("button", name="Menu").click()
    menu = page.get_by_role("dialog")
    assert menu.get_by_role("link", name="Statistiques").is_visible()
    assert_accessible(page, impact=AXE_ALL_IMPACTS)
    menu.get_by_role("link", name="Se connecter").click()
    expect(page).to_have_title("Connexion — Ségur numérique SONS")
    assert console_errors == []


def test_desktop_shows_se_connecter_in_the_header_without_menu(page, console_errors):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.url.endswith("/#content")
    assert not page.get_by_role("button", name="Menu").is_visible()
    page.get_by_role("banner").get_by_role("link", name="Se connecter").click()
    expect(page).to_have_title("Connexion — Ségur numérique SONS")
    assert console_errors == []


@pytest.mark.parametrize("screen", SCREENS)
def test_forgotten_password_is_reset_from_the_emailed_link(page, console_errors, transactional_db, screen):
    User.objects.create_user("labo-oubli@test.example", "ancien-mot-de-passe")
    mail.outbox.clear()
    page.set_viewport_size(screen)

    page.goto("/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    _check(page, console_errors, title="Mot de passe oublié")
    page.get_by_label("Adresse e-mail").fill("labo-oubli@test.example")
    page.get_by_role("button", name="Recevoir le lien").click()
    _check(page, console_errors, title="Vérifiez votre messagerie")
    assert page.get_by_text("Si un compte existe pour cette adresse").is_visible()

    (message,) = mail.outbox
    path = re.search(r"https?://[^/\s]+(/mot-de-passe/nouveau/\S+/)", message.body).group(1)
    page.goto(path)
    _check(page, console_errors, title="Choisir un nouveau mot de passe")
    page.get_by_label(re.compile(r"^Nouveau mot de passe")).fill("Nouveau-mot-2026")
    page.get_by_label("Confirmer le nouveau mot de passe").fill("Nouveau-mot-2026")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    _check(page, console_errors, title="Mot de passe modifié")

    page.get_by_role("main").get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse e-mail").fill("labo-oubli@test.example")
    page.get_by_label("Mot de passe", exact=True).fill("Nouveau-mot-2026")
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    _check(page, console_errors, title="Mon espace")

    _open_menu_on_phone(page)
    assert page.get_by_role("link", name="Notifications").is_visible()
    page.get_by_role("button", name="Se déconnecter (labo-oubli@test.example)").click()
    page.wait_for_load_state()
    _open_menu_on_phone(page)
    assert page.get_by_role("link", name="Se connecter").is_visible()
    assert console_errors == []



LAB_PAGES = [
    "/mon-espace/", "/devis/laboratoire/", "/devis/laboratoire/deposer/", "/notifications/",
    "/notifications/echeances/", "/compte/organisation/",
]
EDITOR_PAGES = [
    "/mon-espace/", "/referencement/", "/referencement/solutions/", "/devis/editeur/", "/financement/",
    "/financement/?statut=paid",  # the link of a payment file's digest
    "/financement/coordonnees-bancaires/", "/signalements/editeur/", "/compte/organisation/",
]
DETAIL_OF = {  # list page → address pattern of its detail pages (the first one is visited too)
    "/devis/laboratoire/": r"^/devis/laboratoire/\d+/$",
    "/devis/editeur/": r"^/devis/editeur/\d+/$",
    "/referencement/": r"^/referencement/dossiers/\d+/$",
    "/financement/": r"^/financement/demandes/\d+/$",
    "/signalements/editeur/": r"^/signalements/editeur/\d+/$",
}
# A lab's space links its reports (the demo lab has one); an editor's lists none.
LAB_DETAIL_OF = {**DETAIL_OF, "/mon-espace/": r"^/signalements/laboratoire/\d+/$"}


def _check_connected(page, console_errors) -> None:
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


@pytest.mark.parametrize(
    ("email", "urls", "details", "menu_link"),
    [
        pytest.param("labo@demo.test", LAB_PAGES, LAB_DETAIL_OF, "Devis reçus", id="lab"),
        pytest.param("editeur@demo.test", EDITOR_PAGES, DETAIL_OF, "Mes devis", id="editor"),
    ],
)
def test_connected_pages_on_a_phone_have_no_js_error_and_no_axe_violation(
    page, console_errors, demo, email, urls, details, menu_link
):
    page.set_viewport_size(PHONE)
    login(page, email)
    _open_menu_on_phone(page)
    assert page.get_by_role("dialog").get_by_role("link", name=menu_link).is_visible()
    for url in urls:
        page.goto(url)
        _check_connected(page, console_errors)
        if url in details:
            hrefs = page.eval_on_selector_all("main a", "links => links.map(a => a.getAttribute('href'))")
            detail = next(h for h in hrefs if h and re.match(details[url], h))
            page.goto(detail)
            _check_connected(page, console_errors)
