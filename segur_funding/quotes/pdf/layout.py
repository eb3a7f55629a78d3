"""From positioned fragments to rows (one baseline, cells left to right) and to paragraphs.

Geometry only: a row is what a reader sees on one line across the page; a paragraph is a run
of lines stacked in the same column with ordinary line spacing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter

from segur_funding.quotes.pdf.extract import WORD_GAP, PageText
from segur_funding.quotes.pdf.french import squash

# Lines of one paragraph, or of one table cell, sit at most this many font sizes apart;
# table rows and paragraphs are separated by more (padding, borders, spacing).
LINE_PITCH = 1.45
PARAGRAPH_PITCH = 1.6

# French words that keep their hyphen when a line breaks right after it.
_HYPHEN_PREFIXES = {
    "inter",
    "intra",
    "auto",
    "multi",
    "anti",
    "post",
    "pre",
    "sous",
    "non",
    "demi",
    "mi",
    "semi",
    "co",
    "re",
    "extra",
    "super",
    "ex",
    "vice",
    "mise",
    "pris",
    "prise",
    "e",
}


_HYPHENATED = re.compile(r"(\w+)-$")


@dataclass
class Cell:
    x: float
    end: float
    text: str
    size: float
    order: int


@dataclass
class Row:
    page: int
    y: float
    size: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\t".join(cell.text for cell in self.cells)

    @property
    def x(self) -> float:
        return self.cells[0].x


# A fragment on its way into a row: (x, order, end, size, raw text, squashed text). A plain
# tuple, sorted on its first two items: a named tuple or a dataclass per fragment was a
# measurable part of the fixed cost of reading a one-page quote.
_Piece = tuple[float, int, float, float, str, str]
_BY_X = itemgetter(0, 1)  # (x, order)
_TOP_DOWN = itemgetter(0, 1, 2)  # (-y, x, order)


def build_rows(page: PageText) -> list[Row]:
    """Group the page's fragments into rows, top to bottom, cells left to right."""
    # Each fragment's text is squashed once here, and cells are made only once merged: this
    # runs on every fragment of every page, a fixed cost that shows on small quotes.
    kept = [
        (-fragment.y, fragment.x, fragment.order, fragment, text)
        for fragment in page.fragments
        if (text := squash(fragment.text))
    ]
    kept.sort(key=_TOP_DOWN)
    rows: list[Row] = []
    pieces: list[list[_Piece]] = []
    for _, _, _, fragment, text in kept:
        size = fragment.size if fragment.size > 0 else 10.0
        if rows and abs(rows[-1].y - fragment.y) <= 0.45 * max(rows[-1].size, size):
            row = rows[-1]
            row.size = max(row.size, size)
        else:
            rows.append(Row(page.number, fragment.y, size, []))
            pieces.append([])
        pieces[-1].append((fragment.x, fragment.order, fragment.end, size, fragment.text, text))
    for row, row_pieces in zip(rows, pieces, strict=True):
        row_pieces.sort(key=_BY_X)
        row.cells = _merge_cells(row_pieces)
    return rows


def _merge_cells(pieces: list[_Piece]) -> list[Cell]:
    merged: list[Cell] = []
    previous_raw = ""
    for x, order, end, size, raw, text in pieces:
        if merged and x - merged[-1].end <= WORD_GAP * size:
            last = merged[-1]
            # Two runs drawn end to end (a font change inside a word) join without a space.
            touching = x - last.end < 0.1 * size
            spaced = previous_raw[-1:].isspace() or raw[:1].isspace()
            joiner = "" if touching and not spaced else " "
            last.text = f"{last.text}{joiner}{text}"
            last.end = max(last.end, end)
        else:
            merged.append(Cell(x, end, text, size, order))
        previous_raw = raw
    return merged


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines into one text, undoing line-end hyphenation."""
    out = ""
    for raw in lines:
        line = squash(raw)
        if not line:
            continue
        if not out:
            out = line
            continue
        if out.endswith("-") and line[:1].islower():
            head = _HYPHENATED.search(out)
            if head and head.group(1).lower() not in _HYPHEN_PREFIXES:
                out = out[:-1] + line
            else:
                out = out + line
            continue
        out = f"{out} {line}"
    return out


@dataclass
class TextLine:
    page: int
    x: float
    end: float
    y: float
    size: float
    text: str


@dataclass
class Paragraph:
    lines: list[TextLine]

    @cached_property
    def text(self) -> str:
        return join_lines([line.text for line in self.lines])

    @property
    def page(self) -> int:
        return self.lines[0].page


def text_lines(row: Row) -> list[TextLine]:
    """A row of free text as lines of text: cells far apart are separate columns."""
    lines: list[TextLine] = []
    for cell in row.cells:
        if lines and cell.x - lines[-1].end <= 2.5 * cell.size:
            lines[-1].text = f"{lines[-1].text} {cell.text}"
            lines[-1].end = cell.end
            continue
        lines.append(TextLine(row.page, cell.x, cell.end, row.y, cell.size, cell.text))
    return lines


def build_paragraphs(lines: list[TextLine]) -> list[Paragraph]:
    """Stack text lines into paragraphs, column by column (a header often has two columns).

    A line continues the open paragraph whose last line starts within 12 points of it, just
    above; open paragraphs are indexed by 12-point bands of x so that each line looks at three
    bands, not at every paragraph of the page.
    """
    paragraphs: list[Paragraph] = []
    open_by_band: dict[tuple[int, int], Paragraph] = {}
    for line in sorted(lines, key=lambda t: (t.page, -t.y, t.x)):
        band = int(line.x // 12)
        current = None
        for key in ((line.page, band), (line.page, band - 1), (line.page, band + 1)):
            candidate = open_by_band.get(key)
            if candidate is not None and abs(candidate.lines[-1].x - line.x) <= 12:
                current = candidate
                break
        if current is not None:
            last = current.lines[-1]
            pitch = PARAGRAPH_PITCH * max(last.size, line.size)
            if 0 < last.y - line.y <= pitch:
                current.lines.append(line)
                open_by_band[(line.page, band)] = current
                continue
        paragraph = Paragraph([line])
        paragraphs.append(paragraph)
        open_by_band[(line.page, band)] = paragraph
    return paragraphs
