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
(tests/quotes/test_pdf_ruled.py compares both on every corpus page).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from segur_funding.quotes.pdf.french import format_amount, normalize, parse_amount, squash
from segur_funding.quotes.pdf.table import _sums
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
    if "dsr" in tokens:
        return "dsr"
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


class TooSlow(Exception):
    """The time budget ran out between two pages."""


class _Unsupported(Exception):
    """An operand pdfminer's own parser would read differently: parse the page the usual way."""


_CONVERTERS: dict[type, Any] = {}


def _converters() -> dict[type, Any]:
    """pypdf operand type -> the object pdfminer's own parser would have made of it."""
    if _CONVERTERS:
        return _CONVERTERS
    from pdfminer.psparser import LIT
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        ByteStringObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NullObject,
        NumberObject,
        TextStringObject,
    )

    def dictionary(value: Any) -> dict:
        return {
            str(key)[1:]: _pdfminer_operand(item)
            for key, item in value.items()
            if item is not None and type(item) is not NullObject
        }

    _CONVERTERS.update(
        {
            NumberObject: int,
            int: int,
            FloatObject: float,
            float: float,
            NameObject: lambda value: LIT(str(value)[1:]),
            ByteStringObject: bytes,
            bytes: bytes,
            TextStringObject: lambda value: value.get_original_bytes(),
            ArrayObject: lambda value: [_pdfminer_operand(item) for item in value],
            DictionaryObject: dictionary,
            BooleanObject: lambda value: bool(value.value),
            NullObject: lambda value: None,
        }
    )
    return _CONVERTERS


def _pdfminer_operand(value: Any) -> Any:
    convert = _CONVERTERS.get(type(value))
    if convert is None:
        raise _Unsupported
    return convert(value)


def _pdfminer_program(operations: list) -> list[tuple[Any, list]]:
    """pypdf's (operands, operator) pairs as pdfminer's keywords and operands."""
    from pdfminer.psparser import KWD

    _converters()
    program = []
    for operands, operator in operations:
        if not isinstance(operator, bytes) or operator == b"INLINE IMAGE":
            raise _Unsupported  # pdfminer reads inline images with its own parser
        program.append((KWD(operator), [_pdfminer_operand(value) for value in operands]))
    return program


def _layout(page: Any, operations: list) -> None:
    """Lay `page` (pdfplumber) out from pypdf's operations, as `page.layout` would from the
    bytes; left to pdfplumber when an operand cannot be converted."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import stream_value
    from pdfminer.psparser import PSKeyword, keyword_name
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        program = _pdfminer_program(operations)
    except _Unsupported:
        return

    class Interpreter(PDFPageInterpreter):
        # Only the page's own content is pre-parsed: the first `execute`; form XObjects are
        # run by copies of this interpreter (`dup`), which parse theirs as usual.
        pending: list | None = None

        def dup(self) -> PDFPageInterpreter:
            return PDFPageInterpreter(self.rsrcmgr, self.device)

        def execute(self, streams: Any) -> None:
            if self.pending is None:
                super().execute(streams)
                return
            steps, self.pending = self.pending, None
            self.stream_ids.clear()
            for stream in streams:
                objid = stream_value(stream).objid
                if objid is not None:
                    self.stream_ids.add(objid)
            methods: dict[PSKeyword, tuple[Any, int] | None] = {}
            for keyword, operands in steps:
                self.argstack.extend(operands)
                found = methods.get(keyword, False)
                if found is False:
                    name = keyword_name(keyword)
                    method = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
                    func = getattr(self, method, None)
                    found = (func, func.__code__.co_argcount - 1) if func is not None else None
                    methods[keyword] = found
                if found is None:
                    continue  # pdfminer ignores an unknown operator (and keeps its operands)
                func, count = found
                if count:
                    args = self.pop(count)
                    if len(args) == count:
                        func(*args)
                else:
                    func()

    device = PDFPageAggregatorWithMarkedContent(
        page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams
    )
    interpreter = Interpreter(page.pdf.rsrcmgr, device)
    interpreter.pending = program
    try:
        interpreter.process_page(page.page_obj)
    except Exception as exception:
        raise PdfminerException(exception) from exception
    # pdfplumber's own caches: `page.layout`, and `page.objects` built from it.
    page._layout = device.get_result()
    page._objects = _objects(page, page._layout)


_PLAIN = frozenset({float, int, str, bool, type(None)})


def _objects(page: Any, layout: Any) -> dict[str, list[dict]]:
    """`page.objects` as pdfplumber's `parse_objects` builds it (no layout analysis), with its
    `process_object` for everything but characters; a character, a thousand of them on a page,
    gets the same dictionary in a few steps instead of pdfplumber's generic walk over every
    attribute (tests/quotes/test_pdf_ruled.py checks they are equal on every corpus page)."""
    from pdfminer.layout import LTChar, LTContainer
    from pdfplumber.page import ALL_ATTRS
    from pdfplumber.utils import resolve_all, resolve_and_decode

    if page.pdf.laparams is not None or page.pdf.unicode_norm is not None:
        return page.parse_objects()
    number = page.page_number
    mb_x0, mb_top = page.mediabox[:2]
    height = page.height
    doctop = page.initial_doctop
    plain = _PLAIN
    spaces: dict[Any, Any] = {}
    objects: dict[str, list[dict]] = {}
    chars = objects.setdefault("char", [])

    def walk(items: list) -> None:
        for obj in items:
            if isinstance(obj, LTContainer):
                walk(obj._objs)
                continue
            if type(obj) is not LTChar or isinstance(obj.fontname, bytes):
                attr = page.process_object(obj)
                if attr["object_type"] != "anno":
                    objects.setdefault(attr["object_type"], []).append(attr)
                continue
            attr = {}
            for key, value in obj.__dict__.items():
                if key in ALL_ATTRS:
                    attr[key] = value if type(value) in plain else resolve_all(value)
            attr["object_type"] = "char"
            attr["page_number"] = number
            for name in ("ncs", "scs"):
                if hasattr(obj, name):
                    space = getattr(obj, name).name
                    if space not in spaces:
                        spaces[space] = resolve_and_decode(space)
                    attr[name] = spaces[space]
            attr["text"] = obj._text
            state = obj.graphicstate
            attr["stroking_color"] = state.scolor if isinstance(state.scolor, tuple) else (state.scolor,)
            attr["non_stroking_color"] = (
                state.ncolor if isinstance(state.ncolor, tuple) else (state.ncolor,)
            )
            if "y0" in attr:
                attr["top"] = (height - attr["y1"]) + mb_top
                attr["bottom"] = (height - attr["y0"]) + mb_top
                attr["doctop"] = doctop + attr["top"]
            if "x0" in attr and mb_x0 != 0:
                attr["x0"] = attr["x0"] + mb_x0
                attr["x1"] = attr["x1"] + mb_x0
            chars.append(attr)

    walk(layout._objs)
    if not chars:
        del objects["char"]
    return objects


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
    rows: list[_TableRow] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in pages:
            if time.thread_time() - started > budget_seconds:
                raise TooSlow
            page = pdf.pages[number - 1]
            if operations and operations.get(number):
                _layout(page, operations[number])
            found = _rows(page, page.find_tables())
            headers = [i for i, (_, _, _, cells) in enumerate(found) if _header(cells)]
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
    return _rebuild(rows)


# (page, table index on the page, section heading printed just above the table, cells)
_TableRow = tuple[int, int, str | None, list[str]]


def _rows(page, tables: list) -> list[_TableRow]:
    rows: list[_TableRow] = []
    above = 0.0
    for index, table in enumerate(sorted(tables, key=lambda t: t.bbox[1])):
        _, top, _, bottom = table.bbox
        heading = None
        if top - above > 4:
            text = page.crop((0, above, page.width, top), strict=False).extract_text() or ""
            for line in text.splitlines():
                heading = section_scope(line) or heading
        rows.extend(
            (page.page_number, index, heading, [_cell_text(c) for c in row]) for row in table.extract()
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
        if len(cells) >= 2 and _header(titles) is not None:
            starts = [cell[0]["x0"] - 4 for cell in cells[1:]]
            if all(left < x < right for x in starts):
                return [left, *starts, right]
    return None


def _rebuild(rows: list[_TableRow]) -> RuledReading | None:
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
            if table_id is not None and page == table_id[0] and _header(cells) is None:
                kinds = None
            table_id = (page, index)
            if heading_above is not None:
                scope = heading_above
        header = _header(cells)
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
    sums = _sums(lines, "amount_ttc")
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
