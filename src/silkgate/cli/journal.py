"""``silkgate journal``: the hash-chained journal."""

from __future__ import annotations

import time

import typer

from silkgate.cli._common import engine, err, out, settings

journal_app = typer.Typer(help="The hash-chained journal.", no_args_is_help=True)


@journal_app.command("verify")
def journal_verify() -> None:
    """Recompute the hash chain; report the first tampered entry (exit 1) if any."""
    from silkgate.store import journal
    from silkgate.store.db import reading

    started = time.perf_counter()
    with reading(engine(settings())) as conn:
        count, problem = journal.verify(conn)
    took = time.perf_counter() - started
    if problem is not None:
        err.print(
            f"[red]TAMPERED[/red]: first bad entry is #{problem.seq}: {problem.problem} "
            f"({count:,} entries read)"
        )
        raise typer.Exit(1)
    out.print(f"journal intact: {count:,} entries verified in {took:.2f} s")
