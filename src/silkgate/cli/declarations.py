"""``silkgate declarations``: declarations through a node's API, as a trader's or broker's tool."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from silkgate.cli._common import fail, folding_table, out, read_json, word
from silkgate.cli.assessments import print_account, print_assessment
from silkgate.cli.client import NODE, NodeUrl, Token, call
from silkgate.cli.release_note import release_note
from silkgate.declarations.states import Status
from silkgate.i18n import N_, _, ngettext
from silkgate.i18n.sentences import say
from silkgate.web.formats import event as _event

decl_app = typer.Typer(help="Declarations, through a node's API.", no_args_is_help=True)


class DeclarationType(StrEnum):
    IM = "IM"
    EX = "EX"


def _show_summary(d: dict[str, Any]) -> None:
    version = _("version %(version)s") % {"version": d["version"]}
    office = _("office %(office)s") % {"office": d["office"]}
    items = ngettext("%(num)d item", "%(num)d items", d["item_count"]) % {"num": d["item_count"]}
    out.print(
        f"[bold]{d['mrn']}[/bold]  {d['type']}  [bold]{word(d['status'])}[/bold]  "
        f"{version}  {office}  {d['invoice_amount']} {d['currency']}  {items}"
    )


@decl_app.command("lodge")
def decl_lodge(
    file: Path,
    node: NodeUrl = NODE,
    token: Token = "",
    idempotency_key: Annotated[
        str | None, typer.Option(help="Make retries safe: the same key never lodges twice.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Lodge the declaration in FILE (JSON; - for standard input)."""
    body = read_json(file)
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    result = call("POST", f"{node}/v1/declarations", token, json=body, headers=headers)
    if json_out:
        out.print_json(data=result)
        return
    out.print(f"[green]{word('lodged')}[/green]")
    _show_summary(result)
    a = result.get("assessment")
    if a:
        out.print(
            _(
                "duties and taxes %(total)s %(currency)s (duty %(duty)s, excise %(excise)s, "
                "VAT %(vat)s); see `declarations assessment`"
            )
            % a
        )


@decl_app.command("show")
def decl_show(
    mrn: str,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a declaration, its items and its timeline."""
    d = call("GET", f"{node}/v1/declarations/{mrn}", token)
    timeline = call("GET", f"{node}/v1/declarations/{mrn}/journal", token)["items"]
    if json_out:
        out.print_json(data={**d, "journal": timeline})
        return
    _show_summary(d)
    doc = d["document"]
    declarant = f"{doc['declarant']['name']} ({doc['declarant']['id']})"
    out.print(f"LRN {doc['lrn']}  " + _("declarant %(name)s") % {"name": declarant})
    items = folding_table(
        "#", "HS", N_("origin"), N_("description"), N_("value"), N_("pref."),
        prose=("description",),
    )  # fmt: skip
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
    events = folding_table(
        N_("when (UTC)"), N_("event"), N_("by"), N_("status"), N_("reason"),
        title=N_("Timeline"), prose=("reason",),
    )  # fmt: skip
    for e in timeline:
        status = word(e["to_status"]) if e["to_status"] else ""
        reason = say(e["reason"]) or ""
        events.add_row(e["at"], _event(e["event"]), e["actor"], status, reason)
    out.print(events)
    _show_inspection(d.get("inspection"))
    if d.get("allowed_actions"):
        out.print(_("you may: %(actions)s") % {"actions": ", ".join(d["allowed_actions"])})


def _show_inspection(task: dict[str, Any] | None) -> None:
    """The joint inspection's state, for staff (the answer carries it for them only)."""
    if not task:
        return
    waiting = [c for c in task.get("checks", []) if c["status"] == "open"]
    state = task["result"] or task["status"]
    out.print(
        f"joint inspection: task {task['id']} at {task['office']}, {state}; "
        f"{len(waiting)} of {len(task.get('checks', []))} check(s) without a result "
        f"(`silkgate inspections show {task['id']}`)",
        highlight=False,
    )


@decl_app.command("list")
def decl_list(
    node: NodeUrl = NODE,
    token: Token = "",
    status: Annotated[Status | None, typer.Option(help="Only declarations in this status.")] = None,
    office: Annotated[str | None, typer.Option(help="Customs office (UN/LOCODE).")] = None,
    type: Annotated[
        DeclarationType | None, typer.Option("--type", help="Imports or exports.")
    ] = None,
    hs_code: str | None = None,
    limit: int = 50,
    cursor: Annotated[str | None, typer.Option(help="Next page, as printed after a list.")] = None,
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List declarations, newest first."""
    asked: dict[str, str | int | None] = {"office": office}
    asked |= {"status": status and status.value, "type": type and type.value}
    asked |= {"hs_code": hs_code, "limit": limit, "cursor": cursor}
    params = {k: v for k, v in asked.items() if v is not None}
    page = call("GET", f"{node}/v1/declarations", token, params=params)
    if json_out:
        out.print_json(data=page)
        return
    table = folding_table(
        "MRN", N_("type"), N_("status"), N_("office"), "LRN", N_("value"), N_("items"),
        N_("lodged (UTC)"),
    )  # fmt: skip
    for d in page["items"]:
        table.add_row(
            d["mrn"],
            d["type"],
            word(d["status"]),
            d["office"],
            d["lrn"],
            f"{d['invoice_amount']} {d['currency']}",
            str(d["item_count"]),
            d["lodged_at"][:19],
        )
    out.print(table)
    if page.get("next_cursor"):
        out.print(_("more: add --cursor %(cursor)s") % {"cursor": page["next_cursor"]})


@decl_app.command("amend")
def decl_amend(
    mrn: str,
    file: Path,
    node: NodeUrl = NODE,
    token: Token = "",
    reason: str | None = None,
) -> None:
    """Amend a declaration with the whole document in FILE (a new version)."""
    body = read_json(file)
    params = {"reason": reason} if reason else {}
    result = call("PUT", f"{node}/v1/declarations/{mrn}", token, json=body, params=params)
    amended = _("amended")
    out.print(f"[green]{amended}[/green]")
    _show_summary(result)


def _decision(action: str, doc: str, reason_required: bool) -> None:
    """Register the command of one decision on a declaration (``control``, ``release``...)."""

    def command(
        mrn: str,
        node: NodeUrl = NODE,
        token: Token = "",
        reason: Annotated[str | None, typer.Option(help="Why (recorded in the journal).")] = None,
    ) -> None:
        if reason_required and not reason:
            fail(_("--reason is required to %(action)s") % {"action": action}, 2)
        result = call(
            "POST",
            f"{node}/v1/declarations/{mrn}/{action}",
            token,
            json={"reason": reason} if reason else {},
        )
        done = _("%(action)s: done") % {"action": word(action)}
        out.print(f"[green]{done}[/green]")
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


decl_app.command("release-note")(release_note)


@decl_app.command("assessment")
def decl_assessment(
    mrn: str,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a declaration's assessment and what is paid, guaranteed and due."""
    a = call("GET", f"{node}/v1/declarations/{mrn}/assessment", token)
    account = call("GET", f"{node}/v1/declarations/{mrn}/payments", token)
    if json_out:
        out.print_json(data={"assessment": a, "account": account})
        return
    print_assessment(a)
    print_account(account)


@decl_app.command("pay")
def decl_pay(
    mrn: str,
    amount: Annotated[str, typer.Option(help="Amount in the national currency.")],
    reference: Annotated[str, typer.Option(help="Bank transfer or guarantee reference.")],
    guarantee: Annotated[
        bool, typer.Option("--guarantee", help="Record a guarantee, not a payment.")
    ] = False,
    currency: Annotated[str, typer.Option(help="National currency.")] = "CNY",
    node: NodeUrl = NODE,
    token: Token = "",
) -> None:
    """Record a payment received or a guarantee accepted (customs staff)."""
    kind = "guarantee" if guarantee else "payment"
    body = {"kind": kind, "amount": amount, "currency": currency, "reference": reference}
    result = call("POST", f"{node}/v1/declarations/{mrn}/payments", token, json=body)
    recorded = _("%(kind)s recorded") % {"kind": word(kind)}
    out.print(f"[green]{recorded}[/green]")
    print_account(result)
