"""Wrapped labels: attach the label-only lines of a cell to the row that holds its amounts.

Which amount row a wrapped line belongs to depends on how the producer aligns its cells: at
the top (word processors, billing software), at the bottom (reportlab tables) or in the middle
(HTML). The alignment is measured on the document first, from the rows where only one reading
is possible, then applied where lines sit between two amount rows.
"""

from __future__ import annotations

from collections import Counter

from segur_funding.quotes.pdf.classify import RowInfo
from segur_funding.quotes.pdf.layout import LINE_PITCH, Row


def _close(upper: Row, lower: Row) -> bool:
    return 0 < upper.y - lower.y <= LINE_PITCH * max(upper.size, lower.size)


def _label_column(infos: list[RowInfo]) -> dict[int, float]:
    """Per page, the x where labels start: the commonest x of an amount row's first text."""
    per_page: dict[int, Counter[float]] = {}
    for info in infos:
        words = info.words
        if info.kind == "amount" and words:
            per_page.setdefault(info.row.page, Counter())[round(words[0].x)] += 1
    return {page: counts.most_common(1)[0][0] for page, counts in per_page.items()}


def _fits(label: RowInfo, owner: RowInfo, label_x: dict[int, float]) -> bool:
    """Could `label` be a wrapped line of `owner`'s label cell?"""
    if owner.kind != "amount" or label.row.page != owner.row.page:
        return False
    first_amount_x = min(cell.x for cell, _ in owner.amounts)
    if any(cell.x >= first_amount_x - 2 for cell in label.row.cells):
        return False
    x = label.row.x
    words = owner.words
    if words:
        return any(abs(cell.x - x) <= 4 for cell in words)
    column = label_x.get(label.row.page)
    return column is not None and abs(column - x) <= 4


def _chains(infos: list[RowInfo]) -> list[tuple[int | None, list[int], int | None]]:
    """Runs of consecutive text rows, with the structural rows just above and below."""
    chains = []
    index = 0
    while index < len(infos):
        if infos[index].kind != "text":
            index += 1
            continue
        start = index
        while (
            index < len(infos)
            and infos[index].kind == "text"
            and (index == start or infos[index].row.page == infos[start].row.page)
        ):
            index += 1
        above = start - 1 if start > 0 and infos[start - 1].row.page == infos[start].row.page else None
        below = index if index < len(infos) and infos[index].row.page == infos[start].row.page else None
        chains.append((above, list(range(start, index)), below))
    return chains


def attach_wrapped_labels(infos: list[RowInfo]) -> str:
    """Attach wrapped label lines to amount rows; returns the alignment mode used."""
    label_x = _label_column(infos)
    # Each chain is cut where lines stop being stacked at line pitch; only its ends can touch
    # an amount row.
    pieces: list[tuple[int | None, list[int], int | None]] = []
    for above, members, below in _chains(infos):
        run: list[int] = []
        for i in members:
            if run and not _close(infos[run[-1]].row, infos[i].row):
                pieces.append((above if run[0] == members[0] else None, run, None))
                run = []
            run.append(i)
        pieces.append((above if run[0] == members[0] else None, run, below))

    def owner_above(above: int | None, run: list[int]) -> int | None:
        if above is None or not _close(infos[above].row, infos[run[0]].row):
            return None
        return above if _fits(infos[run[0]], infos[above], label_x) else None

    def owner_below(run: list[int], below: int | None) -> int | None:
        if below is None or not _close(infos[run[-1]].row, infos[below].row):
            return None
        return below if _fits(infos[run[-1]], infos[below], label_x) else None

    # Who could own each piece, worked out once for both passes below: nothing they read
    # (kinds, amounts, cells, positions) changes when lines get attached.
    owners = [(owner_above(above, run), owner_below(run, below)) for above, run, below in pieces]
    evidence: Counter[str] = Counter()
    for up, down in owners:
        if up is not None and down is None:
            evidence["top"] += 1
        elif down is not None and up is None:
            evidence["bottom"] += 1
    for info_index, info in enumerate(infos):
        if info.kind == "amount" and not info.words:
            before = info_index > 0 and infos[info_index - 1].kind == "text"
            after = info_index + 1 < len(infos) and infos[info_index + 1].kind == "text"
            if before and after:
                evidence["middle"] += 2
    mode = "top"
    if evidence:
        mode = max(("top", "middle", "bottom"), key=lambda m: (evidence[m], m == "top"))

    for (_, run, _), (up, down) in zip(pieces, owners, strict=True):
        if mode == "middle" and (up is not None or down is not None):
            for i in run:
                distance_up = infos[up].row.y - infos[i].row.y if up is not None else None
                distance_down = infos[i].row.y - infos[down].row.y if down is not None else None
                nearer_up = distance_down is None or (
                    distance_up is not None and distance_up <= distance_down + 0.5
                )
                target = up if nearer_up else down
                if target is None:
                    continue
                infos[target].attached.append(infos[i].row)
                infos[i].consumed = True
        elif mode == "bottom" and down is not None:
            for i in run:
                infos[down].attached.append(infos[i].row)
                infos[i].consumed = True
        elif mode != "bottom" and up is not None:
            for i in run:
                infos[up].attached.append(infos[i].row)
                infos[i].consumed = True
    for info in infos:
        info.attached.sort(key=lambda row: -row.y)
    return mode
