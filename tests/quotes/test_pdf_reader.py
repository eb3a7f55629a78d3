"""The PDF reader reads each quote of the corpus as a careful person does (expected.json)."""

import json
from pathlib import Path

import pytest

from segur_funding.quotes.pdf.french import parse_amount, parse_date
from segur_funding.quotes.pdf.layout import join_lines
from segur_funding.quotes.pdf.wording import dsr_codes, is_state_funding, section_scope
from segur_funding.quotes.pdf_reader import PdfReading, read_pdf_quote

CORPUS = Path(__file__).resolve().parent / "pdfs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
QUOTES = sorted(name for name, entry in EXPECTED.items() if "document" in entry)
HEADER_KEYS = ("number", "dsr", "client", "order_date", "signature_date", "referencing")


def read(name: str) -> PdfReading:
    return read_pdf_quote((CORPUS / name).read_bytes())


def test_corpus_is_varied():
    tools = {EXPECTED[name]["tool"].split(" ")[0] for name in QUOTES}
    assert {"LibreOffice", "reportlab", "HTML", "WeasyPrint"} & tools == {
        "LibreOffice",
        "reportlab",
        "HTML",
        "WeasyPrint",
    }
    assert len(QUOTES) >= 12


@pytest.mark.parametrize("name", QUOTES)
def test_lines_scopes_and_amounts_read_as_expected(name):
    reading = read(name)
    assert reading.document["lines"] == EXPECTED[name]["document"]["lines"]


@pytest.mark.parametrize("name", QUOTES)
def test_header_fields_read_as_expected(name):
    reading = read(name)
    expected = EXPECTED[name]["document"]
    for key in HEADER_KEYS:
        assert reading.document.get(key) == expected.get(key), key


@pytest.mark.parametrize("name", QUOTES)
def test_mentions_conditions_and_manual_checks(name):
    reading = read(name)
    expected = EXPECTED[name]
    assert reading.embedded is expected["embedded"]
    mentions = " | ".join(reading.document.get("mentions", []))
    for text in expected["mentions_contain"]:
        assert text in mentions
    conditions = " | ".join(reading.document.get("conditions", []))
    for text in expected["conditions_contain"]:
        assert text in conditions
    if expected["manual_checks_contain"]:
        checks = " | ".join(reading.manual_checks)
        for text in expected["manual_checks_contain"]:
            assert text in checks
    else:
        assert reading.manual_checks == []


@pytest.mark.parametrize("name", QUOTES)
def test_text_is_kept_for_search(name):
    reading = read(name)
    if EXPECTED[name]["document"]["lines"]:
        assert "€" in reading.text or "EUR" in reading.text


def test_unsigned_attachment_is_not_believed_and_the_printed_page_is_read():
    reading = read("segur_funding_embedded.pdf")
    assert reading.embedded is False
    assert reading.document["lines"] == EXPECTED["segur_funding_embedded.pdf"]["document"]["lines"]
    assert reading.manual_checks == []
    assert [finding.code for finding in reading.warnings] == ["UNTRUSTED_ATTACHMENT"]
    assert "ne porte pas la signature de la plateforme" in reading.warnings[0].message


def test_unsigned_attachment_that_disagrees_with_the_printed_table_is_reported():
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    document = json.loads(json.dumps(EXPECTED["segur_funding_embedded.pdf"]["document"]))
    document["lines"][3]["amount_ttc"] = "30000.00"
    writer = PdfWriter()
    for page in PdfReader(CORPUS / "segur_funding_embedded.pdf").pages:
        writer.add_page(page)
    writer.add_attachment("devis-segur.json", json.dumps(document).encode())
    buffer = BytesIO()
    writer.write(buffer)
    reading = read_pdf_quote(buffer.getvalue())
    assert reading.embedded is False
    state = [line for line in reading.document["lines"] if line["scope"] == "state_funding"]
    assert [line["amount_ttc"] for line in state] == ["32940.00"]
    mismatch = [f.message for f in reading.warnings if f.code == "ATTACHMENT_MISMATCH"]
    assert mismatch and "30 000,00 € dans la pièce jointe, 32 940,00 € sur la page imprimée" in mismatch[0]


def test_unreadable_attachment_falls_back_to_the_text_with_a_manual_check():
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(CORPUS / "lo_sgl_conform.pdf").pages:
        writer.add_page(page)
    writer.add_attachment("devis-segur.json", b"{ not json")
    buffer = BytesIO()
    writer.write(buffer)
    reading = read_pdf_quote(buffer.getvalue())
    assert reading.embedded is False
    assert reading.document["lines"] == EXPECTED["lo_sgl_conform.pdf"]["document"]["lines"]
    assert any("n'est pas un JSON lisible" in check for check in reading.manual_checks)


def test_scanned_quote_is_manual_checks_and_no_invented_line():
    reading = read("scanned_image_only.pdf")
    assert reading.document["lines"] == []
    assert reading.manual_checks
    assert "Page 1" in reading.manual_checks[0]
    assert set(reading.document) <= {"lines", "mentions", "conditions"}


def test_scanned_signature_page_keeps_the_text_page_and_flags_the_image_page():
    reading = read("rl_canvas_scanned_signature_page.pdf")
    assert len(reading.document["lines"]) == 5
    assert [check for check in reading.manual_checks if check.startswith("Page 2")]
    assert "signature_date" not in reading.document


def test_manual_checks_are_french_sentences():
    for name in QUOTES:
        for check in read(name).manual_checks:
            assert check[0].isupper()
            assert check.endswith(".")
            assert "\n" not in check


# --- the French readings the rebuild relies on ------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "value", "tax"),
    [
        ("32 940,00 €", "32940.00", None),
        ("32\u202f940,00\u00a0€", "32940.00", None),
        ("32.940,00 EUR", "32940.00", None),
        ("-3 500,00€", "-3500.00", None),
        ("\u2212 3\u202f500,00 €", "-3500.00", None),
        ("3 500 €", "3500.00", None),
        ("32 940,00 € TTC", "32940.00", "TTC"),
        ("27 450,00 € HT", "27450.00", "HT"),
        ("32940.00", "32940.00", None),
        ("Inclus", "0.00", None),
    ],
)
def test_french_amounts(printed, value, tax):
    amount = parse_amount(printed)
    assert amount is not None
    assert f"{amount.value:.2f}" == value
    assert amount.tax == tax


@pytest.mark.parametrize("printed", ["3.500", "20 %", "Maintenance 6 ans", "1 32 940,00 €", ""])
def test_not_amounts(printed):
    amount = parse_amount(printed)
    assert amount is None or not amount.is_money


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("01/06/2022", "2022-06-01"),
        ("1er juin 2022", "2022-06-01"),
        ("1 juin 2022", "2022-06-01"),
        ("12.05.2022", "2022-05-12"),
        ("3 août 2022", "2022-08-03"),
        ("31/02/2022", None),
    ],
)
def test_french_dates(printed, iso):
    parsed = parse_date(printed)
    assert (parsed.isoformat() if parsed else None) == iso


@pytest.mark.parametrize(
    "label",
    [
        "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur",
        "MONTANT DE LA PRESTATION SEGUR PRIS EN CHARGE PAR L’ÉTAT AU TITRE DU SÉGUR",
        "montant de la prestation ségur prise en charge par l État au titre du  Ségur",
    ],
)
def test_state_funding_wording_whatever_accents_case_apostrophes(label):
    assert is_state_funding(label)


def test_state_funding_wording_must_be_the_required_one():
    assert not is_state_funding("Participation de l'État (Ségur)")


@pytest.mark.parametrize(
    ("heading", "scope"),
    [
        ("Prestation Ségur", "segur"),
        ("Périmètre Ségur", "segur"),
        ("Pris en charge par l'État", "segur"),
        ("Hors Ségur", "out_of_scope"),
        ("Hors périmètre", "out_of_scope"),
        ("Prestations complémentaires (hors Ségur)", "out_of_scope"),
        ("Objet : Prestation Ségur du SGL", None),
        ("Prestation Ségur.", None),
        ("Total Prestation Ségur", None),
    ],
)
def test_section_headings(heading, scope):
    assert section_scope(heading) == scope


@pytest.mark.parametrize(
    ("label", "codes"),
    [
        ("Droits d'utilisation du Système de Gestion de Laboratoire", ["SGL-V1"]),
        ("Transcodeur LOINC – droits d'utilisation", ["LOINC-V1"]),
        ("Licences SGL et transcodeur LOINC", ["SGL-V1", "LOINC-V1"]),
        ("Interface du transcodeur LOINC avec votre SGL", ["LOINC-V1"]),
        ("Licence SGL vague 2", ["SGL-V2"]),
        ("Formation", []),
    ],
)
def test_dsr_named_by_a_label(label, codes):
    assert dsr_codes(label) == codes


def test_line_end_hyphens_are_undone_but_compound_words_kept():
    assert join_lines(["affermissement de cette com-", "mande"]) == "affermissement de cette commande"
    assert join_lines(["flux inter-", "applicatifs"]) == "flux inter-applicatifs"


# --- small hand-written PDFs for the cases the corpus does not show ----------------------------


def pdf_with(content: str, *, form: str | None = None) -> bytes:
    """One A4 page drawing `content` (Helvetica, WinAnsi), optionally with a form XObject /X1."""
    stream = content.encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << "
        b"/Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    inner = (form or "").encode("cp1252")
    objects.append(
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Matrix [1 0 0 1 0 0] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Length %d >>\nstream\n"
        % len(inner)
        + inner
        + b"\nendstream"
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_at(x: float, y: float, text: str, size: float = 9) -> str:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT /F1 {size} Tf {x} {y} Td ({escaped}) Tj ET\n"


STATE_LABEL = "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur"


def test_amounts_in_an_ht_column_only_are_read_as_ht_with_a_manual_check():
    content = (
        text_at(60, 700, "Désignation")
        + text_at(450, 700, "Montant HT")
        + text_at(60, 680, "Prestation Ségur")
        + text_at(60, 664, "Droits d'utilisation SGL")
        + text_at(450, 664, "10 000,00 €")
        + text_at(60, 648, STATE_LABEL, 7)
        + text_at(450, 648, "10 000,00 €")
    )
    reading = read_pdf_quote(pdf_with(content))
    first = reading.document["lines"][0]
    assert first == {
        "label": "Droits d'utilisation SGL",
        "scope": "segur",
        "dsr": ["SGL-V1"],
        "amount_ht": "10000.00",
    }
    assert any("montant TTC" in check for check in reading.manual_checks)


def test_two_different_order_dates_are_not_chosen_between():
    content = (
        text_at(60, 760, "Devis n° X-1")
        + text_at(60, 740, "Date de commande : 10/01/2022")
        + text_at(60, 720, "Date de commande : 12/01/2022")
    )
    reading = read_pdf_quote(pdf_with(content))
    assert "order_date" not in reading.document
    assert any("plusieurs dates de commande" in check for check in reading.manual_checks)


def test_amount_without_a_label_is_a_manual_check_not_a_line():
    content = (
        text_at(60, 700, "Désignation")
        + text_at(450, 700, "Montant TTC")
        + text_at(60, 680, "Prestation Ségur")
        + text_at(60, 664, "Formation")
        + text_at(450, 664, "3 000,00 €")
        + text_at(450, 648, "1 500,00 €")
    )
    reading = read_pdf_quote(pdf_with(content))
    assert [line["label"] for line in reading.document["lines"]] == ["Formation"]
    assert any("sans libellé (1 500,00 €)" in check for check in reading.manual_checks)


def test_payment_schedule_after_the_totals_is_not_a_quote_line():
    content = (
        text_at(60, 700, "Désignation")
        + text_at(450, 700, "Montant TTC")
        + text_at(60, 680, "Prestation Ségur")
        + text_at(60, 664, "Droits d'utilisation SGL")
        + text_at(450, 664, "3 000,00 €")
        + text_at(300, 640, "Total TTC")
        + text_at(450, 640, "3 000,00 €")
        + text_at(60, 600, "Échéancier de paiement par l'ASP à l'éditeur :")
        + text_at(60, 584, "Avance de 30 % à la commande")
        + text_at(450, 584, "900,00 €")
    )
    reading = read_pdf_quote(pdf_with(content))
    assert [line["label"] for line in reading.document["lines"]] == ["Droits d'utilisation SGL"]
    assert any("Avance de 30 %" in mention for mention in reading.document["mentions"])


def test_included_items_read_as_zero():
    content = (
        text_at(60, 700, "Désignation")
        + text_at(450, 700, "Montant TTC")
        + text_at(60, 680, "Prestation Ségur")
        + text_at(60, 664, "Documentation")
        + text_at(450, 664, "Inclus")
        + text_at(60, 648, "Formation")
        + text_at(450, 648, "2 000,00 €")
    )
    lines = read_pdf_quote(pdf_with(content)).document["lines"]
    assert [(line["label"], line["amount_ttc"]) for line in lines] == [
        ("Documentation", "0.00"),
        ("Formation", "2000.00"),
    ]


def test_text_drawn_through_a_form_xobject_is_placed_where_it_shows():
    # The table is drawn by a form XObject moved 100 points down: rows must still line up
    # with the header drawn on the page itself.
    form = text_at(60, 664, "Formation") + text_at(450, 664, "2 000,00 €")
    content = (
        text_at(60, 600, "Désignation")
        + text_at(450, 600, "Montant TTC")
        + text_at(60, 580, "Prestation Ségur")
        + "q 1 0 0 1 0 -100 cm /X1 Do Q\n"
    )
    lines = read_pdf_quote(pdf_with(content, form=form)).document["lines"]
    assert lines == [{"label": "Formation", "scope": "segur", "amount_ttc": "2000.00"}]


def test_cells_drawn_in_one_text_object_are_split_back_into_columns():
    # Browser-style output: one BT, the cells of a row placed with Td moves on one baseline,
    # which pypdf reports as one chunk ("Formation 2 470,00 € 940,00 €").
    content = (
        "BT /F1 9 Tf 60 700 Td (Désignation) Tj 300 0 Td (Qté) Tj 40 0 Td (P.U. TTC) Tj "
        "50 0 Td (Montant TTC) Tj ET\n"
        + text_at(60, 680, "Prestation Ségur")
        + "BT /F1 9 Tf 60 664 Td (Formation) Tj 300 0 Td (2) Tj 40 0 Td (470,00 €) Tj "
        "50 0 Td (940,00 €) Tj ET\n"
    )
    lines = read_pdf_quote(pdf_with(content)).document["lines"]
    assert lines == [{"label": "Formation", "scope": "segur", "amount_ttc": "940.00"}]


@pytest.mark.parametrize(
    ("sentence", "condition"),
    [
        ("Cette offre est conditionnée à la souscription du module Qualité.", True),
        ("L'offre n'est valable que pour un engagement de 3 ans.", True),
        ("Sous réserve de l'achat de l'option Statistiques.", True),
        ("Elle n'est conditionnée à aucun réengagement ni à l'achat d'options ou de modules.", False),
        ("Cette offre n'est pas conditionnée à l'achat d'un module.", False),
        ("Bon de commande conditionné à l'obtention par le logiciel du référencement ANS.", False),
    ],
)
def test_conditions_put_on_the_client(sentence, condition):
    reading = read_pdf_quote(pdf_with(text_at(40, 700, sentence, 9)))
    assert (sentence in reading.document["conditions"]) is condition
