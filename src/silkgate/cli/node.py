"""``silkgate node``: this node's identity, its signing keys and its partner card.

Like the other exchange commands, these work on the node's own database; the
running node picks the changes up within seconds.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._common import fail, open_local_node, out

node_app = typer.Typer(
    help="This node's identity: signing keys and its partner card.", no_args_is_help=True
)


@node_app.command("keygen")
def keygen() -> None:
    """Create this node's Ed25519 signing key (nothing happens if it has one)."""
    node = open_local_node()
    kid = node.exchange.ensure_key()
    out.print(f"signing key {kid}")


@node_app.command("card")
def card(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file")
    ] = None,
) -> None:
    """This node's partner card (JSON): hand it to the partner administration."""
    node = open_local_node()
    node.exchange.ensure_key()
    text = json.dumps(node.exchange.card().as_json(), indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        out.print(f"card of {node.settings.administration} written to {output}")


@node_app.command("rotate-key")
def rotate_key(
    overlap_days: Annotated[int, typer.Option(help="Days the old key keeps verifying")] = 7,
) -> None:
    """A new signing key; partners are sent the new card, the old key verifies meanwhile."""
    if not 0 <= overlap_days <= 365:
        fail("--overlap-days: 0 to 365")
    node = open_local_node()
    node.exchange.ensure_key()
    done = node.exchange.rotate_key(dt.timedelta(days=overlap_days))
    out.print(
        f"signing with {done['kid']}; {', '.join(done['retired']) or 'no old key'} "
        f"verifies until {done['valid_until']}; the new card is queued for every partner"
    )
