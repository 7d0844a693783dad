"""``silkgate origin verify`` and ``silkgate origin verifications``: retroactive verification
of certificates of origin, on this machine's node (as SILKGATE_TOKEN's user, or its admin)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from silkgate.cli._common import acting_principal, guard, open_local_node, out
from silkgate.kernel.commands import parse
from silkgate.origin.verification import DOCUMENTS, VerificationAnswer, VerificationRequest

verifications_app = typer.Typer(
    help="Verification requests sent to issuers (customs) and received from partners "
    "(origin officers).",
    no_args_is_help=True,
)
Side = Annotated[str | None, typer.Option(help="sent or received (default: the user's own)")]


def install(origin_app: typer.Typer) -> None:
    origin_app.command("verify")(verify)
    origin_app.add_typer(verifications_app, name="verifications")


def verify(
    number: str,
    reason: Annotated[str, typer.Option(help="Why the certificate is doubted")],
    document: Annotated[
        list[str], typer.Option(help=f"A document asked for (repeat): {', '.join(DOCUMENTS)}")
    ],
    deadline: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default: the term")] = None,
) -> None:
    """Ask the issuer of the e-CO NUMBER to verify it; the request is queued for the issuer."""
    node = open_local_node()
    body: dict[str, Any] = {"number": number, "reason": reason, "documents": document}
    if deadline:
        body["deadline"] = deadline
    command = guard(parse, VerificationRequest, body)
    found = guard(node.verifications.open, acting_principal(node), command)
    out.print(
        f"verification {found['reference']} sent to {found['issuer']}, due {found['deadline']}"
    )


@verifications_app.command("list")
def listing(
    side: Side = None,
    overdue: Annotated[bool, typer.Option(help="Only open requests past their deadline")] = False,
) -> None:
    """The requests, newest first (reading the requests sent closes the overdue ones)."""
    node = open_local_node()
    items = guard(node.verifications.listing, acting_principal(node), side, overdue=overdue)
    _table(items)


@verifications_app.command("show")
def show(verification_id: int, side: Side = None) -> None:
    """One request as JSON, with the duty it recovered."""
    node = open_local_node()
    found = guard(node.verifications.show, acting_principal(node), side, verification_id)
    out.print_json(json.dumps(found))


@verifications_app.command("answer")
def answer(
    verification_id: int,
    result: Annotated[str, typer.Option(help="confirmed or not_confirmed")],
    findings: Annotated[str, typer.Option(help="What the verification found")],
) -> None:
    """Answer a request received (origin officer); the answer goes back to the partner."""
    node = open_local_node()
    command = guard(parse, VerificationAnswer, {"result": result, "findings": findings})
    found = guard(node.verifications.answer, acting_principal(node), verification_id, command)
    out.print(f"verification {found['reference']}: {found['status']}")


@verifications_app.command("overdue")
def overdue(
    apply: Annotated[bool, typer.Option(help="Close them and withdraw the preference")] = False,
) -> None:
    """Requests sent and unanswered past their deadline (run with --apply from cron)."""
    node = open_local_node()
    items = node.verifications.overdue(apply=apply)
    _table(items)
    if apply:
        out.print(f"{len(items)} request(s) closed as overdue: preference withdrawn")


def _table(items: list[dict[str, Any]]) -> None:
    table = Table("id", "reference", "certificate", "side", "status", "deadline", "recovered")
    for v in items:
        table.add_row(
            str(v["id"]), v["reference"], v["number"], v["side"], v["status"], v["deadline"],
            v.get("recovered") or "",
        )  # fmt: skip
    out.print(table)
