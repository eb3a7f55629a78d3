"""The signature journey of issue 14, in Chromium, on a phone and on a desktop screen.

A lab opens a quote with two options outside the Prestation Ségur; the banner says the Ségur part
costs nothing and the options are its choice, with their amount. It declines one option, keeps
the other, signs as « Dr Claire Martin, biologiste responsable », then sees what comes next
(never « vous pouvez le signer » again) and downloads the signed PDF: read with pdfplumber, it
names the signatory and gives the totals without the declined option. Every page: no JavaScript
error, 0 axe violations whatever their impact.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import AXE_ALL_IMPACTS, assert_accessible, login

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SCREENS = [pytest.param(PHONE, id="375px"), pytest.param(DESKTOP, id="1280px")]
NUMBER = "D-SIGN-0001"


def _issue_quote_to_the_demo_lab() -> None:
    """The demo editor issues a conform quote with two options (its own journey is tested
    elsewhere): « Module statistiques avancées » (1 200 €) and a version catch-up (2 400 €)."""
    from decimal import Decimal

    from segur_funding.organizations.models import User
    from segur_funding.organizations.selectors import user_clients
    from segur_funding.quotes import services
    from segur_funding.quotes.demo import _lines
    from segur_funding.referencing.models import Dossier

    editor_user = User.objects.get(email="editeur@demo.test")
    dossier = Dossier.objects.filter(created_by=editor_user, status="referenced", dsr__code="SGL-V1").first()
    lab = user_clients(user=User.objects.get(email="labo@demo.test")).get(name__contains="BioRhône")
    quote = services.quote_create(
        user=editor_user,
        editor=dossier.editor,
        client=lab,
        dsr=dossier.dsr,
        dossier=dossier,
        lines=_lines(segur_total=Decimal(lab_cap(lab, dossier))),
        number=NUMBER,
    )
    services.quote_issue(quote=quote, user=editor_user)


def lab_cap(lab, dossier) -> str:
    from segur_funding.quotes.selectors import lab_tier

    return str(lab_tier(lab=lab, dsr_code=dossier.dsr.code).tier.cap_ttc)


def _clean(page, console_errors) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], f"Erreurs JavaScript sur {page.url} : {console_errors}"
    assert_accessible(page, impact=AXE_ALL_IMPACTS)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("screen", SCREENS)
def test_a_lab_declines_an_option_signs_and_gets_the_signed_pdf(page, console_errors, demo, screen, tmp_path):
    import pdfplumber

    _issue_quote_to_the_demo_lab()
    page.set_viewport_size(screen)
    login(page, "labo@demo.test")
    page.goto("/devis/laboratoire/")
    expect(page).to_have_title(re.compile("^Devis reçus"))
    page.get_by_role("link", name=NUMBER).click()
    expect(page).to_have_title(re.compile(f"^Devis {NUMBER}"))

    # 1. The banner and the PDF agree: nothing to pay for the Ségur part, the options are a choice.
    banner = page.locator(".verdict--conform")
    expect(banner.get_by_text("Vous n'avez rien à payer au titre de la Prestation Ségur")).to_be_visible()
    expect(banner).to_contain_text("options hors Ségur pour 3 600,00 € TTC : elles sont facultatives")
    expect(banner).to_contain_text("Vous pouvez le signer.")
    _clean(page, console_errors)

    # 2. It declines the statistics module, keeps the catch-up, and signs in its name.
    option = page.get_by_role("group", name=re.compile("Option n° 6 : Module statistiques avancées"))
    option.get_by_label("Je refuse cette option").check(force=True)
    page.get_by_label("Nom du signataire").fill("Dr Claire Martin")
    page.get_by_label("Fonction du signataire").fill("biologiste responsable")
    page.get_by_label(re.compile("J'accepte ce devis")).check(force=True)
    page.get_by_role("button", name="Signer le devis").click()
    expect(page.get_by_text(f"Devis {NUMBER} signé")).to_be_visible()

    # 3. What comes next, and no invitation to sign again.
    next_steps = page.locator("section", has=page.get_by_role("heading", name="Devis signé : la suite"))
    expect(next_steps).to_contain_text("Signé le")
    expect(next_steps).to_contain_text("par Dr Claire Martin, biologiste responsable")
    expect(next_steps).to_contain_text("Options refusées : n° 6 « Module statistiques avancées »")
    expect(next_steps).to_contain_text("L'éditeur demande l'avance")
    expect(next_steps).to_contain_text("déclarez la mise en ordre de marche")
    expect(page.get_by_text("Vous pouvez le signer")).to_have_count(0)
    expect(page.get_by_role("button", name="Signer le devis")).to_have_count(0)
    _clean(page, console_errors)

    # 4. The signed PDF names the signatory and gives the totals without the declined option.
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le devis signé (PDF)").click()
    path = tmp_path / "signe.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename == f"devis-{NUMBER}-signe.pdf"
    with pdfplumber.open(path) as pdf:
        text = _flat(" ".join(p.extract_text() or "" for p in pdf.pages))
    assert "par Dr Claire Martin, biologiste responsable" in text
    assert "Options refusées : n° 6 « Module statistiques avancées »" in text
    assert "Options hors Ségur acceptées (TTC) 2 400,00 €" in text
    assert "Total à payer par le client (TTC) 2 400,00 €" in text
    assert "Reste à charge du client au titre de la Prestation Ségur (TTC) 0,00 €" in text
    # The declined option is not among the signed quote's priced lines.
    assert "Module statistiques avancées 1 200,00" not in text
