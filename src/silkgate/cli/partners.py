"""``silkgate partners``: partner administrations and the agreements in force with them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._common import folding_table, guard, open_local_node, out, read_json
from silkgate.exchange.commands import PartnerRegistration
from silkgate.exchange.identity import AGREEMENTS
from silkgate.kernel.commands import parse

partners_app = typer.Typer(
    help="Partner administrations and the agreements in force.", no_args_is_help=True
)


@partners_app.command("add")
def partners_add(
    file: Annotated[Path, typer.Argument(help="The partner's card (JSON), - for stdin")],
    agreement: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Agreement in force (repeat): {', '.join(AGREEMENTS)}; default: the card's"
        ),
    ] = None,
) -> None:
    """Register a partner (or update it: new keys, endpoint, agreements) from its card."""
    node = open_local_node()
    registration = guard(
        parse, PartnerRegistration, {"card": read_json(file), "agreements": agreement or None}
    )
    p = guard(node.exchange.add_partner, registration)
    out.print(
        f"[green]partner {p['administration']}[/green] {p['name']} at {p['endpoint']}; "
        f"agreements: {', '.join(p['agreements']) or 'none'}; keys: "
        + ", ".join(k["kid"] for k in p["keys"])
    )


@partners_app.command("list")
def partners_list() -> None:
    node = open_local_node()
    table = folding_table(
        "partner", "name", "endpoint", "agreements", "keys", prose=("name", "agreements")
    )
    for p in node.exchange.partners():
        table.add_row(
            p["administration"],
            p["name"],
            p["endpoint"],
            "\n".join(p["agreements"]),
            "\n".join(
                f"{k['kid']}" + (f" (until {k['valid_to']})" if k["valid_to"] else "")
                for k in p["keys"]
            ),
        )
    out.print(table)
