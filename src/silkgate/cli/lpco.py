"""``silkgate lpco``: the single window's licences, permits and certificates, on this machine.

``requirements load`` and ``requirements show`` manage and read which goods need which
LPCO. ``issue``, ``amend``, ``suspend``, ``reinstate``, ``revoke``, ``accept``, ``refuse``
(a partner's LPCO), ``list`` and ``show``
act as SILKGATE_TOKEN's user (an agency officer for the changes); ``declaration`` shows
the LPCOs of a declaration's items.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from silkgate.cli._common import (
    acting_principal,
    fail,
    folding_table,
    guard,
    local_today,
    login,
    open_local_node,
    out,
    parse_date,
    print_file_errors,
    read_bytes,
    read_json,
)
from silkgate.kernel.commands import parse
from silkgate.lpco.commands import AmendLpco, IssueLpco, LpcoDecision
from silkgate.lpco.licence import Flow

lpco_app = typer.Typer(
    help="Licences, permits, certificates and others (LPCO) of the single window's agencies.",
    no_args_is_help=True,
)
requirements_app = typer.Typer(help="Which goods need which LPCO.", no_args_is_help=True)
lpco_app.add_typer(requirements_app, name="requirements")
Reason = Annotated[str, typer.Option(help="Why (the holder and the officers read it)")]


@requirements_app.command("load")
def requirements_load(file: Path) -> None:
    """Check the whole requirements FILE (TOML) and make it the set in force."""
    from silkgate.tariff.files import FileErrors

    node = open_local_node()
    try:
        set_id, rows = node.lpco.requirements.load(
            read_bytes(file), source=file.name, actor=login()
        )
    except FileErrors as exc:
        print_file_errors(file, exc.errors, "requirements in force are")
        raise typer.Exit(1) from None
    out.print(f"[green]LPCO requirements set {set_id} is in force[/green] ({rows} requirements)")


@requirements_app.command("show")
def requirements_show(
    code: Annotated[str, typer.Argument(help="HS code or prefix, 2 to 10 digits")],
    country: Annotated[str | None, typer.Option(help="Origin or destination (ISO)")] = None,
    flow: Annotated[str | None, typer.Option(help="import, export or transit")] = None,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """The LPCOs goods of CODE need (from or to COUNTRY, in FLOW) on a date."""
    node = open_local_node()
    on = parse_date(date) if date else local_today()
    if flow is not None and flow not in {f.value for f in Flow}:
        fail(f"--flow {flow!r} is not import, export or transit")
    chosen = Flow(flow) if flow else None
    found = node.lpco.requirements.lookup(code, country, chosen, on)
    table = folding_table(
        "HS", "flow", "country", "LPCO", "document", "agency", "missing", "description",
        prose=("description",),
    )  # fmt: skip
    for r in found:
        table.add_row(
            r["hs_prefix"], r["flow"], r["country"] or "any", r["lpco"], r["document"],
            r["agency"] or "any", r["missing"], r["description"],
        )  # fmt: skip
    out.print(table)


@lpco_app.command("issue")
def issue(file: Annotated[Path, typer.Argument(help="The LPCO as JSON (docs/lpco.md)")]) -> None:
    """Issue an LPCO from a JSON FILE (as SILKGATE_TOKEN's agency officer)."""
    node = open_local_node()
    command = guard(parse, IssueLpco, read_json(file))
    found = guard(node.lpco.register.issue, acting_principal(node), command)
    out.print(f"LPCO {found['number']} issued: {found['quantity']} {found['unit']}")


@lpco_app.command("amend")
def amend(
    number: str,
    reason: Reason,
    quantity: Annotated[str | None, typer.Option(help="The new total quantity")] = None,
    valid_until: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    conditions: Annotated[str | None, typer.Option(help="The conditions, in words")] = None,
) -> None:
    """Amend an LPCO of the user's agency."""
    node = open_local_node()
    body: dict[str, Any] = {"reason": reason}
    for key, value in (("quantity", quantity), ("valid_until", valid_until)):
        if value is not None:
            body[key] = value
    if conditions is not None:
        body["conditions"] = conditions
    command = guard(parse, AmendLpco, body)
    found = guard(node.lpco.register.amend, acting_principal(node), number, command)
    out.print(f"LPCO {found['number']}: {found['quantity']} {found['unit']}, "
              f"{found['balance']} left")  # fmt: skip


def _decide(number: str, action: str, reason: str) -> None:
    node = open_local_node()
    command = guard(parse, LpcoDecision, {"reason": reason})
    found = guard(node.lpco.register.decide, acting_principal(node), number, action, command)
    out.print(f"LPCO {found['number']} is {found['status']}")


@lpco_app.command("suspend")
def suspend(number: str, reason: Reason) -> None:
    """Suspend an LPCO; the declarations relying on it go under control."""
    _decide(number, "suspend", reason)


@lpco_app.command("reinstate")
def reinstate(number: str, reason: Reason) -> None:
    """Reinstate a suspended LPCO."""
    _decide(number, "reinstate", reason)


@lpco_app.command("revoke")
def revoke(number: str, reason: Reason) -> None:
    """Revoke an LPCO; the declarations relying on it go under control."""
    _decide(number, "revoke", reason)


@lpco_app.command("accept")
def accept(number: str, reason: Reason) -> None:
    """Accept a partner's LPCO received over the exchange (the agency named to accept it)."""
    _decide(number, "accept", reason)


@lpco_app.command("refuse")
def refuse(number: str, reason: Reason) -> None:
    """Refuse a partner's LPCO received over the exchange: it covers nothing here."""
    _decide(number, "refuse", reason)


@lpco_app.command("list")
def listing(holder: Annotated[str | None, typer.Option(help="Only this holder's")] = None) -> None:
    """The LPCOs the user may read, newest first, with their balances."""
    node = open_local_node()
    items = guard(node.lpco.register.listing, acting_principal(node), holder=holder)
    table = folding_table("number", "kind", "holder", "HS", "quantity", "balance", "status")
    for r in items:
        table.add_row(
            r["number"], r["kind"], r["holder"], r["hs"], f"{r['quantity']} {r['unit']}",
            r["balance"], r["status"],
        )  # fmt: skip
    out.print(table)


@lpco_app.command("show")
def show(number: str) -> None:
    """One LPCO as JSON, with its journal and draw-downs."""
    node = open_local_node()
    found = guard(node.lpco.register.get, acting_principal(node), number)
    out.print_json(json.dumps(found, default=str))


@lpco_app.command("declaration")
def declaration(mrn: str) -> None:
    """The LPCOs each item of the declaration MRN needs, as checked."""
    node = open_local_node()
    found = guard(node.lpco.check.of_mrn, acting_principal(node), mrn)
    out.print_json(json.dumps(found, default=str))
