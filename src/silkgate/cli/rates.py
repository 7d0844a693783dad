"""``silkgate rates``: official customs exchange rates, on this machine's database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._common import (
    err,
    fail,
    folding_table,
    local_today,
    login,
    open_local_node,
    out,
    parse_date,
    print_file_errors,
    read_bytes,
)

rates_app = typer.Typer(help="Official customs exchange rates.", no_args_is_help=True)


@rates_app.command("load")
def rates_load(
    file: Path,
    replace: Annotated[
        bool, typer.Option(help="Allow changing rates already loaded (a correction).")
    ] = False,
) -> None:
    """Check the whole rate FILE (CSV: currency,valid_from,valid_to,rate) and load it."""
    from silkgate.tariff.files import FileErrors
    from silkgate.tariff.services import RatesConflict

    service = open_local_node().tariff
    try:
        added, replaced = service.load_rates(
            read_bytes(file), source=file.name, actor=login(), replace=replace
        )
    except FileErrors as exc:
        print_file_errors(file, exc.errors, "exchange rates in force are")
        raise typer.Exit(1) from None
    except RatesConflict as exc:
        err.print(
            f"[red]{len(exc.conflicts)} rate(s) would change published rates; nothing was "
            "loaded (use --replace to correct them on purpose)[/red]"
        )
        for c in exc.conflicts[:20]:
            err.print(f"  {c.rate.currency} from {c.rate.valid_from}: {c.stored} -> {c.rate.rate}")
        raise typer.Exit(1) from None
    out.print(f"[green]{added:,} rate(s) added, {replaced:,} replaced[/green]")


@rates_app.command("show")
def rates_show(
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
    currency: Annotated[str | None, typer.Option(help="One currency only.")] = None,
) -> None:
    """The rates in force on a date."""
    from silkgate.tariff.rates import MissingRate

    service = open_local_node().tariff
    on = parse_date(date) if date else local_today()
    rates = service.rates()
    table = folding_table(
        "currency", f"{rates.national} per unit", "from", "to", title=f"in force on {on}"
    )
    for code in [currency] if currency else rates.currencies():
        try:
            r = rates.rate(code, on)
        except MissingRate as exc:
            if currency:
                fail(str(exc))
            continue
        table.add_row(
            code,
            format(r.rate, "f"),
            r.valid_from.isoformat() if r.valid_from else "",
            r.valid_to.isoformat() if r.valid_to else "",
        )
    out.print(table)
