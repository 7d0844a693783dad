"""``silkgate statistics``: rebuild the figures, export a month's trade, close a month."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from silkgate.cli._common import acting_principal, fail, open_local_node, out
from silkgate.i18n import _
from silkgate.kernel.actors import Role

statistics_app = typer.Typer(
    help="Trade statistics and the Time Release Study's figures.", no_args_is_help=True
)


@statistics_app.command("rebuild")
def rebuild() -> None:
    """Recompute every figure from the journal and the stored declarations."""
    node = open_local_node()
    counted = node.statistics.rebuild()
    out.print(
        _("rebuilt: %(d)s declarations, %(r)s released, %(n)s daily rows")
        % {"d": counted["declarations"], "r": counted["released"], "n": counted["days"]}
    )


@statistics_app.command("export")
def export(
    month: Annotated[str, typer.Option(help="YYYY-MM")],
    flow: Annotated[str, typer.Option(help="M imports, X exports")] = "M",
    by: Annotated[str, typer.Option(help="One or two dimensions, comma-separated")] = (
        "subheading,partner"
    ),
    format: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write")] = None,
) -> None:
    """A month's trade table as published (confidential cells withheld and marked)."""
    from silkgate.statistics.services.export import to_csv
    from silkgate.statistics.services.tables import TableError

    if format not in ("csv", "json"):
        fail(_("--format must be csv or json"), 2)
    node = open_local_node()
    try:
        table = node.statistics.trade.table(month, flow, tuple(by.split(",")))
    except TableError as e:
        fail(f"--{e.pointer.strip('/')}: {e}", 2)
    text = to_csv(table) if format == "csv" else orjson.dumps(table).decode() + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(_("wrote %(path)s") % {"path": output})


@statistics_app.command("close")
def close(month: Annotated[str, typer.Argument(help="YYYY-MM")]) -> None:
    """Close a month (its first release) or publish a revision that says what changed."""
    from silkgate.statistics.services.tables import TableError

    node = open_local_node()
    principal = acting_principal(node)
    if principal.role not in (Role.ANALYST, Role.ADMIN):
        fail(_("a month is closed by the statistics role (analyst) or an admin"))
    try:
        release = node.statistics.trade.close(month, principal.name, node.declarations.clock())
    except TableError as e:
        fail(str(e), 2)
    out.print(
        _("%(month)s: release %(v)s, %(n)s cells changed")
        % {"month": month, "v": release["version"], "n": len(release["changes"])}
    )
