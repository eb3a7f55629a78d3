"""Rebuild the quote's lines from rows of positioned text: sections, labels, amounts, totals.

The reading a careful person makes, written down:
- a row with an amount in a cell of its own is a line, a total, or the State-funding line;
- a label wrapped over several lines belongs to the amount row it is stacked against
  (wrapping.py has already attached those lines when the rebuild runs);
- section headings ("Prestation Ségur", "Hors Ségur"…) give the scope of the lines under them,
  a total ends its section;
- whatever cannot be read reliably becomes a French sentence in `checks`, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from segur_funding.quotes.pdf.classify import (
    MONEY_KINDS,
    Column,
    RowInfo,
    is_number_cell,
)
from segur_funding.quotes.pdf.french import Amount, format_amount
from segur_funding.quotes.pdf.layout import Cell, Row, join_lines
from segur_funding.quotes.pdf.wording import dsr_codes, is_state_funding, total_kind


@dataclass
class TableReading:
    lines: list[dict]
    line_pages: list[int]
    checks: list[str]
    text_rows: list[Row]
    generic_amounts: bool


def _label_cells(words: list[Cell], columns: list[Column]) -> list[Cell]:
    """The word cells (no quantities, no rates) that make a line's label: not references, units…"""
    keep = []
    for cell in words:
        under = [c for c in columns if abs(c.x - cell.x) <= 6]
        if under and under[0].kind in {"ref", "unit", "discount", "qty", "dsr"}:
            continue
        keep.append(cell)
    return keep


def _dsr_cells(info: RowInfo, columns: list[Column]) -> list[str]:
    """What a line prints in a DSR column ("SGL-V1"), if the table has one."""
    dsr_columns = [c for c in columns if c.kind == "dsr"]
    return [cell.text for cell in info.texts for c in dsr_columns if abs(c.x - cell.x) <= 6]


def _label(info: RowInfo, columns: list[Column]) -> str:
    rows = sorted([info.row, *info.attached], key=lambda row: -row.y)
    parts = []
    for row in rows:
        # The amount row's words are known since classify(); a wrapped line's are worked out.
        words = info.words if row is info.row else [c for c in row.cells if not is_number_cell(c)]
        parts.append(" ".join(cell.text for cell in _label_cells(words, columns)))
    return join_lines(parts)


@dataclass
class _Amounts:
    ttc: Decimal | None = None
    ht: Decimal | None = None
    generic: bool = False


def _assign(amounts: list[tuple[Cell, Amount]], columns: list[Column]) -> _Amounts:
    """Which amount is TTC, which is HT: column headers first, the cell's own suffix wins."""
    out = _Amounts()
    money = [c for c in columns if c.kind in MONEY_KINDS]
    ordered = sorted(amounts, key=lambda pair: pair[0].x)
    kinds: list[str | None]
    if money and len(money) == len(ordered):
        kinds = [c.kind for c in money]
    elif money:
        kinds = []
        for cell, _ in ordered:
            center = (cell.x + cell.end) / 2
            kinds.append(min(money, key=lambda c: abs(c.center - center)).kind)
    else:
        kinds = [None] * len(ordered)
    for (_cell, amount), kind in zip(ordered, kinds, strict=True):
        if amount.tax is not None:
            kind = amount.tax.lower()
        if kind == "ttc":
            out.ttc = amount.value
        elif kind == "ht":
            out.ht = amount.value
    if out.ttc is None and out.ht is None:
        # No header says which amount is which: the rightmost amount of a row is its total.
        candidates = [a for (c, a), k in zip(ordered, kinds, strict=True) if k not in {"pu", "tva"}]
        if candidates:
            out.ttc = candidates[-1].value
            out.generic = True
    return out


def _cents(value: Decimal) -> str:
    return f"{value:.2f}"


@dataclass
class _Total:
    page: int
    label: str
    kind: str  # ttc, ht, tva, remainder, subtotal
    ttc: Decimal | None
    ht: Decimal | None
    lines_before: int
    previous_total_lines: int


def rebuild(infos: list[RowInfo]) -> TableReading:
    lines: list[dict] = []
    pages: list[int] = []
    checks: list[str] = []
    text_rows: list[Row] = []
    totals: list[_Total] = []
    generic = False
    scope: str | None = None
    in_table = seen_table = total_since_open = False
    columns: list[Column] = []
    last_total_lines = 0
    last_table_row: RowInfo | None = None
    previous_rows, next_rows = _structural_neighbours(infos)

    for index, info in enumerate(infos):
        if info.consumed:
            continue
        row = info.row
        if info.kind == "header":
            columns = info.columns
            in_table = seen_table = True
            total_since_open = False
            last_table_row = info
            continue
        if info.kind == "section":
            scope = info.scope
            in_table = seen_table = True
            total_since_open = False
            last_table_row = info
            continue
        if info.kind == "text":
            neighbours = (previous_rows[index], next_rows[index])
            if in_table and not total_since_open and _bare_row(infos, index, neighbours, columns):
                checks.append(
                    f"Page {row.page} : la ligne « {join_lines([row.text])} » n'a pas de montant ; "
                    "vérifiez le tableau."
                )
                continue
            if in_table and (total_since_open or _left_the_table(last_table_row, row)):
                in_table = False
            text_rows.append(row)
            continue
        if in_table or not seen_table:
            last_table_row = info

        label = _label(info, columns)
        amounts = _assign(info.amounts, columns)
        if is_state_funding(label):
            value = amounts.ttc if amounts.ttc is not None else amounts.ht
            line: dict = {"label": label, "scope": "state_funding"}
            if amounts.ttc is not None:
                line["amount_ttc"] = _cents(abs(amounts.ttc))
            if amounts.ht is not None:
                line["amount_ht"] = _cents(abs(amounts.ht))
            if value is None:
                checks.append(f"Page {row.page} : montant illisible sur la ligne « {label} ».")
            elif amounts.ttc is None:
                checks.append(
                    f"Page {row.page} : la ligne « {label} » n'a qu'un montant HT ; "
                    "vérifiez le montant TTC pris en charge par l'État."
                )
            generic = generic or amounts.generic
            lines.append(line)
            pages.append(row.page)
            continue
        kind = total_kind(label)
        if kind is not None:
            totals.append(
                _Total(row.page, label, kind, amounts.ttc, amounts.ht, len(lines), last_total_lines)
            )
            last_total_lines = len(lines)
            scope = None
            total_since_open = True
            continue
        if not in_table and seen_table:
            # After the totals: a payment schedule or a reminder, not a quote line.
            text_rows.append(row)
            continue
        in_table = seen_table = True
        if not label:
            printed = ", ".join(format_amount(a.value) for _, a in info.amounts)
            checks.append(f"Page {row.page} : montant sans libellé ({printed}) ; vérifiez le tableau.")
            continue
        values = [v for v in (amounts.ttc, amounts.ht) if v is not None]
        if any(v < 0 for v in values):
            checks.append(
                f"Page {row.page} : la ligne « {label} » a un montant négatif "
                f"({format_amount(values[0])}) ; vérifiez ce qu'elle déduit."
            )
            continue
        line = {"label": label}
        if scope is not None:
            line["scope"] = scope
        codes = dsr_codes(" ".join([label, *_dsr_cells(info, columns)]))
        if codes:
            line["dsr"] = codes
        if amounts.ttc is not None:
            line["amount_ttc"] = _cents(amounts.ttc)
        else:
            checks.append(
                f"Page {row.page} : la ligne « {label} » n'a pas de montant TTC lisible ; "
                "vérifiez le tableau."
            )
        if amounts.ht is not None:
            line["amount_ht"] = _cents(amounts.ht)
        generic = generic or amounts.generic
        lines.append(line)
        pages.append(row.page)

    checks.extend(_check_totals(lines, totals))
    return TableReading(lines, pages, checks, text_rows, generic)


# Below this height (in points) a row is the page's footer, which a table runs past.
FOOTER_HEIGHT = 60


def _left_the_table(last: RowInfo | None, row: Row) -> bool:
    """Free text well below the table on the same page (not its footer): the table is over."""
    if last is None or last.row.page != row.page or row.y < FOOTER_HEIGHT:
        return False
    bottom = min([last.row.y] + [r.y for r in last.attached])
    return bottom - row.y > 2.5 * row.size


def _structural_neighbours(infos: list[RowInfo]) -> tuple[list[int | None], list[int | None]]:
    """For each row, the nearest row above and below that is not free text."""
    previous: list[int | None] = []
    last: int | None = None
    for index, info in enumerate(infos):
        previous.append(last)
        if info.kind != "text":
            last = index
    following: list[int | None] = [None] * len(infos)
    last = None
    for index in range(len(infos) - 1, -1, -1):
        following[index] = last
        if infos[index].kind != "text":
            last = index
    return previous, following


def _bare_row(
    infos: list[RowInfo],
    index: int,
    neighbours: tuple[int | None, int | None],
    columns: list[Column],
) -> bool:
    """A table row with a label and no amount: stacked between two rows of the table."""
    row = infos[index].row
    previous, following = neighbours
    if previous is None or following is None:
        return False
    above, below = infos[previous], infos[following]
    if above.kind not in {"amount", "section", "header"} or below.kind != "amount":
        return False
    if above.row.page != row.page or below.row.page != row.page:
        return False
    # Measured from the nearest line of each neighbour, wrapped label lines included.
    above_bottom = min([above.row.y] + [r.y for r in above.attached])
    below_top = max([below.row.y] + [r.y for r in below.attached])
    reach = 2.6 * row.size
    if not (0 < above_bottom - row.y <= reach and 0 < row.y - below_top <= reach):
        return False
    label_xs = [c.x for c in below.words] + [c.x for c in columns if c.kind == "label"]
    return any(abs(x - row.x) <= 6 for x in label_xs)


# A quote prints a handful of totals; a page of them is no table to check against.
MAX_TOTALS_CHECKED = 30


def _check_totals(lines: list[dict], totals: list[_Total]) -> list[str]:
    checks = []
    # Each line's scope and amounts, read once for all the totals (None: no such amount).
    scopes = [line.get("scope") for line in lines]
    values = {
        key: [Decimal(line[key]) if key in line else None for line in lines]
        for key in ("amount_ttc", "amount_ht")
    }
    for total in totals[:MAX_TOTALS_CHECKED]:
        if total.kind == "tva":
            continue
        for key, printed in (("amount_ttc", total.ttc), ("amount_ht", total.ht)):
            if printed is None:
                continue
            before = values[key][: total.lines_before]
            if None in before:
                continue  # some line has no such amount: nothing to compare with
            sums = _sums(scopes, before)
            section_sum = sum(
                (
                    value
                    for value, scope in zip(
                        before[total.previous_total_lines :],
                        scopes[total.previous_total_lines : total.lines_before],
                        strict=True,
                    )
                    if scope != "state_funding"
                ),
                Decimal("0"),
            )
            candidates = set(sums.values()) | {section_sum}
            if abs(printed) in candidates or printed in candidates:
                continue
            if total.kind == "subtotal":
                expected = section_sum
            elif total.kind == "remainder":
                expected = sums["net"]
            else:
                expected = sums["gross"]
            what = "HT" if key == "amount_ht" else "TTC"
            checks.append(
                f"Page {total.page} : le montant « {total.label} » indiqué "
                f"({format_amount(printed)}) ne correspond pas à la somme des lignes "
                f"({format_amount(expected)} {what}) : vérifiez le tableau."
            )
    return checks


def _sums(scopes: list[str | None], values: list[Decimal]) -> dict[str, Decimal]:
    """The sums a total may print, over the lines of `values` (with their `scopes`)."""
    by_scope = dict.fromkeys(("segur", "state_funding", "out_of_scope", None), Decimal("0"))
    for scope, value in zip(scopes, values, strict=False):
        if scope in by_scope:
            by_scope[scope] += value
    segur, state, other = by_scope["segur"], by_scope["state_funding"], by_scope["out_of_scope"]
    unclassified = by_scope[None]
    gross = segur + other + unclassified
    return {
        "segur": segur,
        "other": other,
        "unclassified": unclassified,
        "state": state,
        "gross": gross,
        "net": gross - state,
        "remainder": max(segur - state, Decimal("0")) + other + unclassified,
        "segur_net": segur - state,
        "segur_unclassified": segur + unclassified,
        "segur_unclassified_net": segur + unclassified - state,
        "other_unclassified": other + unclassified,
    }
