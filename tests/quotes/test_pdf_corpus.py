"""The real-world PDF corpus (tests/quotes/corpus): each quote gets exactly its expected report.

Producers: LibreOffice Writer (.docx, .odt), LibreOffice Calc (.xlsx), reportlab canvas and
Platypus, WeasyPrint, a two-column letter, owner-password protection (RC4, AES-256), a rotated
page, scanned pages. expected.json says, from SPEC §4, the verdict and the exact error codes.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from segur_funding.quotes.pdf_reader import read_pdf_quote

CORPUS = Path(__file__).resolve().parent / "corpus"
PDFS = CORPUS / "pdfs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
READ = sorted(name for name, entry in EXPECTED.items() if not entry.get("invalid"))
NON_CONFORM = [name for name in READ if EXPECTED[name]["verdict"] == "non_conform"]
LABELS = "labels matched by meaning"


def awaiting(names: list[str], *, only: str = "") -> list:
    """Files whose expected report relies on a rule change of issue 11 made by engineer
    "rules" in parallel: strict xfail, so the marker must go once both branches are merged."""
    params = []
    for name in names:
        awaits = EXPECTED[name].get("awaits_rules", "")
        marks = []
        if awaits and only in awaits:
            marks = [pytest.mark.xfail(strict=True, reason=f"awaits the rules change: {awaits}")]
        params.append(pytest.param(name, marks=marks, id=name))
    return params


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


def test_corpus_is_large_and_varied():
    producers = {entry["producer"].split(",")[0].split(" (")[0] for entry in EXPECTED.values()}
    assert len(EXPECTED) >= 60
    assert len(producers) >= 6
    codes = {code for entry in EXPECTED.values() for code in entry.get("codes", [])}
    assert codes >= {
        "MISSING_STATE_FUNDING_LINE",
        "CAP_EXCEEDED",
        "CLIENT_REMAINDER",
        "UNCLASSIFIED_LINE",
        "MIXED_DSR_LINE",
        "CONDITIONAL_OFFER",
        "SUN_ES_REFERENCE",
        "EXCLUDED_ITEM_FUNDED",
        "MISSING_CONDITIONAL_MENTION",
        "ORDER_TOO_EARLY",
        "SIGNED_AFTER_DEADLINE",
        "STATE_FUNDING_ABOVE_SEGUR_TOTAL",
    }
    assert {entry.get("verdict") for entry in EXPECTED.values()} >= {"conform", "non_conform", "incomplete"}


@pytest.mark.parametrize("name", awaiting(READ))
def test_corpus_quote_gets_its_verdict_and_exactly_its_error_codes(name, reference_data):
    expected = EXPECTED[name]
    status, out, err = run(str(PDFS / name), "--today", TODAY, *expected["args"])
    assert err == ""
    report = json.loads(out)
    errors = sorted({f["code"] for f in report["findings"] if f["severity"] == "error"})
    assert (report["verdict"], errors) == (expected["verdict"], expected["codes"]), report["findings"]
    assert status == (0 if expected["verdict"] == "conform" else 1)
    manual = " | ".join(f["message"] for f in report["findings"] if f["severity"] == "manual")
    for text in expected["manual_checks_contain"]:
        assert text in manual


@pytest.mark.parametrize("name", awaiting(NON_CONFORM, only=LABELS))
def test_no_corpus_quote_that_breaks_a_rule_is_reported_conform(name, reference_data):
    expected = EXPECTED[name]
    _, out, _ = run(str(PDFS / name), "--today", TODAY, *expected["args"])
    assert json.loads(out)["verdict"] != "conform"


@pytest.mark.parametrize("name", INVALID)
def test_pdf_that_asks_for_a_password_is_refused_with_one_french_line(name, reference_data):
    status, out, err = run(str(PDFS / name), "--today", TODAY, "--dsr", "SGL-V1")
    assert (status, out) == (2, "")
    assert EXPECTED[name]["message_contains"] in err
    assert "endommagé" not in err and "\n" not in err.strip()


def test_text_layer_fully_read_is_said_so_and_a_scan_is_not():
    assert read_pdf_quote((PDFS / "docx_missing_state_funding.pdf").read_bytes()).fully_read is True
    assert read_pdf_quote((PDFS / "scan_conform.pdf").read_bytes()).fully_read is False


def test_owner_password_quotes_read_like_their_unprotected_original():
    for protected, original in (
        ("pypdf_owner_rc4_conform.pdf", "docx_conform.pdf"),
        ("pypdf_owner_aes256_conform.pdf", "weasy_conform.pdf"),
    ):
        assert (
            read_pdf_quote((PDFS / protected).read_bytes()).document
            == read_pdf_quote((PDFS / original).read_bytes()).document
        )
