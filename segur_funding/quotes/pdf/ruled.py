"""Ruled quote tables (word processors, spreadsheets, grid tables) read with pdfplumber.

Word processors and spreadsheets draw a rule around every cell. pdfplumber's table finder
(over pdfminer.six) rebuilds the grid from those rules: a label wrapped over three lines of a
narrow column stays in its cell, a merged cell spans its columns, the scope column (« Ségur »
/ « Hors Ségur ») is a cell of its own, and a header row repeated on the next page is the same
header again. The home-made layout engine (layout.py, table.py) guesses cells from the gaps
between pieces of text, which a narrow wrapped column defeats; it stays for unruled tables
(billing software drawing text at fixed positions, HTML tables without vertical rules).

Only pages that draw rules are handed to pdfplumber: it costs a full second parse of the page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from segur_funding.quotes.pdf.french import format_amount, normalize, parse_amount, squash
from segur_funding.quotes.pdf.wording import dsr_codes, is_state_funding, section_scope, total_kind

# A page whose content stream draws fewer rectangles or line segments than this has no grid.
MIN_RULES = 8
_RULE_OPERATOR = re.compile(rb"\sre\s|\sl\s")

_HEADER_WORDS = {
    "label": ("designation", "libelle", "description", "prestation", "article", "intitule", "objet"),
    "scope": ("perimetre", "financement", "prise en charge", "type"),
}


@dataclass
class RuledReading:
    lines: list[dict] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    generic_amounts: bool = False


def has_rules(content: bytes) -> bool:
    """Does a page's (inflated) content stream draw enough rules to hold a grid?"""
    count = 0
    for _ in _RULE_OPERATOR.finditer(content):
        count += 1
        if count >= MIN_RULES:
            return True
    return False


def _cell_text(cell: str | None) -> str:
    out = ""
    for raw in (cell or "").split("\n"):
        line = squash(raw)
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("-") and (line[:1].isupper() or line[:1].isdigit()):
            out += line  # "SGL-" / "V1": a code cut at its hyphen
        elif out.endswith("-") and line[:1].islower() and not out.endswith(" -"):
            out = out[:-1] + line
        else:
            out = f"{out} {line}"
    return out


def _column_kind(title: str) -> str | None:
    words = normalize(title)
    if not words:
        return None
    tokens = set(words.split())
    if "tva" in tokens and "ttc" not in tokens and "ht" not in tokens:
        return "tva"
    if "ttc" in tokens:
        return "ttc"
    if "ht" in tokens:
        return "ht"
    if any(word in words for word in _HEADER_WORDS["label"]):
        return "label"
    if any(word in words for word in _HEADER_WORDS["scope"]):
        return "scope"
    if tokens & {"qte", "quantite", "qty", "pu", "unitaire", "ref", "reference", "code"}:
        return "other"
    if tokens & {"montant", "prix", "total", "cout"}:
        return "amount"
    return None


def _header(row: list[str]) -> list[str | None] | None:
    kinds = [_column_kind(cell) for cell in row]
    money = [k for k in kinds if k in ("ttc", "ht", "amount")]
    if "label" in kinds and money:
        return kinds
    return None


def _scope_cell(text: str) -> str | None:
    words = normalize(text)
    if not words:
        return None
    if "hors" in words.split() or words.startswith(("non ", "client")):
        return "out_of_scope"
    if "segur" in words or "etat" in words or "sons" in words:
        return "segur"
    return None


def read_ruled(data: bytes, pages: list[int]) -> RuledReading | None:
    """Read the quote lines of the ruled tables on `pages` (1-based); None when none is a quote table."""
    import pdfplumber

    rows: list[tuple[int, list[str]]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in pages:
            page = pdf.pages[number - 1]
            for table in page.find_tables():
                for row in table.extract():
                    rows.append((number, [_cell_text(cell) for cell in row]))
    return _rebuild(rows)


def _rebuild(rows: list[tuple[int, list[str]]]) -> RuledReading | None:
    reading = RuledReading()
    kinds: list[str | None] | None = None
    header_texts: list[str] = []
    scope: str | None = None
    found = False
    for page, cells in rows:
        header = _header(cells)
        if header is not None:
            kinds, header_texts = header, cells
            found = True
            continue  # the header, or the same header repeated on the next page
        if kinds is None or len(cells) != len(kinds):
            continue
        if cells == header_texts:
            continue
        filled = [(kind, text) for kind, text in zip(kinds, cells, strict=True) if text]
        if not filled:
            continue
        label = " ".join(text for kind, text in filled if kind == "label")
        amounts: dict[str, Decimal] = {}
        unreadable = []
        for kind, text in filled:
            if kind in ("ttc", "ht", "tva", "amount"):
                amount = parse_amount(text)
                if amount is None:
                    unreadable.append(text)
                else:
                    amounts[kind] = amount.value
        if not amounts and not unreadable:
            heading = section_scope(" ".join(text for _, text in filled))
            if heading is not None and len(filled) == 1:
                scope = heading
            elif label:
                reading.checks.append(
                    f"Page {page} : la ligne « {label} » n'a pas de montant ; vérifiez le tableau."
                )
            continue
        if not label:
            reading.checks.append(
                f"Page {page} : montant sans libellé ({' '.join(text for _, text in filled)}) ; "
                "vérifiez le tableau."
            )
            continue
        if total_kind(label) is not None:
            continue
        if unreadable:
            reading.checks.append(f"Page {page} : montant illisible sur la ligne « {label} ».")
            continue
        line = _line(label, kinds, cells, amounts, scope, page, reading)
        if line is not None:
            reading.lines.append(line)
    return reading if found and (reading.lines or reading.checks) else None


def _line(
    label: str,
    kinds: list[str | None],
    cells: list[str],
    amounts: dict[str, Decimal],
    section: str | None,
    page: int,
    reading: RuledReading,
) -> dict | None:
    ttc = amounts.get("ttc")
    if ttc is None and "amount" in amounts:
        ttc = amounts["amount"]
        reading.generic_amounts = True
    if ttc is None:
        reading.checks.append(
            f"Page {page} : la ligne « {label} » n'a pas de montant TTC lisible ; vérifiez-la."
        )
        return None
    scope = section
    scope_cells = [text for kind, text in zip(kinds, cells, strict=True) if kind == "scope" and text]
    if "scope" in kinds:
        scope = _scope_cell(" ".join(scope_cells)) if scope_cells else section
    ht = amounts.get("ht")
    if is_state_funding(label):
        scope, ttc, ht = "state_funding", abs(ttc), abs(ht) if ht is not None else None
    elif ttc < 0:
        reading.checks.append(
            f"Page {page} : la ligne « {label} » a un montant négatif ({format_amount(ttc)}) ; "
            "vérifiez ce qu'elle déduit."
        )
        return None
    line: dict = {"label": label}
    if scope:
        line["scope"] = scope
    codes = dsr_codes(label)
    if codes:
        line["dsr"] = codes
    line["amount_ttc"] = f"{ttc:.2f}"
    if ht is not None:
        line["amount_ht"] = f"{ht:.2f}"
    return line
