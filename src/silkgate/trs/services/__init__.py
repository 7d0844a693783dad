"""The Time Release Study of a node: report, CSV and chart."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import sqlalchemy as sa

from silkgate.statistics.stages import ALPHA, sketch_percentile
from silkgate.store import statistics as kept
from silkgate.store import trs as store
from silkgate.store.db import reading
from silkgate.trs.study import WITHIN, report, report_of_sums, timeline

# Up to this many releases the percentiles are exact (sorted in SQL); beyond, they come
# from the kept sketch, within 0.5 % of the exact value (docs/statistics.md).
EXACT_UP_TO = 50_000


class TrsService:
    def __init__(self, engine: sa.Engine, exact_up_to: int = EXACT_UP_TO) -> None:
        self.engine = engine
        self.exact_up_to = exact_up_to

    def report(self, since: dt.date, until: dt.date, by: str = "channel") -> dict[str, Any]:
        """The study of imports lodged from ``since`` to ``until`` (inclusive), by ``by``.

        Read from the statistics kept as the work happens: the days' sums, and the
        percentiles exactly over the declarations' stage rows up to ``exact_up_to``
        releases, from the kept sketch beyond (``percentiles`` says which).
        """
        if by not in ("office", "channel", "mode"):
            raise ValueError("by must be office, channel or mode")
        with reading(self.engine) as conn:
            sums = kept.study_sums(conn, since, until, by)
            released = sum(s["released"] for s in sums.values())
            exact = released <= self.exact_up_to
            if exact:
                quantiles = kept.release_quantiles(conn, since, until, by)
            else:
                quantiles = _sketched(kept.sketch_counts(conn, since, until, by))
        return {
            "from": since.isoformat(),
            "to": until.isoformat(),
            **report_of_sums(sums, quantiles, by),
            "percentiles": "exact" if exact else f"within {ALPHA:.1%}",
        }

    def recomputed(self, since: dt.date, until: dt.date, by: str = "channel") -> dict[str, Any]:
        """The same study recomputed from every declaration's journal (slow: a check)."""
        if by not in ("office", "channel", "mode"):
            raise ValueError("by must be office, channel or mode")
        start = dt.datetime.combine(since, dt.time(), dt.UTC)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        with reading(self.engine) as conn:
            rows = store.rows(conn, start, end)
        timelines = [
            timeline(r["mrn"], r["office"], r["channel"], r["mode"], r["arrival"], r["entries"])
            for r in rows
        ]
        return {"from": since.isoformat(), "to": until.isoformat(), **report(timelines, by)}


def _sketched(counts: dict[str | None, list[tuple[int, int]]]) -> dict[str | None, Any]:
    out = {}
    for group, buckets in counts.items():
        p50, p90 = sketch_percentile(buckets, 0.5), sketch_percentile(buckets, 0.9)
        if p50 is not None and p90 is not None:
            out[group] = {"p50": p50, "p90": p90}
    return out


def to_csv(result: dict[str, Any]) -> str:
    """One row per group (and one for all): the published figures."""
    out = io.StringIO()
    columns = [
        "group",
        "lodged",
        "released",
        "mean_hours",
        "median_hours",
        "p90_hours",
        *(f"within_{h}h" for h in WITHIN),
    ]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([result["by"], *columns[1:]])
    for name, group in [("all", result["overall"]), *result["groups"].items()]:
        figures = {**group, "lodged": group["declarations"]}
        writer.writerow(
            [name, *(figures[c] if figures[c] is not None else "" for c in columns[1:])]
        )
    return out.getvalue()


def to_png(result: dict[str, Any]) -> bytes:
    """A bar chart of the median and 90th percentile release time by group."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [g for g, f in result["groups"].items() if f["median_hours"] is not None]
    medians = [result["groups"][g]["median_hours"] for g in groups]
    p90 = [result["groups"][g]["p90_hours"] for g in groups]
    fig, ax = plt.subplots(figsize=(8, 0.6 * max(len(groups), 2) + 1.5), dpi=100)
    ys = range(len(groups))
    ax.barh([y + 0.2 for y in ys], p90, height=0.4, label="90th percentile", color="#c9a227")
    ax.barh([y - 0.2 for y in ys], medians, height=0.4, label="median", color="#2e7d32")
    ax.set_yticks(list(ys), groups)
    ax.set_xlabel("hours from lodging to release")
    ax.set_title(
        f"Time Release Study by {result['by']}, {result['from']} to {result['to']} "
        f"({result['overall']['released']} released)"
    )
    ax.legend()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
