"""``silkgate sps``: sanitary, veterinary and phytosanitary requirements, on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._common import (
    folding_table,
    local_today,
    login,
    open_local_node,
    out,
    parse_date,
    print_file_errors,
    read_bytes,
)

sps_app = typer.Typer(
    help="Sanitary, veterinary and phytosanitary (quarantine) requirements.", no_args_is_help=True
)


@sps_app.command("load")
def sps_load(file: Path) -> None:
    """Check the whole requirements FILE (CSV) and make it the set in force."""
    from silkgate.tariff.files import FileErrors

    node = open_local_node()
    try:
        set_id, rows = node.sps.load(read_bytes(file), source=file.name, actor=login())
    except FileErrors as exc:
        print_file_errors(file, exc.errors, "requirements in force are")
        raise typer.Exit(1) from None
    out.print(f"[green]SPS requirements set {set_id} is in force[/green] ({rows} requirements)")


@sps_app.command("show")
def sps_show(
    code: Annotated[str, typer.Argument(help="HS code or prefix, 2 to 10 digits")],
    origin: Annotated[str | None, typer.Option(help="Country of origin (ISO alpha-2)")] = None,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """The SPS requirements for goods of CODE (and ORIGIN) on a date."""
    node = open_local_node()
    on = parse_date(date) if date else local_today()
    found = node.sps.lookup(code, origin, on)
    table = folding_table(
        "HS", "origin", "control", "document", "description", prose=("description",)
    )
    for r in found:
        table.add_row(
            r["hs_prefix"],
            r["origin"] or "any",
            r["control"],
            r["document"] or "",
            r["description"],
        )
    out.print(table)
    if not found:
        out.print("no SPS requirement")
