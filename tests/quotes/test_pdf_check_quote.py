"""`manage.py check_quote` on the PDF corpus: the reading feeds the same rules as a JSON quote."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

CORPUS = Path(__file__).resolve().parent / "pdfs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
CHECKED = sorted(name for name, entry in EXPECTED.items() if "check" in entry)
INVALID = sorted(name for name, entry in EXPECTED.items() if entry.get("invalid"))
TODAY = "2022-07-01"


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("check_quote", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", CHECKED)
def test_corpus_pdf_verdict_and_error_codes(name, reference_data):
    check = EXPECTED[name]["check"]
    status, out, err = run(str(CORPUS / name), "--today", TODAY, *check["args"])
    assert err == ""
    report = json.loads(out)
    errors = [f["code"] for f in report["findings"] if f["severity"] == "error"]
    assert report["verdict"] == check["verdict"], report["findings"]
    assert sorted(set(errors)) == sorted(check["codes"]), report["findings"]
    assert status == (0 if check["verdict"] == "conform" else 1)


INCOMPLETE = [name for name in CHECKED if EXPECTED[name]["check"]["verdict"] == "incomplete"]


@pytest.mark.parametrize("name", INCOMPLETE)
def test_incomplete_reports_carry_the_readers_manual_checks(name, reference_data):
    check = EXPECTED[name]["check"]
    _, out, _ = run(str(CORPUS / name), "--today", TODAY, *check["args"])
    report = json.loads(out)
    manual = " | ".join(f["message"] for f in report["findings"] if f["severity"] == "manual")
    for text in EXPECTED[name]["manual_checks_contain"]:
        assert text in manual


def test_scanned_quote_is_never_conform_even_with_full_context(reference_data):
    status, out, _ = run(
        str(CORPUS / "scanned_image_only.pdf"),
        "--today",
        TODAY,
        "--dsr",
        "SGL-V1",
        "--sites",
        "4",
        "--signature-date",
        "2022-06-01",
        "--referenced-on",
        "2022-01-01",
    )
    report = json.loads(out)
    assert report["verdict"] == "incomplete"
    assert status == 1


def test_context_options_override_what_the_pdf_says(reference_data):
    # The PDF says 12 sites (tier B); told 30 sites, the cap is tier C's.
    _, out, _ = run(str(CORPUS / "lo_sgl_conform.pdf"), "--today", TODAY, "--sites", "30", "--dsr", "SGL-V1")
    report = json.loads(out)
    assert report["tier"] == "C"


def test_signature_after_the_window_from_the_option(reference_data):
    status, out, _ = run(
        str(CORPUS / "lo_sgl_conform.pdf"),
        "--today",
        "2022-08-01",
        "--signature-date",
        "2022-07-16",
    )
    report = json.loads(out)
    assert "SIGNED_AFTER_DEADLINE" in [f["code"] for f in report["findings"]]
    assert status == 1


@pytest.mark.parametrize("name", INVALID)
def test_unreadable_pdf_is_invalid_input_with_one_french_line(name, reference_data):
    status, out, err = run(str(CORPUS / name), "--today", TODAY, "--dsr", "SGL-V1")
    assert status == 2
    assert out == ""
    assert err.strip() and "\n" not in err.strip()
    assert "Traceback" not in err


def test_quote_pdf_rendered_by_the_project_is_read_from_its_attachment(reference_data, settings, tmp_path):
    """The PDF segur_funding renders: the attached document is returned as is, and the printed
    table, read on its own, agrees with it (no manual check)."""
    from segur_funding.quotes.pdf_reader import read_pdf_quote
    from segur_funding.quotes.selectors import quote_document
    from segur_funding.quotes.services import quote_pdf_bytes
    from tests.funding.factories import Scenario

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    quote = Scenario().issued()
    pdf = quote_pdf_bytes(quote)
    reading = read_pdf_quote(pdf)
    assert reading.embedded is True
    assert reading.document == json.loads(json.dumps(quote.document or quote_document(quote)))
    assert reading.manual_checks == []

    # Without its attachment, the same PDF is read from its text: same Ségur lines and amounts.
    printed = read_pdf_quote(_strip_attachment(pdf))
    assert printed.embedded is False

    def amounts(lines):
        return sorted((line.get("scope"), line.get("amount_ttc")) for line in lines)

    assert amounts(printed.document["lines"]) == amounts(reading.document["lines"])
    for key in ("number", "dsr", "client", "order_date"):
        assert printed.document[key] == reading.document[key], key
    # The template prints the referencing date, not the date the proofs were complete.
    referenced_on = reading.document["referencing"]["referenced_on"]
    assert printed.document["referencing"] == {"referenced_on": referenced_on}
    assert printed.document["conditions"] == []


def _strip_attachment(pdf: bytes) -> bytes:
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(BytesIO(pdf)).pages:
        writer.add_page(page)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_project_pdf_read_from_its_text_alone_gets_the_same_verdict(reference_data, settings, tmp_path):
    from segur_funding.quotes.services import quote_pdf_bytes
    from tests.funding.factories import Scenario

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    pdf = quote_pdf_bytes(Scenario().issued())
    with_attachment, without = tmp_path / "devis.pdf", tmp_path / "devis-imprime.pdf"
    with_attachment.write_bytes(pdf)
    without.write_bytes(_strip_attachment(pdf))
    verdicts = []
    for path in (with_attachment, without):
        _, out, _ = run(str(path), "--today", TODAY)
        verdicts.append(json.loads(out)["verdict"])
    assert verdicts == ["conform", "conform"]
