"""One pypdf text-extraction pass per page, keeping where each piece of text starts and ends.

pypdf's plain extraction (`page.extract_text()`) is fast but reports text in chunks: everything
a producer draws on one baseline may come back as one string ("Formation 2 470,00 € 940,00 €")
with the cell boundaries lost. Its layout mode keeps columns but costs about twice as much and
drops spaces with some producers. So we run the plain pass once, with visitors: the operator
visitor sees every text-showing operator (where it starts, how many glyph codes it shows and,
from the font's widths, where it ends), the text visitor sees the decoded chunks, and each chunk
is cut back into its operators' pieces when the glyph counts add up (once pypdf is done with
the page; `align.py`). When they do not (ligatures, exotic encodings) the chunk stays whole and
the table rebuild treats it cautiously. Font widths and text-space matrices: `fonts.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, NamedTuple

from segur_funding.quotes.pdf.align import Op, align_pieces
from segur_funding.quotes.pdf.cycles import release
from segur_funding.quotes.pdf.fonts import (
    UNKNOWN_FONT,
    FontInfo,
    finite_number,
    font_info,
    in_page_space,
    is_upright,
    mult,
    raw_bytes,
    two_byte_codes,
)

# A quote page holds a few hundred pieces of text; far more means a hostile or absurd page.
MAX_FRAGMENTS_PER_PAGE = 10_000


class _TooMuchText(Exception):
    """Raised from the text visitor to stop pypdf's extraction of an absurd page early."""


# Two operators drawn closer than this (in ems) are one run of text, farther apart two cells.
WORD_GAP = 0.6


class Fragment(NamedTuple):
    """A piece of text drawn at one place, in PDF points (y grows upwards).

    One is made for every piece of text of every page: a named tuple is as immutable as a
    frozen dataclass and several times cheaper to create, which shows on one-page quotes.
    """

    x: float
    end: float
    y: float
    size: float
    text: str
    order: int


@dataclass
class PageText:
    number: int  # 1-based
    text: str  # what pypdf's plain extraction returns for the page
    fragments: list[Fragment]
    has_images: bool
    overflow: bool = False
    # The page's content stream as pypdf parsed it for the extraction (operands, operator), or
    # None: what the ruled-table reader hands pdfminer instead of parsing the page again.
    operations: list | None = None
    # Text drawn in another orientation than upright was seen: `text` (upright text only) is
    # then not what pypdf's default extraction (every orientation) returns for the page.
    rotated_text: bool = False


class _Chunk(NamedTuple):
    """A piece of text as pypdf reported it, with what it takes to place it later."""

    text: str
    cm: list[float]
    tm: list[float]
    size: Any
    ops: list[Op | None]
    to_page: list[float] | None


@dataclass
class _Frame:
    """The coordinate system and fonts in force: the page, or a form XObject drawn on it."""

    to_page: list[float] | None
    resources: Any
    fonts: dict[str, FontInfo] = field(default_factory=dict)


@dataclass(slots=True)
class _TextState:
    font: str | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0

    def copy(self) -> _TextState:
        return _TextState(self.font, self.size, self.char_spacing, self.word_spacing, self.scale)


# The operators the visitors care about; every other one returns at once.
_WATCHED_BEFORE = frozenset(
    {b"Tj", b"TJ", b"'", b'"', b"Tf", b"Tc", b"Tw", b"Tz", b"q", b"Q", b"Do", b"INLINE IMAGE"}
)
_WATCHED_AFTER = frozenset({b"Tj", b"TJ", b"'", b'"', b"Do"})


@dataclass
class _Collector:
    page_resources: Any
    limit: int = MAX_FRAGMENTS_PER_PAGE
    fragments: list[Fragment] = field(default_factory=list)
    has_images: bool = False
    overflow: bool = False
    _frames: list[_Frame] = field(default_factory=list)
    _state: _TextState = field(default_factory=_TextState)
    _stack: list[_TextState] = field(default_factory=list)
    _xobjects: list[tuple[bool, _TextState]] = field(default_factory=list)
    _pending: list[Op | None] = field(default_factory=list)
    _chunks: list[_Chunk] = field(default_factory=list)
    _current: Op | None = None
    _showing: bool = False
    _order: int = 0
    rotated_text: bool = False

    def __post_init__(self) -> None:
        self._frames.append(_Frame(None, self.page_resources))

    # pypdf visitors ----------------------------------------------------------------------

    def before(self, operator: bytes, operands: Any, cm: list[float], tm: list[float]) -> None:
        if operator not in _WATCHED_BEFORE:
            return
        state = self._state
        if operator in (b"Tj", b"TJ"):
            self._current = self._op(operands, cm, tm)
            self._showing = True
            if not self.rotated_text:
                self.rotated_text = not is_upright(cm, tm)
        elif operator in (b"'", b'"'):
            # These move to the next line before showing: the position is not known here.
            self._current = None
            self._showing = True
            if not self.rotated_text:
                self.rotated_text = not is_upright(cm, tm)
        elif operator == b"Tf" and operands:
            state.font = str(operands[0])
            state.size = finite_number(operands[1] if len(operands) > 1 else None, state.size)
        elif operator == b"Tc" and operands:
            state.char_spacing = finite_number(operands[0], 0.0)
        elif operator == b"Tw" and operands:
            state.word_spacing = finite_number(operands[0], 0.0)
        elif operator == b"Tz" and operands:
            state.scale = finite_number(operands[0], 100.0) / 100
        elif operator == b"q":
            self._stack.append(state.copy())
        elif operator == b"Q":
            if self._stack:
                self._state = self._stack.pop()
        elif operator == b"Do":
            self._xobjects.append((self._enter_xobject(operands, cm), state.copy()))
        elif operator == b"INLINE IMAGE":
            self.has_images = True

    def after(self, operator: bytes, operands: Any, cm: list[float], tm: list[float]) -> None:
        if operator not in _WATCHED_AFTER:
            return
        if operator != b"Do":
            if self._showing:
                self._pending.append(self._current)
            self._current = None
            self._showing = False
        elif operator == b"Do" and self._xobjects:
            entered, self._state = self._xobjects.pop()
            if entered and len(self._frames) > 1:
                self._frames.pop()

    def text(self, text: str, cm: list[float], tm: list[float], font: Any, size: Any) -> None:
        if not text or text.isspace():
            # Most flushes are empty (BT, ET, font changes): keep them cheap.
            self._pending = []
            return
        ops = self._pending
        self._pending = []
        if self._showing and self._current is not None:
            # The flush happened while showing this operator's text: it belongs to the chunk.
            ops.append(self._current)
            self._showing = False
        if self.overflow:
            return  # pypdf carries on after an exception raised inside a form XObject
        # The chunk is only recorded here and cut into fragments by finish(), once pypdf is
        # done with the page: worked out in one go, not between two of pypdf's operators, the
        # same work costs less. pypdf moves the text matrix in place, hence the copies.
        self._chunks.append(_Chunk(text, list(cm), list(tm), size, ops, self._frames[-1].to_page))
        if len(self._chunks) > self.limit:
            # Each chunk makes one fragment at least: past the limit already, stop pypdf here.
            self.overflow = True
            raise _TooMuchText

    def finish(self) -> None:
        """Cut the recorded chunks into fragments (up to `limit`, else `overflow`)."""
        for text, cm, tm, size, ops, to_page in self._chunks:
            body = text.rstrip("\n")
            if not body.strip():
                continue
            try:
                start = in_page_space(mult(tm, cm), to_page)
            except (TypeError, ValueError, IndexError):
                continue
            height = abs(finite_number(size, 0.0)) * (math.hypot(start[2], start[3]) or 1.0)
            ends = [op.end for op in ops if op is not None]
            end = max(ends) if ends else start[4] + 0.5 * height * len(body)
            if len(ops) < 2:
                # Drawn by one operator, the common case: there is nothing to cut the chunk into.
                fragments = [self._fragment(start[4], end, start[5], height, body)]
            else:
                fragments = self._split(body, ops, Op(start[4], end, start[5], height, None))
            for fragment in fragments:
                if len(self.fragments) >= self.limit:
                    self.overflow = True
                    return
                self.fragments.append(fragment)

    # internals -----------------------------------------------------------------------------

    def _matrix(self, cm: list[float], tm: list[float]) -> list[float]:
        # pypdf hands its own matrices, six floats it built with float() from every operand:
        # converting them again would only cost time, twice per piece of text.
        return in_page_space(mult(tm, cm), self._frames[-1].to_page)

    def _font(self) -> FontInfo:
        name = self._state.font or ""
        # Called for every text-showing operator: the font already resolved in the innermost
        # frame is the common case, answered with one lookup.
        known = self._frames[-1].fonts.get(name)
        if known is not None:
            return known
        for frame in reversed(self._frames):
            if name in frame.fonts:
                return frame.fonts[name]
            try:
                fonts = frame.resources.get_object().get("/Font")
                resource = fonts.get_object().get(name) if fonts is not None else None
            except Exception:
                resource = None
            if resource is not None:
                frame.fonts[name] = font_info(resource)
                return frame.fonts[name]
        return UNKNOWN_FONT

    def _op(self, operands: Any, cm: list[float], tm: list[float]) -> Op | None:
        try:
            matrix = self._matrix(cm, tm)
        except (TypeError, ValueError, IndexError):
            return None
        state, font = self._state, self._font()
        size, scale = state.size, state.scale
        one_byte = (font.code_bytes or 1) == 1
        width_of, default = font.widths.get, font.default
        advance = 0.0  # in text space units
        codes: int | None = 0
        items = operands[0] if operands and isinstance(operands[0], list) else operands[:1]
        for item in items:
            if isinstance(item, (int, float)):
                advance -= float(item) / 1000 * size * scale
                continue
            raw = raw_bytes(item)
            if raw is None:
                codes = None
                continue
            values = raw if one_byte else two_byte_codes(raw)
            total = sum(map(width_of, values, repeat(default)))
            spaces = raw.count(32) if one_byte else 0
            step = total / 1000 * size + state.char_spacing * len(values)
            advance += (step + state.word_spacing * spaces) * scale
            if codes is not None:
                codes += len(values)
        if font.code_bytes is None:
            codes = None
        height = abs(size) * (math.hypot(matrix[2], matrix[3]) or 1.0)
        end = matrix[4] + advance * matrix[0]
        return Op(matrix[4], max(end, matrix[4]), matrix[5], height, codes)

    def _enter_xobject(self, operands: Any, cm: list[float]) -> bool:
        """Follow a form XObject's coordinate system; True when a frame was pushed."""
        try:
            resources = self._frames[-1].resources.get_object()
            xobject = resources["/XObject"].get_object()[operands[0]].get_object()
            if xobject.get("/Subtype") == "/Image":
                self.has_images = True
                return False
            if xobject.get("/Subtype") != "/Form":
                return False
            form = [finite_number(v, 0.0) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])][:6]
            placed = mult(form, [float(v) for v in cm])
            parent = self._frames[-1].to_page
            to_page = mult(placed, parent) if parent is not None else placed
            inner = xobject.get("/Resources")
            self._frames.append(_Frame(to_page, inner if inner is not None else resources))
        except Exception:
            return False
        return True

    def _split(self, body: str, ops: list[Op | None], fallback: Op) -> list[Fragment]:
        """Cut a chunk back into the pieces its operators drew, grouped into runs of text."""
        pieces = align_pieces(body, ops)
        if pieces is None:
            return [self._fragment(fallback.x, fallback.end, fallback.y, fallback.size, body)]
        fragments: list[Fragment] = []
        first, text, _ = pieces[0]
        parts, end = [text], first.end
        for op, piece, spaced in pieces[1:]:
            same_line = abs(op.y - first.y) <= 0.4 * max(op.size, first.size, 1.0)
            if same_line and op.x - end <= WORD_GAP * max(op.size, 1.0):
                parts.append((" " if spaced else "") + piece)
                end = max(end, op.end)
                continue
            fragments.append(self._fragment(first.x, end, first.y, first.size, "".join(parts)))
            first, parts, end = op, [piece], op.end
        fragments.append(self._fragment(first.x, end, first.y, first.size, "".join(parts)))
        return [f for f in fragments if f.text.strip()]

    def _fragment(self, x: float, end: float, y: float, size: float, text: str) -> Fragment:
        self._order += 1
        return Fragment(round(x, 2), round(end, 2), round(y, 2), round(size, 2), text, self._order)


def _page_has_images(page: Any) -> bool:
    try:
        resources = page.get("/Resources")
        if resources is None:
            return False
        xobjects = resources.get_object().get("/XObject")
        if xobjects is None:
            return False
        xobjects = xobjects.get_object()
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:
        return False


def _parsed_contents(page: Any) -> Any:
    """The page's content stream as a pypdf ContentStream, put in the page's place so that the
    extraction parses it there (and keeps the operations for the ruled-table reader). None when
    the page has none, or when pypdf's extraction is better left to find it itself."""
    from pypdf.generic import ContentStream, NameObject

    try:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if contents is None or isinstance(contents, ContentStream):
            return contents
        if not hasattr(contents, "get_data") and not isinstance(contents, list):
            return None
        # Built as pypdf's extraction builds it (strings as bytes), so the operations are the
        # very ones it would have parsed.
        stream = ContentStream(contents, page.pdf, "bytes")
    except (AttributeError, KeyError, TypeError):
        return None
    page[NameObject("/Contents")] = stream
    return stream


def extract_page(page: Any, number: int) -> PageText:
    """Run pypdf's plain extraction once on `page`, collecting positioned fragments."""
    resources = page.get("/Resources")
    collector = _Collector(resources if resources is not None else {})
    stream = _parsed_contents(page)
    try:
        text = page.extract_text(
            orientations=(0,),
            visitor_operand_before=collector.before,
            visitor_operand_after=collector.after,
            visitor_text=collector.text,
        )
    except _TooMuchText:
        text = ""
    if not collector.overflow:
        collector.finish()
    if collector.overflow:
        text = ""
    operations = getattr(stream, "_operations", None) or None
    reading = PageText(
        number=number,
        text=text or "",
        fragments=collector.fragments,
        has_images=collector.has_images or _page_has_images(page),
        overflow=collector.overflow,
        operations=operations if isinstance(operations, list) else None,
        rotated_text=collector.rotated_text,
    )
    # pypdf's extractor keeps the visitors in a cycle of its own: leave nothing of the page in it.
    release(collector)
    return reading
