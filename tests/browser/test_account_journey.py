"""Issue 13's journey, on a phone (375 px) and a desktop (1280 px): an unknown lab asks for an
account, ASP validates it in the admin, the lab chooses its password from the e-mailed link, logs
in to « Mon espace » where the quote waits, signs it, logs out and resets its password. Every
page: 0 JavaScript error and 0 axe-core violation (admin pages: none critical or serious)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, login, logout

pytestmark = pytest.mark.browser

SCREENS = [
    pytest.param({"width": 375, "height": 812}, id="375px"),
    pytest.param({"width": 1280, "height": 800}, id="1280px"),
]
LAB_EMAIL = "claire.martin@tilleuls.example"


def _clean(page, console_errors, *, admin: bool = False) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_accessible(page, impact=("critical", "serious") if admin else AXE_ALL_IMPACTS)


def _menu(page) -> None:
    if page.viewport_size["width"] < 992:
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("dialog").wait_for()


def _issue_quote_to(lab_siret: str) -> str:
    """The demo editor issues a conform quote to the new lab (its own journey is tested elsewhere)."""
    from segur_funding.organizations.models import Organization, User
    from segur_funding.quotes import services
    from segur_funding.quotes.demo import _lines
    from segur_funding.referencing.models import Dossier

    editor_user = User.objects.get(email="editeur@demo.test")
    dossier = Dossier.objects.filter(created_by=editor_user, status="referenced").first()
    quote = services.quote_create(
        user=editor_user,
        editor=dossier.editor,
        client=Organization.objects.get(siret=lab_siret),
        dsr=dossier.dsr,
        dossier=dossier,
        lines=_lines(segur_total=__import__("decimal").Decimal("32940.00")),
        number="D-TILLEULS-1",
    )
    services.quote_issue(quote=quote, user=editor_user)
    return quote.number


@pytest.mark.parametrize("screen", SCREENS)
def test_a_new_lab_gets_an_account_signs_its_quote_and_resets_its_password(
    page, console_errors, demo, screen
):
    page.set_viewport_size(screen)
    mail.outbox.clear()

    # 1. The unknown lab asks for an account from the login page.
    page.goto("/connexion/")
    page.get_by_role("link", name="Demander l'ouverture d'un compte").click()
    expect(page).to_have_title("Demander un compte — Ségur numérique SONS")
    _clean(page, console_errors)
    page.get_by_label("Un laboratoire ou un établissement de santé (SIRET)").check(force=True)
    page.get_by_label("Raison sociale").fill("Laboratoire des Tilleuls")
    page.get_by_label("SIRET de l'établissement").fill("443 061 841 00013")
    page.get_by_label("Type de client").select_option("city_lab")
    page.get_by_label(re.compile("^Nombre de sites")).fill("3")
    page.get_by_label("Prénom").fill("Claire")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label(re.compile("^Adresse e-mail professionnelle")).fill(LAB_EMAIL)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1, name="Votre demande est envoyée")).to_be_visible()
    _clean(page, console_errors)

    # 2. ASP sees it in « Mon espace » and validates it in the admin.
    login(page, "asp@demo.test")
    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
    _clean(page, console_errors)
    page.get_by_role("link", name="Demandes de compte de laboratoires").click()
    row = page.locator("#result_list tr", has_text="Laboratoire des Tilleuls")
    row.locator("input[type=checkbox]").check()
    page.locator("select[name=action]").select_option("approve")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("compte ouvert, lien envoyé")).to_be_visible()
    _clean(page, console_errors, admin=True)
    logout(page)
    number = _issue_quote_to("44306184100013")

    # 3. The lab chooses its password from the e-mail and logs in to its space.
    (message,) = [m for m in mail.outbox if m.to == [LAB_EMAIL] and "compte" in m.subject]
    page.goto(re.search(r"https?://[^/\s]+(/compte/activer/\S+/)", message.body).group(1))
    _clean(page, console_errors)
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Tilleuls-Labo-2026")
    page.get_by_label(re.compile("^Confirmation")).fill("Tilleuls-Labo-2026")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_text("Votre mot de passe est enregistré")).to_be_visible()
    login(page, LAB_EMAIL, "Tilleuls-Labo-2026")
    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
    tile = page.locator(".fr-tile", has_text="Devis à vérifier et à signer")
    expect(tile.get_by_text("1 à traiter")).to_be_visible()
    _clean(page, console_errors)

    # 4. It signs the quote waiting for it.
    tile.get_by_role("link").click()
    expect(page).to_have_title(re.compile("^Devis reçus"))
    page.get_by_role("link", name=number).click()
    expect(page.get_by_text("Vous n'avez rien à payer au titre de la Prestation Ségur")).to_be_visible()
    _clean(page, console_errors)
    page.get_by_label("Nom du signataire").fill("Dr Claire Martin")
    page.get_by_label("Fonction du signataire").fill("biologiste responsable")
    page.get_by_label(re.compile("J'accepte ce devis")).check(force=True)
    page.get_by_role("button", name="Signer le devis").click()
    expect(page.get_by_text(f"Devis {number} signé")).to_be_visible()
    _clean(page, console_errors)

    # 5. It logs out, then resets its password from « Mot de passe oublié ».
    _menu(page)
    page.get_by_role("button", name=f"Se déconnecter ({LAB_EMAIL})").click()
    page.wait_for_load_state()
    page.goto("/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill(LAB_EMAIL)
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page).to_have_title(re.compile("Vérifiez votre messagerie"))
    _clean(page, console_errors)
    reset = mail.outbox[-1]
    assert reset.to == [LAB_EMAIL]
    page.goto(re.search(r"https?://[^/\s]+(/mot-de-passe/nouveau/\S+/)", reset.body).group(1))
    page.get_by_label(re.compile(r"^Nouveau mot de passe")).fill("Tilleuls-Neuf-2027")
    page.get_by_label("Confirmer le nouveau mot de passe").fill("Tilleuls-Neuf-2027")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page).to_have_title(re.compile("Mot de passe modifié"))
    _clean(page, console_errors)
    login(page, LAB_EMAIL, "Tilleuls-Neuf-2027")
    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
    _clean(page, console_errors)
