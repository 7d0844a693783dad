"""``silkgate demo``: a demonstration node with invented data (and a pair or a trio of them)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import typer

from silkgate.cli._common import engine, fail, out, settings
from silkgate.cli.pair import pair
from silkgate.cli.serve import Host, Port, listen_on, serve
from silkgate.cli.trio import trio

if TYPE_CHECKING:
    from silkgate.demo import DemoUser

demo_app = typer.Typer(help="A demonstration node (invented data).", no_args_is_help=True)


@demo_app.command("setup")
def demo_setup() -> None:
    """Migrate, load reference data, create the demo administration and users; print tokens."""
    from silkgate import demo
    from silkgate.bootstrap import open_node
    from silkgate.store import migrate, refdata

    config = settings()
    if config.mode.value == "production":
        fail("the demo is for SILKGATE_MODE=demo (or test), not production")
    out.print(f"database {config.database_location()}", highlight=False, soft_wrap=True)
    migrate.upgrade(config.database_url, journal_key=config.journal_keys().sealing())
    db = engine(config)
    started = time.perf_counter()
    refdata.load(db)
    out.print(f"reference data ready ({time.perf_counter() - started:.1f} s)")
    users = demo.setup(db, config.secret_key, config.administration)
    for line in [
        *demo.load_tariff(config, db),
        *demo.load_profiles(config, db),
        *demo.load_sps(config, db),
        *demo.load_origin(config, db),
        *demo.load_lpco(config, db),
        *demo.load_transit(config, db),
    ]:
        out.print(line)
    kid = open_node(config, db).exchange.ensure_key()
    out.print(f"signing key for partner exchange: {kid}")
    print_tokens(config.administration, users)


def print_tokens(administration: str, users: list[tuple[DemoUser, str]]) -> None:
    """The demo users and their tokens, as lines to paste into a shell (``export CN_ACME=...``)."""
    out.print(
        f"[bold]{administration} demo users[/bold] (invented; their tokens work only on this "
        "demo node), ready to paste into a shell:",
        soft_wrap=True,
    )
    for user, token in users:
        party = f", {user.party_id}" if user.party_id else ""
        # soft_wrap: a token must never be cut or wrapped, or it cannot be copied.
        out.print(
            f"# {user.name}: {user.role.value}{party}, {user.description}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
        out.print(
            f"export {administration}_{user.variable}={token}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )


@demo_app.command("run")
def demo_run(host: Host = None, port: Port = None) -> None:
    """Set the demo up (as `demo setup` does), then serve it on --host and --port
    (default SILKGATE_HOST and SILKGATE_PORT)."""
    listen_on(host, port)
    demo_setup()
    serve(None, None, None)


demo_app.command("pair")(pair)
demo_app.command("trio")(trio)
