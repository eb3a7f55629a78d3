"""`manage.py check_quote` and the DB-aware checker behind it (the same door the web and API use)."""

import json
import os
import subprocess
import sys
import types
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError

from segur_funding.core.errors import InvalidInput
from segur_funding.quotes.checker import quote_check_document, quote_check_file
from segur_funding.quotes.management.commands import check_quote
from segur_funding.referential.constants import CONDITIONAL_ORDER_MENTION
from tests.conftest import ROOT

EXAMPLES = Path(__file__).resolve().parent / "examples"
TODAY = "2022-05-01"

# file -> (verdict, error codes in report order, other codes)
EXPECTED = {
    "sgl_conform_tier_b.json": ("conform", [], []),
    "sgl_conform_ordered_before_referencing.json": ("conform", [], []),
    "sgl_maintenance_billed_to_lab.json": ("non_conform", ["CLIENT_REMAINDER"], []),
    "sgl_cap_exceeded_single_site.json": ("non_conform", ["CAP_EXCEEDED"], []),
    "sgl_mixed_dsr_line.json": ("non_conform", ["MIXED_DSR_LINE"], []),
    "sgl_conditional_offer_sun_es.json": (
        "non_conform", ["CONDITIONAL_OFFER", "SUN_ES_REFERENCE"], []
    ),
    "sgl_excluded_items_in_segur_part.json": (
        "non_conform", ["EXCLUDED_ITEM_FUNDED", "EXCLUDED_ITEM_FUNDED"], []
    ),
    "sgl_no_distinction.json": ("non_conform", ["UNCLASSIFIED_LINE"] * 5, []),
    "sgl_signed_after_deadline.json": ("non_conform", ["SIGNED_AFTER_DEADLINE"], []),
    "sgl_order_too_early.json": ("non_conform", ["ORDER_TOO_EARLY"], []),
    "sgl_missing_conditional_mention.json": ("non_conform", ["MISSING_CONDITIONAL_MENTION"], []),
    "sgl_wrong_state_funding_wording.json": ("non_conform", ["MISSING_STATE_FUNDING_LINE"], []),
    "spec_example.json": (
        "non_conform", ["MISSING_CONDITIONAL_MENTION", "STATE_FUNDING_ABOVE_SEGUR_TOTAL"], []
    ),
    "loinc_conform.json": ("conform", [], []),
    "loinc_remainder_above_cap.json": ("non_conform", ["CLIENT_REMAINDER"], []),
    "loinc_ordered_before_referencing_pending.json": ("conform", [], ["PROOFS_PENDING"]),
    # Labels read by meaning (SPEC §4), scope written « Ségur » / « SEGUR ».
    "sgl_project_and_documents_billed_to_lab.json": (
        "non_conform", ["CLIENT_REMAINDER", "CLIENT_REMAINDER"], []
    ),
    "sgl_mssante_and_unreferenced_module_in_segur_part.json": (
        "non_conform", ["EXCLUDED_ITEM_FUNDED", "EXCLUDED_ITEM_FUNDED"], []
    ),
    # No deduction: the client pays everything, so CLIENT_REMAINDER too; a negated SUN-ES
    # mention is not a reliance.
    "sgl_no_state_funding_line.json": (
        "non_conform", ["MISSING_STATE_FUNDING_LINE", "CLIENT_REMAINDER"], []
    ),
    # Absent referencing, software unknown to the platform: incomplete, what to check said.
    "sgl_referencing_not_stated.json": ("incomplete", [], ["REFERENCING_UNKNOWN"]),
}


def run(*args: str) -> tuple[int, str, str]:
    """call_command as the shell would see it: (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("check_quote", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def test_every_example_file_is_an_example():
    assert sorted(p.name for p in EXAMPLES.glob("*.json")) == sorted(
        [*EXPECTED, "dpi_without_bareme.json"]
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_quotes_get_their_verdict_and_codes(reference_data, name):
    verdict, errors, others = EXPECTED[name]
    status, out, err = run(str(EXAMPLES / name), "--today", TODAY)
    report = json.loads(out)
    assert err == ""
    assert status == (0 if verdict == "conform" else 1)
    assert report["verdict"] == verdict
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == errors
    assert [f["code"] for f in report["findings"] if f["severity"] != "error"] == others


def test_command_prints_the_spec_report_for_a_conform_quote(reference_data):
    status, out, _ = run(str(EXAMPLES / "sgl_conform_tier_b.json"), "--today", TODAY)
    assert status == 0
    assert json.loads(out) == {
        "verdict": "conform",
        "tier": "B",
        "cap_ttc": "32940.00",
        "cap_ht": "27450.00",
        "segur_total_ttc": "32940.00",
        "state_funding_ttc": "32940.00",
        "client_remainder_ttc": "0.00",
        "advance_ttc": "9882.00",
        "balance_ttc": "23058.00",
        "findings": [],
    }


def test_command_and_document_door_give_the_same_report(reference_data):
    from datetime import date

    path = EXAMPLES / "sgl_maintenance_billed_to_lab.json"
    _, out, _ = run(str(path), "--today", TODAY)
    data = json.loads(path.read_text(encoding="utf-8"))
    same = quote_check_document(data, today=date(2022, 5, 1)).to_dict()
    assert json.loads(out) == same
    assert same["findings"][0]["line"] == 4
    assert "Maintenance annuelle du SGL (6 ans)" in same["findings"][0]["message"]


def test_text_format_speaks_french_to_the_lab(reference_data):
    status, out, _ = run(
        str(EXAMPLES / "loinc_remainder_above_cap.json"), "--format", "text", "--today", TODAY
    )
    assert status == 1
    assert "Non conforme" in out.splitlines()[2]
    assert "Tranche U du barème" in out
    assert "Il vous resterait 600,00\u00a0€ TTC à payer" in out
    assert "Ligne 4 :" in out


def test_options_override_the_document(reference_data):
    path = EXAMPLES / "sgl_conform_tier_b.json"
    status, out, _ = run(str(path), "--sites", "1", "--today", TODAY)
    report = json.loads(out)
    assert status == 1
    assert (report["tier"], report["cap_ttc"]) == ("A", "27000.00")
    assert [f["code"] for f in report["findings"]] == ["CAP_EXCEEDED"]

    status, out, _ = run(
        str(path), "--referenced-on", "aucune", "--proofs-complete-on", "aucune",
        "--order-date", "01/04/2022", "--today", TODAY,
    )
    assert [f["code"] for f in json.loads(out)["findings"]] == [
        "MISSING_CONDITIONAL_MENTION",
        "PROOFS_PENDING",
    ]

    status, out, _ = run(str(path), "--signature-date", "2022-07-16", "--order-date",
                         "2022-07-16", "--today", TODAY)
    assert [f["code"] for f in json.loads(out)["findings"]] == ["SIGNED_AFTER_DEADLINE"]


def test_dsr_without_bareme_is_invalid_input(reference_data):
    status, out, err = run(str(EXAMPLES / "dpi_without_bareme.json"))
    assert status == 2
    assert out == ""
    assert err.strip() == (
        "Le DSR « DPI-V1 » n'a pas encore de barème de financement publié : "
        "le devis ne peut pas être vérifié."
    )


def test_unknown_dsr_is_invalid_input(reference_data, tmp_path):
    data = json.loads((EXAMPLES / "sgl_conform_tier_b.json").read_text(encoding="utf-8"))
    data["dsr"] = "XYZ-V9"
    path = tmp_path / "devis.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    status, _, err = run(str(path))
    assert status == 2
    assert "DSR inconnu : « XYZ-V9 »" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"number": "D-1",', "Fichier JSON illisible : "),
        ('{"lines": [1,]}', "ligne 1"),
        ("", "est vide"),
        ("PK\x03\x04 zip", "Type de fichier non reconnu"),
        ("[]", "Le devis doit être un objet JSON"),
    ],
)
def test_unreadable_files_are_invalid_input(tmp_path, content, message):
    path = tmp_path / "devis.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        quote_check_file(path)


def test_malformed_json_message_names_the_line(tmp_path):
    path = tmp_path / "devis.json"
    path.write_text('{\n  "number": "D-1",\n  "dsr": SGL\n}', encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        quote_check_file(path)
    assert exc.value.message == "Fichier JSON illisible : valeur attendue ligne 3, colonne 10."


def test_missing_file_directory_and_fake_pdf_are_invalid_input(tmp_path):
    with pytest.raises(InvalidInput, match="Fichier introuvable"):
        quote_check_file(tmp_path / "absent.json")
    with pytest.raises(InvalidInput, match="est un dossier"):
        quote_check_file(tmp_path)
    html = tmp_path / "devis.pdf"
    html.write_text("<html>Erreur 404</html>", encoding="utf-8")
    with pytest.raises(InvalidInput, match="n'est pas un PDF valide"):
        quote_check_file(html)


def test_invalid_document_values_are_invalid_input(tmp_path):
    data = json.loads((EXAMPLES / "sgl_conform_tier_b.json").read_text(encoding="utf-8"))
    data["lines"][2]["amount_ttc"] = "-5"
    path = tmp_path / "devis.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    status, out, err = run(str(path))
    assert (status, out) == (2, "")
    assert err.strip() == "lines[2].amount_ttc (ligne 3 du devis) : montant négatif : « -5 »."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sites", "0"], "--sites : nombre de sites géographiques invalide « 0 »"),
        (["--sites", "abc"], "--sites : nombre de sites géographiques invalide « abc »"),
        (["--order-date", "2022-02-30"], "--order-date : date invalide « 2022-02-30 »"),
        (["--referenced-on", "bientôt"], "--referenced-on : date invalide « bientôt »"),
        (["--dsr", " "], "--dsr : code DSR vide"),
    ],
)
def test_bad_option_values_exit_2_with_a_french_line(args, message):
    status, out, err = run(str(EXAMPLES / "sgl_conform_tier_b.json"), *args)
    assert (status, out) == (2, "")
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_unknown_format_or_option_exits_2_with_a_french_line(capsys):
    status, out, _ = run(str(EXAMPLES / "sgl_conform_tier_b.json"), "--format", "xml")
    err = capsys.readouterr().err
    assert (status, out) == (2, "")
    assert err.startswith(
        "Ligne de commande invalide : --format : valeur « xml » invalide (valeurs possibles : "
    )
    status, _, _ = run(str(EXAMPLES / "sgl_conform_tier_b.json"), "--pages", "2")
    assert status == 2
    assert capsys.readouterr().err == "Ligne de commande invalide : option inconnue : --pages 2.\n"


def test_missing_file_exits_2(tmp_path):
    status, out, err = run(str(tmp_path / "absent.pdf"))
    assert (status, out) == (2, "")
    assert err == f"Fichier introuvable : {tmp_path / 'absent.pdf'}.\n"


# --- PDF quotes (the reader is replaced by a fake: it is another module's job) ---------------


@pytest.fixture
def fake_pdf_reader(monkeypatch):
    """Install a fake `segur_funding.quotes.pdf_reader`; `readings` maps content to a reading."""
    module = types.ModuleType("segur_funding.quotes.pdf_reader")
    calls = []

    def read_pdf_quote(data: bytes, *, conditions=None):
        calls.append(data)
        if b"encrypted" in data:
            raise InvalidInput("Ce PDF est protégé par un mot de passe : il ne peut pas être lu.")
        return module.reading

    module.read_pdf_quote = read_pdf_quote
    module.calls = calls
    monkeypatch.setitem(sys.modules, "segur_funding.quotes.pdf_reader", module)
    return module


def _reading(document: dict, manual_checks=()):
    return types.SimpleNamespace(
        document=document, manual_checks=list(manual_checks), embedded=False, warnings=()
    )


PDF_DOCUMENT = {
    "number": "D-2022-0042",
    "signature_date": "2022-06-01",
    "mentions": [],
    "lines": [
        {"label": "Droits d'utilisation de la version référencée", "scope": "segur",
         "amount_ttc": "20000.00"},
        {"label": "Maintenance 6 ans", "scope": "segur", "amount_ttc": "12940.00"},
        {"label": "Montant de la Prestation Ségur pris en charge par l’État au titre du Ségur",
         "scope": "state_funding", "amount_ttc": "32940.00"},
    ],
}


def _pdf(tmp_path, content=b"%PDF-1.7\n fake quote\n%%EOF\n") -> Path:
    path = tmp_path / "devis.pdf"
    path.write_bytes(content)
    return path


def test_pdf_without_context_is_incomplete_and_says_what_is_missing(
    reference_data, fake_pdf_reader, tmp_path
):
    fake_pdf_reader.reading = _reading(PDF_DOCUMENT)
    status, out, _ = run(str(_pdf(tmp_path)), "--today", TODAY)
    report = json.loads(out)
    assert status == 1
    assert report["verdict"] == "incomplete"
    assert report["tier"] is None
    assert report["segur_total_ttc"] == "32940.00"
    assert [f["code"] for f in report["findings"]] == ["DSR_UNKNOWN", "REFERENCING_UNKNOWN"]
    assert fake_pdf_reader.calls == [b"%PDF-1.7\n fake quote\n%%EOF\n"]


def test_pdf_with_context_options_is_checked_like_json(reference_data, fake_pdf_reader, tmp_path):
    fake_pdf_reader.reading = _reading(PDF_DOCUMENT)
    status, out, _ = run(
        str(_pdf(tmp_path)), "--dsr", "sgl-v1", "--sites", "12", "--referenced-on",
        "2022-03-01", "--proofs-complete-on", "2022-02-01", "--today", TODAY,
    )
    report = json.loads(out)
    assert status == 0
    assert (report["verdict"], report["tier"], report["advance_ttc"]) == (
        "conform", "B", "9882.00"
    )


def test_pdf_options_override_what_the_pdf_says(reference_data, fake_pdf_reader, tmp_path):
    document = {**PDF_DOCUMENT, "dsr": "LOINC-V1", "client": {"geographic_sites": 3}}
    fake_pdf_reader.reading = _reading(document)
    report = quote_check_file(
        _pdf(tmp_path),
        overrides={"dsr": "SGL-V1", "geographic_sites": 1, "referenced_on": "2022-03-01"},
    )
    assert (report.dsr, report.tier) == ("SGL-V1", "A")
    assert "CAP_EXCEEDED" in report.codes


def test_pdf_manual_checks_make_the_report_incomplete(reference_data, fake_pdf_reader, tmp_path):
    fake_pdf_reader.reading = _reading(
        {**PDF_DOCUMENT, "mentions": [CONDITIONAL_ORDER_MENTION]},
        manual_checks=["Page 2 : aucun texte lisible (page scannée), à vérifier à la main."],
    )
    status, out, _ = run(
        str(_pdf(tmp_path)), "--dsr", "SGL-V1", "--sites", "12", "--referenced-on",
        "2022-03-01", "--format", "text", "--today", TODAY,
    )
    assert status == 1
    assert "Incomplet : à vérifier à la main" in out
    assert "Page 2 : aucun texte lisible (page scannée), à vérifier à la main." in out


def test_pdf_the_reader_refuses_is_invalid_input(fake_pdf_reader, tmp_path):
    path = _pdf(tmp_path, b"%PDF-1.7 encrypted")
    status, out, err = run(str(path))
    assert (status, out) == (2, "")
    assert err == "Ce PDF est protégé par un mot de passe : il ne peut pas être lu.\n"


def test_a_database_missing_a_migration_says_to_migrate(migration_rolled_back):
    status, out, err = run(str(EXAMPLES / "sgl_conform_tier_b.json"), "--today", TODAY)
    assert (status, out) == (2, "")
    assert err == "La base de données n'est pas à jour : lancez make setup (ou manage.py migrate).\n"


def test_a_database_error_with_every_migration_applied_says_the_database_is_unavailable(
    reference_data, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(check_quote, "quote_check_file", unreachable)
    status, out, err = run(str(EXAMPLES / "sgl_conform_tier_b.json"))
    assert (status, out) == (2, "")
    assert err == "Base de données des barèmes indisponible : lancez « make setup » puis réessayez.\n"


# --- The real command line --------------------------------------------------------------------


def test_command_line_exit_status_and_single_french_line_on_invalid_input(tmp_path):
    """Through manage.py, as a lab accountant would run it (no database is needed for these)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "segur_funding.settings.test"}
    broken = tmp_path / "devis.json"
    broken.write_text('{"number": "D-1", "lines": [}', encoding="utf-8")
    huge = tmp_path / "enorme.json"
    huge.write_text(
        (EXAMPLES / "sgl_conform_tier_b.json").read_text(encoding="utf-8").replace(
            '"12000.00"', "1" + "0" * 4400, 1
        ),
        encoding="utf-8",
    )

    def manage(*args):
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "check_quote", *args],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
        )

    for args, message in [
        ([str(broken)], "Fichier JSON illisible : valeur attendue ligne 1, colonne 29."),
        ([str(huge)], "lines[0].amount_ttc (ligne 1 du devis) : montant hors limites « 1000000"),
        ([str(EXAMPLES / "sgl_conform_tier_b.json"), "--sites", "abc"],
         "--sites : nombre de sites géographiques invalide « abc » "
         "(nombre entier supérieur ou égal à 1 attendu)."),
        ([], "Ligne de commande invalide : argument obligatoire absent : FILE."),
    ]:
        result = manage(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == ""
        assert result.stderr.startswith(message), result.stderr
        assert result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr


# --- The real PDF reader on the PDF corpus (tests/quotes/pdfs, owned by the PDF reader) -------

PDF_CORPUS = Path(__file__).resolve().parent / "pdfs"
PDF_EXPECTED = (
    json.loads((PDF_CORPUS / "expected.json").read_text(encoding="utf-8"))
    if (PDF_CORPUS / "expected.json").exists()
    else {}
)


@pytest.mark.parametrize(
    "name", sorted(name for name, spec in PDF_EXPECTED.items() if spec.get("check"))
)
def test_pdf_corpus_quotes_get_their_expected_verdict(reference_data, name):
    expected = PDF_EXPECTED[name]["check"]
    status, out, err = run(str(PDF_CORPUS / name), *expected["args"])
    assert err == ""
    report = json.loads(out)
    assert report["verdict"] == expected["verdict"]
    assert status == (0 if expected["verdict"] == "conform" else 1)
    errors = {f["code"] for f in report["findings"] if f["severity"] == "error"}
    assert errors == set(expected["codes"])


@pytest.mark.parametrize(
    "name",
    sorted(
        name
        for name, spec in PDF_EXPECTED.items()
        if spec.get("invalid", not spec.get("check")) and (PDF_CORPUS / name).exists()
    ),
)
def test_pdf_corpus_hostile_files_exit_2_with_one_french_line(name):
    status, out, err = run(str(PDF_CORPUS / name))
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and err[0].isupper()
