"""Where a text-showing operator's glyphs land: font glyph widths and text-space matrices
(PDF 32000-1 §9.4, §9.7), read from a page's resources for `extract.py`.

A font that cannot be read gives UNKNOWN_FONT: the chunk drawn with it is then kept whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from segur_funding.quotes.pdf.metrics import FIRST_CODE, standard_widths


@dataclass
class FontInfo:
    code_bytes: int | None
    widths: dict[int, float]
    default: float


UNKNOWN_FONT = FontInfo(None, {}, 500.0)


def mult(m: list[float], n: list[float]) -> list[float]:
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def in_page_space(matrix: list[float], to_page: list[float] | None) -> list[float]:
    """A text-space matrix in page space, through the form XObject it was drawn in if any."""
    return mult(matrix, to_page) if to_page is not None else matrix


def is_upright(cm: list[float], tm: list[float]) -> bool:
    """Would pypdf's extraction see this text as upright (orientation 0)? Its own test
    (`pypdf._text_extraction.orient`) on the same matrices: a line move (T*) before « ' » and
    « " » only translates the text matrix, which does not change the answer."""
    try:
        return tm[2] * cm[1] + tm[3] * cm[3] > 1e-6
    except (TypeError, IndexError):
        return False


def finite_number(value: Any, default: float) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def font_info(font: Any) -> FontInfo:
    """Bytes per glyph code and glyph widths (thousandths of an em) of a font resource."""
    try:
        font = font.get_object()
        if font.get("/Subtype") == "/Type0":
            encoding = str(font.get("/Encoding"))
            code_bytes = 2 if encoding in ("/Identity-H", "/Identity-V") or "UCS2" in encoding else None
            descendant = font["/DescendantFonts"].get_object()[0].get_object()
            widths: dict[int, float] = {}
            spec = descendant.get("/W")
            spec = spec.get_object() if spec is not None else []
            index = 0
            while index + 1 < len(spec) and len(widths) < 70_000:
                first = int(spec[index])
                nxt = spec[index + 1]
                nxt = nxt.get_object() if hasattr(nxt, "get_object") else nxt
                if isinstance(nxt, list):
                    for offset, width in enumerate(nxt):
                        widths[first + offset] = finite_number(width, 0.0)
                    index += 2
                elif index + 2 < len(spec):
                    last, width = int(nxt), finite_number(spec[index + 2], 0.0)
                    for code in range(first, min(last, first + 70_000) + 1):
                        widths[code] = width
                    index += 3
                else:
                    break
            return FontInfo(code_bytes, widths, finite_number(descendant.get("/DW", 1000), 1000.0))
        widths = {}
        raw = font.get("/Widths")
        if raw is not None:
            first = int(font.get("/FirstChar", 0))
            for offset, width in enumerate(raw.get_object()):
                widths[first + offset] = finite_number(width, 0.0)
        else:
            widths = _standard_width_map(str(font.get("/BaseFont", "")))
        default = 500.0
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            default = finite_number(descriptor.get_object().get("/MissingWidth", 0), 0.0) or 500.0
        return FontInfo(1, widths, default)
    except Exception:
        return UNKNOWN_FONT


@lru_cache(maxsize=64)
def _standard_width_map(base_font: str) -> dict[int, float]:
    """Glyph code -> width for a standard font, or {} when the name is not a standard one.

    The tables are constants and most quotes use Helvetica or Times: building the dict once per
    font name, not once per page and font, saves a fixed cost that shows on one-page quotes.
    The dict is shared, so it is only ever read (`FontInfo.widths` is never written to).
    """
    standard = standard_widths(base_font)
    if standard is None:
        return {}
    return {FIRST_CODE + i: float(w) for i, w in enumerate(standard)}


def two_byte_codes(raw: bytes) -> list[int]:
    return [raw[i] << 8 | raw[i + 1] for i in range(0, len(raw) - 1, 2)]


def raw_bytes(operand: Any) -> bytes | None:
    original = getattr(operand, "original_bytes", None)
    if isinstance(original, bytes):
        return original
    if isinstance(operand, bytes):
        return operand
    return None
