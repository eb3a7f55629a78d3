import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from segur_funding.funding import services
from segur_funding.funding.constants import RequestStatus
from segur_funding.funding.models import ExportJob, FundingRequest, Payment
from segur_funding.organizations.models import Membership
from segur_funding.quotes.demo import demo_window_ensure
from segur_funding.quotes.models import Quote
from tests.funding.factories import EditorFactory, Scenario, member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def live_scenario(reference_data):
    """A scenario signed today, inside the demo window (the views use the real clock)."""
    today = timezone.localdate()
    demo_window_ensure(today=today)
    scenario = Scenario()
    scenario.quote = scenario.signed(today=today)
    return scenario


def test_editor_files_the_advance_from_the_quote(client, live_scenario):
    quote = live_scenario.quote
    client.force_login(live_scenario.editor_user)
    page = client.get(reverse("funding:advance_file", args=[quote.pk])).content.decode()
    assert "9\u202f882,00\u00a0€" in page
    response = client.post(reverse("funding:advance_file", args=[quote.pk]), {"comment": ""})
    request = FundingRequest.objects.get()
    assert response.status_code == 302
    assert request.amount == Decimal("9882.00")
    assert request.status == RequestStatus.SUBMITTED


def test_second_advance_is_refused_on_the_page(client, live_scenario):
    quote = live_scenario.quote
    client.force_login(live_scenario.editor_user)
    client.post(reverse("funding:advance_file", args=[quote.pk]), {})
    response = client.post(reverse("funding:advance_file", args=[quote.pk]), {})
    assert response.status_code == 200
    assert "existe déjà" in response.content.decode()
    assert FundingRequest.objects.count() == 1


def test_another_editor_gets_404(client, live_scenario):
    quote = live_scenario.quote
    intruder = member(EditorFactory())
    request = services.advance_request_file(quote=quote, user=live_scenario.editor_user)
    client.force_login(intruder)
    assert client.get(reverse("funding:advance_file", args=[quote.pk])).status_code == 404
    assert client.post(reverse("funding:advance_file", args=[quote.pk])).status_code == 404
    assert client.get(reverse("funding:request_detail", args=[request.pk])).status_code == 404
    assert client.get(reverse("funding:request_invoice", args=[request.pk])).status_code == 404


def test_corrected_request_is_refiled(client, live_scenario, asp):
    Membership.objects.filter(user=live_scenario.editor_user).update(is_admin=True)
    request = services.advance_request_file(quote=live_scenario.quote, user=live_scenario.editor_user)
    services.funding_request_send_back(
        request=request, user=asp, reasons=["bank_details"], comment="RIB manquant"
    )
    client.force_login(live_scenario.editor_user)
    page = client.get(reverse("funding:request_detail", args=[request.pk])).content.decode()
    assert "Coordonnées bancaires" in page and "RIB manquant" in page
    client.post(
        reverse("funding:request_detail", args=[request.pk]),
        {
            "comment": "RIB ajouté",
            "holder": "BIOLOGICIEL SAS",
            "iban": "FR14 2004 1010 0505 0001 3M02 606",
            "bic": "PSSTFRPP",
            "rib": SimpleUploadedFile("rib.pdf", PDF, content_type="application/pdf"),
        },
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.RESUBMITTED


def test_asp_validates_and_pays_in_the_admin(client, live_scenario, asp):
    request = services.advance_request_file(quote=live_scenario.quote, user=live_scenario.editor_user)
    client.force_login(asp)
    change = reverse("admin:funding_fundingrequest_change", args=[request.pk])
    page = client.get(change).content.decode()
    assert "Valider" in page and "Renvoyer « à modifier »" in page
    client.post(reverse("admin:funding_fundingrequest_validate", args=[request.pk]), {"comment": ""})
    request.refresh_from_db()
    assert request.status == RequestStatus.VALIDATED
    url = reverse("admin:funding_fundingrequest_payment", args=[request.pk])
    data = {"paid_on": timezone.localdate().isoformat(), "reference": "VIR-2026-1"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert "Ce versement a déjà été enregistré" in response.content.decode()
    assert Payment.objects.get().amount == Decimal("9882.00")


def test_admin_never_edits_status_or_amounts(client, live_scenario, asp):
    request = services.advance_request_file(quote=live_scenario.quote, user=live_scenario.editor_user)
    client.force_login(asp)
    change = reverse("admin:funding_fundingrequest_change", args=[request.pk])
    client.post(change, {"status": "paid", "amount": "1000000"})
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert request.amount == Decimal("9882.00")


def test_send_back_form_in_the_admin(client, live_scenario, asp):
    request = services.advance_request_file(quote=live_scenario.quote, user=live_scenario.editor_user)
    client.force_login(asp)
    url = reverse("admin:funding_fundingrequest_send_back", args=[request.pk])
    client.post(url, {"reasons": ["invoice_missing", "other"], "comment": "Préciser le RIB"})
    request.refresh_from_db()
    assert request.status == RequestStatus.TO_MODIFY
    assert request.corrections.get().reasons == ["invoice_missing", "other"]


def test_editor_cannot_use_the_asp_admin(client, live_scenario):
    request = services.advance_request_file(quote=live_scenario.quote, user=live_scenario.editor_user)
    client.force_login(live_scenario.editor_user)
    url = reverse("admin:funding_fundingrequest_validate", args=[request.pk])
    assert client.post(url, {}).status_code == 302  # to the admin login
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def _balance_due(live_scenario, asp):
    """The scenario's quote with its advance paid and its delivery declared: the balance is due."""
    from segur_funding.quotes.services import quote_declare_delivery

    quote = live_scenario.quote
    request = services.advance_request_file(quote=quote, user=live_scenario.editor_user)
    services.funding_request_validate(request=request, user=asp)
    services.payment_record(request=request, user=asp, paid_on=timezone.localdate(), reference="A1")
    quote_declare_delivery(quote=quote, user=live_scenario.lab_user)
    return quote


def test_balance_page_takes_the_invoice(client, live_scenario, asp):
    quote = _balance_due(live_scenario, asp)
    client.force_login(live_scenario.editor_user)
    response = client.post(
        reverse("funding:balance_file", args=[quote.pk]),
        {
            "invoice": SimpleUploadedFile("facture.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    balance = FundingRequest.objects.get(milestone="balance")
    assert balance.amount == Decimal("23058.00")
    invoice = client.get(reverse("funding:request_invoice", args=[balance.pk]))
    assert b"".join(invoice.streaming_content) == PDF


def test_balance_page_without_an_invoice_says_what_to_fix_and_files_nothing(client, live_scenario, asp):
    quote = _balance_due(live_scenario, asp)
    client.force_login(live_scenario.editor_user)
    response = client.post(reverse("funding:balance_file", args=[quote.pk]), {"comment": "Facture jointe"})
    page = response.content.decode()
    assert "La demande de solde n'est pas déposée" in page
    assert 'href="#id_invoice"' in page  # the summary links to the field to fix
    assert "Facture jointe" in page  # what was typed is kept
    assert not FundingRequest.objects.filter(milestone="balance").exists()


def _export(client, asp, action: str, ids):
    return client.post(
        reverse("admin:funding_fundingrequest_changelist"),
        {
            "action": action,
            "_selected_action": [str(i) for i in ids],
        },
    )


def test_csv_export_neutralises_formulas(client, reference_data, asp):
    demo_window_ensure(today=timezone.localdate())
    scenario = Scenario()
    scenario.lab.name = '=HYPERLINK("http://evil")'
    scenario.lab.save()
    scenario.editor.name = "@SUM(A1)"
    scenario.editor.save()
    quote = scenario.signed(today=timezone.localdate())
    request = services.advance_request_file(quote=quote, user=scenario.editor_user)
    client.force_login(asp)
    response = _export(client, asp, "export_csv", [request.pk])
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["Client"] == '\'=HYPERLINK("http://evil")'
    assert record["Éditeur"] == "'@SUM(A1)"
    assert record["Montant demandé TTC (€)"] == "9882,00"
    assert record["Statut"] == "Déposée"


def test_xlsx_export_has_amounts_and_payment_reference(client, live_scenario, asp):
    from openpyxl import load_workbook

    request = services.advance_request_file(quote=live_scenario.quote, user=live_scenario.editor_user)
    services.funding_request_validate(request=request, user=asp)
    services.payment_record(request=request, user=asp, paid_on=timezone.localdate(), reference="-VIR-1")
    client.force_login(asp)
    response = _export(client, asp, "export_xlsx", [request.pk])
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Référence du versement"] == "-VIR-1"  # an XLSX text cell is never a formula
    assert Decimal(str(record["Montant versé TTC (€)"])) == Decimal("9882.00")
    assert record["Statut"] == "Décidée et payée"


def test_large_export_runs_in_the_background(
    client, live_scenario, asp, settings, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("segur_funding.funding.admin.EXPORT_SYNC_MAX_ROWS", 0)
    request = services.advance_request_file(quote=live_scenario.quote, user=live_scenario.editor_user)
    client.force_login(asp)
    with django_capture_on_commit_callbacks(execute=True):
        response = _export(client, asp, "export_csv", [request.pk])
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == "done" and job.rows == 1
    download = client.get(reverse("admin:funding_exportjob_download", args=[job.pk]))
    assert "9882,00" in b"".join(download.streaming_content).decode("utf-8-sig")


def test_admin_queue_query_budget(client, reference_data, asp, django_assert_max_num_queries):
    today = timezone.localdate()
    demo_window_ensure(today=today)
    scenario = Scenario()
    for _ in range(6):
        quote = scenario.signed(today=today)
        services.advance_request_file(quote=quote, user=scenario.editor_user)
    client.force_login(asp)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("admin:funding_fundingrequest_changelist"))
    assert response.status_code == 200


def test_editor_funding_list_query_budget(client, reference_data, django_assert_max_num_queries):
    today = timezone.localdate()
    demo_window_ensure(today=today)
    scenario = Scenario()
    for _ in range(6):
        quote = scenario.signed(today=today)
        services.advance_request_file(quote=quote, user=scenario.editor_user)
    for _ in range(3):
        scenario.signed(today=today)
    client.force_login(scenario.editor_user)
    with django_assert_max_num_queries(11):  # 10, and the header's « Mon espace (n) » count
        response = client.get(reverse("funding:editor_list"))
    page = response.content.decode()
    assert page.count("demander l&#x27;avance") + page.count("demander l'avance") == 3


def test_the_editor_pages_its_requests_without_counting_them(client, reference_data):
    """51 requests: 50 on the first page, newest first, then one on the second; the links follow
    without a count (no « dernière page »), and a page past the end links back."""
    today = timezone.localdate()
    demo_window_ensure(today=today)
    scenario = Scenario()
    first = scenario.signed(today=today)
    services.advance_request_file(quote=first, user=scenario.editor_user)
    template = FundingRequest.objects.get(quote=first)
    for i in range(50):
        quote = Quote.objects.get(pk=first.pk)
        quote.pk, quote.number, quote.verification_token = None, f"{first.number}-{i}", f"token-{i}"
        quote.save()
        request = FundingRequest.objects.get(pk=template.pk)
        request.pk, request.quote = None, quote
        request.save()
        FundingRequest.objects.filter(pk=request.pk).update(
            submitted_at=template.submitted_at + timedelta(minutes=i + 1)
        )
    url = reverse("funding:editor_list")
    client.force_login(scenario.editor_user)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    # The paginator's count of the editor's requests (page_of ran it on every page).
    counts = [q["sql"] for q in queries if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "funding_')]
    assert not counts, counts
    assert page.count('href="/financement/demandes/') == 50
    # Newest first: the 50 copies, not the request filed first.
    assert f"{first.number}-49<" in page and f"{first.number}-0<" in page
    assert f"{first.number}<" not in page
    assert 'href="?page=2"' in page and "Dernière page" not in page
    assert "Page 1" in page

    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('href="/financement/demandes/') == 1
    assert f"{first.number}<" in second  # the oldest, filed first
    assert 'href="?page=1"' in second and "Page suivante" not in second

    past = client.get(url, {"page": 3}).content.decode()
    assert "Plus aucune demande déposée sur cette page." in past
    assert 'href="?page=2"' in past
