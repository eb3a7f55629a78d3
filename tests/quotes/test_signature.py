"""The lab's signature (issue 14): who signs, options declined one by one, the signed PDF."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest

from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.quotes import services
from segur_funding.quotes.checker import quote_check_file
from segur_funding.quotes.constants import Scope
from segur_funding.quotes.models import Quote, QuoteEvent, QuoteLine, QuoteStatus
from segur_funding.quotes.rules.acceptance import OfferedLine, acceptance, acceptance_refusal
from segur_funding.quotes.selectors import out_of_scope_total
from tests.funding.factories import SIGN_DAY, Scenario

NAME, ROLE = "Dr Claire Martin", "biologiste responsable"
OPTION = 6  # « Module statistiques », 1 200,00 € TTC, the last line of conform_lines()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def scenario(reference_data):
    return Scenario()


def sign(quote, scenario, **kwargs):
    fields = {"signatory_name": NAME, "signatory_role": ROLE, "today": SIGN_DAY, **kwargs}
    return services.quote_sign(quote=quote, user=scenario.lab_user, **fields)


def snapshot(quote: Quote) -> tuple:
    quote.refresh_from_db()
    return (
        quote.status,
        quote.signature_date,
        quote.signatory_name,
        quote.signatory_role,
        quote.signed_document,
        sorted(quote.lines.filter(declined=True).values_list("label", flat=True)),
        QuoteEvent.objects.count(),
    )


# --- The rule, without a database -------------------------------------------------------------

LINES = [
    OfferedLine(1, "Droits d'utilisation", Scope.SEGUR, Decimal("30000.00")),
    OfferedLine(2, "Montant de la Prestation Ségur pris en charge", Scope.STATE_FUNDING, Decimal("30000.00")),
    OfferedLine(3, "Module statistiques", Scope.OUT_OF_SCOPE, Decimal("1200.00")),
    OfferedLine(4, "Rattrapage de version", Scope.OUT_OF_SCOPE, Decimal("800.00")),
]


def test_declined_options_leave_the_totals_and_the_segur_part_stays_whole():
    signed = acceptance(LINES, {3})
    assert [x.number for x in signed.declined] == [3]
    assert signed.segur_total_ttc == signed.state_funding_ttc == Decimal("30000.00")
    assert signed.segur_remainder_ttc == Decimal("0.00")
    assert (signed.options_accepted_ttc, signed.options_declined_ttc) == (
        Decimal("800.00"),
        Decimal("1200.00"),
    )
    assert signed.client_total_ttc == Decimal("800.00")
    assert acceptance_refusal(LINES, {3, 4}) is None


@pytest.mark.parametrize("number", [1, 2])
def test_no_line_of_the_segur_part_may_be_declined(number):
    refusal = acceptance_refusal(LINES, {3, number})
    assert refusal.code == "SEGUR_NOT_OPTIONAL"
    assert f"La ligne n° {number} « {LINES[number - 1].label} » fait partie de la Prestation Ségur" in (
        refusal.message
    )
    assert "n'est pas facultative" in refusal.message


def test_a_line_the_quote_does_not_have_cannot_be_declined():
    refusal = acceptance_refusal(LINES, {9})
    assert (refusal.code, refusal.message) == ("UNKNOWN_LINE", "La ligne n° 9 n'existe pas sur ce devis.")


# --- The service ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signature_records_the_signatory_and_the_declined_option(scenario):
    quote = sign(scenario.issued(), scenario, declined_lines=[OPTION])
    quote.refresh_from_db()
    assert (quote.status, quote.signatory_name, quote.signatory_role) == (QuoteStatus.SIGNED, NAME, ROLE)
    option = quote.lines.get(label="Module statistiques")
    assert option.declined
    assert quote.lines.filter(declined=True).count() == 1
    # The signed document is the issued one without the option; the issued one keeps it.
    assert "Module statistiques" not in [x["label"] for x in quote.signed_document["lines"]]
    assert "Module statistiques" in [x["label"] for x in quote.document["lines"]]
    assert quote.signed_document["signature_date"] == "2022-06-01"
    assert out_of_scope_total(quote) == Decimal("0.00")
    assert quote.check_report["verdict"] == "conform"
    assert quote.check_report["state_funding_ttc"] == "32940.00"
    event = quote.events.get(kind="signed")
    assert event.comment.startswith(f"Signé par {NAME} ({ROLE}). Options refusées : ligne 6")
    assert "Module statistiques" in event.comment


@pytest.mark.django_db
def test_signature_without_declines_keeps_every_option(scenario):
    quote = sign(scenario.issued(), scenario)
    assert not QuoteLine.objects.filter(quote=quote, declined=True).exists()
    assert out_of_scope_total(quote) == Decimal("1200.00")
    assert quote.events.get(kind="signed").comment == f"Signé par {NAME} ({ROLE})."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("declined", "code", "words"),
    [
        ([1], "SEGUR_NOT_OPTIONAL", "fait partie de la Prestation Ségur : elle n'est pas facultative"),
        ([5, OPTION], "SEGUR_NOT_OPTIONAL", "La ligne n° 5"),
        ([7], "UNKNOWN_LINE", "La ligne n° 7 n'existe pas sur ce devis."),
    ],
)
def test_refused_declines_write_nothing(scenario, declined, code, words):
    quote = scenario.issued()
    before = snapshot(quote)
    with pytest.raises(DomainError) as info:
        sign(quote, scenario, declined_lines=declined)
    assert info.value.code == code
    assert words in info.value.message
    assert snapshot(quote) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "words"),
    [
        ("  ", ROLE, "Indiquez le nom"),
        (NAME, "", "Indiquez la fonction"),
        ("x" * 151, ROLE, "150 caractères"),
    ],
)
def test_a_signature_needs_a_signatory_and_a_role(scenario, name, role, words):
    quote = scenario.issued()
    before = snapshot(quote)
    with pytest.raises(InvalidInput) as info:
        sign(quote, scenario, signatory_name=name, signatory_role=role)
    assert words in info.value.message
    assert snapshot(quote) == before


@pytest.mark.django_db
def test_signature_after_the_window_with_a_decline_writes_nothing(scenario):
    quote = scenario.issued()
    before = snapshot(quote)
    with pytest.raises(DomainError) as info:
        sign(quote, scenario, declined_lines=[OPTION], today=date(2022, 7, 16))
    assert info.value.code == "SIGNED_AFTER_DEADLINE"
    assert "15/07/2022" in info.value.message
    assert snapshot(quote) == before


# --- The PDFs ---------------------------------------------------------------------------------


def _text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_issued_pdf_says_the_options_are_the_clients_choice(scenario):
    text = _text(services.quote_pdf_bytes(scenario.issued()))
    assert "Options hors Ségur (facultatives)" in text
    assert "Reste à charge du client au titre de la Prestation Ségur (TTC) 0,00" in text
    assert "Total à payer par le client s'il accepte toutes les options (TTC) 1 200,00" in text
    assert "Les options hors Ségur sont son choix" in text


@pytest.mark.django_db
def test_signed_pdf_shows_the_acceptance_and_the_totals_without_the_declined_option(scenario, tmp_path):
    from pypdf import PdfReader

    quote = sign(scenario.issued(), scenario, declined_lines=[OPTION])
    quote.refresh_from_db()
    content = services.signed_quote_pdf_bytes(quote)
    text = _text(content)
    assert "signé le 01/06/2022 par Dr Claire Martin, biologiste responsable" in text
    assert "Options refusées : n° 6 « Module statistiques »" in text
    assert "Options hors Ségur acceptées (TTC) 0,00" in text
    assert "Total à payer par le client (TTC) 0,00" in text
    assert "total à payer par le client 0,00" in text
    # The attachment is what was signed, and the PDF re-checks to the signed report exactly.
    attached = json.loads(PdfReader(io.BytesIO(content)).attachments["devis-segur.json"][0])
    assert attached == quote.signed_document
    path = tmp_path / "signe.pdf"
    path.write_bytes(content)
    assert quote_check_file(path, today=SIGN_DAY).to_dict() == quote.check_report


@pytest.mark.django_db
def test_an_unsigned_quote_has_no_signed_pdf(scenario):
    with pytest.raises(DomainError) as info:
        services.signed_quote_pdf_bytes(scenario.issued())
    assert info.value.code == "NOT_SIGNED"


# --- The lab's page ---------------------------------------------------------------------------


@pytest.fixture
def today_window(reference_data):
    from django.utils import timezone

    from segur_funding.quotes.demo import demo_window_ensure

    demo_window_ensure(today=timezone.localdate())


def _sign_post(client, quote, **data):
    from django.urls import reverse

    fields = {"confirm": "on", "signatory_name": NAME, "signatory_role": ROLE, f"option_{OPTION}": "accept"}
    return client.post(reverse("quotes:lab_sign", args=[quote.pk]), {**fields, **data})


def _page(client, quote) -> str:
    from django.urls import reverse

    return client.get(reverse("quotes:lab_detail", args=[quote.pk])).content.decode()


@pytest.mark.django_db
def test_before_signature_the_banner_names_the_options_as_the_labs_choice(client, scenario):
    quote = scenario.issued()
    client.force_login(scenario.lab_user)
    page = _page(client, quote)
    assert "Vous n'avez rien à payer au titre de la Prestation Ségur" in page
    assert "Vous pouvez le signer." in page
    assert "options hors Ségur pour 1\u202f200,00\u00a0€ TTC : elles sont facultatives" in page
    assert "Option n° 6 : Module statistiques — 1\u202f200,00\u00a0€ TTC" in page
    # Only the options are offered: no choice for a line of the Prestation Ségur.
    assert 'name="option_6"' in page and 'name="option_1"' not in page


@pytest.mark.django_db
def test_lab_declines_the_option_and_signs_then_sees_what_comes_next(client, scenario, today_window):
    quote = scenario.issued()
    client.force_login(scenario.lab_user)
    response = _sign_post(client, quote, **{f"option_{OPTION}": "decline"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SIGNED
    assert quote.lines.get(label="Module statistiques").declined
    page = _page(client, quote)
    assert "Vous pouvez le signer" not in page
    assert "Devis signé : la suite" in page
    assert f"par {NAME}, {ROLE}" in page
    assert "Options refusées : n° 6 « Module statistiques »" in page
    assert "L'éditeur demande l'avance (9\u202f882,00\u00a0€ TTC) à l'ASP" in page
    assert "déclarez la mise en ordre de marche" in page
    assert "option refusée à la signature" in page
    assert 'name="signatory_name"' not in page
    from django.urls import reverse

    pdf = client.get(reverse("quotes:lab_signed_pdf", args=[quote.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"] == f'attachment; filename="devis-{quote.number}-signe.pdf"'
    text = _text(pdf.content)
    assert "Dr Claire Martin, biologiste responsable" in text
    client.force_login(scenario.editor_user)
    editor_pdf = client.get(reverse("quotes:editor_signed_pdf", args=[quote.pk]))
    assert editor_pdf.status_code == 200


@pytest.mark.django_db
def test_after_delivery_the_page_says_the_balance_comes_next(client, scenario):
    quote = scenario.delivered()
    client.force_login(scenario.lab_user)
    page = _page(client, quote)
    assert "Prestation livrée : la suite" in page
    assert "L'éditeur demande maintenant le solde" in page
    assert "Vous pouvez le signer" not in page


@pytest.mark.django_db
def test_a_signature_without_signatory_shows_the_errors_and_writes_nothing(client, scenario, today_window):
    quote = scenario.issued()
    client.force_login(scenario.lab_user)
    before = snapshot(quote)
    response = _sign_post(client, quote, signatory_name="", **{f"option_{OPTION}": ""})
    assert response.status_code == 200
    page = response.content.decode()
    # The error summary (where the focus lands) links to each field to correct.
    assert "La signature n'est pas enregistrée" in page
    assert 'href="#id_signatory_name"' in page and f'href="#option_{OPTION}-fieldset"' in page
    assert 'id="signatory_name-error"' in page and 'aria-invalid="true"' in page
    assert "Indiquez si vous acceptez ou refusez cette option." in page
    assert snapshot(quote) == before


@pytest.mark.django_db
def test_the_signed_pdf_is_only_for_the_quotes_parties_and_once_signed(client, scenario):
    from django.urls import reverse

    from tests.funding.factories import LabFactory, member

    quote = scenario.issued()
    client.force_login(scenario.lab_user)
    assert client.get(reverse("quotes:lab_signed_pdf", args=[quote.pk])).status_code == 404
    sign(quote, scenario)
    client.force_login(member(LabFactory()))
    assert client.get(reverse("quotes:lab_signed_pdf", args=[quote.pk])).status_code == 404


@pytest.mark.django_db
def test_an_uploaded_pdfs_page_lists_the_lines_read(client, scenario, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    pdf = services.quote_pdf_bytes(scenario.issued())
    client.force_login(scenario.lab_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("quotes:lab_upload"),
            {"file": SimpleUploadedFile("devis.pdf", pdf, content_type="application/pdf")},
        )
    uploaded = Quote.objects.get(origin="uploaded")
    assert uploaded.check_status == "done"
    page = _page(client, uploaded)
    assert "Lignes lues dans le PDF" in page
    assert (
        '<td>Module statistiques</td><td>Hors Ségur</td><td class="segur-amount">1\u202f200,00\u00a0€</td>'
        in page
    )
    assert 'Prise en charge par l&#x27;État</td><td class="segur-amount">− 32\u202f940,00\u00a0€' in page
    # The banner and the PDF agree: nothing to pay for the Ségur part, the option is a choice.
    assert "options hors Ségur pour 1\u202f200,00\u00a0€ TTC : elles sont facultatives" in page
