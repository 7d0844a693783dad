"""Time Release Study: how long each stage of clearance takes, from the journal's timestamps.

The WCO method measures, per declaration, the time from arrival (or lodging)
to release and the time of each stage between. A silkgate node does not need
a survey: every stage is a journal entry with its UTC time. This module is
pure: it turns a declaration's entries into stage times, and a set of them
into the statistics administrations publish (mean, median, 90th percentile,
share released within 1, 6 and 24 hours) by period, office, channel and mode
of transport.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Stages in order, with the journal events that mark each (the first one seen).
STAGES = (
    "lodged",
    "assessed",
    "channel",
    "inspection_started",
    "inspection_finished",
    "paid",
    "released",
)
_MARKS = {
    "lodged": ("lodged",),
    "assessed": ("assessed",),
    "channel": ("channel",),
    "inspection_started": ("inspection_started", "inspection_check"),
    "inspection_finished": ("inspected",),
    "paid": ("payment", "guarantee"),
}
RELEASE_STATUSES = ("released", "conditionally_released")
WITHIN = (1, 6, 24)  # hours
# UN/ECE Recommendation 19 modes of transport, as the report names them.
MODES = {
    "1": "sea",
    "2": "rail",
    "3": "road",
    "4": "air",
    "5": "post",
    "7": "fixed installation",
    "8": "inland waterway",
    "9": "own propulsion",
}


@dataclass
class Timeline:
    """One declaration's stage times (UTC), and what the report groups it by."""

    mrn: str
    office: str
    channel: str
    mode: str
    arrival: dt.date | None
    at: dict[str, dt.datetime] = field(default_factory=dict)

    @property
    def released(self) -> bool:
        return "released" in self.at

    def hours(self, start: str = "lodged", end: str = "released") -> float | None:
        if start not in self.at or end not in self.at:
            return None
        return (self.at[end] - self.at[start]).total_seconds() / 3600


def timeline(
    mrn: str,
    office: str,
    channel: str | None,
    mode: str,
    arrival: dt.date | None,
    entries: Iterable[tuple[str, dt.datetime, str | None]],
) -> Timeline:
    """Stage times from journal entries ``(event, at, to_status)``, oldest first."""
    t = Timeline(mrn, office, channel or "none", MODES.get(mode, f"mode {mode}"), arrival)
    for event, at, to_status in entries:
        for stage, events in _MARKS.items():
            if event in events and stage not in t.at:
                t.at[stage] = at
        if to_status in RELEASE_STATUSES and "released" not in t.at:
            t.at["released"] = at
    if "paid" in t.at and "released" in t.at and t.at["paid"] > t.at["released"]:
        del t.at["paid"]  # paid after release (under a guarantee): not a stage before it
    return t


def _percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(timelines: Sequence[Timeline]) -> dict[str, Any]:
    """The figures of one group: counts, lodging-to-release hours, shares, stage means."""
    total = [t.hours() for t in timelines if t.released]
    hours = [h for h in total if h is not None]
    out: dict[str, Any] = {
        "declarations": len(timelines),
        "released": len(hours),
        "mean_hours": round(statistics.fmean(hours), 3) if hours else None,
        "median_hours": round(statistics.median(hours), 3) if hours else None,
        "p90_hours": round(_percentile(hours, 0.9), 3) if hours else None,
    }
    for h in WITHIN:
        out[f"within_{h}h"] = (
            round(sum(1 for x in hours if x <= h) / len(hours), 4) if hours else None
        )
    # Each stage's mean time since lodging, over the declarations that reached it
    # (a green declaration has no inspection; stages do not always come in order).
    stages = {}
    for stage in STAGES[1:]:
        spans = [x for t in timelines if (x := t.hours("lodged", stage)) is not None]
        if spans:
            stages[stage] = {
                "declarations": len(spans),
                "mean_hours": round(statistics.fmean(spans), 3),
            }
    out["stages_since_lodging"] = stages
    arrivals = [
        (t.at["released"].date() - t.arrival).days for t in timelines if t.released and t.arrival
    ]
    out["arrival_to_release_days_mean"] = round(statistics.fmean(arrivals), 2) if arrivals else None
    return out


def report(timelines: Sequence[Timeline], by: str = "channel") -> dict[str, Any]:
    """Figures overall and by ``by`` (office, channel or mode)."""
    if by not in ("office", "channel", "mode"):
        raise ValueError("by must be office, channel or mode")
    groups: dict[str, list[Timeline]] = {}
    for t in timelines:
        groups.setdefault(getattr(t, by), []).append(t)
    return {
        "by": by,
        "overall": summary(timelines),
        "groups": {k: summary(v) for k, v in sorted(groups.items())},
    }


_HOUR_MS = 3_600_000


def summary_of_sums(sums: dict[str, int], quantiles: dict[str, float] | None) -> dict[str, Any]:
    """The figures of one group from its kept sums (and its exact percentiles, in ms).

    The same figures as :func:`summary`, read from the statistics kept as the
    work happens rather than from every declaration's journal.
    """
    released = sums["released"]
    out: dict[str, Any] = {
        "declarations": sums["declarations"],
        "released": released,
        "mean_hours": round(sums["release_ms"] / released / _HOUR_MS, 3) if released else None,
        "median_hours": round(quantiles["p50"] / _HOUR_MS, 3) if quantiles else None,
        "p90_hours": round(quantiles["p90"] / _HOUR_MS, 3) if quantiles else None,
    }
    for h in WITHIN:
        out[f"within_{h}h"] = round(sums[f"within_{h}h"] / released, 4) if released else None
    stages = {}
    for stage in STAGES[1:-1]:
        n = sums[f"{stage}_n"]
        if n:
            stages[stage] = {
                "declarations": n,
                "mean_hours": round(sums[f"{stage}_ms"] / n / _HOUR_MS, 3),
            }
    if released:
        stages["released"] = {"declarations": released, "mean_hours": out["mean_hours"]}
    out["stages_since_lodging"] = stages
    n = sums["arrival_n"]
    out["arrival_to_release_days_mean"] = round(sums["arrival_days"] / n, 2) if n else None
    return out


def report_of_sums(
    groups: dict[str, dict[str, int]],
    quantiles: dict[str | None, dict[str, float]],
    by: str,
) -> dict[str, Any]:
    """:func:`report`'s figures from the kept sums of each group."""
    if by not in ("office", "channel", "mode"):
        raise ValueError("by must be office, channel or mode")
    names = {g: (MODES.get(g, f"mode {g}") if by == "mode" else g) for g in groups}
    overall: dict[str, int] = {}
    for sums in groups.values():
        for k, v in sums.items():
            overall[k] = overall.get(k, 0) + v
    if not overall:
        overall = {k: 0 for k in _SUM_NAMES}
    return {
        "by": by,
        "overall": summary_of_sums(overall, quantiles.get(None)),
        "groups": {
            names[g]: summary_of_sums(groups[g], quantiles.get(g))
            for g in sorted(groups, key=lambda g: names[g])
        },
    }


_SUM_NAMES = (
    "declarations",
    "released",
    "release_ms",
    *(f"within_{h}h" for h in WITHIN),
    *(f"{s}_{p}" for s in STAGES[1:-1] for p in ("n", "ms")),
    "arrival_n",
    "arrival_days",
)
