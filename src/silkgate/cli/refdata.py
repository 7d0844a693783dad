"""``silkgate refdata``: the shipped reference data (HS, countries, currencies, units, places)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from silkgate.cli._common import engine, folding_table, out, settings

refdata_app = typer.Typer(
    help="Reference data (HS, countries, currencies, units, UN/LOCODE).", no_args_is_help=True
)


@refdata_app.command("load")
def refdata_load(
    force: Annotated[bool, typer.Option(help="Reload unchanged data.")] = False,
) -> None:
    """Load the shipped reference data; unchanged datasets are skipped."""
    from silkgate.store import refdata

    started = time.perf_counter()
    reports = refdata.load(engine(settings()), force=force)
    table = folding_table("dataset", "rows", "action", prose=("action",))
    for r in reports:
        table.add_row(r.dataset, f"{r.rows:,}", "loaded" if r.changed else "unchanged")
    out.print(table)
    out.print(f"reference data ready in {time.perf_counter() - started:.1f} s")
