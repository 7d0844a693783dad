"""``silkgate node``, ``partners``, ``exchange``, ``aeo`` and ``demo pair``: exchange on this node.

Like ``tariff`` and ``risk``, these work on the node's own database (acting
as the user of SILKGATE_TOKEN when it is set, else as the node's
administrator); the running node picks the changes up within seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from silkgate.exchange.identity import AGREEMENTS

node_app = typer.Typer(
    help="This node's identity: signing keys and its partner card.", no_args_is_help=True
)
partners_app = typer.Typer(
    help="Partner administrations and the agreements in force.", no_args_is_help=True
)
exchange_app = typer.Typer(
    help="Messages to and from partners: outbox, inbox, refusals.", no_args_is_help=True
)
aeo_app = typer.Typer(
    help="The AEO programme: the register and partners' AEOs.", no_args_is_help=True
)


def _cli() -> Any:
    from silkgate import cli

    return cli


def _table(*headers: str) -> Table:
    """A table whose ids and keys wrap rather than being cut (they are copied from it)."""
    table = Table(*headers)
    for column in table.columns:
        column.overflow = "fold"
    return table


def _node() -> Any:
    return _cli()._risk_node()


def _principal(node: Any) -> Any:
    return _cli()._analyst_principal(node)


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from silkgate.kernel.errors import Conflict, Forbidden, InvalidRequest, NotFound

    try:
        return fn(*args, **kwargs)
    except InvalidRequest as exc:
        _cli()._invalid(exc)
    except (NotFound, Forbidden, Conflict) as exc:
        _cli()._fail(str(exc))


# -- node ------------------------------------------------------------------------------------


@node_app.command("keygen")
def keygen() -> None:
    """Create this node's Ed25519 signing key (nothing happens if it has one)."""
    node = _node()
    kid = node.exchange.ensure_key()
    _cli().out.print(f"signing key {kid}")


@node_app.command("card")
def card(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file")
    ] = None,
) -> None:
    """This node's partner card (JSON): hand it to the partner administration."""
    node = _node()
    node.exchange.ensure_key()
    text = json.dumps(node.exchange.card().as_json(), indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        _cli().out.print(f"card of {node.settings.administration} written to {output}")


@node_app.command("rotate-key")
def rotate_key(
    overlap_days: Annotated[int, typer.Option(help="Days the old key keeps verifying")] = 7,
) -> None:
    """A new signing key; partners are sent the new card, the old key verifies meanwhile."""
    if not 0 <= overlap_days <= 365:
        _cli()._fail("--overlap-days: 0 to 365")
    node = _node()
    node.exchange.ensure_key()
    done = node.exchange.rotate_key(dt.timedelta(days=overlap_days))
    _cli().out.print(
        f"signing with {done['kid']}; {', '.join(done['retired']) or 'no old key'} "
        f"verifies until {done['valid_until']}; the new card is queued for every partner"
    )


# -- partners ---------------------------------------------------------------------------------


@partners_app.command("add")
def partners_add(
    file: Annotated[Path, typer.Argument(help="The partner's card (JSON), - for stdin")],
    agreement: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Agreement in force (repeat): {', '.join(AGREEMENTS)}; default: the card's"
        ),
    ] = None,
) -> None:
    """Register a partner (or update it: new keys, endpoint, agreements) from its card."""
    node = _node()
    raw = _cli()._read_json(file)
    p = _guard(node.exchange.add_partner, raw, agreement or None)
    _cli().out.print(
        f"[green]partner {p['administration']}[/green] {p['name']} at {p['endpoint']}; "
        f"agreements: {', '.join(p['agreements']) or 'none'}; keys: "
        + ", ".join(k["kid"] for k in p["keys"])
    )


@partners_app.command("list")
def partners_list() -> None:
    node = _node()
    table = _table("partner", "name", "endpoint", "agreements", "keys")
    for p in node.exchange.partners():
        table.add_row(
            p["administration"],
            p["name"],
            p["endpoint"],
            "\n".join(p["agreements"]),
            "\n".join(
                f"{k['kid']}" + (f" (until {k['valid_to']})" if k["valid_to"] else "")
                for k in p["keys"]
            ),
        )
    _cli().out.print(table)


# -- exchange --------------------------------------------------------------------------------


@exchange_app.command("status")
def exchange_status() -> None:
    """Partners, and messages by state."""
    node = _node()
    s = _guard(node.exchange.status, _principal(node))
    out = _cli().out
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
    node = _node()
    found = _guard(node.exchange.outbox, _principal(node), status, limit)
    table = _table("message", "to", "type", "subject", "status", "tries", "last error")
    for r in found["messages"]:
        table.add_row(
            r["message_id"],
            r["partner"],
            r["type"],
            r["subject"],
            r["status"],
            str(r["attempts"]),
            (r["last_error"] or "")[:80],
        )
    _cli().out.print(table)


@exchange_app.command("retry")
def exchange_retry(
    message_id: Annotated[str | None, typer.Argument(help="A parked message's id")] = None,
    all_parked: Annotated[bool, typer.Option("--all", help="Every parked message")] = False,
    partner: Annotated[str | None, typer.Option(help="With --all: only this partner's")] = None,
) -> None:
    """Send a parked message again (or all of them, after fixing what parked them)."""
    node = _node()
    if all_parked:
        n = _guard(node.exchange.retry_all, _principal(node), partner)
        _cli().out.print(f"{n:,} parked message(s) sent again")
        return
    if not message_id:
        _cli()._fail("give a message id, or --all")
    r = _guard(node.exchange.retry, _principal(node), message_id)
    _cli().out.print(f"{r['message_id']} to {r['partner']}: {r['status']}")


@exchange_app.command("refusals")
def exchange_refusals(limit: int = 50) -> None:
    """Messages refused at the inbox (forged, replayed, unsigned, misaddressed)."""
    node = _node()
    table = _table("at", "code", "detail", "key", "from")
    for r in _guard(node.exchange.refusals, _principal(node), limit):
        table.add_row(r["at"], r["code"], r["detail"][:90], r["kid"] or "", r["remote"] or "")
    _cli().out.print(table)


# -- AEO ---------------------------------------------------------------------------------------


def _aeo(action: str, party_id: str, body: dict[str, Any]) -> None:
    node = _node()
    a = _guard(node.aeo.act, _principal(node), party_id, action, body)
    _cli().out.print(
        f"[green]{a['party_id']}[/green] {a['name']}: {a['status']} "
        f"(valid {a['valid_from']} to {a['valid_to'] or '...'})"
    )


@aeo_app.command("apply")
def aeo_apply(party_id: str, name: Annotated[str, typer.Option(help="Operator name")]) -> None:
    """Register an operator's application."""
    _aeo("apply", party_id, {"name": name})


@aeo_app.command("validate")
def aeo_validate(party_id: str) -> None:
    """Record that the validation (audit) was passed."""
    _aeo("validate", party_id, {})


@aeo_app.command("grant")
def aeo_grant(
    party_id: str,
    valid_from: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    valid_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
) -> None:
    """Grant AEO status for a period (partners under mutual recognition are told)."""
    _aeo("grant", party_id, {"valid_from": valid_from, "valid_to": valid_to})


for _action in ("suspend", "reinstate", "revoke", "refuse"):

    def _make(action: str) -> Any:
        def command(
            party_id: str,
            reason: Annotated[
                str | None, typer.Option(help="Why (suspend, revoke, refuse)")
            ] = None,
        ) -> None:
            _aeo(action, party_id, {"reason": reason} if reason else {})

        command.__doc__ = f"{action.capitalize()} an operator's AEO status."
        return command

    aeo_app.command(_action)(_make(_action))


@aeo_app.command("list")
def aeo_list(
    partners: Annotated[bool, typer.Option(help="Partners' AEOs instead")] = False,
) -> None:
    node = _node()
    principal = _principal(node)
    if partners:
        table = Table("partner", "party", "name", "status", "valid", "recognised")
        for a in _guard(node.aeo.partner_operators, principal):
            table.add_row(
                a["administration"],
                a["party_id"],
                a["name"],
                a["status"],
                f"{a['valid_from']} to {a['valid_to'] or '...'}",
                "yes" if a["recognised"] else "no",
            )
    else:
        table = Table("party", "name", "status", "valid")
        for a in _guard(node.aeo.register, principal):
            table.add_row(
                a["party_id"],
                a["name"],
                a["status"],
                f"{a['valid_from']} to {a['valid_to'] or '...'}",
            )
    _cli().out.print(table)


# -- a pair of demo nodes -------------------------------------------------------------------------

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
}


def pair_environment(admin: str, folder: Path, port: int) -> dict[str, str]:
    """The environment of one node of the demo pair."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}
    env.update(PAIR[admin])
    env.update(
        SILKGATE_MODE="demo",
        SILKGATE_ADMINISTRATION=admin,
        SILKGATE_DATABASE_URL=f"sqlite:///{folder / admin.lower()}.db",
        SILKGATE_PORT=str(port),
        SILKGATE_HOST="127.0.0.1",
        SILKGATE_SECRET_KEY=f"silkgate-demo-pair-{admin.lower()}-secret",
    )
    return env


def setup_pair(folder: Path, ports: dict[str, int], quiet: bool = False) -> None:
    """Set up both demo nodes, give each a key, and register each as the other's partner."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = [sys.executable, "-m", "silkgate.cli"]
    run = lambda args, env: subprocess.run(  # noqa: E731
        [*exe, *args], env=env, check=True, capture_output=quiet, text=True
    )
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
        _cli()._fail("--only: CN or VN")
    setup_pair(folder, ports)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for admin, port in ports.items():
        if only in (None, admin):
            env = pair_environment(admin, folder, port)
            procs[admin] = subprocess.Popen(
                [sys.executable, "-m", "silkgate.cli", "serve"], env=env
            )
            _cli().out.print(f"{admin}: http://127.0.0.1:{port}/console (tokens above, per node)")

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    out = _cli().out
    try:
        running = dict(procs)
        while running:
            for admin, p in list(running.items()):
                if p.poll() is not None:
                    # One node down does not take its partner with it: messages for it wait.
                    out.print(
                        f"[yellow]{admin} stopped (exit {p.returncode})[/yellow]; the other node "
                        f"goes on. Start it again with: silkgate demo pair --folder {folder} "
                        f"--cn-port {cn_port} --vn-port {vn_port} --only {admin}"
                    )
                    del running[admin]
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
