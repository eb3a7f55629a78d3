"""Each page of a PDF quote is parsed once: pdfminer (under pdfplumber) runs the operations
pypdf parsed for the extraction, and a sealed PDF's seal hashes the text that extraction
returned. Both shortcuts must give exactly what the libraries give on their own."""

import io
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from segur_funding.quotes.pdf.extract import extract_page
from segur_funding.quotes.pdf.pdfminer_ops import feed_layout
from segur_funding.quotes.pdf.ruled import has_rules

CORPUS = Path(__file__).resolve().parent / "corpus" / "pdfs"
LEGACY = Path(__file__).resolve().parent / "pdfs"
# One file per producer that draws ruled tables, page breaks and a turned page included.
RULED = [
    "docx_long_table.pdf", "odt_long_table.pdf", "xlsx_long_table.pdf", "weasy_long_table.pdf",
    "platypus_long_table.pdf", "docx_landscape_conform.pdf", "pypdf_owner_aes256_conform.pdf",
]


def _reader(path: Path) -> PdfReader:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def _without_stream(objects: dict) -> dict:
    # A curve's `stream` is pdfminer's PDFStream object, compared by identity: leave it out.
    return {
        kind: [{k: v for k, v in o.items() if k != "stream"} for o in items]
        for kind, items in objects.items()
    }


@pytest.mark.parametrize("name", RULED)
def test_pdfplumber_sees_the_same_objects_from_pypdf_operations(name):
    path = CORPUS / name
    reader = _reader(path)
    pages = [extract_page(page, number) for number, page in enumerate(reader.pages, 1)]
    data = path.read_bytes()
    compared = 0
    with pdfplumber.open(io.BytesIO(data)) as own, pdfplumber.open(io.BytesIO(data)) as fed:
        for page in pages:
            contents = reader.pages[page.number - 1].get_contents()
            if contents is None or not has_rules(contents.get_data()):
                continue
            assert page.operations
            target = fed.pages[page.number - 1]
            feed_layout(target, page.operations)
            assert hasattr(target, "_objects")  # the operations were used, not re-parsed
            assert _without_stream(target.objects) == _without_stream(own.pages[page.number - 1].objects)
            compared += 1
    assert compared


def _readable(path: Path) -> bool:
    try:
        return len(_reader(path).pages) > 0
    except Exception:
        return False


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(CORPUS.glob("*.pdf")) + sorted(LEGACY.glob("*.pdf")) if _readable(p)],
    ids=lambda p: p.name,
)
def test_the_extraction_text_is_pypdfs_default_text_unless_a_page_has_turned_text(path):
    # A page pypdf refuses (a decompression bomb under the limits in force) must be refused by
    # the single-parse extraction too, with the same error: compare outcomes, not only texts.
    # pypdf's own reading comes from a second reader: extract_page puts the parsed stream in the
    # page's place, and the default extraction must not see that.
    reference = _reader(path).pages
    for number, page in enumerate(_reader(path).pages, 1):
        try:
            extracted = extract_page(page, number)
        except Exception as error:  # the outcome is what is compared
            with pytest.raises(type(error)):
                reference[number - 1].extract_text()
            continue
        if extracted.rotated_text or extracted.overflow:
            continue
        assert extracted.text == (reference[number - 1].extract_text() or "")


def test_turned_text_is_noticed_so_the_seal_extracts_the_page_in_full():
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 700, "Installation et paramétrage 9 000,00 €")
    pdf.saveState()
    pdf.translate(300, 300)
    pdf.rotate(90)
    pdf.drawString(0, 0, "Sous réserve de souscrire le module Qualité")
    pdf.restoreState()
    pdf.save()
    page = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
    default = page.extract_text()
    extracted = extract_page(PdfReader(io.BytesIO(buffer.getvalue())).pages[0], 1)
    assert extracted.rotated_text
    assert "Sous réserve" in default
    assert "Sous réserve" not in extracted.text
