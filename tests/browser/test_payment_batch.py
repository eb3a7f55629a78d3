"""An ASP reviewer pays in a batch, in Chromium: exports the payment order, imports accounting's
answer file with one bad row first (an amount off by one cent: the row named, nothing written),
then the corrected file (preview, confirm, every request paid); importing it again pays nothing
twice, and each request's page shows its payment. Every admin page used: axe, no critical or
serious violation."""

import csv
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login

# The referencing journey's fixtures: private files in a temporary folder, tasks run at once.
from .test_referencing_journey import eager_celery, private_media  # noqa: F401

pytestmark = pytest.mark.browser

ASP = "asp@demo.test"
INVOICE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def validated(demo):
    """Two demo requests validated by ASP, not paid: D-DEMO-0002's advance (filed by the demo)
    and D-DEMO-0003's balance (its advance is paid and the service delivered in the demo; the
    editor files the balance here). Both demo editors' bank details are validated by the demo."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from segur_funding.funding import services
    from segur_funding.funding.bank import bank_account_in_force
    from segur_funding.funding.constants import Milestone, RequestStatus
    from segur_funding.funding.models import FundingRequest
    from segur_funding.organizations.models import User
    from segur_funding.quotes.models import Quote

    asp = User.objects.get(email=ASP)
    editor_user = User.objects.get(email="editeur@demo.test")
    advance = FundingRequest.objects.get(quote__number="D-DEMO-0002", milestone=Milestone.ADVANCE)
    services.funding_request_validate(request=advance, user=asp)
    balance = services.balance_request_file(
        quote=Quote.objects.get(number="D-DEMO-0003", editor=advance.editor),
        user=editor_user,
        invoice=SimpleUploadedFile("facture.pdf", INVOICE, content_type="application/pdf"),
    )
    services.funding_request_validate(request=balance, user=asp)
    requests = list(FundingRequest.objects.filter(pk__in=[advance.pk, balance.pk]).order_by("pk"))
    assert all(r.status == RequestStatus.VALIDATED for r in requests)
    assert bank_account_in_force(organization=advance.editor_id) is not None
    return requests


def _answer_file(order: list[dict], *, paid_on: str, cent_off: int | None = None) -> bytes:
    """Accounting's answer: one row per line of the order, its amount (one cent more on the
    row `cent_off`), the day paid and the transfer's reference."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["N° de demande", "Montant versé (€)", "Date de versement", "Référence du versement"])
    for i, row in enumerate(order):
        number = row["N° de demande"]
        amount = Decimal(re.sub(r"[\s\u202f]", "", row["Montant à verser (€)"]).replace(",", "."))
        if i == cent_off:
            amount += Decimal("0.01")
        writer.writerow([number, f"{amount}".replace(".", ","), paid_on, f"VIR-LOT-{number}"])
    return out.getvalue().encode("utf-8")


def _upload(page, name: str, content: bytes) -> None:
    page.get_by_label("Fichier de versements").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page).to_have_title(re.compile("Importer un fichier de versements"))


def test_asp_pays_a_payment_order_by_importing_accountings_answer_file(page, validated):
    from segur_funding.core import clock
    from segur_funding.funding.constants import RequestStatus
    from segur_funding.funding.models import FundingRequest, Payment

    paid_before = Payment.objects.count()
    login(page, ASP)

    # The payment order: the two validated requests, downloaded as CSV.
    page.goto("/admin/funding/payment/")
    expect(page).to_have_title(re.compile("Versements", re.IGNORECASE))
    assert_accessible(page)
    page.get_by_role("link", name="Ordre de paiement").click()
    expect(page).to_have_title(re.compile("Ordre de paiement"))
    expect(page.get_by_text("2 demandes validées à payer")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    order = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert sorted(int(row["N° de demande"]) for row in order) == [r.pk for r in validated]
    assert all(row["IBAN"] == "FR7630006000011234567890189" for row in order)

    # Accounting's answer with the first row one cent off: the row named, nothing written.
    today = clock.today().strftime("%d/%m/%Y")
    page.get_by_role("link", name="importer un fichier de versements").click()
    expect(page).to_have_title(re.compile("Importer un fichier de versements"))
    assert_accessible(page)
    _upload(page, "versements.csv", _answer_file(order, paid_on=today, cent_off=0))
    expect(page.get_by_text("Aucun versement n'a été enregistré")).to_be_visible()
    first = order[0]["N° de demande"]
    expect(page.locator(".errorlist li").first).to_contain_text(
        re.compile(rf"Ligne 2 : montant .* différent du montant validé de la demande n° {first}")
    )
    expect(page.get_by_role("button", name=re.compile("Enregistrer ces"))).to_have_count(0)
    assert_accessible(page)
    assert Payment.objects.count() == paid_before
    pks = [v.pk for v in validated]
    assert all(r.status == RequestStatus.VALIDATED for r in FundingRequest.objects.filter(pk__in=pks))

    # The corrected file: a preview of both payments, then recorded on confirmation.
    corrected = _answer_file(order, paid_on=today)
    _upload(page, "versements-corriges.csv", corrected)
    expect(page.get_by_text("Aperçu : 2 versements")).to_be_visible()
    expect(page.get_by_text("Rien n'est encore enregistré")).to_be_visible()
    assert_accessible(page)
    assert Payment.objects.count() == paid_before
    page.get_by_role("button", name="Enregistrer ces 2 versements").click()
    expect(page).to_have_title(re.compile("Versements", re.IGNORECASE))
    expect(page.locator(".messagelist")).to_contain_text("2 versements enregistrés")
    assert_accessible(page)
    for request in FundingRequest.objects.filter(pk__in=pks):
        assert request.status == RequestStatus.PAID
        assert request.payment.amount == request.amount
        assert request.payment.reference == f"VIR-LOT-{request.pk}"
    assert Payment.objects.count() == paid_before + 2

    # The same file again: every row already paid, said so, nothing paid twice.
    page.goto("/admin/funding/payment/importer/")
    expect(page).to_have_title(re.compile("Importer un fichier de versements"))
    _upload(page, "versements-corriges.csv", corrected)
    expect(page.get_by_text("Aucun versement n'a été enregistré")).to_be_visible()
    errors = page.locator(".errorlist li")
    expect(errors).to_have_count(2)
    for i in range(2):
        expect(errors.nth(i)).to_contain_text("Ce versement a déjà été enregistré")
    assert_accessible(page)
    assert Payment.objects.count() == paid_before + 2

    # Each request's page shows its payment.
    for request in validated:
        page.goto(f"/admin/funding/fundingrequest/{request.pk}/change/")
        expect(page).to_have_title(re.compile(r"Devis D-DEMO-000[23]"))
        expect(page.get_by_text(f"VIR-LOT-{request.pk}").first).to_be_visible()
        assert_accessible(page)
