"""Row kinds: column headers, section headings, rows with amounts, free text.

A row is read cell by cell: an amount in a cell of its own ("32 940,00 €", "7.000,00 EUR") makes
an amount row; a row naming at least two columns, one of them money, is a column header; a
short heading naming the Ségur part or what is out of it is a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from segur_funding.quotes.pdf.french import Amount, is_percentage, normalize
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


def header_kind(text: str) -> str | None:
    words = normalize(text)
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


_QUANTITY = re.compile(r"\d{1,4}(?:[,.]\d+)?")


def is_number_cell(cell: Cell) -> bool:
    text = cell.text.strip()
    return _QUANTITY.fullmatch(text) is not None or is_percentage(text)


def words_of(info: RowInfo) -> list[Cell]:
    """The row's text cells that are words, not quantities or rates."""
    return [cell for cell in info.texts if not is_number_cell(cell)]


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


def classify(rows: list[Row]) -> list[RowInfo]:
    infos: list[RowInfo] = []
    for row in rows:
        amounts, texts = _split_cells(row)
        if amounts:
            infos.append(RowInfo(row, "amount", amounts, texts))
            continue
        kinds = [header_kind(cell.text) for cell in row.cells] if len(row.cells) >= 2 else []
        named = [k for k in kinds if k is not None]
        if len(named) >= 2 and any(k in MONEY_KINDS for k in named) and len(named) * 2 >= len(kinds):
            columns = [
                Column(cell.x, cell.end, kind)
                for cell, kind in zip(row.cells, kinds, strict=True)
                if kind is not None
            ]
            infos.append(RowInfo(row, "header", texts=texts, columns=columns))
            continue
        scope = section_scope(row.text) if len(row.cells) <= 2 else None
        if scope is not None:
            infos.append(RowInfo(row, "section", texts=texts, scope=scope))
            continue
        infos.append(RowInfo(row, "text", texts=texts))
    return infos
