"""Read a PDF quote: the embedded quote document when there is one, else its text layer.

Only extraction happens here; conformity is the checker's business. What cannot be read
reliably is reported as manual checks (French sentences), which make the verdict
"incomplete". Files that cannot be read at all (not a PDF, empty, truncated, encrypted, too
big, decompression bombs) raise InvalidInput with one French line (`opening.py`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from segur_funding.core.errors import InvalidInput
from segur_funding.quotes.pdf.classify import classify
from segur_funding.quotes.pdf.extract import PageText
from segur_funding.quotes.pdf.fields import read_fields
from segur_funding.quotes.pdf.french import normalize
from segur_funding.quotes.pdf.layout import build_paragraphs, build_rows, text_lines
from segur_funding.quotes.pdf.opening import (
    ATTACHMENT_NAME,
    TIME_BUDGET_SECONDS,
    Grids,
    check_envelope,
    collector_paused,
    pypdf_quiet,
    read_pages,
)
from segur_funding.quotes.pdf.ruled import RuledReading, TooSlow, read_ruled
from segur_funding.quotes.pdf.table import rebuild
from segur_funding.quotes.pdf.wrapping import attach_wrapped_labels
from segur_funding.quotes.rules.conditions import ConditionMatcher
from segur_funding.quotes.rules.seal import attachment_findings
from segur_funding.quotes.rules.text import DEFAULT_MATCHER


@dataclass(frozen=True)
class PdfReading:
    """What a PDF quote establishes.

    document: the SPEC §4 quote-document shape, only the keys the PDF establishes.
    manual_checks: French sentences, what a person must check by hand.
    embedded: True when `document` is the JSON quote document attached to the PDF (only when
        the platform sealed it and the printed text is the one it sealed).
    text: the extracted text, pages separated by form feeds.
    warnings: findings about an attachment that was not believed (`rules.seal`).
    fully_read: every page had a readable text layer and the quote table was rebuilt without
        a doubt (no line without amount, no total disagreeing with its lines). An absence in
        such a reading (the State-funding wording, the §3.2 mention) is a fact about the
        quote, not something that may hide in an unread part: the rules can call it an error.
    """

    document: dict
    manual_checks: list[str]
    embedded: bool
    text: str
    fully_read: bool = False
    warnings: tuple = ()


def read_pdf_quote(
    data: bytes, *, conditions: Callable[[], ConditionMatcher] | None = None
) -> PdfReading:
    """Read a PDF quote. Raises InvalidInput for a file that cannot be read at all.

    `conditions` gives the wordings of conditional offers in force (the checker passes the
    selector's, read from the reference data); it is called once the file has been opened, so
    a file refused costs no query. None reads with the shipped wordings.
    """
    with collector_paused():
        return _read(data, conditions)


def _read(data: bytes, conditions: Callable[[], ConditionMatcher] | None) -> PdfReading:
    check_envelope(data)
    pages, attachment, grids = read_pages(data)
    layer_checks = _text_layer_checks(pages)
    grids = Grids([n for n in grids.pages if n not in layer_checks], grids.rotated)
    matcher = DEFAULT_MATCHER.conditions if conditions is None else conditions()
    reading = _rebuild(pages, layer_checks, data, grids, matcher)
    if attachment is None:
        return reading
    document, problem, seal = attachment
    if problem is not None:
        return PdfReading(
            reading.document, [problem, *reading.manual_checks], False, reading.text, reading.fully_read
        )
    if not seal.trusted:
        # SPEC §4: what the lab signs is the printed page; an attachment the platform did not
        # seal (or a seal that does not match this page) is only compared with it.
        warnings = attachment_findings(
            seal, name=ATTACHMENT_NAME, attached=document, printed=reading.document
        )
        return replace(reading, warnings=warnings)
    # The attached document is the quote; a page without text (a scanned signed page, say)
    # may still carry handwritten changes, so it stays a manual check.
    checks = list(layer_checks.values())
    mismatch = _compare(document, reading)
    if mismatch:
        checks.append(mismatch)
    return PdfReading(document, checks, True, reading.text, reading.fully_read)


# --------------------------------------------------------------------------------------------
# From pages to a quote document
# --------------------------------------------------------------------------------------------


# Replacement, control and private-use characters: what a font without a Unicode map yields.
_GARBAGE = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def _garbled(text: str) -> bool:
    if _GARBAGE.search(text) is None:
        return False
    visible = len("".join(text.split()))
    return visible >= 20 and len(_GARBAGE.findall(text)) > visible // 10


def _text_layer_checks(pages: list[PageText]) -> dict[int, str]:
    """Pages whose text layer cannot be read (scanned, vector-drawn, garbled): page -> check."""
    checks: dict[int, str] = {}
    for page in pages:
        readable = "".join(f.text for f in page.fragments).strip()
        if not readable and page.has_images:
            checks[page.number] = (
                f"Page {page.number} : aucun texte lisible, la page est une image "
                "(document numérisé ?) : lisez-la et vérifiez-la à la main."
            )
        elif not readable:
            checks[page.number] = (
                f"Page {page.number} : aucun texte lisible (page blanche ou texte vectorisé) : "
                "vérifiez-la à la main."
            )
        elif _garbled(readable):
            checks[page.number] = (
                f"Page {page.number} : le texte extrait est illisible (police sans "
                "correspondance Unicode) : vérifiez cette page à la main."
            )
    return checks


def _rebuild(
    pages: list[PageText],
    layer_checks: dict[int, str],
    data: bytes,
    grids: Grids,
    conditions: ConditionMatcher,
) -> PdfReading:
    checks = list(layer_checks.values())
    rows = [row for page in pages if page.number not in layer_checks for row in build_rows(page)]

    infos = classify(rows)
    attach_wrapped_labels(infos)
    table = rebuild(infos)
    ruled = _read_ruled(data, grids, {page.number: page.operations for page in pages})
    if ruled is not None:
        # The grid's cells are the quote's cells: its reading replaces the guess from gaps.
        table.lines, table.checks, table.generic_amounts = ruled.lines, ruled.checks, ruled.generic_amounts
    checks.extend(table.checks)

    paragraphs = build_paragraphs([line for row in table.text_rows for line in text_lines(row)])
    headings = [info.row.text for info in infos if info.kind == "section"]
    document, field_checks = read_fields(
        texts=[row.text for row in table.text_rows],
        paragraphs=paragraphs,
        lines=table.lines,
        headings=headings,
        conditions=conditions,
    )
    checks.extend(field_checks)
    document["lines"] = table.lines
    if table.generic_amounts and table.lines:
        words = set(normalize(" ".join(row.text for row in rows)).split())
        if "ttc" not in words or "ht" in words:
            checks.append(
                "Le devis ne précise pas si les montants des lignes sont HT ou TTC : ils ont "
                "été lus comme TTC, vérifiez-le."
            )
    if rows and not table.lines:
        checks.append(
            "Aucune ligne de devis n'a été reconnue dans le texte du PDF : vérifiez le tableau à la main."
        )
    text = "\f".join(page.text for page in pages)
    fully_read = bool(pages) and not layer_checks and bool(table.lines) and not table.checks
    return PdfReading(document, checks, False, text, fully_read)


def _upright(data: bytes) -> bytes:
    """The same PDF with no page rotation: a rotated page's text is drawn upright in its own
    coordinates, which is how the table finder must see it."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, NumberObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        page[NameObject("/Rotate")] = NumberObject(0)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _read_ruled(data: bytes, grids: Grids, operations: dict[int, list | None]) -> RuledReading | None:
    if not grids.pages:
        return None
    try:
        with pypdf_quiet():
            if grids.rotated:
                # The table finder works in the displayed orientation: read the pages upright.
                data = _upright(data)
            return read_ruled(
                data,
                grids.pages,
                budget_seconds=TIME_BUDGET_SECONDS,
                operations={n: ops for n, ops in operations.items() if ops},
            )
    except TooSlow:
        raise InvalidInput(
            "La lecture du PDF a dépassé le temps imparti : le fichier est trop complexe pour "
            "être lu automatiquement."
        ) from None
    except Exception:
        # pypdf opened the file; a failure of the second parser leaves the first one's reading.
        return None


def _compare(document: dict, reading: PdfReading) -> str | None:
    """Does the printed table say the same as the attached document? Only when it is clear."""
    printed = reading.document.get("lines") or []
    if not printed or reading.manual_checks:
        return None

    def key(lines: list) -> list[tuple[str, str]]:
        out = []
        for line in lines:
            if not isinstance(line, dict) or line.get("scope") not in {"segur", "state_funding"}:
                continue
            try:
                amount = f"{Decimal(str(line.get('amount_ttc'))):.2f}"
            except Exception:
                return []
            out.append((str(line.get("scope")), amount))
        return sorted(out)

    attached = key(document.get("lines") or [])
    if attached and key(printed) != attached:
        return (
            f"Le tableau imprimé du devis ne correspond pas à la pièce jointe {ATTACHMENT_NAME} "
            "(montants de la Prestation Ségur ou de la prise en charge de l'État différents) : "
            "vérifiez quel document le client a signé."
        )
    return None
