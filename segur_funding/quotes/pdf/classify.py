"""Row kinds: column headers, section headings, rows with amounts, free text.

A row is read cell by cell: an amount in a cell of its own ("32 940,00 €", "7.000,00 EUR") makes
an amount row; a row naming at least two columns, one of them money, is a column header; a
short heading naming the Ségur part or what is out of it is a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from segur_funding.quotes.pdf.french import PERCENTAGE_PATTERN, Amount, normalize
from segur_funding.quotes.pdf.french import parse_amount as parse_cell_amount
from segur_funding.quotes.pdf.layout import Cell, Row
from segur_funding.quotes.pdf.wording import section_scope

MONEY_KINDS = {"ht", "ttc", "tva", "pu", "amount"}
_HEADER_WORDS = [
    ("pu", r"^(p ?u|prix unitaire|pu ht|pu ttc|tarif unitaire)\b"),
    ("tva", r"^(montant )?tva\b"),
    ("ttc", r"\bttc\b"),
    ("ht", r"\bht\b"),
    ("qty", r"^(qte|qt|quantite|qty|nb|nombre|quant)\b"),
    ("unit", r"^(unite|u)$"),
    ("ref", r"^(ref|reference|code|article)\b"),
    ("label", r"^(designation|description|libelle|prestation|produit|detail|objet|intitule)"),
    ("amount", r"^(montant|total|prix|tarif|cout|somme|valeur)\b"),
    ("discount", r"^(remise|rabais)\b"),
    ("dsr", r"^(dsr|couloir|logiciel)$"),
]
_FREE_TEXT_CELLS = {"€", "eur", "euros", "ht", "ttc"}


@dataclass
class Column:
    x: float
    end: float
    kind: str

    @property
    def center(self) -> float:
        return (self.x + self.end) / 2


_HEADER_PATTERNS = [(kind, re.compile(pattern)) for kind, pattern in _HEADER_WORDS]
# All of them at once: most cells name no column, and one search says so. A cell that matches
# is then tried pattern by pattern, in order, for its kind.
_ANY_HEADER = re.compile("|".join(f"(?:{pattern})" for _, pattern in _HEADER_WORDS))


def header_kind(text: str) -> str | None:
    words = normalize(text)
    if _ANY_HEADER.search(words) is None:
        return None
    for kind, pattern in _HEADER_PATTERNS:
        if pattern.search(words):
            return kind
    return None


@dataclass
class RowInfo:
    row: Row
    kind: str  # header, section, amount, text
    amounts: list[tuple[Cell, Amount]] = field(default_factory=list)
    texts: list[Cell] = field(default_factory=list)
    scope: str | None = None
    columns: list[Column] = field(default_factory=list)
    attached: list[Row] = field(default_factory=list)  # wrapped label lines
    consumed: bool = False
    # The text cells that are words, not quantities or rates. The wrapped-label and bare-row
    # passes ask for them again and again: classify() works them out once.
    words: list[Cell] = field(default_factory=list)


# A quantity ("1", "2,5") or a rate ("20 %"), in one pattern so a cell is tested once.
_NUMBER_CELL = re.compile(rf"\d{{1,4}}(?:[,.]\d+)?|{PERCENTAGE_PATTERN}")


def is_number_cell(cell: Cell) -> bool:
    return _NUMBER_CELL.fullmatch(cell.text.strip()) is not None


def _split_cells(row: Row) -> tuple[list[tuple[Cell, Amount]], list[Cell]]:
    amounts: list[tuple[Cell, Amount]] = []
    texts: list[Cell] = []
    last_was_amount = False
    for cell in row.cells:
        if last_was_amount and normalize(cell.text) in _FREE_TEXT_CELLS:
            # "32 940,00" and "€" drawn separately: one amount.
            previous, _ = amounts[-1]
            merged = parse_cell_amount(f"{previous.text} {cell.text}")
            if merged is not None:
                joined = Cell(
                    previous.x, cell.end, f"{previous.text} {cell.text}", previous.size, previous.order
                )
                amounts[-1] = (joined, merged)
                continue
        amount = parse_cell_amount(cell.text)
        if amount is not None and (amount.is_money or _grouped(cell.text)):
            amounts.append((cell, amount))
            last_was_amount = True
        else:
            texts.append(cell)
            last_was_amount = False
    return amounts, texts


_GROUPED = re.compile(r"\d[ \u00a0\u202f.]\d{3}\b")


def _grouped(text: str) -> bool:
    return _GROUPED.search(text) is not None


def _header_columns(row: Row) -> list[Column] | None:
    """The columns a row of column headers names, or None when the row is not one.

    A header row names two columns at least, one of them money, and half its cells at least.
    Its cells are read only until that cannot be true any more: most rows are not headers, and
    each cell is tried against every column name.
    """
    cells = row.cells
    if len(cells) < 2:
        return None
    needed = max(2, (len(cells) + 1) // 2)
    kinds: list[str | None] = []
    unnamed = 0
    for cell in cells:
        kind = header_kind(cell.text)
        if kind is None:
            unnamed += 1
            if len(cells) - unnamed < needed:
                return None
        kinds.append(kind)
    if not any(kind in MONEY_KINDS for kind in kinds):
        return None
    return [
        Column(cell.x, cell.end, kind) for cell, kind in zip(cells, kinds, strict=True) if kind is not None
    ]


def classify(rows: list[Row]) -> list[RowInfo]:
    infos: list[RowInfo] = []
    for row in rows:
        amounts, texts = _split_cells(row)
        words = [cell for cell in texts if not is_number_cell(cell)]
        if amounts:
            infos.append(RowInfo(row, "amount", amounts, texts, words=words))
            continue
        columns = _header_columns(row)
        if columns is not None:
            infos.append(RowInfo(row, "header", texts=texts, columns=columns, words=words))
            continue
        scope = section_scope(row.text) if len(row.cells) <= 2 else None
        if scope is not None:
            infos.append(RowInfo(row, "section", texts=texts, scope=scope, words=words))
            continue
        infos.append(RowInfo(row, "text", texts=texts, words=words))
    return infos
