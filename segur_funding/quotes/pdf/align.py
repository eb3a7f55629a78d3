"""Cut a chunk of text pypdf reported back into the pieces its operators drew.

pypdf's text visitor reports what one baseline shows as one chunk; the operator visitor saw each
operator's glyph count. When the counts add up, each operator gets its piece (and its place on
the page); when they do not (ligatures, exotic encodings), `align_pieces` says so and the chunk
stays whole (`extract.py`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Op:
    x: float
    end: float
    y: float
    size: float
    codes: int | None  # glyph codes shown; None when the font's code width is unknown


def align_pieces(body: str, ops: list[Op | None]) -> list[tuple[Op, str, bool]] | None:
    """Give each operator its piece of `body`, or None when the counts do not add up.

    Left to right first, each operator taking exactly its glyph count; then right to left, the
    leftmost operator absorbing the difference: a ligature ("fi" drawn as one glyph) sits in
    label text, which is on the left, while amounts on the right have none.
    """
    if len(ops) < 2 or any(op is None or op.codes is None for op in ops):
        return None
    known = [op for op in ops if op is not None]
    return _align_forward(body, known) or _align_backward(body, known)


def _align_forward(body: str, ops: list[Op]) -> list[tuple[Op, str, bool]] | None:
    slack = len(body) - sum(op.codes or 0 for op in ops)
    if slack < 0:
        return None
    pieces: list[tuple[Op, str, bool]] = []
    pos, spaced = 0, False
    for index, op in enumerate(ops):
        end = pos + (op.codes or 0)
        if end > len(body):
            return None
        pieces.append((op, body[pos:end], spaced))
        pos, spaced = end, False
        # pypdf inserts one space between two operators drawn apart.
        if index < len(ops) - 1 and slack > 0 and pos < len(body) and body[pos] == " ":
            pos += 1
            slack -= 1
            spaced = True
    return pieces if pos == len(body) else None


def _align_backward(body: str, ops: list[Op]) -> list[tuple[Op, str, bool]] | None:
    pieces: list[tuple[Op, str, bool]] = []
    end = len(body)
    for op in reversed(ops[1:]):
        start = end - (op.codes or 0)
        if start <= 0:
            return None
        spaced = body[start - 1] == " "
        pieces.append((op, body[start:end], spaced))
        end = start - 1 if spaced else start
    first = ops[0]
    extra = end - (first.codes or 0)
    if extra < 0 or extra > max(3, (first.codes or 0) // 5):
        return None
    pieces.append((first, body[:end], False))
    pieces.reverse()
    return pieces
