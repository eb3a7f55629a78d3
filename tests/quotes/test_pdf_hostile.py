"""Hostile and broken files end in InvalidInput with one French line, never anything else."""

import json
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segur_funding.core.errors import InvalidInput
from segur_funding.quotes.pdf_reader import MAX_BYTES, MAX_PAGES, PdfReading, read_pdf_quote

CORPUS = Path(__file__).resolve().parent / "pdfs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
INVALID = sorted(name for name, entry in EXPECTED.items() if entry.get("invalid") is True)
RECOVERED = sorted(name for name, entry in EXPECTED.items() if entry.get("invalid") is False)


def refusal(data: bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        read_pdf_quote(data)
    message = caught.value.message
    assert message == str(caught.value)
    assert "\n" not in message
    assert message.endswith(".")
    assert caught.value.code == "INVALID_INPUT"
    return message


def test_every_kind_of_hostile_file_is_in_the_corpus():
    assert {
        "hostile_empty.pdf",
        "hostile_truncated.pdf",
        "hostile_encrypted.pdf",
        "hostile_bomb.pdf",
        "hostile_attachment_bomb.pdf",
        "hostile_many_pages.pdf",
        "hostile_giant_page_count.pdf",
        "hostile_odt_renamed.pdf",
    } <= set(INVALID)


@pytest.mark.parametrize("name", INVALID)
def test_hostile_file_is_refused_with_one_french_line(name):
    message = refusal((CORPUS / name).read_bytes())
    assert EXPECTED[name]["message_contains"] in message


@pytest.mark.parametrize("name", RECOVERED)
def test_damaged_but_recoverable_file_is_read_with_manual_checks(name):
    reading = read_pdf_quote((CORPUS / name).read_bytes())
    assert reading.document["lines"] == []
    for text in EXPECTED[name]["manual_checks_contain"]:
        assert text in " ".join(reading.manual_checks)


def test_pdf_asking_for_a_password_says_so_and_not_that_it_is_damaged():
    message = refusal((CORPUS / "hostile_encrypted.pdf").read_bytes())
    assert "protégé par un mot de passe" in message
    assert "endommagé" not in message


def test_decompression_bomb_is_refused_without_inflating_it():
    data = (CORPUS / "hostile_bomb.pdf").read_bytes()
    # It is a real bomb: the first layer alone inflates beyond what we ever accept.
    start = data.index(b"stream\n") + len(b"stream\n")
    inner = zlib.decompress(data[start : data.index(b"\nendstream")])
    probe = zlib.decompressobj()
    probe.decompress(inner, 64 * 1024 * 1024)
    assert probe.unconsumed_tail
    assert len(data) < 10_000
    assert "volumineu" in refusal(data)


def test_oversized_upload_is_refused_before_parsing():
    data = b"%PDF-1.7\n" + b"0" * MAX_BYTES + b"\n%%EOF\n"
    assert "Mo" in refusal(data)


def test_page_tree_that_lies_about_its_size_is_refused():
    data = (CORPUS / "hostile_many_pages.pdf").read_bytes()
    lying = data.replace(b"/Count 3000", b"/Count 1   ")
    assert len(lying) == len(data)
    refusal(lying)


def test_just_over_the_page_limit_is_refused_and_at_the_limit_is_read():
    from io import BytesIO

    from pypdf import PdfWriter

    for pages, refused in ((MAX_PAGES, False), (MAX_PAGES + 1, True)):
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(595, 842)
        buffer = BytesIO()
        writer.write(buffer)
        if refused:
            assert str(MAX_PAGES) in refusal(buffer.getvalue())
        else:
            reading = read_pdf_quote(buffer.getvalue())
            assert reading.document["lines"] == []
            assert reading.manual_checks


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF",
        b"%PDF-1.4\n%%EOF",
        b"%PDF-1.4\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"\x00" * 100 + b"%PDF-1.7" + b"\xff" * 100 + b"%%EOF",
        "%PDF-1.7 é€ %%EOF".encode("utf-16"),
    ],
)
def test_garbage_that_starts_like_a_pdf_is_refused(data):
    refusal(data)


# --- mutation fuzzing --------------------------------------------------------------------------


def _plain_quote() -> bytes:
    """A small uncompressed quote, so that mutations hit the content-stream parser too."""
    rows = [
        (72, 760, "DEVIS N\\260 F-2022-0001"),
        (72, 700, "Prestation S\\351gur"),
        (72, 680, "Droits d'utilisation SGL"),
        (450, 680, "12 000,00 \\200"),
        (72, 660, "Montant de la Prestation S\\351gur pris en charge par l'Etat au titre du S\\351gur"),
        (450, 660, "-12 000,00 \\200"),
        (72, 620, "Bon pour accord le 01/06/2022"),
    ]
    content = b"".join(
        b"BT /F1 9 Tf %d %d Td (%s) Tj ET\n" % (x, y, text.encode("latin-1")) for x, y, text in rows
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
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


PLAIN = _plain_quote()
SEEDS = [
    PLAIN,
    (CORPUS / "rl_canvas_unclassified.pdf").read_bytes(),
    (CORPUS / "rl_platypus_sun_es.pdf").read_bytes(),
    (CORPUS / "lo_sgl_conform.pdf").read_bytes(),
    (CORPUS / "segur_funding_embedded.pdf").read_bytes(),
]


def test_the_plain_fuzz_seed_is_a_readable_quote():
    reading = read_pdf_quote(PLAIN)
    assert reading.document["number"] == "F-2022-0001"
    assert [line.get("scope") for line in reading.document["lines"]] == ["segur", "state_funding"]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    kind = draw(st.sampled_from(["flip", "splice", "delete", "truncate", "duplicate"]))
    size = len(data)
    position = draw(st.integers(0, size - 1))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 24))):
            data[draw(st.integers(0, size - 1))] = draw(st.integers(0, 255))
    elif kind == "splice":
        data[position : position + draw(st.integers(1, 64))] = draw(st.binary(min_size=1, max_size=64))
    elif kind == "delete":
        del data[position : position + draw(st.integers(1, 2048))]
    elif kind == "truncate":
        # Keep an end-of-file marker so that the parser, not the envelope check, meets the cut.
        data = data[: max(position, 16)] + b"\n%%EOF\n"
    else:
        length = draw(st.integers(1, 512))
        data[position:position] = data[position : position + length] * draw(st.integers(2, 50))
    return bytes(data)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_pdfs_read_or_refuse_but_never_crash(data):
    try:
        reading = read_pdf_quote(data)
    except InvalidInput as refused:
        assert "\n" not in refused.message
        return
    assert isinstance(reading, PdfReading)
    assert isinstance(reading.document.get("lines"), list)
    assert all(isinstance(check, str) for check in reading.manual_checks)


def _pages_drawing(data: bytes, pages: int) -> bytes:
    """`pages` pages, each drawing the same (compressed) content stream object, in Helvetica."""
    body = zlib.compress(data, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
            b"/Resources << /Font << /F1 4 0 R >> >> >>"
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        pages,
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_page_drawing_megabytes_of_operators_is_refused_before_parsing():
    data = _pages_drawing(b"0 0 m 1 1 l S\n" * 400_000, 1)
    assert len(data) < 100_000
    assert "dessins trop volumineux" in refusal(data)


def test_many_pages_of_moderate_drawings_add_up_and_are_refused():
    data = _pages_drawing(b"% filler\n" * 350_000, 10)
    assert "dessins trop volumineux" in refusal(data)


def test_a_page_carrying_far_more_text_than_a_quote_is_refused():
    data = _pages_drawing(b"BT /F1 9 Tf 60 700 Td (" + b"devis n\xb0 X-1 " * 40_000 + b") Tj ET", 1)
    assert "plus de texte qu'un devis" in refusal(data)


def test_a_page_with_tens_of_thousands_of_text_pieces_is_refused():
    rows = b"".join(
        b"BT /F1 9 Tf 60 %d Td (Ligne %d) Tj 300 0 Td (1 000,00 EUR) Tj ET\n" % (800 - i % 700, i)
        for i in range(12_000)
    )
    refusal(_pages_drawing(rows, 1))


def test_the_garbage_collector_runs_again_after_every_reading_read_or_refused():
    """A reading pauses Python's cyclic collector (a tenth of a small quote's reading); a process
    that read a quote, or refused a hostile one, must not be left without it."""
    import gc
    import threading

    readable = (Path(__file__).resolve().parent / "corpus" / "pdfs" / "canvas_conform.pdf").read_bytes()
    assert gc.isenabled()
    read_pdf_quote(readable)
    assert gc.isenabled()
    refusal((CORPUS / "hostile_bomb.pdf").read_bytes())
    assert gc.isenabled()
    threads = [threading.Thread(target=read_pdf_quote, args=(readable,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.isenabled()
    # Two readings that overlap, the first one done first (what threads do): the collector stays
    # paused until the last one is done, then runs again.
    from segur_funding.quotes.pdf.opening import collector_paused

    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.disable()  # switched off by someone else: a reading leaves it off
    try:
        read_pdf_quote(readable)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("name", ["canvas_conform.pdf", "docx_conform.pdf", "xlsx_conform.pdf"])
def test_a_reading_leaves_none_of_the_file_to_the_cyclic_collector(name):
    """pypdf's objects all point back to their reader: left as they are, a worker's every reading
    leaves the file's objects, pages and parsed drawings in a cycle that only a pass of the cyclic
    collector frees, walking each of them first. The reading frees them as it goes."""
    import gc

    data = (Path(__file__).resolve().parent / "corpus" / "pdfs" / name).read_bytes()
    read_pdf_quote(data)  # fonts and caches loaded once per process are not the file's
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        reading = read_pdf_quote(data)
        gc.collect()
        left = {type(thing).__name__ for thing in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert reading.document["lines"]
    # pypdf's pages and parsed drawings, our fragments; on ruled pages, pdfplumber's and
    # pdfminer's pages, characters and layout.
    assert not left & {
        "PageObject", "ContentStream", "DecodedStreamObject", "Fragment", "_Chunk",
        "PDF", "Page", "PDFPage", "LTPage", "LTChar", "LTLine", "PDFParser",
    }
