import io
import json
from datetime import date
from decimal import Decimal

import pytest

from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.quotes import services
from segur_funding.quotes.checker import quote_check_document, quote_check_file
from segur_funding.quotes.models import Quote, QuoteEvent, QuoteStatus
from segur_funding.quotes.selectors import quote_document
from segur_funding.quotes.services import LineInput
from segur_funding.referential.models import FundingWindow
from tests.funding.factories import (
    DELIVERY_DAY,
    ORDER_DATE,
    SIGN_DAY,
    STATE_WORDING,
    LabFactory,
    Scenario,
    conform_lines,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def scenario(reference_data):
    return Scenario()


def sign(**kwargs) -> Quote:
    return services.quote_sign(
        signatory_name="Dr Claire Martin", signatory_role="biologiste responsable", **kwargs
    )


def snapshot(quote: Quote) -> tuple:
    quote.refresh_from_db()
    return (quote.status, quote.signature_date, quote.window_id, QuoteEvent.objects.count())


def test_web_quote_document_is_judged_like_the_command_line(scenario):
    quote = scenario.draft()
    document = quote_document(quote)
    assert document["client"] == {
        "name": scenario.lab.name,
        "siret": scenario.lab.siret,
        "geographic_sites": 12,
    }
    assert document["referencing"] == {
        "referenced_on": "2022-02-01",
        "proofs_complete_on": "2022-01-15",
    }
    assert document["lines"][0] == {
        "label": "Droits d'utilisation de la version référencée",
        "scope": "segur",
        "dsr": ["SGL-V1"],
        "amount_ttc": "12000.00",
        "amount_ht": "10000.00",
    }
    same = quote_check_document(json.loads(json.dumps(document)), today=ORDER_DATE).to_dict()
    assert quote.check_report == same
    assert same["verdict"] == "conform"


def test_order_before_referencing_gets_the_mention_automatically(reference_data):
    scenario = Scenario(referenced_on=None, proofs_complete_on=None)
    quote = scenario.draft()
    document = quote_document(quote)
    assert document["mentions"][0].startswith("Bon de commande conditionné")
    assert quote.is_conform
    assert [f["code"] for f in quote.check_report["findings"]] == ["PROOFS_PENDING"]


def test_issued_pdf_embeds_the_document_and_rechecks_exactly(scenario):
    from pypdf import PdfReader

    quote = scenario.issued()
    services.quote_pdf_render(quote_id=quote.pk)
    quote.refresh_from_db()
    content = quote.pdf.read()
    reader = PdfReader(io.BytesIO(content))
    attached = json.loads(reader.attachments["devis-segur.json"][0])
    assert attached == quote.document
    text = "".join(page.extract_text() for page in reader.pages)
    assert "pris en charge par l" in text and "Options hors Ségur (facultatives)" in text
    rechecked = quote_check_file(quote.pdf.path, today=ORDER_DATE).to_dict()
    assert rechecked == quote.check_report
    assert quote.events.filter(kind="pdf_rendered").exists()


def test_pdf_prints_the_conditional_mention_before_referencing(reference_data):
    from pypdf import PdfReader

    scenario = Scenario(referenced_on=None, proofs_complete_on=None)
    quote = scenario.issued()
    services.quote_pdf_render(quote_id=quote.pk)
    quote.refresh_from_db()
    text = " ".join(p.extract_text() for p in PdfReader(quote.pdf.path).pages)
    assert "conditionné à l'obtention par le logiciel du référencement ANS" in " ".join(text.split())


def test_non_conform_quote_cannot_be_issued(scenario):
    lines = [line for line in conform_lines() if line.scope != "state_funding"]
    quote = scenario.draft(lines=lines)
    assert quote.check_report["verdict"] == "non_conform"
    before = snapshot(quote)
    with pytest.raises(DomainError) as info:
        services.quote_issue(quote=quote, user=scenario.editor_user, today=ORDER_DATE)
    assert info.value.code == "NOT_CONFORM"
    assert "n'est pas conforme" in info.value.message
    assert snapshot(quote) == before


def test_signature_records_today_and_the_window(scenario):
    quote = scenario.signed()
    assert quote.status == QuoteStatus.SIGNED
    assert quote.signature_date == SIGN_DAY
    assert quote.window.number == 1
    event = quote.events.get(kind="signed")
    assert (event.from_status, event.to_status, event.actor) == (
        QuoteStatus.ISSUED,
        QuoteStatus.SIGNED,
        scenario.lab_user,
    )


def test_signature_after_the_deadline_is_refused(scenario):
    quote = scenario.issued()
    before = snapshot(quote)
    with pytest.raises(DomainError) as info:
        sign(quote=quote, user=scenario.lab_user, today=date(2022, 7, 16))
    assert info.value.code == "SIGNED_AFTER_DEADLINE"
    assert "15/07/2022" in info.value.message
    assert snapshot(quote) == before


def test_signature_before_the_window_opens_says_when_it_opens(scenario):
    quote = scenario.issued()
    FundingWindow.objects.filter(scheme__dsr=quote.dsr, number=1).update(opens_on=date(2022, 6, 15))
    before = snapshot(quote)
    with pytest.raises(DomainError) as info:
        sign(quote=quote, user=scenario.lab_user, today=date(2022, 6, 1))
    assert info.value.code == "SIGNED_BEFORE_WINDOW"
    assert "15/06/2022" in info.value.message
    assert "dépassé" not in info.value.message
    assert snapshot(quote) == before


def test_signature_on_the_deadline_day_is_accepted(scenario):
    quote = scenario.issued()
    sign(quote=quote, user=scenario.lab_user, today=date(2022, 7, 15))
    assert snapshot(quote)[0] == QuoteStatus.SIGNED


def test_quote_that_became_non_conform_cannot_be_signed(scenario):
    quote = scenario.issued()
    # The referencing dates are read again at signature: here the dossier turns out to have been
    # completed 153 days after the order, so the order is no longer eligible (120-day rule).
    scenario.dossier.referenced_on = None
    scenario.dossier.proofs_complete_on = date(2022, 8, 1)
    scenario.dossier.save()
    before = snapshot(quote)
    with pytest.raises(DomainError) as info:
        sign(quote=quote, user=scenario.lab_user, today=SIGN_DAY)
    assert info.value.code == "NOT_CONFORM"
    assert snapshot(quote) == before


def test_another_lab_cannot_sign(scenario):
    quote = scenario.issued()
    with pytest.raises(DomainError) as info:
        sign(quote=quote, user=member(LabFactory()), today=SIGN_DAY)
    assert info.value.code == "FORBIDDEN"


def test_delivery_needs_a_signature_and_a_past_date(scenario):
    quote = scenario.issued()
    with pytest.raises(DomainError):
        services.quote_declare_delivery(quote=quote, user=scenario.lab_user, today=DELIVERY_DAY)
    quote = sign(quote=quote, user=scenario.lab_user, today=SIGN_DAY)
    with pytest.raises(InvalidInput):
        services.quote_declare_delivery(
            quote=quote, user=scenario.lab_user, delivered_on=date(2022, 9, 2), today=DELIVERY_DAY
        )
    with pytest.raises(InvalidInput):
        services.quote_declare_delivery(
            quote=quote, user=scenario.lab_user, delivered_on=date(2022, 5, 1), today=DELIVERY_DAY
        )
    quote = services.quote_declare_delivery(
        quote=quote, user=scenario.lab_user, delivered_on=DELIVERY_DAY, today=DELIVERY_DAY
    )
    assert (quote.status, quote.delivered_on) == (QuoteStatus.DELIVERED, DELIVERY_DAY)


def test_only_drafts_are_edited(scenario):
    quote = scenario.issued()
    with pytest.raises(DomainError) as info:
        services.quote_update(
            quote=quote,
            user=scenario.editor_user,
            client=scenario.lab,
            dsr=scenario.dsr,
            dossier=scenario.dossier,
            order_date=ORDER_DATE,
            mentions="",
            conditions="",
            lines=conform_lines(),
        )
    assert info.value.code == "NOT_DRAFT"


def test_every_move_writes_a_history_row(scenario):
    quote = scenario.delivered()
    kinds = list(quote.events.values_list("kind", flat=True))
    assert kinds == ["created", "issued", "signed", "delivered"]


def test_mixed_dsr_line_is_reported_in_french(scenario):
    lines = [
        LineInput(
            label="Droits SGL et LOINC",
            scope="segur",
            dsr_codes="SGL-V1, LOINC-V1",
            amount_ttc=Decimal("32940.00"),
        ),
        LineInput(label=STATE_WORDING, scope="state_funding", amount_ttc=Decimal("32940.00")),
    ]
    quote = scenario.draft(lines=lines)
    codes = [f["code"] for f in quote.check_report["findings"]]
    assert "MIXED_DSR_LINE" in codes
    assert quote.check_report["verdict"] == "non_conform"


def test_uploaded_pdf_check_is_kept_with_the_quote(scenario, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    issued = scenario.issued()
    pdf = services.quote_pdf_bytes(issued)
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = services.quote_upload(
            user=scenario.lab_user,
            client=scenario.lab,
            file=SimpleUploadedFile("devis.pdf", pdf, content_type="application/pdf"),
            editor_name="Autre éditeur",
        )
    uploaded.refresh_from_db()
    assert uploaded.check_status == "done"
    assert uploaded.verdict == issued.verdict
    assert uploaded.number == issued.number
    assert uploaded.events.filter(kind="checked").exists()
