"""Bar charts drawn on the server as plain SVG geometry (no JavaScript, no chart library).

Pure: values in, rectangles and labels out; the template writes the SVG. Each chart is shown
next to a table of the same figures, which is what screen readers and CSV users read.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 720
HEIGHT = 220
LEFT = 56  # room for the y-axis labels
BOTTOM = 28  # room for the x-axis labels
TOP = 12
RIGHT = 8


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # tooltip: "semaine du 03/03/2025 : 2"


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    right_edge: int = WIDTH - RIGHT
    is_empty: bool = False


def _nice_max(value: Decimal | int) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ value (a round top for the axis)."""
    value = Decimal(value)
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(1)
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if magnitude * step >= value:
            return magnitude * step
    return magnitude * 10  # pragma: no cover - the loop always returns


def _fmt(value: Decimal) -> str:
    if value == value.to_integral_value():
        text = f"{int(value):,}".replace(",", "\u202f")
    else:
        text = f"{value:.1f}".replace(".", ",")
    return text


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | int],
    tooltip_unit: str = "",
    every: int = 4,
) -> BarChart:
    """Geometry of a bar chart of `values` (one bar per label), y from 0 to a round maximum."""
    n = len(values)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top = _nice_max(max(values, default=0))
    slot = plot_w / max(n, 1)
    bar_w = max(slot * 0.7, 1.0)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = float(Decimal(value) / top) * plot_h if value else 0.0
        bars.append(
            Bar(
                x=round(LEFT + i * slot + (slot - bar_w) / 2, 2),
                y=round(TOP + plot_h - h, 2),
                width=round(bar_w, 2),
                height=round(h, 2),
                title=f"{label} : {_fmt(Decimal(value))}{tooltip_unit}",
            )
        )
    x_ticks = tuple(
        Tick(x=round(LEFT + i * slot + slot / 2, 2), y=HEIGHT - 8, label=labels[i])
        for i in range(0, n, max(every, 1))
    )
    counts = all(isinstance(v, int) for v in values)
    # A count axis has no half ticks (a top of 1 gets 0 and 1 only).
    fractions = [Decimal(0), Decimal("0.5"), Decimal(1)]
    if counts and (top * fractions[1]) != (top * fractions[1]).to_integral_value():
        fractions.remove(Decimal("0.5"))
    y_ticks = tuple(
        Tick(x=LEFT - 6, y=round(TOP + plot_h - float(fraction) * plot_h, 2), label=_fmt(top * fraction))
        for fraction in fractions
    )
    return BarChart(
        title=title,
        bars=tuple(bars),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        is_empty=not any(values),
    )
