"""``silkgate demo``: a demonstration node with invented data (and a pair of them)."""

from __future__ import annotations

import time

import typer

from silkgate.cli._common import engine, fail, out, settings
from silkgate.cli.pair import pair
from silkgate.cli.serve import serve

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
    ]:
        out.print(line)
    kid = open_node(config, db).exchange.ensure_key()
    out.print(f"signing key for partner exchange: {kid}")
    out.print("[bold]Demo users[/bold] (invented; tokens work only on this demo node):")
    for user, token in users:
        party = f", {user.party_id}" if user.party_id else ""
        # soft_wrap: a token must never be cut or wrapped, or it cannot be copied.
        out.print(
            f"  {user.name:<13} {user.role.value}{party} — {demo.describe(user, config)}",
            soft_wrap=True,
        )
        out.print(f"      {token}", soft_wrap=True, highlight=False)


@demo_app.command("run")
def demo_run() -> None:
    """``demo setup``, then serve on the configured host and port."""
    demo_setup()
    serve(None, None, None)


demo_app.command("pair")(pair)
