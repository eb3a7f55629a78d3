"""The funding journey of issue 4, in Chromium: quote, check, signature, advance, delivery, balance.

editeur writes a quote for labo (the checker shows it conform) and issues it; labo sees "rien à
payer" and signs; editeur files the advance; asp validates and records the payment (30 %) in the
admin; labo declares delivery; editeur files the balance with the invoice; asp pays 70 %; the
two payments add up to the funded amount to the cent.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login, logout

pytestmark = pytest.mark.browser

INVOICE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _select_option_containing(page, select_id: str, text: str) -> None:
    value = page.locator(f"#{select_id} option", has_text=text).first.get_attribute("value")
    page.locator(f"#{select_id}").select_option(value)


def _fill_line(page, i: int, *, label: str, scope: str, ttc: str, dsr: str = "", ht: str = ""):
    page.locator(f"#id_lines-{i}-label").fill(label)
    page.locator(f"#id_lines-{i}-scope").select_option(scope)
    page.locator(f"#id_lines-{i}-dsr_codes").fill(dsr)
    page.locator(f"#id_lines-{i}-amount_ht").fill(ht)
    page.locator(f"#id_lines-{i}-amount_ttc").fill(ttc)


def _asp_decides_and_pays(page, quote_number: str, milestone: str, reference: str) -> None:
    login(page, "asp@demo.test")
    page.goto("/admin/funding/fundingrequest/?file=decision")
    row = page.locator("#result_list tr", has_text=quote_number).filter(has_text=milestone)
    row.get_by_role("link").first.click()
    page.get_by_role("link", name="Valider", exact=True).click()
    page.get_by_role("button", name="Valider la demande").click()
    expect(page.get_by_text("La demande est validée")).to_be_visible()
    page.get_by_role("link", name="Enregistrer le versement").click()
    page.get_by_label("Référence du versement").fill(reference)
    page.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_text("« décidée et payée »")).to_be_visible()
    logout(page)


def test_quote_to_advance_and_balance_paid(page, demo):
    from segur_funding.funding.models import Payment
    from segur_funding.quotes.models import Quote

    # 1. The editor writes the quote; the checker shows the tier, the line to add, then "conform".
    login(page, "editeur@demo.test")
    page.goto("/devis/editeur/")
    assert_accessible(page)
    page.get_by_role("link", name="Rédiger un devis").click()
    _select_option_containing(page, "id_client", "BioRhône")
    _select_option_containing(page, "id_dossier", "SGL-V1")
    _fill_line(
        page,
        0,
        label="Droits d'utilisation de la version référencée",
        scope="segur",
        dsr="SGL-V1",
        ht="10000,00",
        ttc="12000,00",
    )
    _fill_line(
        page,
        1,
        label="Installation, maintenance 6 ans et formation",
        scope="segur",
        dsr="SGL-V1",
        ttc="20940,00",
    )
    _fill_line(page, 2, label="Module statistiques", scope="out_of_scope", ttc="1200,00")
    page.get_by_role("button", name="Vérifier").click()
    check = page.locator("#verification")
    expect(check.get_by_text("Tranche B")).to_be_visible()
    expect(check.get_by_text("Ligne de prise en charge par l'État à ajouter")).to_be_visible()
    expect(check.get_by_text("Non conforme")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ajouter cette ligne au devis").click()
    expect(page.locator("#verification").get_by_text("Conforme", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    number = re.search(r"Devis (\S+)", heading).group(1)
    assert_accessible(page)
    page.get_by_role("button", name="Émettre le devis").click()
    expect(page.get_by_text(f"Devis {number} émis")).to_be_visible()
    assert_accessible(page)
    logout(page)

    # 2. The lab sees that it has nothing to pay, and signs.
    login(page, "labo@demo.test")
    page.goto("/devis/laboratoire/")
    assert_accessible(page)
    page.get_by_role("link", name=number).click()
    expect(page.get_by_text("Vous n'avez rien à payer au titre de la Prestation Ségur")).to_be_visible()
    expect(page.get_by_text("32 940,00 € TTC").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nom du signataire").fill("Dr Claire Martin")
    page.get_by_label("Fonction du signataire").fill("biologiste responsable")
    page.get_by_label(re.compile("J'accepte ce devis")).check(force=True)
    page.get_by_role("button", name="Signer le devis").click()
    expect(page.get_by_text(f"Devis {number} signé")).to_be_visible()
    assert_accessible(page)
    logout(page)

    # 3. The editor files the advance.
    login(page, "editeur@demo.test")
    page.goto("/devis/editeur/")
    page.get_by_role("link", name=number).click()
    page.get_by_role("link", name="Demander l'avance").click()
    expect(page.get_by_text("9 882,00 €").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Déposer la demande d'avance").click()
    expect(page.get_by_text("Demande d'avance déposée")).to_be_visible()
    assert_accessible(page)
    logout(page)

    # 4. The ASP validates the advance and records its payment (30 %).
    _asp_decides_and_pays(page, number, "Avance", "ASP-E2E-AVANCE")

    # 5. The lab declares the service delivered and working.
    login(page, "labo@demo.test")
    page.goto("/devis/laboratoire/")
    page.get_by_role("link", name=number).click()
    page.get_by_label(re.compile("Je déclare que la prestation est livrée")).check(force=True)
    page.get_by_role("button", name="Déclarer la mise en ordre de marche").click()
    expect(page.get_by_text("Mise en ordre de marche déclarée")).to_be_visible()
    assert_accessible(page)
    logout(page)

    # 6. The editor files the balance with the invoice.
    login(page, "editeur@demo.test")
    page.goto("/financement/")
    assert_accessible(page)
    page.goto("/devis/editeur/")
    page.get_by_role("link", name=number).click()
    page.get_by_role("link", name="Demander le solde").click()
    expect(page.get_by_text("23 058,00 €").first).to_be_visible()
    page.get_by_label("Facture (PDF)").set_input_files(
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": INVOICE}]
    )
    assert_accessible(page)
    page.get_by_role("button", name="Déposer la demande de solde").click()
    expect(page.get_by_text("Demande de solde déposée")).to_be_visible()
    logout(page)

    # 7. The ASP pays the balance (70 %).
    _asp_decides_and_pays(page, number, "Solde", "ASP-E2E-SOLDE")

    quote = Quote.objects.get(number=number, editor__name="Biologiciel SAS")
    payments = {p.milestone: p.amount for p in Payment.objects.filter(quote=quote)}
    assert payments == {"advance": Decimal("9882.00"), "balance": Decimal("23058.00")}
    assert sum(payments.values()) == Decimal(quote.check_report["state_funding_ttc"])
