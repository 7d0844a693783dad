"""One declaration's stage times, and what it adds to its day's sums (pure).

The journal says when each stage of clearance happened; :func:`mark` applies one
journal entry to a declaration's :class:`Stages`, the same way whether the entry
is being written (the event handler) or read back (the rebuild). A declaration
adds :func:`contribution` to the sums of its day, office, channel, mode and HS
chapter; when one of its stages changes, the sums move by :func:`deltas`. Times
are whole milliseconds, so sums are integers and a rebuild agrees exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

# The journal events that mark each stage (the first one seen counts).
MARKS = {
    "lodged": "lodged",
    "assessed": "assessed",
    "channel": "channel",
    "inspection_started": "inspection_started",
    "inspection_check": "inspection_started",
    "inspected": "inspection_finished",
    "payment": "paid",
    "guarantee": "paid",
    "release": "released",
    "conditional_release": "released",
}
RELEASE_STATUSES = frozenset({"released", "conditionally_released"})
# Stages after lodging whose time since lodging is summed (count and milliseconds).
TIMED = ("assessed", "channel", "inspection_started", "inspection_finished", "paid")
WITHIN = (1, 6, 24)  # hours
SUMS = (
    "declarations",
    "released",
    "release_ms",
    *(f"within_{h}h" for h in WITHIN),
    *(f"{stage}_{part}" for stage in TIMED for part in ("n", "ms")),
    "arrival_n",
    "arrival_days",
)
_HOUR_MS = 3_600_000
_MS = dt.timedelta(milliseconds=1)

Key = tuple[dt.date, str, str, str, str, str]  # day, type, office, channel, mode, chapter


@dataclass
class Stages:
    """A declaration's stage times (UTC) and what its figures are grouped by."""

    declaration_id: int
    type: str
    office: str
    channel: str | None
    mode: str
    chapter: str
    arrival_date: dt.date | None
    at: dict[str, dt.datetime] = field(default_factory=dict)

    @property
    def day(self) -> dt.date:
        return self.at["lodged"].astimezone(dt.UTC).date()

    def key(self) -> Key:
        return (self.day, self.type, self.office, self.channel or "none", self.mode, self.chapter)

    def ms(self, stage: str) -> int | None:
        """Milliseconds from lodging to ``stage`` (None: not reached)."""
        if stage not in self.at:
            return None
        return (self.at[stage] - self.at["lodged"]) // _MS

    def copy(self) -> Stages:
        return replace(self, at=dict(self.at))


def mark(stages: Stages, event: str, at: dt.datetime, to_status: str | None) -> bool:
    """Apply one journal entry; True when a stage was reached by it."""
    stage = MARKS.get(event)
    if stage is None or stage in stages.at:
        return False
    if stage == "released" and to_status not in RELEASE_STATUSES:
        return False
    stages.at[stage] = at
    return True


def paid_counts(stages: Stages) -> bool:
    """Paid counts as a stage unless it came after release (duties under a guarantee)."""
    paid, released = stages.at.get("paid"), stages.at.get("released")
    return paid is not None and (released is None or paid <= released)


def contribution(stages: Stages) -> dict[str, int]:
    """What the declaration adds to its day's sums (only the non-zero ones)."""
    out = {"declarations": 1}
    release = stages.ms("released")
    if release is not None:
        out["released"] = 1
        out["release_ms"] = release
        for h in WITHIN:
            if release <= h * _HOUR_MS:
                out[f"within_{h}h"] = 1
        if stages.arrival_date is not None:
            out["arrival_n"] = 1
            out["arrival_days"] = (stages.at["released"].date() - stages.arrival_date).days
    for stage in TIMED:
        spent = stages.ms(stage)
        if spent is None or (stage == "paid" and not paid_counts(stages)):
            continue
        out[f"{stage}_n"] = 1
        out[f"{stage}_ms"] = spent
    return out


def deltas(before: Stages | None, after: Stages) -> list[tuple[Key, dict[str, int]]]:
    """How the sums move when a declaration goes from ``before`` to ``after``."""
    moves: dict[Key, dict[str, int]] = {}
    if before is not None:
        moves[before.key()] = {k: -v for k, v in contribution(before).items()}
    for k, v in contribution(after).items():
        into = moves.setdefault(after.key(), {})
        into[k] = into.get(k, 0) + v
    return [(key, d) for key, d in moves.items() if any(d.values())]


def percentile(ordered: list[int], p: float) -> float:
    """The ``p`` quantile of sorted values, interpolated (PostgreSQL's percentile_cont)."""
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# --- the study by one dimension, and its mergeable sketch of release times -----------------

DIMENSIONS = ("all", "office", "channel", "mode")
ALPHA = 0.005  # the sketch's relative accuracy
_GAMMA = (1 + ALPHA) / (1 - ALPHA)
_LOG_GAMMA = math.log(_GAMMA)
Slot = tuple[dt.date, str, str, str]  # day, type, dimension, value


def slots(key: Key) -> list[Slot]:
    """The study's rows a day's group counts in: overall, and by office, channel and mode."""
    day, kind, office, channel, mode, _chapter = key
    return [
        (day, kind, "all", ""),
        (day, kind, "office", office),
        (day, kind, "channel", channel),
        (day, kind, "mode", mode),
    ]


def by_dimension(moves: Iterable[tuple[Key, dict[str, int]]]) -> dict[Slot, dict[str, int]]:
    """The sums' moves, summed into the study's rows."""
    out: dict[Slot, dict[str, int]] = {}
    for key, sums in moves:
        for slot in slots(key):
            into = out.setdefault(slot, {})
            for name, value in sums.items():
                into[name] = into.get(name, 0) + value
    return out


def bucket(ms: int) -> int:
    """The sketch's bucket of a time in milliseconds (DDSketch's logarithmic index)."""
    return 0 if ms < 1 else math.ceil(math.log(ms) / _LOG_GAMMA)


def bucket_value(index: int) -> float:
    """The value a bucket stands for: within ``ALPHA`` of every value it holds."""
    return 0.0 if index <= 0 else 2 * _GAMMA**index / (_GAMMA + 1)


def sketch_moves(before: Stages | None, after: Stages) -> dict[tuple[Slot, int], int]:
    """How the sketch's counts move when a declaration goes from ``before`` to ``after``."""
    out: dict[tuple[Slot, int], int] = {}
    for stages, sign in ((before, -1), (after, 1)):
        ms = None if stages is None else stages.ms("released")
        if stages is None or ms is None:
            continue
        for slot in slots(stages.key()):
            at = (slot, bucket(ms))
            out[at] = out.get(at, 0) + sign
    return {k: v for k, v in out.items() if v}


def sketch_percentile(counts: list[tuple[int, int]], p: float) -> float | None:
    """The ``p`` quantile from ``(bucket, count)`` pairs, interpolated as percentile_cont."""
    ordered = sorted((b, c) for b, c in counts if c > 0)
    n = sum(c for _, c in ordered)
    if not n:
        return None
    k = (n - 1) * p
    low, high = _at_rank(ordered, int(k)), _at_rank(ordered, min(int(k) + 1, n - 1))
    return low + (high - low) * (k - int(k))


def _at_rank(ordered: list[tuple[int, int]], rank: int) -> float:
    seen = 0
    for index, count in ordered:
        seen += count
        if seen > rank:
            return bucket_value(index)
    return bucket_value(ordered[-1][0])
