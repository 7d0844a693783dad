"""``silkgate journal``: the keyed, hash-chained journal and its anchors."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._common import engine, err, fail, out, read_json, settings

journal_app = typer.Typer(help="The keyed, hash-chained journal.", no_args_is_help=True)


@journal_app.command("verify")
def journal_verify(
    anchor: Annotated[
        Path | None,
        typer.Option(help="An anchor taken earlier: the chain must still hold its head"),
    ] = None,
    card: Annotated[
        Path | None,
        typer.Option(help="Check the anchor's signature with this partner card's keys"),
    ] = None,
) -> None:
    """Recompute the keyed hash chain; report the first tampered entry (exit 1) if any."""
    from silkgate.bootstrap import open_journal
    from silkgate.declarations.journal_anchor import AnchorError

    if card is not None and anchor is None:
        fail("--card checks an anchor's signature: give --anchor too", 2)
    config = settings()
    raw_anchor = None if anchor is None else read_json(anchor)
    raw_card = None if card is None else read_json(card)
    db = engine(config)
    started = time.perf_counter()
    try:
        result = open_journal(config, db).verify(raw_anchor, raw_card)
    except AnchorError as exc:
        fail(f"anchor {anchor} refused: {exc}")
    finally:
        db.dispose()
    took = time.perf_counter() - started
    if result.problem is not None:
        err.print(
            f"[red]TAMPERED[/red]: first bad entry is #{result.problem.seq}: "
            f"{result.problem.problem} ({result.count:,} entries read)"
        )
        raise typer.Exit(1)
    out.print(f"journal intact: {result.count:,} entries verified in {took:.2f} s")
    if result.anchor is not None:
        out.print(
            f"anchor holds: entry {result.anchor.seq} still has the hash signed "
            f"{result.anchor.signed_at:%Y-%m-%d %H:%M:%S} UTC"
        )


@journal_app.command("anchor")
def journal_anchor(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file")
    ] = None,
) -> None:
    """The journal head signed with the node's key (JSON): keep it outside the node."""
    from silkgate.bootstrap import open_journal

    config = settings()
    db = engine(config)
    try:
        signed = open_journal(config, db).anchor()
    finally:
        db.dispose()
    text = json.dumps(signed, indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        out.print(f"anchor of entry {signed['seq']} written to {output}")
