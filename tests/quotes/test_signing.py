"""Nobody can make a quote conform by attaching a document to it (SPEC §4, attachments).

Forged PDFs are made here: a clean JSON attached to a non-conform printed page, a genuine
platform PDF whose attachment was edited, a genuine attachment and seal copied into another PDF,
seals made with an unknown or a wrong key. Each is judged on its printed page, with the
difference reported; a genuine platform PDF is believed, even after being re-saved.
"""

import json
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from segur_funding.quotes.checker import quote_check_file
from segur_funding.quotes.pdf_reader import read_pdf_quote
from segur_funding.quotes.rules.seal import (
    SealOutcome,
    attachment_differences,
    parse_signing_keys,
    printed_sha256,
    seal_check,
    seal_make,
)
from segur_funding.quotes.signing import (
    DOCUMENT_ATTACHMENT_NAME,
    SEAL_ATTACHMENT_NAME,
    pages_printed_sha256,
)

CORPUS = Path(__file__).resolve().parent / "pdfs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
TODAY = date(2022, 7, 1)
KEY = ("k1", b"k" * 32)


# --- Pure rules ---------------------------------------------------------------------------------


def _seal(**changes):
    fields = {
        "key": KEY,
        "number": "D-2026-0001",
        "token": "tok",
        "issued_on": "2026-01-05",
        "editor": "Éditeur",
        "document": b"{}",
        "printed": printed_sha256(["page"]),
    }
    return seal_make(**{**fields, **changes})


def test_a_seal_checks_only_with_its_key_its_document_and_its_printed_text():
    seal = _seal()
    printed = printed_sha256(["page"])
    assert seal_check(seal, keys=[KEY], document=b"{}", printed=printed).trusted
    assert seal_check(seal, keys=[("k2", b"x" * 32)], document=b"{}", printed=printed).outcome is (
        SealOutcome.UNKNOWN_KEY
    )
    assert seal_check(seal, keys=[("k1", b"x" * 32)], document=b"{}", printed=printed).outcome is (
        SealOutcome.BAD_SIGNATURE
    )
    assert seal_check(seal, keys=[KEY], document=b"{ }", printed=printed).outcome is (
        SealOutcome.DOCUMENT_CHANGED
    )
    other = printed_sha256(["page 2"])
    assert seal_check(seal, keys=[KEY], document=b"{}", printed=other).outcome is SealOutcome.PRINTED_CHANGED
    assert seal_check(None, keys=[KEY], document=b"{}", printed=printed).outcome is SealOutcome.NO_SEAL
    assert seal_check("x", keys=[KEY], document=b"{}", printed=printed).outcome is SealOutcome.MALFORMED


@pytest.mark.parametrize("field", ["number", "token", "issued_on", "editor", "printed_sha256"])
def test_changing_any_sealed_field_breaks_the_signature(field):
    seal = dict(_seal())
    seal[field] = "autre"
    outcome = seal_check(seal, keys=[KEY], document=b"{}", printed="autre").outcome
    assert outcome is SealOutcome.BAD_SIGNATURE


def test_printed_text_digest_ignores_blanks_but_not_characters():
    assert printed_sha256(["Total : 1 200,00 €\nfin"]) == printed_sha256(["Total:1200,00€ fin"])
    assert printed_sha256(["Total : 1 200,00 €"]) != printed_sha256(["Total : 1 200,50 €"])
    assert printed_sha256(["12", "00"]) != printed_sha256(["1200"])  # page breaks count


def test_signing_keys_are_id_secret_pairs_the_first_signs():
    keys = parse_signing_keys(f"new:{'n' * 32}, old:{'o' * 40}")
    assert [key_id for key_id, _ in keys] == ["new", "old"]
    for raw, message in [
        ("", "aucune clé"),
        ("sans-deux-points", "identifiant:secret"),
        ("court:abc", "au moins 32"),
        (f"a:{'x' * 32},a:{'y' * 32}", "deux fois"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_signing_keys(raw)


def test_differences_name_totals_labels_and_conditions_in_french():
    attached = {"lines": [{"label": "Paramétrage", "scope": "segur", "amount_ttc": "2000.00"}]}
    printed = {
        "lines": [{"label": "Boîtes MSSanté", "scope": "segur", "amount_ttc": "2500.00"}],
        "conditions": ["Sous réserve de souscrire le module Qualité"],
    }
    text = " ; ".join(attachment_differences(attached, printed))
    assert (
        "total de la Prestation Ségur : 2 000,00 € dans la pièce jointe, 2 500,00 € sur la page "
        "imprimée"
    ) in text
    assert "lignes imprimées absentes de la pièce jointe : « Boîtes MSSanté »" in text
    assert "« Paramétrage »" in text
    assert "conditions imprimées absentes de la pièce jointe" in text
    same = {"lines": [{"label": "PARAMETRAGE", "scope": "segur", "amount_ttc": "2000"}]}
    assert attachment_differences(attached, same) == []


# --- Forged PDFs --------------------------------------------------------------------------------


def _pdf(pages_from: bytes, attachments: dict[str, bytes]) -> bytes:
    writer = PdfWriter()
    for page in PdfReader(BytesIO(pages_from)).pages:
        writer.add_page(page)
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _attachments(pdf: bytes) -> dict[str, bytes]:
    reader = PdfReader(BytesIO(pdf))
    return {name: contents[0] for name, contents in reader.attachments.items()}


def _check(tmp_path, data: bytes) -> dict:
    path = tmp_path / "devis.pdf"
    path.write_bytes(data)
    return quote_check_file(path, today=TODAY).to_dict()


def _codes(report: dict, severity: str) -> list[str]:
    return sorted({f["code"] for f in report["findings"] if f["severity"] == severity})


def _clean_document(name: str) -> dict:
    """The corpus quote's own document with what makes it non-conform cleaned away."""
    document = json.loads(json.dumps(EXPECTED[name]["document"]))
    document["mentions"], document["conditions"] = [], []
    # A forger states the referencing too: without it the attached document is only "incomplete".
    document.setdefault("referencing", {"referenced_on": "2022-01-03", "proofs_complete_on": "2021-12-01"})
    for line in document["lines"]:
        if "MSSant" in line["label"]:
            line["label"] = "Paramétrage des interfaces"
    return document


FORGED = {
    "weasy_mssante.pdf": "EXCLUDED_ITEM_FUNDED",
    "weasy_conditional_module.pdf": "CONDITIONAL_OFFER",
    "rl_platypus_sun_es.pdf": "SUN_ES_REFERENCE",
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_clean_attachment_on_a_non_conform_page_is_non_conform_with_the_difference(
    name, reference_data, tmp_path
):
    from segur_funding.quotes.checker import _check as check_document

    clean = _clean_document(name)
    # The forgery is worth trying: the attached document alone would be conform.
    assert check_document(clean, today=TODAY, partial=True).verdict == "conform"
    forged = _pdf((CORPUS / name).read_bytes(), {DOCUMENT_ATTACHMENT_NAME: json.dumps(clean).encode()})
    report = _check(tmp_path, forged)
    assert report["verdict"] == "non_conform"
    assert FORGED[name] in _codes(report, "error")
    assert "UNTRUSTED_ATTACHMENT" in _codes(report, "warning")


def test_mssante_boxes_hidden_by_the_attachment_are_named_in_the_difference(reference_data, tmp_path):
    clean = _clean_document("weasy_mssante.pdf")
    forged = _pdf(
        (CORPUS / "weasy_mssante.pdf").read_bytes(), {DOCUMENT_ATTACHMENT_NAME: json.dumps(clean).encode()}
    )
    report = _check(tmp_path, forged)
    mismatch = [f["message"] for f in report["findings"] if f["code"] == "ATTACHMENT_MISMATCH"]
    assert mismatch and "Boîtes aux lettres MSSanté" in mismatch[0]
    assert "Seul le texte imprimé a été vérifié" in mismatch[0]


def _forged_seal(name: str, document: bytes, key: tuple[str, bytes]) -> bytes:
    pages = (CORPUS / name).read_bytes()
    seal = seal_make(
        key=key,
        number=EXPECTED[name]["document"]["number"],
        token="jeton-invente",
        issued_on="2022-06-01",
        editor="Éditeur",
        document=document,
        printed=pages_printed_sha256(PdfReader(BytesIO(pages))),
    )
    return _pdf(pages, {DOCUMENT_ATTACHMENT_NAME: document, SEAL_ATTACHMENT_NAME: json.dumps(seal).encode()})


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (("cle-inconnue", b"s" * 32), "une clé que la plateforme ne connaît pas"),
        (("dev", b"pas-le-bon-secret-mais-assez-long!!"), "sa signature ne correspond pas"),
    ],
)
def test_a_seal_made_without_the_platform_key_is_not_believed(key, reason, reference_data, tmp_path):
    document = json.dumps(_clean_document("weasy_mssante.pdf")).encode()
    report = _check(tmp_path, _forged_seal("weasy_mssante.pdf", document, key))
    assert report["verdict"] == "non_conform"
    assert "EXCLUDED_ITEM_FUNDED" in _codes(report, "error")
    untrusted = [f["message"] for f in report["findings"] if f["code"] == "UNTRUSTED_ATTACHMENT"]
    assert untrusted and reason in untrusted[0]


# --- Genuine platform PDFs ----------------------------------------------------------------------


@pytest.fixture
def issued(reference_data, settings, tmp_path):
    from tests.funding.factories import Scenario

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Scenario().issued()


@pytest.fixture
def genuine(issued):
    from segur_funding.quotes.services import quote_pdf_bytes

    return quote_pdf_bytes(issued)


def test_a_genuine_platform_pdf_is_believed_and_rechecks_to_its_stored_report(issued, genuine, tmp_path):
    reading = read_pdf_quote(genuine)
    assert reading.embedded is True
    assert reading.warnings == ()
    assert _check(tmp_path, genuine) == issued.check_report
    seal = json.loads(_attachments(genuine)[SEAL_ATTACHMENT_NAME])
    assert seal["number"] == issued.number
    assert seal["token"] == issued.verification_token
    assert seal["key_id"] == "dev"


def test_a_genuine_pdf_saved_again_by_another_tool_is_still_believed(genuine):
    resaved = BytesIO()
    writer = PdfWriter(clone_from=PdfReader(BytesIO(genuine)))
    writer.compress_identical_objects()
    writer.add_metadata({"/Producer": "Un autre outil"})
    writer.write(resaved)
    assert resaved.getvalue() != genuine
    assert read_pdf_quote(resaved.getvalue()).embedded is True


def test_a_genuine_pdf_whose_attachment_was_edited_is_read_from_its_page(issued, genuine, tmp_path):
    attachments = _attachments(genuine)
    document = json.loads(attachments[DOCUMENT_ATTACHMENT_NAME])
    document["lines"].append({"label": "Module qualité", "scope": "segur", "amount_ttc": "0.00"})
    attachments[DOCUMENT_ATTACHMENT_NAME] = json.dumps(document).encode()
    reading = read_pdf_quote(_pdf(genuine, attachments))
    assert reading.embedded is False
    assert [line["label"] for line in reading.document["lines"]] == [
        line["label"] for line in issued.document["lines"]
    ]
    messages = {f.code: f.message for f in reading.warnings}
    assert "modifiée depuis son émission par la plateforme" in messages["UNTRUSTED_ATTACHMENT"]
    assert "« Module qualité »" in messages["ATTACHMENT_MISMATCH"]


def test_a_platform_attachment_copied_into_another_pdf_does_not_vouch_for_it(genuine, tmp_path):
    forged = _pdf((CORPUS / "weasy_mssante.pdf").read_bytes(), _attachments(genuine))
    report = _check(tmp_path, forged)
    assert report["verdict"] == "non_conform"
    assert "EXCLUDED_ITEM_FUNDED" in _codes(report, "error")
    assert "ATTACHMENT_MISMATCH" in _codes(report, "warning")
    assert "UNTRUSTED_ATTACHMENT" not in _codes(report, "warning")  # the seal itself is ours
    mismatch = next(f["message"] for f in report["findings"] if f["code"] == "ATTACHMENT_MISMATCH")
    assert "pièce jointe copiée dans un autre PDF" in mismatch


def test_old_quotes_stay_verified_after_a_key_rotation(issued, genuine, settings):
    settings.SEGUR_SIGNING_KEYS = f"k2027:{'n' * 40},{settings.SEGUR_SIGNING_KEYS}"
    assert read_pdf_quote(genuine).embedded is True
    settings.SEGUR_SIGNING_KEYS = f"k2027:{'n' * 40}"
    reading = read_pdf_quote(genuine)
    assert reading.embedded is False
    assert "une clé que la plateforme ne connaît pas" in reading.warnings[0].message


def test_new_quotes_are_sealed_with_the_first_key(issued, settings):
    from segur_funding.quotes.services import quote_pdf_bytes

    settings.SEGUR_SIGNING_KEYS = f"k2027:{'n' * 40},{settings.SEGUR_SIGNING_KEYS}"
    seal = json.loads(_attachments(quote_pdf_bytes(issued))[SEAL_ATTACHMENT_NAME])
    assert seal["key_id"] == "k2027"



# --- Configuration and hostile files ------------------------------------------------------------


def test_the_system_check_refuses_malformed_keys_and_the_dev_key_outside_demo_mode(settings):
    from segur_funding.quotes.signing import signing_keys_check

    assert signing_keys_check() == []  # tests run in demo mode with the dev key
    settings.SEGUR_SIGNING_KEYS = "pas-de-secret"
    assert [error.id for error in signing_keys_check()] == ["segur.E004"]
    settings.SEGUR_SIGNING_KEYS = "dev:dev-only-signing-key-never-used-in-production"
    settings.SEGUR_DEMO_MODE = False
    errors = signing_keys_check()
    assert [error.id for error in errors] == ["segur.E005"]
    assert "clé de développement" in errors[0].msg


HOSTILE = sorted(name for name, entry in EXPECTED.items() if entry.get("invalid"))


@pytest.mark.parametrize("name", HOSTILE)
def test_the_public_verification_says_no_to_hostile_files_in_one_sentence(name):
    from segur_funding.quotes.verification import quote_pdf_verify

    result = quote_pdf_verify(number="D-2022-0001", data=(CORPUS / name).read_bytes())
    assert result.genuine is False
    assert result.reason and "\n" not in result.reason


def test_a_text_box_added_over_a_genuine_page_breaks_the_seal(genuine):
    from pypdf.annotations import FreeText

    writer = PdfWriter(clone_from=PdfReader(BytesIO(genuine)))
    note = FreeText(text="Module Qualité obligatoire : 4 800,00 €", rect=(50, 50, 350, 90))
    writer.add_annotation(page_number=0, annotation=note)
    out = BytesIO()
    writer.write(out)
    reading = read_pdf_quote(out.getvalue())
    assert reading.embedded is False
    assert "ATTACHMENT_MISMATCH" in [finding.code for finding in reading.warnings]
