"""``silkgate offices``: the administration's customs offices."""

from __future__ import annotations

from typing import Annotated

import typer

from silkgate.access.services import Offices
from silkgate.cli._common import engine, fail, folding_table, out, refuse, settings
from silkgate.kernel.errors import Conflict, InvalidRequest

offices_app = typer.Typer(help="The administration's customs offices.", no_args_is_help=True)


def _offices() -> Offices:
    config = settings()
    return Offices(engine(config), config.administration)


@offices_app.command("add")
def offices_add(
    code: str,
    name: str,
    kind: Annotated[str, typer.Option(help="seaport, airport, road, rail, inland")] = "seaport",
) -> None:
    """Add a customs office (a UN/LOCODE in the administration's country)."""
    try:
        _offices().add(code, name, kind)
    except InvalidRequest as exc:
        refuse(exc)
    except Conflict as exc:
        fail(str(exc))
    out.print(f"office {code} added; restart the node to accept declarations for it")


@offices_app.command("list")
def offices_list() -> None:
    """List the offices declarations may be lodged at."""
    table = folding_table("code", "name", "kind", prose=("name",))
    for office in _offices().all():
        table.add_row(office.code, office.name, office.kind)
    out.print(table)
