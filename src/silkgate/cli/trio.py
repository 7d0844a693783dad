"""``silkgate demo trio``: three demo nodes, China, Kazakhstan and Uzbekistan, each the others'
partner (the transit agreement among them), for a transit movement from Horgos through
Kazakhstan to Tashkent (``docs/transit.md``)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Annotated

import typer

from silkgate.cli._common import fail, out
from silkgate.cli.pair import SILKGATE, pair_environment, setup_pair, watch

TRIO = ("CN", "KZ", "UZ")

# What a new user types next, printed once the nodes are up (the commands of docs/transit.md).
WALKTHROUGH = """\
[bold]A transit movement from Horgos (CN) through Khorgos (KZ) to Tashkent (UZ)[/bold],
after pasting the export lines above (the tokens, then the nodes' addresses):

export SILKGATE_MODE=demo
.venv/bin/silkgate transit lodge examples/transit/horgos-tashkent.json --node $CN --token $CN_ACME
export MRN=26CNT...        # the MRN it printed
.venv/bin/silkgate transit release $MRN --node $CN --token $CN_OFFICER
.venv/bin/silkgate transit balance CN-G-ACME-0001 --node $CN --token $CN_ACME
.venv/bin/silkgate transit list --office UZTAS --view expected --node $UZ --token $UZ_OFFICER
.venv/bin/silkgate transit cross $MRN --office KZHOR --node $KZ --token $KZ_OFFICER
.venv/bin/silkgate transit arrive $MRN --office UZTAS --node $UZ --token $UZ_OFFICER
.venv/bin/silkgate transit control $MRN --result satisfactory --node $UZ --token $UZ_OFFICER
.venv/bin/silkgate transit show $MRN --node $CN --token $CN_OFFICER     # discharged
.venv/bin/silkgate transit balance CN-G-ACME-0001 --node $CN --token $CN_ACME   # restored

Messages between the nodes take a second or two (each node's dispatcher sends its outbox)."""


def trio(
    folder: Annotated[Path, typer.Option(help="Where the three databases live")] = Path("var/trio"),
    cn_port: Annotated[int, typer.Option(help="China's node")] = 8000,
    kz_port: Annotated[int, typer.Option(help="Kazakhstan's node")] = 8001,
    uz_port: Annotated[int, typer.Option(help="Uzbekistan's node")] = 8002,
    only: Annotated[
        str | None,
        typer.Option(help="Serve only this node of the trio (CN, KZ or UZ), e.g. to restart it"),
    ] = None,
) -> None:
    """Three demo nodes, China, Kazakhstan and Uzbekistan, partners of each other under the
    transit agreement, each on its own SQLite database and port; Ctrl-C stops them."""
    ports = dict(zip(TRIO, (cn_port, kz_port, uz_port), strict=True))
    if only is not None and only not in ports:
        fail("--only: CN, KZ or UZ")
    if len(set(ports.values())) < len(ports):
        fail("the three nodes need three different ports")
    setup_pair(folder, ports)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for admin, port in ports.items():
        if only in (None, admin):
            env = pair_environment(admin, folder, port)
            procs[admin] = subprocess.Popen([*SILKGATE, "serve"], env=env)
            out.print(f"{admin}: http://127.0.0.1:{port}/console (its tokens above)")
    addresses = " ".join(f"{admin}=http://127.0.0.1:{port}" for admin, port in ports.items())
    out.print(f"export {addresses}", soft_wrap=True, highlight=False, markup=False)
    out.print(WALKTHROUGH, soft_wrap=True, highlight=False)
    restart = (
        f"silkgate demo trio --folder {folder} --cn-port {cn_port} --kz-port {kz_port} "
        f"--uz-port {uz_port} --only"
    )
    watch(procs, restart)
