"""The statistics' pure core: stage times and sums, confidentiality, revisions."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

from silkgate.statistics.stages import (
    Stages,
    bucket,
    contribution,
    deltas,
    mark,
    percentile,
    sketch_moves,
    sketch_percentile,
)
from silkgate.statistics.trade import PRIMARY, SECONDARY, Cell, changes, published, suppress

T0 = dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)


def _stages(**at: dt.timedelta) -> Stages:
    s = Stages(1, "IM", "CNSGH", "green", "1", "85", dt.date(2026, 10, 4), {"lodged": T0})
    for stage, after in at.items():
        s.at[stage] = T0 + after
    return s


def test_the_first_entry_of_a_stage_counts_and_release_needs_its_status():
    s = _stages()
    assert mark(s, "inspection_check", T0 + dt.timedelta(hours=1), None)
    assert not mark(s, "inspection_started", T0 + dt.timedelta(hours=2), None)
    assert s.at["inspection_started"] == T0 + dt.timedelta(hours=1)
    assert not mark(s, "release", T0 + dt.timedelta(hours=3), "under_control")
    assert mark(s, "conditional_release", T0 + dt.timedelta(hours=4), "conditionally_released")
    assert s.ms("released") == 4 * 3_600_000


def test_a_payment_after_release_is_no_stage_before_it():
    late = contribution(_stages(released=dt.timedelta(hours=2), paid=dt.timedelta(hours=5)))
    assert "paid_n" not in late and late["released"] == 1 and late["within_6h"] == 1
    early = contribution(_stages(released=dt.timedelta(hours=7), paid=dt.timedelta(hours=1)))
    assert early["paid_n"] == 1 and early["paid_ms"] == 3_600_000 and "within_6h" not in early
    assert early["arrival_days"] == 1


def test_moves_between_groups_cancel_out_to_the_latest_contribution():
    before = _stages()
    after = before.copy()
    after.channel = "red"
    after.at["released"] = T0 + dt.timedelta(minutes=30)
    moved = dict(deltas(before, after))
    assert moved[before.key()] == {"declarations": -1}
    assert moved[after.key()] == contribution(after)
    assert deltas(after, after.copy()) == []


def test_percentiles_interpolate_as_percentile_cont():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([0, 10], 0.9) == 9.0
    assert percentile([7], 0.9) == 7


def _cell(key: tuple[str, ...], value: int, traders: int = 5, largest: int | None = None) -> Cell:
    figures: dict[str, Decimal | None] = {
        "value": Decimal(value),
        "value_usd": Decimal(value) / 7,
        "quantity": None,
        "net_mass_kg": Decimal(1),
        "duties": Decimal(value) / 10,
    }
    biggest = Decimal(largest if largest is not None else value // traders)
    return Cell(key, traders, biggest, figures)


def test_primary_confidentiality_few_traders_or_one_dominant():
    assert _cell(("01",), 100, traders=2).confidential()
    assert _cell(("01",), 100, traders=4, largest=86).confidential()
    assert not _cell(("01",), 100, traders=4, largest=85).confidential()
    assert not _cell(("01",), 100, traders=3).confidential()


def test_one_suppressed_cell_takes_the_smallest_other_with_it():
    cells = [_cell(("84",), 900), _cell(("85",), 500, traders=1), _cell(("30",), 40)]
    table = suppress(cells, ("chapter",))
    assert [c.flag for c in cells] == [None, PRIMARY, SECONDARY]
    shown = published({**cells[1].figures, "traders": 1}, cells[1].flag)
    assert shown["value"] is None and shown["traders"] is None and shown["flag"] == "C"
    assert table.total["flag"] is None  # two withheld: the total gives neither away


def test_a_lone_confidential_cell_hides_its_line_total():
    table = suppress([_cell(("85",), 500, traders=1)], ("chapter",))
    assert table.total["flag"] == SECONDARY


def _discloses(table) -> list[str]:
    """Lines whose total and shown members give a withheld member away."""
    lines: dict[tuple[int, str], list[Cell]] = {}
    for c in table.cells:
        for axis, code in enumerate(c.key):
            lines.setdefault((axis, code), []).append(c)
    found = []
    for line, members in lines.items():
        total = table.totals[line]
        if not total["flag"] and sum(1 for c in members if c.flag) == 1:
            found.append(f"line {line}")
        if total["flag"] and not any(c.flag for c in members):
            found.append(f"total of {line} is its cells' sum")
    for axis in range(len(table.by)):
        margins = [t for (a, _), t in table.totals.items() if a == axis]
        if not table.total["flag"] and sum(1 for t in margins if t["flag"]) == 1:
            found.append(f"margin {axis}")
    return found


def test_secondary_suppression_leaves_no_line_that_gives_a_cell_away():
    rng = random.Random(20)
    for _ in range(200):
        rows, cols = rng.randint(1, 5), rng.randint(1, 5)
        cells = [
            _cell((r, c), rng.randint(1, 1000), traders=rng.choice([1, 2, 3, 5, 9]))
            for r, c in itertools.product("ABCDE"[:rows], "vwxyz"[:cols])
            if rng.random() < 0.8
        ]
        table = suppress(cells, ("chapter", "partner"))
        assert _discloses(table) == [], [(c.key, c.traders, c.flag) for c in cells]
        for c in cells:
            if c.traders < 3:
                assert c.flag == PRIMARY


def test_a_revision_lists_what_changed():
    before = {"M/850440/CN": {"value": "10"}, "M/total": {"value": "10"}}
    after = {"M/850440/CN": {"value": "12"}, "M/090111/BR": {"value": None, "flag": "C"}}
    listed = {c["cell"]: c["change"] for c in changes(before, after)}
    assert listed == {"M/850440/CN": "revised", "M/090111/BR": "added", "M/total": "removed"}
    assert changes(after, after) == []


def test_the_sketch_is_within_half_a_percent_of_the_exact_percentile():
    rng = random.Random(5)
    values = sorted(int(rng.lognormvariate(15, 1.2)) for _ in range(5000))
    counts: dict[int, int] = {}
    for v in values:
        counts[bucket(v)] = counts.get(bucket(v), 0) + 1
    for p in (0.1, 0.5, 0.9, 0.99):
        exact = percentile(values, p)
        assert abs(sketch_percentile(list(counts.items()), p) - exact) <= exact * 0.0051


def test_a_release_moves_one_count_into_each_dimension_and_a_change_moves_it():
    before = _stages(released=dt.timedelta(hours=3))
    after = before.copy()
    after.channel = "red"
    moved = sketch_moves(before, after)
    assert sorted((slot[2], slot[3], n) for (slot, _), n in moved.items()) == [
        ("channel", "green", -1),
        ("channel", "red", 1),
    ]
    assert len(sketch_moves(None, before)) == 4
