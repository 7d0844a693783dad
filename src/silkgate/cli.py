"""The ``silkgate`` command.

Two kinds of commands: those that run the node on this machine (``serve``,
``db``, ``refdata``, ``users``, ``offices``, ``journal``, ``demo``, ``tariff``,
``rates``) work on the node's database directly; ``declarations`` is a client
of a node's API, as a trader's or a broker's tool would be, so it works
against any node. ``assess`` does either: against a node with ``--node``, or
on this machine's database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import httpx
import sqlalchemy as sa
import typer
from rich.console import Console
from rich.table import Table

from silkgate.access.principals import Role, hash_token, new_token
from silkgate.config import Settings

app = typer.Typer(
    help="silkgate: an open smart-customs node.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
refdata_app = typer.Typer(
    help="Reference data (HS, countries, currencies, units, UN/LOCODE).", no_args_is_help=True
)
users_app = typer.Typer(help="Users (principals) and their API tokens.", no_args_is_help=True)
offices_app = typer.Typer(help="The administration's customs offices.", no_args_is_help=True)
journal_app = typer.Typer(help="The hash-chained journal.", no_args_is_help=True)
demo_app = typer.Typer(help="A demonstration node (invented data).", no_args_is_help=True)
decl_app = typer.Typer(help="Declarations, through a node's API.", no_args_is_help=True)
tariff_app = typer.Typer(help="The national tariff schedule.", no_args_is_help=True)
rates_app = typer.Typer(help="Official customs exchange rates.", no_args_is_help=True)
sps_app = typer.Typer(
    help="Sanitary, veterinary and phytosanitary (quarantine) requirements.", no_args_is_help=True
)
trs_app = typer.Typer(help="The Time Release Study, from the journal.", no_args_is_help=True)
risk_app = typer.Typer(
    help="Risk management: profiles, budget, AEOs, history, the model.", no_args_is_help=True
)
for sub, name in (
    (db_app, "db"),
    (refdata_app, "refdata"),
    (users_app, "users"),
    (offices_app, "offices"),
    (journal_app, "journal"),
    (demo_app, "demo"),
    (decl_app, "declarations"),
    (tariff_app, "tariff"),
    (rates_app, "rates"),
    (risk_app, "risk"),
    (sps_app, "sps"),
    (trs_app, "trs"),
):
    app.add_typer(sub, name=name)


def _exchange_commands() -> None:
    from silkgate import cli_exchange as x

    for sub, name in (
        (x.node_app, "node"),
        (x.partners_app, "partners"),
        (x.exchange_app, "exchange"),
        (x.aeo_app, "aeo"),
    ):
        app.add_typer(sub, name=name)
    demo_app.command("pair")(x.pair)


out = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError: show it as a configuration error
        err.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


def _engine(settings: Settings) -> sa.Engine:
    from silkgate.store.db import make_engine

    return make_engine(settings.database_url, pool_size=2)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


# --- serve -------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default SILKGATE_WORKERS, 1).")
    ] = None,
) -> None:
    """Serve the API and the web console."""
    from silkgate.app import create_app
    from silkgate.node import NodeNotReady, open_node

    settings = _settings()
    try:
        node = open_node(settings)
    except NodeNotReady as exc:
        _fail(str(exc))
        return
    from silkgate.serve import serve as run_workers

    workers = workers or settings.workers
    out.print(
        f"{settings.administration} node serving the API and the console on "
        f"http://{host or settings.host}:{port or settings.port} (API docs at /docs; "
        f"{workers} worker(s)); Ctrl-C stops",
        highlight=False,
    )
    if workers > 1:
        node.close()  # each worker process builds its own node
        app_or_none = None
    else:
        app_or_none = create_app(settings, node)
    run_workers(app_or_none, host or settings.host, port or settings.port, workers)


# --- db ----------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations (idempotent)."""
    from silkgate.store import migrate

    settings = _settings()
    migrate.upgrade(settings.database_url, revision)
    out.print(f"database at revision {revision}")


@db_app.command("check")
def db_check() -> None:
    """Fail if the tables and the migrations have drifted apart."""
    from alembic.util import AutogenerateDiffsDetected

    from silkgate.store import migrate

    try:
        migrate.check(_settings().database_url)
    except AutogenerateDiffsDetected as exc:
        _fail(f"models and migrations differ: {exc}")
    out.print("models and migrations agree")


# --- refdata -----------------------------------------------------------------


@refdata_app.command("load")
def refdata_load(
    force: Annotated[bool, typer.Option(help="Reload unchanged data.")] = False,
) -> None:
    """Load the shipped reference data; unchanged datasets are skipped."""
    from silkgate.store import refdata

    started = time.perf_counter()
    reports = refdata.load(_engine(_settings()), force=force)
    table = Table("dataset", "rows", "action")
    for r in reports:
        table.add_row(r.dataset, f"{r.rows:,}", "loaded" if r.changed else "unchanged")
    out.print(table)
    out.print(f"reference data ready in {time.perf_counter() - started:.1f} s")


# --- users -------------------------------------------------------------------


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[Role, typer.Option(help="declarant, officer or admin.")],
    party_id: Annotated[
        str | None, typer.Option(help="Trader identifier a declarant lodges under.")
    ] = None,
) -> None:
    """Create a user and print its first token (shown once, stored hashed)."""
    from silkgate.store import principals
    from silkgate.store.db import writing

    settings = _settings()
    now = dt.datetime.now(dt.UTC)
    with writing(_engine(settings)) as conn:
        if principals.find_principal(conn, name) is not None:
            _fail(f"a user named {name!r} exists")
        try:
            principal = principals.create_principal(conn, name, role, party_id, now)
        except ValueError as exc:
            _fail(str(exc))
            return
        token = new_token()
        principals.add_token(conn, principal, hash_token(settings.secret_key, token), None, now)
    out.print(f"{name} ({role.value}) token: {token}")


@users_app.command("token")
def users_token(name: str, label: str | None = None) -> None:
    """Issue another token to a user."""
    from silkgate.store import principals
    from silkgate.store.db import writing

    settings = _settings()
    now = dt.datetime.now(dt.UTC)
    with writing(_engine(settings)) as conn:
        principal = principals.find_principal(conn, name)
        if principal is None:
            _fail(f"no user named {name!r}")
            return
        token = new_token()
        principals.add_token(conn, principal, hash_token(settings.secret_key, token), label, now)
    out.print(token)


@users_app.command("revoke")
def users_revoke(name: str) -> None:
    """Revoke every token of a user."""
    from silkgate.store import principals
    from silkgate.store.db import writing

    with writing(_engine(_settings())) as conn:
        principal = principals.find_principal(conn, name)
        if principal is None:
            _fail(f"no user named {name!r}")
            return
        n = principals.revoke_tokens(conn, principal, dt.datetime.now(dt.UTC))
    out.print(f"revoked {n} token(s) of {name}")


@users_app.command("list")
def users_list() -> None:
    """List the users."""
    from silkgate.store import principals
    from silkgate.store.db import reading

    with reading(_engine(_settings())) as conn:
        rows = principals.all_principals(conn)
    table = Table("name", "role", "party id")
    for p in rows:
        table.add_row(p.name, p.role.value, p.party_id or "")
    out.print(table)


# --- offices -----------------------------------------------------------------


@offices_app.command("add")
def offices_add(
    code: str,
    name: str,
    kind: Annotated[str, typer.Option(help="seaport, airport, road, rail, inland")] = "seaport",
) -> None:
    """Add a customs office (a UN/LOCODE in the administration's country)."""
    from silkgate.store.db import writing
    from silkgate.store.tables import locations, offices

    settings = _settings()
    with writing(_engine(settings)) as conn:
        if (
            conn.execute(sa.select(locations.c.code).where(locations.c.code == code)).first()
            is None
        ):
            _fail(f"{code!r} is not a UN/LOCODE")
        if code[:2] != settings.administration:
            _fail(f"{code} is not in {settings.administration}")
        if conn.execute(sa.select(offices.c.code).where(offices.c.code == code)).first():
            _fail(f"office {code} exists")
        conn.execute(offices.insert().values(code=code, name=name, kind=kind))
    out.print(f"office {code} added; restart the node to accept declarations for it")


@offices_app.command("list")
def offices_list() -> None:
    """List the offices declarations may be lodged at."""
    from silkgate.store.db import reading
    from silkgate.store.tables import offices

    with reading(_engine(_settings())) as conn:
        rows = conn.execute(sa.select(offices).order_by(offices.c.code)).all()
    table = Table("code", "name", "kind")
    for r in rows:
        table.add_row(r.code, r.name, r.kind)
    out.print(table)


# --- journal -----------------------------------------------------------------


@journal_app.command("verify")
def journal_verify() -> None:
    """Recompute the hash chain; report the first tampered entry (exit 1) if any."""
    from silkgate.store import journal
    from silkgate.store.db import reading

    started = time.perf_counter()
    with reading(_engine(_settings())) as conn:
        count, problem = journal.verify(conn)
    took = time.perf_counter() - started
    if problem is not None:
        err.print(
            f"[red]TAMPERED[/red]: first bad entry is #{problem.seq}: {problem.problem} "
            f"({count:,} entries read)"
        )
        raise typer.Exit(1)
    out.print(f"journal intact: {count:,} entries verified in {took:.2f} s")


# --- demo --------------------------------------------------------------------


@demo_app.command("setup")
def demo_setup() -> None:
    """Migrate, load reference data, create the demo administration and users; print tokens."""
    from silkgate import demo
    from silkgate.store import migrate, refdata

    settings = _settings()
    if settings.mode.value == "production":
        _fail("the demo is for SILKGATE_MODE=demo (or test), not production")
    migrate.upgrade(settings.database_url)
    engine = _engine(settings)
    started = time.perf_counter()
    refdata.load(engine)
    out.print(f"reference data ready ({time.perf_counter() - started:.1f} s)")
    users = demo.setup(engine, settings.secret_key, settings.administration)
    loaded = [
        *demo.load_tariff(settings, engine),
        *demo.load_profiles(settings, engine),
        *demo.load_sps(settings, engine),
    ]
    for line in loaded:
        out.print(line)
    from silkgate.node import open_node

    kid = open_node(settings, engine).exchange.ensure_key()
    out.print(f"signing key for partner exchange: {kid}")
    out.print("[bold]Demo users[/bold] (invented; tokens work only on this demo node):")
    for user, token in users:
        party = f", {user.party_id}" if user.party_id else ""
        # soft_wrap: a token must never be cut or wrapped, or it cannot be copied.
        out.print(
            f"  {user.name:<13} {user.role.value}{party} — {demo.describe(user, settings)}",
            soft_wrap=True,
        )
        out.print(f"      {token}", soft_wrap=True, highlight=False)


@demo_app.command("run")
def demo_run() -> None:
    """``demo setup``, then serve on the configured host and port."""
    demo_setup()
    serve(None, None, None)


# --- declarations (API client) ----------------------------------------------

NodeUrl = Annotated[
    str, typer.Option("--node", envvar="SILKGATE_NODE_URL", help="Base URL of the node.")
]
Token = Annotated[
    str,
    typer.Option("--token", envvar="SILKGATE_TOKEN", help="Your API token.", show_default=False),
]


def _call(method: str, url: str, token: str, **kwargs: Any) -> Any:
    try:
        response = httpx.request(
            method,
            url,
            headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
            timeout=30,
            **kwargs,
        )
    except httpx.HTTPError as exc:
        _fail(f"cannot reach the node at {url}: {exc}")
    if response.status_code >= 400:
        _print_problem(response)
        raise typer.Exit(1)
    return response.json()


def _print_problem(response: httpx.Response) -> None:
    try:
        problem = response.json()
    except ValueError:
        err.print(f"[red]error {response.status_code}[/red]: {response.text[:500]}")
        return
    err.print(
        f"[red]{problem.get('status', response.status_code)} {problem.get('title', '')}"
        f"[/red]: {problem.get('detail', '')}"
    )
    for e in problem.get("errors", []):
        err.print(f"  {e.get('pointer') or '(document)'}: {e.get('detail')}")


def _read_json(path: Path) -> Any:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"{path} is not valid JSON: {exc}")


def _show_summary(d: dict[str, Any]) -> None:
    out.print(
        f"[bold]{d['mrn']}[/bold]  {d['type']}  [bold]{d['status']}[/bold]  "
        f"version {d['version']}  office {d['office']}  "
        f"{d['invoice_amount']} {d['currency']}  {d['item_count']} item(s)"
    )


@decl_app.command("lodge")
def decl_lodge(
    file: Path,
    node: NodeUrl = "http://127.0.0.1:8000",
    token: Token = "",
    idempotency_key: Annotated[
        str | None, typer.Option(help="Make retries safe: the same key never lodges twice.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Lodge the declaration in FILE (JSON; - for standard input)."""
    body = _read_json(file)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    result = _call("POST", f"{node}/v1/declarations", token, json=body, headers=headers)
    if json_out:
        out.print_json(data=result)
    else:
        out.print("[green]lodged[/green]")
        _show_summary(result)
        a = result.get("assessment")
        if a:
            out.print(
                f"duties and taxes {a['total']} {a['currency']} (duty {a['duty']}, "
                f"excise {a['excise']}, VAT {a['vat']}); see `declarations assessment`"
            )


@decl_app.command("show")
def decl_show(
    mrn: str,
    node: NodeUrl = "http://127.0.0.1:8000",
    token: Token = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a declaration, its items and its timeline."""
    d = _call("GET", f"{node}/v1/declarations/{mrn}", token)
    timeline = _call("GET", f"{node}/v1/declarations/{mrn}/journal", token)["items"]
    if json_out:
        out.print_json(data={**d, "journal": timeline})
        return
    _show_summary(d)
    doc = d["document"]
    out.print(f"LRN {doc['lrn']}  declarant {doc['declarant']['name']} ({doc['declarant']['id']})")
    items = Table("#", "HS", "origin", "description", "value", "pref.")
    for item in doc["items"]:
        items.add_row(
            str(item["seq"]),
            item["hs_code"],
            item["origin"],
            item["description"],
            item["value"],
            (item.get("preference") or {}).get("agreement", ""),
        )
    out.print(items)
    events = Table("when (UTC)", "event", "by", "status", "reason", title="Timeline")
    for e in timeline:
        events.add_row(e["at"], e["event"], e["actor"], e["to_status"] or "", e["reason"] or "")
    out.print(events)
    if d.get("allowed_actions"):
        out.print(f"you may: {', '.join(d['allowed_actions'])}")


@decl_app.command("list")
def decl_list(
    node: NodeUrl = "http://127.0.0.1:8000",
    token: Token = "",
    status: str | None = None,
    office: str | None = None,
    type: Annotated[str | None, typer.Option("--type")] = None,
    hs_code: str | None = None,
    limit: int = 50,
    cursor: Annotated[str | None, typer.Option(help="Next page, as printed after a list.")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List declarations, newest first."""
    params = {
        k: v
        for k, v in {
            "status": status,
            "office": office,
            "type": type,
            "hs_code": hs_code,
            "limit": limit,
            "cursor": cursor,
        }.items()
        if v is not None
    }
    page = _call("GET", f"{node}/v1/declarations", token, params=params)
    if json_out:
        out.print_json(data=page)
        return
    table = Table("MRN", "type", "status", "office", "LRN", "value", "items", "lodged (UTC)")
    for d in page["items"]:
        table.add_row(
            d["mrn"],
            d["type"],
            d["status"],
            d["office"],
            d["lrn"],
            f"{d['invoice_amount']} {d['currency']}",
            str(d["item_count"]),
            d["lodged_at"][:19],
        )
    out.print(table)
    if page.get("next_cursor"):
        out.print(f"more: add --cursor {page['next_cursor']}")


@decl_app.command("amend")
def decl_amend(
    mrn: str,
    file: Path,
    node: NodeUrl = "http://127.0.0.1:8000",
    token: Token = "",
    reason: str | None = None,
) -> None:
    """Amend a declaration with the whole document in FILE (a new version)."""
    body = _read_json(file)
    params = {"reason": reason} if reason else {}
    result = _call("PUT", f"{node}/v1/declarations/{mrn}", token, json=body, params=params)
    out.print("[green]amended[/green]")
    _show_summary(result)


def _decision(action: str, doc: str, reason_required: bool) -> None:
    def command(
        mrn: str,
        node: NodeUrl = "http://127.0.0.1:8000",
        token: Token = "",
        reason: Annotated[str | None, typer.Option(help="Why (recorded in the journal).")] = None,
    ) -> None:
        if reason_required and not reason:
            _fail(f"--reason is required to {action}", 2)
        result = _call(
            "POST",
            f"{node}/v1/declarations/{mrn}/{action}",
            token,
            json={"reason": reason} if reason else {},
        )
        out.print(f"[green]{action}: done[/green]")
        _show_summary(result)

    command.__doc__ = doc
    decl_app.command(action)(command)


_decision("control", "Take a declaration under control (officer).", False)
_decision("hold", "Hold the goods (officer; --reason required).", True)
_decision("resume", "Lift a hold (officer).", False)
_decision("release", "Release the goods (officer).", False)
_decision("reject", "Reject a declaration (officer; --reason required).", True)
_decision(
    "conditional_release",
    "Release under a condition (officer; --reason states the condition).",
    True,
)
_decision("return", "Refuse entry: the goods go back (officer; --reason required).", True)
_decision("destroy", "Destroy the goods (officer; --reason required).", True)
_decision("seize", "Seize the goods, opening an enforcement case (officer; --reason).", True)
_decision("cancel", "Cancel a declaration (its declarant or an officer; --reason required).", True)


@decl_app.command("assessment")
def decl_assessment(
    mrn: str,
    node: NodeUrl = "http://127.0.0.1:8000",
    token: Token = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a declaration's assessment and what is paid, guaranteed and due."""
    a = _call("GET", f"{node}/v1/declarations/{mrn}/assessment", token)
    account = _call("GET", f"{node}/v1/declarations/{mrn}/payments", token)
    if json_out:
        out.print_json(data={"assessment": a, "account": account})
        return
    _print_assessment(a)
    _print_account(account)


@decl_app.command("pay")
def decl_pay(
    mrn: str,
    amount: Annotated[str, typer.Option(help="Amount in the national currency.")],
    reference: Annotated[str, typer.Option(help="Bank transfer or guarantee reference.")],
    guarantee: Annotated[
        bool, typer.Option("--guarantee", help="Record a guarantee, not a payment.")
    ] = False,
    currency: Annotated[str, typer.Option(help="National currency.")] = "CNY",
    node: NodeUrl = "http://127.0.0.1:8000",
    token: Token = "",
) -> None:
    """Record a payment received or a guarantee accepted (customs staff)."""
    result = _call(
        "POST",
        f"{node}/v1/declarations/{mrn}/payments",
        token,
        json={
            "kind": "guarantee" if guarantee else "payment",
            "amount": amount,
            "currency": currency,
            "reference": reference,
        },
    )
    out.print(f"[green]{'guarantee' if guarantee else 'payment'} recorded[/green]")
    _print_account(result)


def _print_account(account: dict[str, Any]) -> None:
    c = account["currency"]
    if "status" in account:
        out.print(f"{account['mrn']}: status {account['status']}")
    out.print(
        f"assessed {account['assessed']} {c}   paid {account['paid']} {c}   "
        f"guaranteed {account['guaranteed']} {c}   [bold]due {account['due']} {c}[/bold]   "
        f"not secured {account['unsecured']} {c}"
    )


def _print_assessment(a: dict[str, Any]) -> None:
    c = a["currency"]
    rate = a["exchange_rate"]
    converted = (
        f"; 1 {rate['currency']} = {rate['rate']} {c} (rate from {rate['valid_from']})"
        if rate["currency"] != c
        else ""
    )
    out.print(f"assessed as of {a['date']} with tariff version {a['tariff_version']}{converted}")
    table = Table("#", "line", "origin", f"customs value {c}", "duty", "excise", "VAT", "total")

    def charge(x: dict[str, Any] | None) -> str:
        return "" if x is None else f"{x['amount']} ({x['measure']})"

    for item in a["items"]:
        duty = charge(item["duty"])
        if item.get("preference"):
            duty += f"\n{item['preference']}: {item['preference_status'].replace('_', ' ')}"
        table.add_row(
            str(item["seq"]),
            item["tariff_line"],
            item["origin"],
            item["customs_value"],
            duty,
            charge(item["excise"]),
            charge(item["vat"]),
            item["total"],
        )
    t = a["totals"]
    table.add_row("", "", "", t["customs_value"], t["duty"], t["excise"], t["vat"], t["total"])
    out.print(table)
    for note in a.get("notes", []):
        out.print(f"note: {note}")
    if Decimal(t.get("duty_forgone", "0")) > 0:
        out.print(
            f"preferences grant {t['duty_forgone']} {c} of duty, subject to origin verification"
        )


# --- assess (duty calculator) ---------------------------------------------------------


@app.command()
def assess(
    file: Path,
    date: Annotated[
        str | None, typer.Option(help="Assess as of this date (YYYY-MM-DD; default today).")
    ] = None,
    node: Annotated[
        str | None,
        typer.Option(
            "--node",
            envvar="SILKGATE_NODE_URL",
            help="Ask this node; without it, use this machine's database.",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print the duties and taxes a declaration (FILE, JSON) would owe, without lodging it."""
    raw = _read_json(file)
    on = _parse_date(date) if date else None
    if node:
        params = {"date": on.isoformat()} if on else {}
        try:
            response = httpx.post(f"{node}/v1/assessments", json=raw, params=params, timeout=30)
        except httpx.HTTPError as exc:
            _fail(f"cannot reach the node at {node}: {exc}")
        if response.status_code >= 400:
            _print_problem(response)
            raise typer.Exit(1)
        result = response.json()
    else:
        from silkgate.declarations.validation import validate
        from silkgate.kernel.errors import InvalidRequest
        from silkgate.node import NodeNotReady, open_node
        from silkgate.tariff.service import TariffNotLoaded

        settings = _settings()
        try:
            n = open_node(settings, _engine(settings))
        except NodeNotReady as exc:
            _fail(str(exc))
            return
        today = n.declarations.today(n.declarations.clock())
        try:
            doc = validate(raw, n.codes, max(on or today, today))
            result = n.tariff.assess(doc, on or today).as_json()
        except InvalidRequest as exc:
            err.print(f"[red]{exc.title}[/red]: nothing was assessed")
            for e in exc.errors:
                err.print(f"  {e.pointer or '(document)'}: {e.detail}")
            raise typer.Exit(1) from None
        except TariffNotLoaded as exc:
            _fail(str(exc))
    if json_out:
        out.print_json(data=result)
    else:
        _print_assessment(result)


def _parse_date(text: str, option: str = "--date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"{option} {text!r} is not a date (YYYY-MM-DD)", 2)
        raise


# --- tariff and rates (on this machine's database) ---------------------------------


def _local_today() -> dt.date:
    """Today in the administration's time zone (the node's idea of "today")."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(_settings().timezone)).date()


def _tariff_service():  # type: ignore[no-untyped-def]
    from silkgate.node import NodeNotReady, open_node

    settings = _settings()
    try:
        return open_node(settings, _engine(settings)).tariff
    except NodeNotReady as exc:
        _fail(str(exc))


def _read_bytes(path: Path) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}")
        raise


def _print_file_errors(path: Path, errors: list[Any], what: str) -> None:
    err.print(
        f"[red]{path}: {len(errors)} error(s); nothing was loaded, the {what} unchanged[/red]"
    )
    for e in errors[:200]:
        err.print(f"  {e}", highlight=False)
    if len(errors) > 200:
        err.print(f"  … and {len(errors) - 200} more")


@tariff_app.command("load")
def tariff_load(file: Path) -> None:
    """Check the whole tariff FILE (CSV, or .csv.gz) and make it the active version.

    Every error is listed with its line, and a file with any error changes
    nothing. The previous versions are kept (see `tariff versions`).
    """
    from silkgate.tariff.files import FileErrors

    service = _tariff_service()
    try:
        version, parsed = service.load_tariff(
            _read_bytes(file), source=file.name, actor=os.environ.get("USER", "admin")
        )
    except FileErrors as exc:
        _print_file_errors(file, exc.errors, "tariff in force is")
        raise typer.Exit(1) from None
    out.print(
        f"[green]tariff version {version} is active[/green]: {parsed.title} — "
        f"{len(parsed.lines):,} lines, {len(parsed.measures):,} measures"
        + (" (illustrative)" if parsed.illustrative else "")
    )


@tariff_app.command("versions")
def tariff_versions() -> None:
    """The loaded versions of the tariff, newest first."""
    from silkgate.store import tariff as store
    from silkgate.store.db import reading

    settings = _settings()
    with reading(_engine(settings)) as conn:
        rows = store.tariff_versions_list(conn)
    table = Table("version", "active", "title", "lines", "measures", "loaded (UTC)", "by", "file")
    for r in rows:
        table.add_row(
            str(r["id"]),
            "yes" if r["active"] else "",
            r["title"] + (" (illustrative)" if r["illustrative"] else ""),
            f"{r['lines']:,}",
            f"{r['measures']:,}",
            r["loaded_at"].isoformat()[:19],
            r["loaded_by"],
            r["source"],
        )
    out.print(table)


@tariff_app.command("activate")
def tariff_activate(version: int) -> None:
    """Make an earlier (or later) loaded version the active tariff."""
    from silkgate.store import tariff as store
    from silkgate.store.db import writing

    settings = _settings()
    with writing(_engine(settings)) as conn:
        if not store.activate(conn, version):
            _fail(f"there is no tariff version {version} (see `silkgate tariff versions`)")
    out.print(f"[green]tariff version {version} is active[/green]")


@tariff_app.command("show")
def tariff_show(
    code: str,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
) -> None:
    """The measures in force for a code (chapter, heading, subheading or national line)."""
    service = _tariff_service()
    on = _parse_date(date) if date else _local_today()
    found = service.lookup(code, on)
    if found is None:
        _fail(f"no tariff line starts with {code}")
        return
    _print_lines(found, on)


def _print_lines(found: dict[str, Any], on: dt.date) -> None:
    for p in found.get("path", []):
        out.print(f"{p['level']:<10} {p['code']:<6} {p['description']}", highlight=False)
    table = Table(
        "line", "description", "unit", "measure", "rate", "from", "to", title=f"in force on {on}"
    )
    for line in found["lines"]:
        first = True
        for m in line["measures"] or [{}]:
            what = m.get("measure", "")
            if m.get("agreement"):
                what += f" ({m['agreement']})"
            table.add_row(
                line["code"] if first else "",
                line["description"][:60] if first else "",
                (line["unit"] or "") if first else "",
                what,
                m.get("label", ""),
                m.get("valid_from", ""),
                m.get("valid_to") or "",
            )
            first = False
    out.print(table)
    tariff = found.get("tariff", {})
    if tariff.get("illustrative"):
        out.print("[yellow]illustrative schedule: not an official tariff[/yellow]")


@tariff_app.command("search")
def tariff_search(
    words: list[str],
    limit: Annotated[int, typer.Option(help="At most this many lines (up to 200).")] = 20,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
) -> None:
    """Find tariff lines by words of their description (all words must match)."""
    service = _tariff_service()
    on = _parse_date(date) if date else _local_today()
    found = service.search(" ".join(words), on, min(limit, 200) + 1)
    more = len(found["results"]) > limit
    found["results"] = found["results"][:limit]
    table = Table("line", "description", "subheading", "duty (general)")
    for r in found["results"]:
        duty = next(
            (m["label"] for m in r["measures"] if m["measure"] == "duty" and not m["agreement"]),
            "",
        )
        sub = r["path"][-1]["description"] if r["path"] else ""
        table.add_row(r["code"], r["description"][:70], sub[:50], duty)
    out.print(table)
    if not found["results"]:
        out.print("nothing found")
    elif more:
        out.print(f"the first {limit} lines; --limit for more (up to 200)")


@rates_app.command("load")
def rates_load(
    file: Path,
    replace: Annotated[
        bool, typer.Option(help="Allow changing rates already loaded (a correction).")
    ] = False,
) -> None:
    """Check the whole rate FILE (CSV: currency,valid_from,valid_to,rate) and load it."""
    from silkgate.tariff.files import FileErrors
    from silkgate.tariff.service import RatesConflict

    service = _tariff_service()
    try:
        added, replaced = service.load_rates(
            _read_bytes(file),
            source=file.name,
            actor=os.environ.get("USER", "admin"),
            replace=replace,
        )
    except FileErrors as exc:
        _print_file_errors(file, exc.errors, "exchange rates in force are")
        raise typer.Exit(1) from None
    except RatesConflict as exc:
        err.print(
            f"[red]{len(exc.conflicts)} rate(s) would change published rates; nothing was "
            "loaded (use --replace to correct them on purpose)[/red]"
        )
        for c in exc.conflicts[:20]:
            err.print(f"  {c.rate.currency} from {c.rate.valid_from}: {c.stored} -> {c.rate.rate}")
        raise typer.Exit(1) from None
    out.print(f"[green]{added:,} rate(s) added, {replaced:,} replaced[/green]")


@rates_app.command("show")
def rates_show(
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
    currency: Annotated[str | None, typer.Option(help="One currency only.")] = None,
) -> None:
    """The rates in force on a date."""
    from silkgate.tariff.rates import MissingRate

    service = _tariff_service()
    on = _parse_date(date) if date else _local_today()
    rates = service.rates()
    table = Table("currency", f"{rates.national} per unit", "from", "to", title=f"in force on {on}")
    for code in [currency] if currency else rates.currencies():
        try:
            r = rates.rate(code, on)
        except MissingRate as exc:
            if currency:
                _fail(str(exc))
            continue
        table.add_row(
            code,
            format(r.rate, "f"),
            r.valid_from.isoformat(),
            r.valid_to.isoformat() if r.valid_to else "",
        )
    out.print(table)


# --- risk (on this machine's database, as the administration's analyst) ------------------


def _risk_node(clock: Any = None):  # type: ignore[no-untyped-def]
    from silkgate.kernel.clock import system_clock
    from silkgate.node import NodeNotReady, open_node

    settings = _settings()
    try:
        return open_node(settings, _engine(settings), clock=clock or system_clock)
    except NodeNotReady as exc:
        _fail(str(exc))


def _analyst_principal(node: Any = None):  # type: ignore[no-untyped-def]
    """Who a command on the node's own machine acts as, for the audit trail.

    With SILKGATE_TOKEN set, the user that token belongs to (and that user's
    rights); otherwise the node's administrator, named after the login.
    """
    from silkgate.kernel.actors import Principal

    token = os.environ.get("SILKGATE_TOKEN", "").strip()
    if token and node is not None:
        principal = node.tokens.resolve(token)
        if principal is None:
            _fail("SILKGATE_TOKEN is unknown or revoked")
        return principal
    return Principal(0, os.environ.get("USER", "admin"), Role.ADMIN, None)


def _invalid(exc: Any) -> None:
    err.print(f"[red]{exc.title}[/red]: nothing was changed")
    for e in exc.errors:
        err.print(f"  {e.pointer or '(body)'}: {e.detail}", highlight=False)
    raise typer.Exit(1)


@risk_app.command("profile")
def risk_profile(
    name: str,
    condition: Annotated[str, typer.Option(help='e.g. item.hs4 == "0810" && item.origin == "VN"')],
    effect: Annotated[str, typer.Option(help="score, yellow, red or sps")] = "score",
    points: Annotated[str | None, typer.Option(help="For effect score: 0 < points <= 100")] = None,
    valid_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    valid_to: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    description: str = "",
) -> None:
    """Create a risk profile, or a new version of the one called NAME."""
    from silkgate.kernel.errors import Forbidden, InvalidRequest

    node = _risk_node()
    raw = {
        "name": name,
        "condition": condition,
        "effect": effect,
        "points": points,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "description": description,
    }
    try:
        saved = node.risk.save_profile(_analyst_principal(node), raw)
    except InvalidRequest as exc:
        _invalid(exc)
        return
    except Forbidden as exc:
        _fail(str(exc))
        return
    out.print(f"[green]profile {saved['name']} version {saved['version']} saved[/green]")


@risk_app.command("profiles")
def risk_profiles(retired: bool = False) -> None:
    """The risk profiles in force (newest version of each)."""
    node = _risk_node()
    table = Table("name", "v", "effect", "condition", "valid", "by")
    for column in table.columns:
        column.overflow = "fold"
    for p in node.risk.list_profiles(include_retired=retired):
        effect = p["effect"] + (f" +{p['points']}" if p["points"] else "")
        table.add_row(
            p["name"] + (" (retired)" if p["retired"] else ""),
            str(p["version"]),
            effect,
            p["condition"],
            f"{p['valid_from']} to {p['valid_to'] or '...'}",
            p["created_by"],
        )
    out.print(table)


@risk_app.command("retire")
def risk_retire(name: str) -> None:
    """Retire a profile (it stops applying; its versions are kept)."""
    from silkgate.kernel.errors import Forbidden, NotFound

    node = _risk_node()
    try:
        node.risk.retire_profile(_analyst_principal(node), name)
    except (NotFound, Forbidden) as exc:
        _fail(str(exc))
    out.print(f"[green]profile {name} retired[/green]")


@risk_app.command("budget")
def risk_budget(
    red: Annotated[str | None, typer.Option(help="Share sent red, e.g. 0.05")] = None,
    yellow: Annotated[str | None, typer.Option(help="Share sent yellow, e.g. 0.10")] = None,
    exploration: Annotated[str | None, typer.Option(help="Random share, e.g. 0.01")] = None,
    window: Annotated[int | None, typer.Option(help="Recent decisions calibrated on")] = None,
    aeo_factor: Annotated[str | None, typer.Option(help="AEO score multiplier, e.g. 0.5")] = None,
) -> None:
    """Show the selectivity budget, or change it."""
    from silkgate.kernel.errors import Forbidden, InvalidRequest

    node = _risk_node()
    changes = {
        k: v
        for k, v in {
            "red_share": red,
            "yellow_share": yellow,
            "exploration_share": exploration,
            "window": window,
            "aeo_factor": aeo_factor,
        }.items()
        if v is not None
    }
    if changes:
        try:
            node.risk.set_budget(_analyst_principal(node), changes)
        except InvalidRequest as exc:
            _invalid(exc)
        except Forbidden as exc:
            _fail(str(exc))
    b = node.risk.budget()
    out.print(
        f"red <= {b.red:.1%}, yellow <= {b.yellow:.1%}, exploration {b.exploration:.1%} "
        f"(part of red), calibrated on the last {b.window:,} decisions; AEO score x {b.aeo_factor}"
    )


@risk_app.command("aeo")
def risk_aeo(
    party_id: Annotated[str | None, typer.Argument(help="Trader identifier")] = None,
    name: Annotated[str | None, typer.Option(help="Operator name")] = None,
    status: Annotated[str, typer.Option(help="granted, suspended or revoked")] = "granted",
    administration: Annotated[
        str | None, typer.Option(help="Granting administration (default: this one)")
    ] = None,
    valid_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
    valid_to: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
) -> None:
    """Record an Authorised Economic Operator's status; without arguments, list them."""
    from silkgate.kernel.errors import InvalidRequest

    node = _risk_node()
    if party_id:
        try:
            node.risk.set_aeo(
                party_id,
                name=name or party_id,
                status=status,
                administration=administration or node.settings.administration,
                valid_from=_parse_date(valid_from) if valid_from else _local_today(),
                valid_to=_parse_date(valid_to) if valid_to else None,
            )
        except InvalidRequest as exc:
            _invalid(exc)
        out.print(f"[green]{party_id}: AEO {status}[/green]")
        return
    table = Table("party", "name", "by", "status", "valid")
    for a in node.risk.aeo_list():
        table.add_row(
            a["party_id"],
            a["name"],
            a["administration"],
            a["status"],
            f"{a['valid_from']} to {a['valid_to'] or '...'}",
        )
    out.print(table)


@risk_app.command("import-history")
def risk_import_history(
    file: Path,
    format: Annotated[str, typer.Option("--format", help="Only kcs for now")] = "kcs",
) -> None:
    """Load controlled declarations and their outcomes as training history."""
    from silkgate.kernel.errors import InvalidRequest
    from silkgate.tariff.files import FileErrors

    if format != "kcs":
        _fail("--format must be kcs (the Korea Customs Service dataset format)", 2)
    node = _risk_node()
    try:
        result = node.risk.import_history(_read_bytes(file))
    except FileErrors as exc:
        _print_file_errors(file, exc.errors, "history is")
        raise typer.Exit(1) from None
    except InvalidRequest as exc:
        _invalid(exc)
        return
    out.print(f"[green]{result['added']:,} of {result['rows']:,} rows added to the history[/green]")
    for source, h in result["history"].items():
        what = "declarations" if source == "kcs" else "item rows from this node's controls"
        out.print(
            f"  {source}: {h['rows']:,} {what}, {h['fraud']:,} with fraud, {h['from']} to {h['to']}"
        )


@risk_app.command("train")
def risk_train(
    since: Annotated[str | None, typer.Option(help="History from this date (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="History until this date")] = None,
    seed: int = 0,
) -> None:
    """Train a model on the history, store it with its card, and make it active."""
    from silkgate.kernel.errors import InvalidRequest

    node = _risk_node()
    started = time.perf_counter()
    try:
        result = node.risk.train(
            _analyst_principal(node).name,
            since=_parse_date(since) if since else None,
            until=_parse_date(until) if until else None,
            seed=seed,
        )
    except InvalidRequest as exc:
        _invalid(exc)
        return
    _print_card(result["id"], result["card"])
    out.print(
        f"[green]model {result['id']} is active[/green] ({time.perf_counter() - started:.0f} s)"
    )


def _print_card(model_id: int, card: dict[str, Any]) -> None:
    data = card["data"]
    out.print(
        f"model {model_id}: {card['algorithm']}, {len(card['features'])} features; trained on "
        f"{data['rows']:,} history rows ({data['fraud']:,} with fraud) from {data['from']} "
        f"to {data['to']} in {card['training_seconds']} s"
    )
    v = card.get("validation") or {}
    if v:
        out.print(
            f"  validated on the newest {v['rows']:,} (from {v['validated_from']}): "
            + "  ".join(f"{k} {v[k]:.3f}" for k in v if "@" in k)
        )


@risk_app.command("models")
def risk_models() -> None:
    """The trained models, newest first, with their cards."""
    node = _risk_node()
    for m in node.risk.models():
        _print_card(m["id"], m["card"])
        if m["active"]:
            out.print("  [green]active[/green]")


@risk_app.command("activate")
def risk_activate(model_id: int) -> None:
    """Make an earlier (or later) model the active one."""
    from silkgate.kernel.errors import NotFound

    node = _risk_node()
    try:
        node.risk.activate_model(model_id)
    except NotFound as exc:
        _fail(str(exc))
    out.print(f"[green]model {model_id} is active[/green]")


@risk_app.command("evaluate")
def risk_evaluate(
    train: Annotated[list[Path], typer.Option("--train", help="KCS-format CSV to train on")],
    test: Annotated[Path, typer.Option("--test", help="KCS-format CSV to score")],
    scores: Annotated[Path, typer.Option("--scores", help="Where to write Declaration ID,score")],
    seed: Annotated[list[int], typer.Option("--seed", help="Seeds to average (repeat)")] = [0],  # noqa: B006
) -> None:
    """Train on the --train files only and score --test, with the node's own model code.

    Prints precision@1/5/10% and recall@n% when the test file has a Fraud
    column; works without it. Needs no database.
    """
    import numpy as np

    from silkgate.risk import kcs
    from silkgate.risk.model import ranking_metrics
    from silkgate.risk.model import score as score_rows
    from silkgate.risk.model import train as train_model
    from silkgate.tariff.files import FileErrors

    def load(path: Path) -> tuple[list[dict[str, str]], bool]:
        try:
            return kcs.read(_read_bytes(path).decode("utf-8-sig"))
        except FileErrors as exc:
            _print_file_errors(path, exc.errors, "evaluation is")
            raise typer.Exit(1) from None

    rows: list[dict[str, str]] = []
    for path in train:
        part, labelled = load(path)
        if not labelled:
            _fail(f"{path} has no Fraud column: training needs labels", 2)
        rows.extend(part)
    labels = [int(r[kcs.FRAUD] or 0) for r in rows]
    test_rows, test_labelled = load(test)
    test_labelled = test_labelled and all((r.get(kcs.FRAUD) or "") != "" for r in test_rows)
    y = np.asarray([int(r[kcs.FRAUD]) for r in test_rows], dtype=float) if test_labelled else None
    runs = []
    for s in seed:
        started = time.perf_counter()
        builder, booster = train_model(rows, labels, s)
        took = time.perf_counter() - started
        runs.append(score_rows(builder, booster, test_rows))
        out.print(f"seed {s}: trained on {len(rows):,} declarations in {took:.1f} s")
        if y is not None:
            m = ranking_metrics(y, runs[-1])
            out.print("  " + "  ".join(f"{k} {v:.4f}" for k, v in m.items()))
    final = np.mean(runs, axis=0)
    with scores.open("w", encoding="utf-8", newline="") as f:
        f.write("Declaration ID,score\n")
        for row, value in zip(test_rows, final, strict=True):
            f.write(f"{row[kcs.ID]},{value:.6f}\n")
    out.print(f"wrote {len(test_rows):,} scores to {scores}")
    if y is not None:
        m = ranking_metrics(y, final)
        label = "mean of the seeds' scores" if len(seed) > 1 else "scores"
        out.print(f"{label}: " + "  ".join(f"{k} {v:.4f}" for k, v in m.items()))


@sps_app.command("load")
def sps_load(file: Path) -> None:
    """Check the whole requirements FILE (CSV) and make it the set in force."""
    from silkgate.tariff.files import FileErrors

    node = _risk_node()
    try:
        set_id, rows = node.sps.load(
            _read_bytes(file), source=file.name, actor=os.environ.get("USER", "admin")
        )
    except FileErrors as exc:
        _print_file_errors(file, exc.errors, "requirements in force are")
        raise typer.Exit(1) from None
    out.print(f"[green]SPS requirements set {set_id} is in force[/green] ({rows} requirements)")


@sps_app.command("show")
def sps_show(
    code: Annotated[str, typer.Argument(help="HS code or prefix, 2 to 10 digits")],
    origin: Annotated[str | None, typer.Option(help="Country of origin (ISO alpha-2)")] = None,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """The SPS requirements for goods of CODE (and ORIGIN) on a date."""
    node = _risk_node()
    on = _parse_date(date) if date else _local_today()
    found = node.sps.lookup(code, origin, on)
    table = Table("HS", "origin", "control", "document", "description")
    for r in found:
        table.add_row(
            r["hs_prefix"],
            r["origin"] or "any",
            r["control"],
            r["document"] or "",
            r["description"],
        )
    out.print(table)
    if not found:
        out.print("no SPS requirement")


@trs_app.command("report")
def trs_report(
    since: Annotated[
        str | None, typer.Option("--from", help="YYYY-MM-DD (default: 30 days ago)")
    ] = None,
    until: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD (default: today)")] = None,
    by: Annotated[str, typer.Option(help="office, channel or mode")] = "channel",
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write the figures as CSV")] = None,
    png_file: Annotated[Path | None, typer.Option("--png", help="Write a chart as PNG")] = None,
) -> None:
    """How long release takes: mean, median, 90th percentile, shares within 1/6/24 h."""
    from silkgate.trs.service import to_csv, to_png

    if by not in ("office", "channel", "mode"):
        _fail("--by must be office, channel or mode", 2)
    node = _risk_node()
    end = _parse_date(until, "--to") if until else _local_today()
    start = _parse_date(since, "--from") if since else end - dt.timedelta(days=30)
    if start > end:
        _fail(f"--from {start} is after --to {end}", 2)
    result = node.trs.report(start, end, by)
    _print_trs(result)
    if csv_file:
        csv_file.write_text(to_csv(result), encoding="utf-8")
        out.print(f"wrote {csv_file}")
    if png_file:
        png_file.write_bytes(to_png(result))
        out.print(f"wrote {png_file}")


def _print_trs(result: dict[str, Any]) -> None:
    def h(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    def share(value: float | None) -> str:
        # One decimal: 99.6 % must not read as 100 %.
        return "" if value is None else f"{value:.1%}"

    table = Table(
        result["by"],
        "lodged",
        "released",
        "mean h",
        "median h",
        "p90 h",
        "≤1 h",
        "≤6 h",
        "≤24 h",
        title=f"Time Release Study, imports lodged {result['from']} to {result['to']}",
    )
    for name, f in [*result["groups"].items(), ("all", result["overall"])]:
        table.add_row(
            name,
            f"{f['declarations']:,}",
            f"{f['released']:,}",
            h(f["mean_hours"]),
            h(f["median_hours"]),
            h(f["p90_hours"]),
            share(f["within_1h"]),
            share(f["within_6h"]),
            share(f["within_24h"]),
        )
    out.print(table)
    stages = result["overall"]["stages_since_lodging"]
    if stages:
        out.print(
            "mean time since lodging: "
            + ", ".join(f"{s.replace('_', ' ')} {v['mean_hours']:.2f} h" for s, v in stages.items())
        )


@app.command()
def simulate(
    declarations: Annotated[int, typer.Option(help="How many import declarations")] = 1000,
    days: Annotated[int, typer.Option(help="Spread over the last DAYS days")] = 30,
    seed: int = 1,
) -> None:
    """Simulate import traffic through the whole node, then print the Time Release Study.

    Lodging, assessment, selectivity, joint inspection with simulated officer
    time and findings, payment, release: on a demo (or test) node's database,
    with invented traffic.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from silkgate.simulation import Simulation

    settings = _settings()
    if settings.mode.value == "production":
        _fail("the simulation invents traffic: run it on a demo node (SILKGATE_MODE=demo)")
    demo_setup_quietly = _demo_ready(settings)
    if not demo_setup_quietly:
        return
    from silkgate.kernel.clock import ManualClock, system_clock

    node = _risk_node(ManualClock(system_clock()))
    simulation = Simulation(node, seed=seed, days=days)
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
    ) as progress:
        task = progress.add_task("simulating", total=declarations)
        tally = simulation.run(declarations, lambda n: progress.update(task, completed=n))
    took = time.perf_counter() - started
    channels = ", ".join(f"{c} {n:,}" for c, n in sorted(tally.channels.items()))
    out.print(
        f"{tally.lodged:,} declarations lodged in {took:.0f} s ({tally.refused} refused); "
        f"channels: {channels}"
    )
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(tally.outcomes.items()))
    out.print(
        f"{tally.inspected:,} joint inspections; undervaluation planted in "
        f"{tally.fraud_planted:,} declarations, found in {tally.fraud_found:,}; quarantine "
        f"problems in {tally.sps_planted:,} inspected ones, found in {tally.sps_found:,}; "
        f"outcomes: {outcomes}"
    )
    end = simulation.clock().date()
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).date()
    _print_trs(node.trs.report(start, max(end, dt.datetime.now(dt.UTC).date()), "channel"))


def _demo_ready(settings: Settings) -> bool:
    """Migrate and load the demo data the simulation needs, as `demo setup` does."""
    from silkgate import demo
    from silkgate.store import migrate, refdata

    migrate.upgrade(settings.database_url)
    engine = _engine(settings)
    refdata.load(engine)
    demo.setup(engine, settings.secret_key, settings.administration)
    for line in [
        *demo.load_tariff(settings, engine),
        *demo.load_profiles(settings, engine),
        *demo.load_sps(settings, engine),
    ]:
        out.print(line)
    return True


def main() -> None:  # pragma: no cover
    os.environ.setdefault("PYTHONUTF8", "1")
    app()


_exchange_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
