"""The « à modifier » loop of issue 14, in Chromium, ending where the ASP stops: the payment.

asp sends the demo advance back « RIB à compléter » and « Devis signé absent »; the editor's page
asks for exactly a signed quote and new bank details; a wrong IBAN, then the same answer by a
member who is not an administrator, are refused in French with nothing written; the editor's
administrator answers with both; asp sees old and new side by side, may not validate before the
new RIB is validated in the bank-details queue, validates it, validates the request and records
the payment, which goes to the new RIB. The editor's pages pass axe (every impact) at 375 and
1280 px.
"""

import pytest
from playwright.sync_api import expect

from segur_funding.core.pdf import one_page_pdf

from .conftest import AXE_ALL_IMPACTS, assert_accessible, login, logout

pytestmark = pytest.mark.browser

NEW_IBAN = "FR14 2004 1010 0505 0001 3M02 606"
WRONG_IBAN = "FR14 2004 1010 0505 0001 3M02 607"
TITLE = "Demande n° {pk} — Ségur numérique SONS"


def _pdf(name: str, title: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": one_page_pdf(title)}


def _accessible_on_phone_and_desktop(page) -> None:
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, impact=AXE_ALL_IMPACTS)
        # Nothing wider than the screen: the form is usable without scrolling sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def _answer(page, *, iban: str) -> None:
    page.get_by_label("Devis signé (PDF)").set_input_files(files=[_pdf("devis-signe.pdf", "Devis signé")])
    page.get_by_label("Titulaire du compte").fill("BIOLOGICIEL SAS")
    page.locator("#id_iban").fill(iban)
    page.get_by_label("BIC").fill("PSSTFRPP")
    page.get_by_label("RIB (PDF, PNG ou JPEG)").set_input_files(files=[_pdf("rib.pdf", "RIB")])
    page.get_by_label("Ce que vous avez corrigé").fill("Devis signé et nouveau RIB joints.")
    page.get_by_role("button", name="Redéposer la demande").click()


def _written(request) -> tuple:
    from segur_funding.organizations.models import BankAccount

    request.refresh_from_db()
    correction = request.corrections.get()
    return request.status, request.signed_quote.name, BankAccount.objects.count(), correction.resolved_at


def test_asp_asks_rib_and_signed_quote_the_editor_answers_and_the_payment_goes_to_the_new_rib(page, demo):
    from segur_funding.funding.models import FundingRequest, Payment
    from segur_funding.organizations.constants import Role
    from segur_funding.organizations.models import Membership, User

    request = FundingRequest.objects.get(quote__number="D-DEMO-0002", milestone="advance")
    admin_url = f"/admin/funding/fundingrequest/{request.pk}/change/"
    editor_url = f"/financement/demandes/{request.pk}/"

    # 1. The ASP sends the advance back: « RIB à compléter » and « Devis signé absent ».
    login(page, "asp@demo.test")
    page.goto(admin_url)
    page.get_by_role("link", name="Renvoyer « à modifier »").click()
    page.get_by_label("Coordonnées bancaires (RIB) à compléter").check()
    page.get_by_label("Devis signé absent ou illisible").check()
    page.get_by_label("Précisions pour l'éditeur").fill("Le RIB joint est illisible.")
    page.get_by_role("button", name="Renvoyer à l'éditeur").click()
    expect(page.get_by_text("La demande est renvoyée « à modifier »")).to_be_visible()
    logout(page)

    # 2. The editor's page asks for exactly what answers these reasons.
    login(page, "editeur@demo.test")
    page.goto(editor_url)
    expect(page).to_have_title(TITLE.format(pk=request.pk))
    expect(page.locator(".fr-alert", has_text="Le RIB joint est illisible.")).to_be_visible()
    expect(page.get_by_label("Devis signé (PDF)")).to_be_visible()
    expect(page.locator("#id_iban")).to_be_visible()
    expect(page.get_by_label("Facture corrigée (PDF)")).to_have_count(0)
    expect(page.get_by_label("Montant corrigé (€ TTC)")).to_have_count(0)
    _accessible_on_phone_and_desktop(page)

    # 3. A wrong IBAN: refused in French, nothing written.
    before = _written(request)
    _answer(page, iban=WRONG_IBAN)
    expect(page).to_have_title(TITLE.format(pk=request.pk))
    expect(page.get_by_text("IBAN invalide")).to_be_visible()
    expect(page.locator("#id_iban")).to_have_attribute("aria-invalid", "true")
    _accessible_on_phone_and_desktop(page)
    assert _written(request) == before
    logout(page)

    # 4. A member who is not one of the editor's administrators may not change the RIB.
    plain = User.objects.create_user(
        "membre@demo.test", "demo-password", first_name="Paul", last_name="Membre"
    )
    Membership.objects.create(
        user=plain, organization=request.editor, role=Role.EDITOR_MEMBER, is_admin=False
    )
    login(page, "membre@demo.test")
    page.goto(editor_url)
    expect(page).to_have_title(TITLE.format(pk=request.pk))
    _answer(page, iban=NEW_IBAN)
    expect(page).to_have_title(TITLE.format(pk=request.pk))
    expect(
        page.get_by_text("Seul un administrateur de l'éditeur peut modifier ses coordonnées bancaires.")
    ).to_be_visible()
    assert _written(request) == before
    logout(page)

    # 5. The editor's administrator answers with both.
    login(page, "editeur@demo.test")
    page.goto(editor_url)
    _answer(page, iban=NEW_IBAN)
    expect(page.get_by_text("Demande corrigée et redéposée auprès de l'ASP.")).to_be_visible()
    answer = page.get_by_role("table", name="Réponse de l'éditeur")
    expect(answer.get_by_text("FR14 ")).to_be_visible()
    expect(answer.get_by_role("link", name="devis-signe.pdf")).to_be_visible()
    _accessible_on_phone_and_desktop(page)
    logout(page)
    new_account = request.corrections.get().bank_account

    # 6. The ASP sees old and new side by side; the request waits for the new RIB's validation.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "asp@demo.test")
    page.goto(admin_url)
    block = page.locator("fieldset", has_text="Demandes de modification et réponses de l'éditeur")
    expect(block.get_by_text("FR76").first).to_be_visible()
    expect(block.get_by_text("FR14").first).to_be_visible()
    expect(block.get_by_role("link", name="devis-signe.pdf")).to_be_visible()
    page.get_by_role("link", name="Valider", exact=True).click()
    page.get_by_role("button", name="Valider la demande").click()
    expect(page.get_by_text("attendent votre validation")).to_be_visible()

    page.goto("/admin/organizations/bankaccount/?status__exact=pending")
    page.locator(f"input[name='_selected_action'][value='{new_account.pk}']").check()
    page.locator("select[name='action']").select_option("validate")
    page.locator("button[name='index']").click()
    expect(page.get_by_text("en vigueur pour les prochains versements")).to_be_visible()

    page.goto(admin_url)
    page.get_by_role("link", name="Valider", exact=True).click()
    page.get_by_role("button", name="Valider la demande").click()
    expect(page.get_by_text("La demande est validée")).to_be_visible()
    page.get_by_role("link", name="Enregistrer le versement").click()
    page.get_by_label("Référence du versement").fill("ASP-E2E-RIB")
    page.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_text("« décidée et payée »")).to_be_visible()

    payment = Payment.objects.get(request=request)
    assert payment.bank_account == new_account
    assert payment.bank_account.iban == NEW_IBAN.replace(" ", "")
