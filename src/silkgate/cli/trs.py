"""``silkgate trs``: the Time Release Study, from the journal of this machine's node."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from silkgate.cli._common import fail, folding_table, local_today, open_local_node, out, parse_date

trs_app = typer.Typer(help="The Time Release Study, from the journal.", no_args_is_help=True)


@trs_app.command("report")
def trs_report(
    since: Annotated[
        str | None, typer.Option("--from", help="YYYY-MM-DD (default: 30 days ago)")
    ] = None,
    until: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD (default: today)")] = None,
    by: Annotated[str, typer.Option(help="office, channel or mode")] = "channel",
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write the figures as CSV")] = None,
    png_file: Annotated[Path | None, typer.Option("--png", help="Write a chart as PNG")] = None,
) -> None:
    """How long release takes: mean, median, 90th percentile, shares within 1/6/24 h."""
    from silkgate.trs.services import to_csv, to_png

    if by not in ("office", "channel", "mode"):
        fail("--by must be office, channel or mode", 2)
    node = open_local_node()
    end = parse_date(until, "--to") if until else local_today()
    start = parse_date(since, "--from") if since else end - dt.timedelta(days=30)
    if start > end:
        fail(f"--from {start} is after --to {end}", 2)
    result = node.trs.report(start, end, by)
    print_trs(result)
    if csv_file:
        csv_file.write_text(to_csv(result), encoding="utf-8")
        out.print(f"wrote {csv_file}")
    if png_file:
        png_file.write_bytes(to_png(result))
        out.print(f"wrote {png_file}")


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    # One decimal: 99.6 % must not read as 100 %.
    return "" if value is None else f"{value:.1%}"


def print_trs(result: dict[str, Any]) -> None:
    """The study's figures by group and overall, and the mean time to each stage."""
    table = folding_table(
        result["by"],
        "lodged",
        "released",
        "mean h",
        "median h",
        "p90 h",
        "≤1 h",
        "≤6 h",
        "≤24 h",
        title=f"Time Release Study, imports lodged {result['from']} to {result['to']}",
    )
    for name, f in [*result["groups"].items(), ("all", result["overall"])]:
        table.add_row(
            name,
            f"{f['declarations']:,}",
            f"{f['released']:,}",
            _hours(f["mean_hours"]),
            _hours(f["median_hours"]),
            _hours(f["p90_hours"]),
            _share(f["within_1h"]),
            _share(f["within_6h"]),
            _share(f["within_24h"]),
        )
    out.print(table)
    stages = result["overall"]["stages_since_lodging"]
    if stages:
        out.print(
            "mean time since lodging: "
            + ", ".join(f"{s.replace('_', ' ')} {v['mean_hours']:.2f} h" for s, v in stages.items())
        )
