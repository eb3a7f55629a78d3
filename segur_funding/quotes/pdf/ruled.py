"""Ruled quote tables (word processors, spreadsheets, grid tables) read with pdfplumber.

Word processors and spreadsheets draw a rule around every cell. pdfplumber's table finder
(over pdfminer.six) rebuilds the grid from those rules: a label wrapped over three lines of a
narrow column stays in its cell, a merged cell spans its columns, the scope column (« Ségur »
/ « Hors Ségur ») is a cell of its own, and a header row repeated on the next page is the same
header again. The home-made layout engine (layout.py, table.py) guesses cells from the gaps
between pieces of text, which a narrow wrapped column defeats; it stays for unruled tables
(billing software drawing text at fixed positions, HTML tables without vertical rules).

Only pages that draw rules are handed to pdfplumber. pdfminer (under pdfplumber) would parse each
page's content stream a second time, in pure Python, after pypdf's extraction parsed it: that
parse was most of pdfplumber's time on a word processor's page. The reader hands over pypdf's
operations instead (`operations`), converted to pdfminer's objects and run by pdfminer's own
interpreter, so pdfplumber sees exactly the characters and rules it would have found
(tests/quotes/test_pdf_ruled.py compares both on every corpus page): see `pdfminer_ops.py`.
The quote lines are rebuilt from the cells by `ruled_lines.py`.
"""

from __future__ import annotations

import io
import re
import time

from segur_funding.quotes.pdf.cycles import release
from segur_funding.quotes.pdf.pdfminer_ops import feed_layout
from segur_funding.quotes.pdf.ruled_lines import (
    RuledReading,
    TableRow,
    cell_text,
    header_kinds,
    rebuild_lines,
)
from segur_funding.quotes.pdf.wording import section_scope

# A page whose content stream draws fewer rectangles or line segments than this has no grid.
MIN_RULES = 8
_RULE_OPERATOR = re.compile(rb"\sre\s|\sl\s")


# The whitespace of `\s` in a bytes pattern, made plain spaces.
_SPACES = bytes.maketrans(b"\t\n\r\f\v", b"     ")


def has_rules(content: bytes) -> bool:
    """Does a page's (inflated) content stream draw enough rules to hold a grid?"""
    # Most pages draw text only. Counted apart, in C, the two operators cannot be fewer than
    # the pattern finds (it finds each at most as often, with no overlap): a page where they
    # are too few is answered without running the pattern over the whole stream.
    spaced = content.translate(_SPACES)
    if spaced.count(b" re ") + spaced.count(b" l ") < MIN_RULES:
        return False
    count = 0
    for _ in _RULE_OPERATOR.finditer(content):
        count += 1
        if count >= MIN_RULES:
            return True
    return False


class TooSlow(Exception):
    """The time budget ran out between two pages."""


def read_ruled(
    data: bytes,
    pages: list[int],
    *,
    budget_seconds: float = 5.0,
    operations: dict[int, list] | None = None,
) -> RuledReading | None:
    """Read the quote lines of the ruled tables on `pages` (1-based); None when none is a quote
    table. Raises TooSlow when the pages take longer than `budget_seconds` (checked between pages).

    `operations`: page number -> that page's content stream as pypdf parsed it, when the caller
    has it (pdfminer then does not parse the page again)."""
    import pdfplumber

    # CPU time of this thread, not wall-clock time: the budget bounds the work a file makes us
    # do, and a busy machine must not turn a legitimate quote into a refusal.
    started = time.thread_time()
    pdf = pdfplumber.open(io.BytesIO(data))
    try:
        return _read_pages(pdf, pages, started, budget_seconds, operations)
    finally:
        _close(pdf)


def _close(pdf) -> None:
    """Close the pages read and let reference counting free pdfplumber's and pdfminer's objects.

    Not `PDF.close()`: it forgets its list of pages before walking `pdf.pages` to close them,
    which makes every page of the file again. The pages, the document and its parser close the
    libraries' cycles (`cycles.release`: about 1.5 ms of a one-page Writer quote's reading)."""
    pages = pdf.__dict__.get("_pages", [])
    for page in pages:
        page.close()
    document = pdf.doc
    release(pdf, *pages, document, document._parser)


def _read_pages(
    pdf, pages: list[int], started: float, budget_seconds: float, operations: dict[int, list] | None
) -> RuledReading | None:
    rows: list[TableRow] = []
    for number in pages:
        if time.thread_time() - started > budget_seconds:
            raise TooSlow
        page = pdf.pages[number - 1]
        if operations and operations.get(number):
            feed_layout(page, operations[number])
        found = _rows(page, page.find_tables())
        headers = [i for i, (_, _, _, cells) in enumerate(found) if header_kinds(cells)]
        if not headers or headers[0] == len(found) - 1:
            # No grid, or only the header's shaded cells: rules between rows only?
            verticals = _columns_from_header(page)
            if verticals:
                settings = {
                    "vertical_strategy": "explicit",
                    "explicit_vertical_lines": verticals,
                    "horizontal_strategy": "lines",
                }
                words = page.extract_words() if number + 1 in pages else []
                if words:
                    # The table goes on over the page: its last row here has no rule under it.
                    settings["explicit_horizontal_lines"] = [max(w["bottom"] for w in words) + 1]
                found = _rows(page, page.find_tables(settings))
        rows.extend(found)
    return rebuild_lines(rows)


def _rows(page, tables: list) -> list[TableRow]:
    rows: list[TableRow] = []
    above = 0.0
    for index, table in enumerate(sorted(tables, key=lambda t: t.bbox[1])):
        _, top, _, bottom = table.bbox
        heading = None
        if top - above > 4:
            above_table = page.crop((0, above, page.width, top), strict=False)
            text = above_table.extract_text() or ""
            above_table.close()
            release(above_table)
            for line in text.splitlines():
                heading = section_scope(line) or heading
        rows.extend(
            (page.page_number, index, heading, [cell_text(c) for c in row]) for row in table.extract()
        )
        above = max(above, bottom)
    return rows


def _columns_from_header(page) -> list[float] | None:
    """Column boundaries of a table ruled only between its rows (HTML, « lignes seules »).

    The header row names the columns: each column starts where its title does (titles are
    left-aligned or centred over their cells); the rules give the table's left and right edges.
    """
    edges = page.horizontal_edges
    if len(edges) < 3:
        return None
    left, right = min(e["x0"] for e in edges), max(e["x1"] for e in edges)
    lines: dict[int, list[dict]] = {}
    for word in page.extract_words(x_tolerance=1.5):
        lines.setdefault(round(word["top"] / 2), []).append(word)
    for key in sorted(lines):
        words = sorted(lines[key], key=lambda w: w["x0"])
        cells: list[list[dict]] = [[words[0]]]
        for word in words[1:]:
            gap = word["x0"] - cells[-1][-1]["x1"]
            if gap > 0.8 * (word["bottom"] - word["top"]):
                cells.append([word])
            else:
                cells[-1].append(word)
        titles = [" ".join(w["text"] for w in cell) for cell in cells]
        if len(cells) >= 2 and header_kinds(titles) is not None:
            starts = [cell[0]["x0"] - 4 for cell in cells[1:]]
            if all(left < x < right for x in starts):
                return [left, *starts, right]
    return None
