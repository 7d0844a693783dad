"""``silkgate aeo``: the AEO programme, this administration's register and partners' AEOs.

Acts as the user of SILKGATE_TOKEN when it is set, else as the node's administrator;
partners under mutual recognition are told of grants, suspensions and revocations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from silkgate.cli._common import acting_principal, folding_table, guard, open_local_node, out
from silkgate.exchange.aeo import AeoAction
from silkgate.exchange.commands import aeo_command
from silkgate.kernel.commands import parse

aeo_app = typer.Typer(
    help="The AEO programme: the register and partners' AEOs.", no_args_is_help=True
)


def _aeo(action: str, party_id: str, body: dict[str, Any]) -> None:
    node = open_local_node()
    command = guard(parse, aeo_command(AeoAction(action)), body)
    a = guard(node.aeo.act, acting_principal(node), party_id, action, command)
    out.print(
        f"[green]{a['party_id']}[/green] {a['name']}: {a['status']} "
        f"(valid {a['valid_from']} to {a['valid_to'] or '...'})"
    )


@aeo_app.command("apply")
def aeo_apply(party_id: str, name: Annotated[str, typer.Option(help="Operator name")]) -> None:
    """Register an operator's application."""
    _aeo("apply", party_id, {"name": name})


@aeo_app.command("validate")
def aeo_validate(party_id: str) -> None:
    """Record that the validation (audit) was passed."""
    _aeo("validate", party_id, {})


@aeo_app.command("grant")
def aeo_grant(
    party_id: str,
    valid_from: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    valid_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
) -> None:
    """Grant AEO status for a period (partners under mutual recognition are told)."""
    _aeo("grant", party_id, {"valid_from": valid_from, "valid_to": valid_to})


def _status_change(action: str) -> Callable[..., None]:
    """The command of a change of status that may give a reason (suspend, revoke...)."""

    def command(
        party_id: str,
        reason: Annotated[str | None, typer.Option(help="Why (suspend, revoke, refuse)")] = None,
    ) -> None:
        _aeo(action, party_id, {"reason": reason} if reason else {})

    command.__doc__ = f"{action.capitalize()} an operator's AEO status."
    return command


for _action in ("suspend", "reinstate", "revoke", "refuse"):
    aeo_app.command(_action)(_status_change(_action))


@aeo_app.command("list")
def aeo_list(
    partners: Annotated[bool, typer.Option(help="Partners' AEOs instead")] = False,
) -> None:
    node = open_local_node()
    principal = acting_principal(node)
    if partners:
        table = folding_table(
            "partner", "party", "name", "status", "valid", "recognised", prose=("name",)
        )
        for a in guard(node.aeo.partner_operators, principal):
            table.add_row(
                a["administration"],
                a["party_id"],
                a["name"],
                a["status"],
                f"{a['valid_from']} to {a['valid_to'] or '...'}",
                "yes" if a["recognised"] else "no",
            )
    else:
        table = folding_table("party", "name", "status", "valid", prose=("name",))
        for a in guard(node.aeo.register, principal):
            table.add_row(
                a["party_id"],
                a["name"],
                a["status"],
                f"{a['valid_from']} to {a['valid_to'] or '...'}",
            )
    out.print(table)
