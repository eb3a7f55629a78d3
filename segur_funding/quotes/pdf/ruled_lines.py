"""The quote lines of a ruled table, rebuilt from its cells (read by `ruled.read_ruled`).

The header row names the columns (label, scope, amounts HT / TVA / TTC); each following row is a
quote line, a section heading (« Prestation Ségur » / « Hors Ségur »), or a total checked against
the lines above it. What cannot be read without a doubt is a manual check (French sentence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from segur_funding.quotes.pdf.french import format_amount, normalize, parse_amount, squash
from segur_funding.quotes.pdf.table import _sums
from segur_funding.quotes.pdf.wording import dsr_codes, is_state_funding, section_scope, total_kind

_HEADER_WORDS = {
    "label": ("designation", "libelle", "description", "prestation", "article", "intitule", "objet"),
    "scope": ("perimetre", "financement", "prise en charge", "type"),
}


@dataclass
class RuledReading:
    lines: list[dict] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    generic_amounts: bool = False


# (page, table index on the page, section heading printed just above the table, cells)
TableRow = tuple[int, int, str | None, list[str]]


def cell_text(cell: str | None) -> str:
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
    if "dsr" in tokens:
        return "dsr"
    if tokens & {"qte", "quantite", "qty", "pu", "unitaire", "ref", "reference", "code"}:
        return "other"
    if tokens & {"montant", "prix", "total", "cout"}:
        return "amount"
    return None


def header_kinds(row: list[str]) -> list[str | None] | None:
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


def rebuild_lines(rows: list[TableRow]) -> RuledReading | None:
    reading = RuledReading()
    kinds: list[str | None] | None = None
    header_texts: list[str] = []
    scope: str | None = None
    found = False
    # A row cut by a page break: its label goes on under the header repeated on the next page.
    continues_from: dict | None = None
    orphan: tuple | None = None
    since_total = 0
    last_page = 0
    table_id = None
    for page, index, heading_above, cells in rows:
        if (page, index) != table_id:
            # A new table: a heading printed above it gives its scope; a table without a
            # header row is the quote table going on only at the top of a new page.
            if table_id is not None and page == table_id[0] and header_kinds(cells) is None:
                kinds = None
            table_id = (page, index)
            if heading_above is not None:
                scope = heading_above
        header = header_kinds(cells)
        if header is not None:
            kinds, header_texts = header, cells
            found = True
            if page > last_page and reading.lines:
                continues_from = reading.lines[-1]
            continue  # the header, or the same header repeated on the next page
        last_page = page
        carried, continues_from = continues_from, None
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
        if len(filled) > 1 and not any(
            kind in ("ttc", "ht", "tva", "amount") and parse_amount(text) for kind, text in filled
        ):
            # A heading spanning the columns of a table without vertical rules, cut at the
            # column boundaries: one text again.
            heading = section_scope(filled[0][1])
            if heading is not None:
                scope = heading
                continue
        for kind, text in filled:
            if kind in ("ttc", "ht", "tva", "amount"):
                amount = parse_amount(text)
                if amount is None:
                    unreadable.append(text)
                else:
                    amounts[kind] = amount.value
        if not amounts and not unreadable:
            heading = section_scope(" ".join(text for _, text in filled))
            if orphan is not None and orphan[0] < page and label and len(filled) == 1:
                _, amounts, unreadable, _, _ = orphan
                orphan = None
                if unreadable:
                    reading.checks.append(f"Page {page} : montant illisible sur la ligne « {label} ».")
                    continue
                line = _line(label, kinds, cells, amounts, scope, page, reading)
                if line is not None:
                    reading.lines.append(line)
                continue
            if carried is not None and label and len(filled) == 1 and heading is None:
                carried["label"] = f"{carried['label']} {label}"
                continue
            if heading is not None and len(filled) == 1:
                scope = heading
            elif label:
                reading.checks.append(
                    f"Page {page} : la ligne « {label} » n'a pas de montant ; vérifiez le tableau."
                )
            continue
        if not label:
            # The top of a row cut by a page break, its label printed on the next page.
            if orphan is not None:
                reading.checks.append(
                    f"Page {orphan[0]} : montant sans libellé ({orphan[4]}) ; vérifiez le tableau."
                )
            orphan = (page, amounts, unreadable, cells, " ".join(text for _, text in filled))
            continue
        if total_kind(label) is not None:
            printed = amounts.get("ttc", amounts.get("amount"))
            if printed is not None and not unreadable:
                check = _total_check(reading.lines, since_total, label, printed, page)
                if check is not None:
                    reading.checks.append(check)
            since_total = len(reading.lines)
            continue
        if unreadable:
            reading.checks.append(f"Page {page} : montant illisible sur la ligne « {label} ».")
            continue
        line = _line(label, kinds, cells, amounts, scope, page, reading)
        if line is not None:
            reading.lines.append(line)
    if orphan is not None:
        reading.checks.append(f"Page {orphan[0]} : montant sans libellé ({orphan[4]}) ; vérifiez le tableau.")
    return reading if found and (reading.lines or reading.checks) else None


def _total_check(lines: list[dict], since: int, label: str, printed: Decimal, page: int) -> str | None:
    """A printed total that no sum of the lines read gives: the table was not read right."""
    sums = _sums([line.get("scope") for line in lines], [Decimal(line["amount_ttc"]) for line in lines])
    section = sum(
        (Decimal(line["amount_ttc"]) for line in lines[since:] if line.get("scope") != "state_funding"),
        Decimal("0"),
    )
    if printed in {*sums.values(), section} or abs(printed) in {*sums.values(), section}:
        return None
    return (
        f"Page {page} : le montant « {label} » indiqué ({format_amount(printed)}) ne correspond "
        f"à aucune somme des lignes lues : vérifiez le tableau."
    )


def _fold_discount(lines: list[dict], ttc: Decimal, ht: Decimal | None) -> bool:
    above = lines[-1] if lines else None
    if above is None or above.get("scope") != "segur" or Decimal(above["amount_ttc"]) < -ttc:
        return False
    if ("amount_ht" in above) != (ht is not None) or (ht is not None and Decimal(above["amount_ht"]) < -ht):
        return False
    above["amount_ttc"] = f"{Decimal(above['amount_ttc']) + ttc:.2f}"
    if ht is not None:
        above["amount_ht"] = f"{Decimal(above['amount_ht']) + ht:.2f}"
    return True


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
    elif ttc < 0 and scope == "segur" and _fold_discount(reading.lines, ttc, ht):
        # An editor's discount in the Ségur part lowers the Ségur lines (SPEC §4): it is taken
        # off the line above it, which stays >= 0, so the Ségur total is the one printed.
        return None
    elif ttc < 0:
        reading.checks.append(
            f"Page {page} : la ligne « {label} » a un montant négatif ({format_amount(ttc)}) ; "
            "vérifiez ce qu'elle déduit."
        )
        return None
    line: dict = {"label": label}
    if scope:
        line["scope"] = scope
    codes = list(
        dict.fromkeys(
            dsr_codes(label)
            + [
                code
                for kind, text in zip(kinds, cells, strict=True)
                if kind == "dsr"
                for code in dsr_codes(text)
            ]
        )
    )
    if codes:
        line["dsr"] = codes
    line["amount_ttc"] = f"{ttc:.2f}"
    if ht is not None:
        line["amount_ht"] = f"{ht:.2f}"
    return line
