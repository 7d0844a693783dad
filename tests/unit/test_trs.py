"""The Time Release Study from journal entries, checked by hand."""

from __future__ import annotations

import datetime as dt

from silkgate.trs.study import report, timeline

T0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def green(mrn: str, release_after: float):
    return timeline(
        mrn,
        "CNSGH",
        "green",
        "1",
        None,
        [
            ("lodged", at(0), "lodged"),
            ("assessed", at(0), None),
            ("channel", at(0), None),
            ("payment", at(release_after), None),
            ("release", at(release_after), "released"),
        ],
    )


def red(mrn: str):
    return timeline(
        mrn,
        "CNNGB",
        "red",
        "1",
        dt.date(2026, 11, 1),
        [
            ("lodged", at(0), "lodged"),
            ("assessed", at(0), None),
            ("channel", at(0), "under_control"),
            ("inspection_check", at(120), None),
            ("inspected", at(300), None),
            ("payment", at(330), None),
            ("release", at(360), "released"),
        ],
    )


def test_stages_and_figures():
    timelines = [green("A", 30), green("B", 90), green("C", 600), red("D"), green("E", 0)]
    timelines[-1].at.pop("released")  # E is not released yet
    result = report(timelines, "channel")
    overall = result["overall"]
    # released after 0.5, 1.5, 10 and 6 hours
    assert overall["declarations"] == 5 and overall["released"] == 4
    assert overall["mean_hours"] == 4.5
    assert overall["median_hours"] == 3.75
    assert (
        overall["within_1h"] == 0.25 and overall["within_6h"] == 0.75 and overall["within_24h"] == 1
    )
    assert result["groups"]["red"]["stages_since_lodging"]["inspection_started"]["mean_hours"] == 2
    assert result["groups"]["red"]["stages_since_lodging"]["inspection_finished"]["mean_hours"] == 5
    assert result["groups"]["red"]["arrival_to_release_days_mean"] == 1
    assert set(result["groups"]) == {"green", "red"}
    by_office = report(timelines, "office")
    assert by_office["groups"]["CNNGB"]["median_hours"] == 6
