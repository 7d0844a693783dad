"""``silkgate exchange``: messages to and from partners (outbox, retries, refusals).

Acts as the user of SILKGATE_TOKEN when it is set, else as the node's administrator.
"""

from __future__ import annotations

from typing import Annotated

import typer

from silkgate.cli._common import acting_principal, fail, folding_table, guard, open_local_node, out

exchange_app = typer.Typer(
    help="Messages to and from partners: outbox, inbox, refusals.", no_args_is_help=True
)


@exchange_app.command("status")
def exchange_status() -> None:
    """Partners, and messages by state."""
    node = open_local_node()
    s = guard(node.exchange.status, acting_principal(node))
    out.print(f"this node: {node.settings.administration} at {node.exchange.endpoint}")
    out.print(
        "outbox: " + (", ".join(f"{n:,} {k}" for k, n in sorted(s["outbox"].items())) or "empty")
    )
    out.print(
        "received: " + (", ".join(f"{n:,} {k}" for k, n in sorted(s["inbox"].items())) or "none")
    )
    out.print("partners: " + (", ".join(p["administration"] for p in s["partners"]) or "none"))


@exchange_app.command("outbox")
def exchange_outbox(
    status: Annotated[str | None, typer.Option(help="pending, delivered or parked")] = None,
    limit: int = 50,
) -> None:
    node = open_local_node()
    found = guard(node.exchange.outbox, acting_principal(node), status, limit)
    table = folding_table(
        "message",
        "to",
        "type",
        "subject",
        "status",
        "tries",
        "last error",
        prose=("last error",),
    )
    for r in found["messages"]:
        table.add_row(
            r["message_id"],
            r["partner"],
            r["type"],
            r["subject"],
            r["status"],
            str(r["attempts"]),
            r["last_error"] or "",
        )
    out.print(table)


@exchange_app.command("retry")
def exchange_retry(
    message_id: Annotated[str | None, typer.Argument(help="A parked message's id")] = None,
    all_parked: Annotated[bool, typer.Option("--all", help="Every parked message")] = False,
    partner: Annotated[str | None, typer.Option(help="With --all: only this partner's")] = None,
) -> None:
    """Send a parked message again (or all of them, after fixing what parked them)."""
    node = open_local_node()
    if all_parked:
        n = guard(node.exchange.retry_all, acting_principal(node), partner)
        out.print(f"{n:,} parked message(s) sent again")
        return
    if not message_id:
        fail("give a message id, or --all")
    r = guard(node.exchange.retry, acting_principal(node), message_id)
    out.print(f"{r['message_id']} to {r['partner']}: {r['status']}")


@exchange_app.command("refusals")
def exchange_refusals(limit: int = 50) -> None:
    """Messages refused at the inbox (forged, replayed, unsigned, misaddressed), counted per
    address, code and window; the last one's detail and key."""
    node = open_local_node()
    table = folding_table("last", "count", "code", "detail", "key", "from", prose=("detail",))
    for r in guard(node.exchange.refusals, acting_principal(node), limit):
        table.add_row(
            r["last_at"], str(r["count"]), r["code"], r["detail"], r["kid"] or "",
            r["remote"] or "",
        )  # fmt: skip
    out.print(table)
