"""pypdf's parsed page content handed to pdfminer's interpreter, for pdfplumber.

pdfminer (under pdfplumber) would parse each ruled page's content stream a second time, in pure
Python, after pypdf's extraction parsed it. `feed_layout` converts pypdf's operations to the
objects pdfminer's own parser would have made and runs pdfminer's interpreter on them, so
pdfplumber sees exactly the characters and rules it would have found
(tests/quotes/test_pdf_ruled.py compares both on every corpus page).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


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


_INTERPRETER: list[type] = []


def _interpreter_class() -> type:
    """pdfminer's page interpreter, running the page's pre-parsed program first (`pending`).

    Made once, when pdfminer is first needed (it is imported lazily): a class made per page
    would be one more cycle for the collector each time."""
    if _INTERPRETER:
        return _INTERPRETER[0]
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import stream_value
    from pdfminer.psparser import PSKeyword, keyword_name

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

    _INTERPRETER.append(Interpreter)
    return Interpreter


def feed_layout(page: Any, operations: list) -> None:
    """Lay `page` (pdfplumber) out from pypdf's operations, as `page.layout` would from the
    bytes; left to pdfplumber when an operand cannot be converted."""
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        program = _pdfminer_program(operations)
    except _Unsupported:
        return

    device = PDFPageAggregatorWithMarkedContent(
        page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams
    )
    interpreter = _interpreter_class()(page.pdf.rsrcmgr, device)
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

    # Not a recursive inner function: it would hold itself, and with it the page's objects, in a
    # cycle only the cyclic collector frees.
    for obj in _leaves(layout._objs, LTContainer):
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
    if not chars:
        del objects["char"]
    return objects


def _leaves(items: list, container: type) -> Iterator[Any]:
    """The layout's objects that are not containers, in pdfplumber's order (depth first)."""
    for obj in items:
        if isinstance(obj, container):
            yield from _leaves(obj._objs, container)
        else:
            yield obj
