"""``silkgate demo pair``: two demo nodes, China and Viet Nam, each the other's partner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from silkgate.cli._common import fail, out
from silkgate.secret_key import demo_pair_secret

PAIR = {
    "CN": {
        "SILKGATE_CURRENCY": "CNY",
        "SILKGATE_TIMEZONE": "Asia/Shanghai",
        "SILKGATE_ADMINISTRATION_NAME": "General Administration of Customs of China (demo)",
    },
    "VN": {
        "SILKGATE_CURRENCY": "VND",
        "SILKGATE_TIMEZONE": "Asia/Ho_Chi_Minh",
        "SILKGATE_ADMINISTRATION_NAME": "General Department of Viet Nam Customs (demo)",
    },
    # The transit trio's other two (`silkgate demo trio`).
    "KZ": {
        "SILKGATE_CURRENCY": "KZT",
        "SILKGATE_TIMEZONE": "Asia/Almaty",
        "SILKGATE_ADMINISTRATION_NAME": "State Revenue Committee of Kazakhstan, customs (demo)",
    },
    "UZ": {
        "SILKGATE_CURRENCY": "UZS",
        "SILKGATE_TIMEZONE": "Asia/Tashkent",
        "SILKGATE_ADMINISTRATION_NAME": "Customs Committee of Uzbekistan (demo)",
    },
}

# The command itself, run by this interpreter (so the pair uses the same installation).
SILKGATE = [sys.executable, "-m", "silkgate.cli"]


def pair_environment(admin: str, folder: Path, port: int) -> dict[str, str]:
    """The environment of one node of the demo pair."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}
    env.update(PAIR[admin])
    env.update(
        SILKGATE_MODE="demo",
        SILKGATE_ADMINISTRATION=admin,
        # Absolute: the databases are the same whatever folder a command runs in.
        SILKGATE_DATABASE_URL=f"sqlite:///{folder.resolve() / admin.lower()}.db",
        SILKGATE_PORT=str(port),
        SILKGATE_HOST="127.0.0.1",
        SILKGATE_SECRET_KEY=demo_pair_secret(admin),
    )
    return env


def setup_pair(folder: Path, ports: dict[str, int], quiet: bool = False) -> None:
    """Set up the demo nodes (two, or the trio's three), give each a key, and register each
    as the others' partner."""
    folder.mkdir(parents=True, exist_ok=True)

    def run(args: list[str], env: dict[str, str]) -> None:
        subprocess.run([*SILKGATE, *args], env=env, check=True, capture_output=quiet, text=True)

    for admin, port in ports.items():
        env = pair_environment(admin, folder, port)
        run(["demo", "setup"], env)
        run(["node", "card", "-o", str(folder / f"{admin.lower()}-card.json")], env)
    for admin, port in ports.items():
        env = pair_environment(admin, folder, port)
        for other in ports:
            if other != admin:
                run(["partners", "add", str(folder / f"{other.lower()}-card.json")], env)


def pair(
    folder: Annotated[Path, typer.Option(help="Where the two databases live")] = Path("var/pair"),
    cn_port: Annotated[int, typer.Option(help="China's node")] = 8000,
    vn_port: Annotated[int, typer.Option(help="Viet Nam's node")] = 8001,
    only: Annotated[
        str | None,
        typer.Option(help="Serve only this node of the pair (CN or VN), e.g. to restart it"),
    ] = None,
) -> None:
    """Two demo nodes, China and Viet Nam, each the other's partner; Ctrl-C stops both."""
    ports = {"CN": cn_port, "VN": vn_port}
    if only is not None and only not in ports:
        fail("--only: CN or VN")
    setup_pair(folder, ports)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for admin, port in ports.items():
        if only in (None, admin):
            env = pair_environment(admin, folder, port)
            procs[admin] = subprocess.Popen([*SILKGATE, "serve"], env=env)
            out.print(f"{admin}: http://127.0.0.1:{port}/console (its tokens above)")
    # The nodes' addresses, as docs/exchange.md names them, next to the tokens' exports.
    addresses = " ".join(f"{admin}=http://127.0.0.1:{port}" for admin, port in ports.items())
    out.print(f"export {addresses}", soft_wrap=True, highlight=False, markup=False)
    restart = f"silkgate demo pair --folder {folder} --cn-port {cn_port} --vn-port {vn_port} --only"
    watch(procs, restart)


def watch(procs: dict[str, subprocess.Popen[bytes]], restart: str) -> None:
    """Wait until Ctrl-C (or SIGTERM), then stop every node."""

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        running = dict(procs)
        while running:
            for admin, p in list(running.items()):
                if p.poll() is not None:
                    # One node down does not take its partner with it: messages for it wait.
                    out.print(
                        f"[yellow]{admin} stopped (exit {p.returncode})[/yellow]; the other nodes "
                        f"go on. Start it again with: {restart} {admin}"
                    )
                    del running[admin]
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(procs)


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs.values():
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
