"""``silkgate assess``, the duty calculator, and how assessments and accounts are printed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from silkgate.cli._common import (
    engine,
    err,
    fail,
    folding_table,
    out,
    parse_date,
    read_json,
    settings,
    word,
)
from silkgate.cli.client import answer
from silkgate.i18n import N_, _


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
    raw = read_json(file)
    on = parse_date(date) if date else None
    result = _assess_remotely(node, raw, on) if node else _assess_here(raw, on)
    if json_out:
        out.print_json(data=result)
    else:
        print_assessment(result)


def _assess_remotely(node: str, raw: Any, on: dt.date | None) -> Any:
    params = {"date": on.isoformat()} if on else {}
    try:
        response = httpx.post(f"{node}/v1/assessments", json=raw, params=params, timeout=30)
    except httpx.HTTPError as exc:
        fail(f"cannot reach the node at {node}: {exc}")
    return answer(response)


def _assess_here(raw: Any, on: dt.date | None) -> Any:
    from silkgate.bootstrap import open_node
    from silkgate.declarations.validation import validate
    from silkgate.kernel.errors import InvalidRequest
    from silkgate.node import NodeNotReady
    from silkgate.tariff.services import TariffNotLoaded

    config = settings()
    try:
        n = open_node(config, engine(config))
    except NodeNotReady as exc:
        fail(str(exc))
    today = n.declarations.today(n.declarations.clock())
    try:
        doc = validate(raw, n.codes, max(on or today, today))
        return n.tariff.assess(doc, on or today).as_json()
    except InvalidRequest as exc:
        err.print(f"[red]{exc.title}[/red]: nothing was assessed")
        for e in exc.errors:
            err.print(f"  {e.pointer or '(document)'}: {e.detail}")
        raise typer.Exit(1) from None
    except TariffNotLoaded as exc:
        fail(str(exc))


def print_account(account: dict[str, Any]) -> None:
    """What a declaration owes: assessed, paid, guaranteed, due."""
    c = account["currency"]
    if "status" in account:
        status = word(account["status"])
        out.print(f"{account['mrn']}: " + _("status %(status)s") % {"status": status})
    amounts = {k: f"{account[k]} {c}" for k in ("assessed", "paid", "guaranteed", "due")}
    due = _("due %(due)s") % amounts
    out.print(
        _("assessed %(assessed)s   paid %(paid)s   guaranteed %(guaranteed)s") % amounts
        + f"   [bold]{due}[/bold]   "
        + _("not secured %(amount)s") % {"amount": f"{account['unsecured']} {c}"}
    )


def _charge(x: dict[str, Any] | None) -> str:
    return "" if x is None else f"{x['amount']} ({word(x['measure'])})"


def print_assessment(a: dict[str, Any]) -> None:
    """An assessment item by item, with its totals, notes and preferences granted."""
    c = a["currency"]
    rate = a["exchange_rate"]
    converted = (
        "; "
        + _("1 %(from)s = %(rate)s %(to)s (rate from %(date)s).")
        % {"from": rate["currency"], "rate": rate["rate"], "to": c, "date": rate["valid_from"]}
        if rate["currency"] != c
        else ""
    )
    asof = {"date": a["date"], "version": a["tariff_version"]}
    out.print(_("assessed as of %(date)s with tariff version %(version)s") % asof + converted)
    table = folding_table(
        "#",
        N_("line"),
        N_("origin"),
        _("customs value %(currency)s") % {"currency": c},
        N_("duty"),
        N_("excise"),
        "VAT",
        N_("total"),
        prose=("duty", "excise", "VAT"),
    )
    for item in a["items"]:
        duty = _charge(item["duty"])
        if item.get("preference"):
            duty += f"\n{item['preference']}: {word(item['preference_status'], spaced=True)}"
        table.add_row(
            str(item["seq"]),
            item["tariff_line"],
            item["origin"],
            item["customs_value"],
            duty,
            _charge(item["excise"]),
            _charge(item["vat"]),
            item["total"],
        )
    t = a["totals"]
    table.add_row("", "", "", t["customs_value"], t["duty"], t["excise"], t["vat"], t["total"])
    out.print(table)
    for note in a.get("notes", []):
        out.print(_("note: %(note)s") % {"note": note})
    if Decimal(t.get("duty_forgone", "0")) > 0:
        out.print(
            _("preferences grant %(amount)s of duty, subject to origin verification")
            % {"amount": f"{t['duty_forgone']} {c}"}
        )
