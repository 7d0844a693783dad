"""Trade statistics after UN IMTS 2010: cells, confidentiality and revisions (pure).

A cell is one combination of the dimensions asked for (HS chapter, heading or
subheading, partner, procedure, mode). **Primary confidentiality**: a cell
with fewer than :data:`MIN_TRADERS` traders, or one trader above
:data:`DOMINANCE` of its value, is suppressed ("C"). **Secondary
suppression**: where a line of the table (a row or column, with its total)
would then have a single suppressed cell, the total minus the others would give
it away, so the smallest other cell of that line is suppressed too ("S"), or the
line's total when there is no other cell. Repeated until no line gives anything
away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

MIN_TRADERS = 3
DOMINANCE = Decimal("0.85")
DIMENSIONS = {
    "chapter": 2,
    "heading": 4,
    "subheading": 6,
    "partner": 0,
    "procedure": 0,
    "mode": 0,
}
MEASURES = ("value", "value_usd", "quantity", "net_mass_kg", "duties")
PRIMARY, SECONDARY = "C", "S"


@dataclass
class Cell:
    """One cell's figures, with how many traders make it and the largest one's value."""

    key: tuple[str, ...]
    traders: int
    largest: Decimal
    figures: dict[str, Decimal | None]
    flag: str | None = None

    @property
    def value(self) -> Decimal:
        return self.figures["value"] or Decimal(0)

    def confidential(self) -> bool:
        """Primary confidentiality: too few traders, or one dominates the value."""
        if self.traders < MIN_TRADERS:
            return True
        return self.value > 0 and self.largest > DOMINANCE * self.value


@dataclass
class Table:
    """The published table: cells, the totals of each line, and what is suppressed."""

    by: tuple[str, ...]
    cells: list[Cell]
    totals: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    total: dict[str, Any] = field(default_factory=dict)


def _sum(cells: Sequence[Cell]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in MEASURES:
        values = [c.figures[name] for c in cells]
        present = [v for v in values if v is not None]
        out[name] = sum(present, Decimal(0)) if len(present) == len(values) else None
    out["traders"] = None  # traders may trade in several cells: not additive
    out["flag"] = None
    return out


def suppress(cells: list[Cell], by: Sequence[str]) -> Table:
    """Mark the primary and secondary suppressions of ``cells`` and work out the totals."""
    for cell in cells:
        cell.flag = PRIMARY if cell.confidential() else None
    table = Table(tuple(by), cells)
    lines: dict[tuple[int, str], list[Cell]] = {}
    for cell in cells:
        for axis, code in enumerate(cell.key):
            lines.setdefault((axis, code), []).append(cell)
    for line, members in lines.items():
        table.totals[line] = _sum(members)
    table.total = _sum(cells)
    _secondary(table, lines)
    return table


def _secondary(table: Table, lines: dict[tuple[int, str], list[Cell]]) -> None:
    # A 1-D table's lines are single cells: what matters is the table against its total.
    if len(table.by) == 1:
        groups: list[tuple[list[Any], dict[str, Any]]] = [(table.cells, table.total)]
    else:
        groups = [(members, table.totals[line]) for line, members in lines.items()]
        for axis in range(len(table.by)):
            margins = [table.totals[line] for line in lines if line[0] == axis]
            groups.append((margins, table.total))
    # A total withheld is still its cells' sum: one of them is withheld with it.
    cells_of = {id(table.totals[line]): members for line, members in lines.items()}
    changed = True
    while changed:
        changed = False
        for members, total in groups:
            changed |= _protect(members, total, cells_of)


def _flag(member: Any) -> str | None:
    return member.flag if isinstance(member, Cell) else member["flag"]


def _value(member: Any) -> Decimal:
    return member.value if isinstance(member, Cell) else (member["value"] or Decimal(0))


def _hide(member: Any, cells_of: dict[int, list[Cell]]) -> None:
    if isinstance(member, Cell):
        member.flag = SECONDARY
        return
    member["flag"] = SECONDARY
    shown = [c for c in cells_of.get(id(member), []) if not c.flag]
    hidden = [c for c in cells_of.get(id(member), []) if c.flag]
    if shown and not hidden:
        min(shown, key=_value).flag = SECONDARY


def _protect(members: list[Any], total: dict[str, Any], cells_of: dict[int, list[Cell]]) -> bool:
    """One line: no lone suppression its total and the other members would give away."""
    hidden = [m for m in members if _flag(m)]
    if len(hidden) != 1 or total["flag"]:
        return False
    shown = [m for m in members if not _flag(m)]
    if shown:
        _hide(min(shown, key=_value), cells_of)
    else:
        _hide(total, cells_of)
    return True


def published(figures: dict[str, Any], flag: str | None) -> dict[str, Any]:
    """A cell or total as published: its figures withheld when it is suppressed."""
    if flag:
        return {**dict.fromkeys(figures, None), "flag": flag}
    return {**figures, "flag": None}


def changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[Any]:
    """What a revision changed: cells added, removed, or with other figures or flags."""
    out: list[dict[str, Any]] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        kind = "added" if old is None else "removed" if new is None else "revised"
        out.append({"cell": key, "change": kind, "before": old, "after": new})
    return out
