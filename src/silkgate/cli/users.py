"""``silkgate users``: the node's users (principals) and their API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from silkgate.access.principals import Role
from silkgate.access.services import Users
from silkgate.cli._common import engine, fail, folding_table, out, refuse, settings
from silkgate.kernel.clock import system_clock
from silkgate.kernel.errors import Conflict, InvalidRequest, NotFound

users_app = typer.Typer(help="Users (principals) and their API tokens.", no_args_is_help=True)


def _users() -> Users:
    config = settings()
    return Users(engine(config), config.secret_key, system_clock)


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[
        Role, typer.Option(help="declarant, officer, admin, analyst, ... (see docs/roles.md).")
    ],
    party_id: Annotated[
        str | None,
        typer.Option(
            help="Trader identifier a declarant lodges under; an agency officer's agency code."
        ),
    ] = None,
) -> None:
    """Create a user and print its first token (shown once, stored hashed)."""
    try:
        token = _users().add(name, role, party_id)
    except InvalidRequest as exc:
        refuse(exc)
    except Conflict as exc:
        fail(str(exc))
    out.print(f"{name} ({role.value}) token: {token}")


@users_app.command("token")
def users_token(name: str, label: str | None = None) -> None:
    """Issue another token to a user."""
    try:
        token = _users().issue_token(name, label)
    except NotFound as exc:
        fail(str(exc))
    out.print(token)


@users_app.command("revoke")
def users_revoke(name: str) -> None:
    """Revoke every token of a user."""
    try:
        n = _users().revoke(name)
    except NotFound as exc:
        fail(str(exc))
    out.print(f"revoked {n} token(s) of {name}")


@users_app.command("list")
def users_list() -> None:
    """List the users."""
    table = folding_table("name", "role", "party id")
    for p in _users().all():
        table.add_row(p.name, p.role.value, p.party_id or "")
    out.print(table)
