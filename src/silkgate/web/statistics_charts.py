"""Server-drawn SVG charts for the public statistics page: geometry only, no script or style.

Each function returns what the template draws: bars with their position, size,
label and a title (the figure, for screen readers and tooltips).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

WIDTH, HEIGHT = 640, 200


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    title: str
    kind: str  # which series: the template picks its colour


def _scale(values: Sequence[float]) -> float:
    return max([v for v in values if v] + [1.0])


def monthly_trend(months: Sequence[dict[str, Any]]) -> list[Bar]:
    """Imports and exports per month, side by side (the last 12 months with figures)."""
    shown = list(months)[-12:]
    top = _scale([float(m.get(f"{f}_value", 0)) for m in shown for f in ("M", "X")])
    slot = WIDTH // max(len(shown), 1)
    bars = []
    for i, m in enumerate(shown):
        for j, flow in enumerate(("M", "X")):
            value = float(m.get(f"{flow}_value", 0))
            h = int(value / top * (HEIGHT - 30))
            bars.append(
                Bar(
                    i * slot + 4 + j * (slot // 2 - 4),
                    HEIGHT - 20 - h,
                    max(slot // 2 - 6, 2),
                    h,
                    m["month"] if j == 0 else "",
                    f"{m['month']} {flow}: {m.get(f'{flow}_value', '0')}",
                    flow,
                )
            )
    return bars


def ranking(cells: Sequence[dict[str, Any]], dimension: str, limit: int = 10) -> list[Bar]:
    """The largest cells of a one-dimension table as horizontal bars; suppressed ones named
    but drawn empty (their value is confidential)."""
    shown = list(cells)[:limit]
    values = [float(Decimal(c["value"])) if c["value"] is not None else 0.0 for c in shown]
    top = _scale(values)
    bars = []
    for i, (cell, value) in enumerate(zip(shown, values, strict=True)):
        title = f"{cell[dimension]}: {cell['value']}" if cell["flag"] is None else cell["flag"]
        bars.append(
            Bar(120, i * 22 + 4, int(value / top * (WIDTH - 200)), 16, cell[dimension], title, "M")
        )
    return bars


def release_times(points: Sequence[tuple[str, float | None, float | None]]) -> list[Bar]:
    """Median and 90th percentile hours from lodging to release, month by month."""
    top = _scale([p or 0.0 for _, m, q in points for p in (m, q)])
    slot = WIDTH // max(len(points), 1)
    bars = []
    for i, (month, median, p90) in enumerate(points):
        for j, (kind, value) in enumerate((("median", median), ("p90", p90))):
            h = int((value or 0.0) / top * (HEIGHT - 30))
            bars.append(
                Bar(
                    i * slot + 4 + j * (slot // 2 - 4),
                    HEIGHT - 20 - h,
                    max(slot // 2 - 6, 2),
                    h,
                    month if j == 0 else "",
                    f"{month} {kind}: {'' if value is None else f'{value:.2f} h'}",
                    kind,
                )
            )
    return bars
