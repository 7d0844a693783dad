"""``silkgate declarations release-note``: the trader's release note, as the console prints it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from silkgate.cli._common import fail, folding_table, out, word
from silkgate.cli.client import NODE, NodeUrl, Token, call
from silkgate.i18n import N_, _

RELEASED = ("released", "conditionally_released")


def release_note(
    mrn: str,
    node: NodeUrl = NODE,
    token: Token = "",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print the release note of released goods (the declarant's own, or staff)."""
    d = call("GET", f"{node}/v1/declarations/{mrn}", token)
    timeline = call("GET", f"{node}/v1/declarations/{mrn}/journal", token)["items"]
    released = [e for e in timeline if e["to_status"] in RELEASED]
    if d["status"] not in RELEASED or not released:
        fail(
            _("%(mrn)s is %(status)s: there is no release note before release")
            % {"mrn": mrn, "status": word(d["status"])}
        )
    if json_out:
        out.print_json(data={"declaration": d, "release": released[-1]})
        return
    _print_note(d, released[-1], node)


def _print_note(d: dict[str, Any], release: dict[str, Any], node: str) -> None:
    doc, account = d["document"], d["account"]
    conditional = d["status"] == "conditionally_released"
    stamp = _("RELEASED UNDER CONDITION") if conditional else _("RELEASED")
    transport = doc["transport"]
    # The MRN's third and fourth characters are the administration that issued it.
    office = {"administration": d["mrn"][2:4], "office": d["office"]}
    out.print(_("%(administration)s Customs · silkgate node · office %(office)s") % office)
    title = _("Release note")
    out.print(f"[bold]{title}[/bold]")
    when = release["at"][:19].replace("T", " ")
    by = _("by %(who)s") % {"who": release["actor"]}
    out.print(f"[bold]{stamp}[/bold] · {when} UTC · {by}", highlight=False)
    if conditional:
        out.print(_("Condition:") + " " + release["reason"], highlight=False)
    for label, value in (
        (N_("MRN"), d["mrn"]),
        (N_("LRN"), doc["lrn"]),
        (N_("Declarant"), f"{doc['declarant']['name']} ({doc['declarant']['id']})"),
        (N_("Importer"), doc["importer"]["name"]),
        (N_("Exporter"), doc["exporter"]["name"]),
        (
            N_("Transport document"),
            f"{transport['document']['type']} {transport['document']['number']}",
        ),
        (N_("Containers"), ", ".join(transport.get("containers") or []) or "-"),
        (N_("Channel"), word(d.get("channel")) or "-"),
    ):
        shown = _(label) + ":"
        out.print(f"{shown:<20} {value}", highlight=False)
    out.print(_items(d))
    currency = account["currency"]
    out.print(
        _("Duties and taxes: %(assessed)s assessed; %(paid)s paid, %(guaranteed)s guaranteed.")
        % {
            "assessed": f"{account['assessed']} {currency}",
            "paid": account["paid"],
            "guaranteed": account["guaranteed"],
        },
        highlight=False,
    )
    out.print(
        _("Journal entry %(seq)s; verify this note against the node's journal with the MRN.")
        % {"seq": release["seq"]}
        + " "
        + _("Printable: %(url)s") % {"url": f"{node}/console/declarations/{d['mrn']}/release-note"},
        highlight=False,
    )


def _items(d: dict[str, Any]) -> Any:
    assessment = d.get("assessment") or {}
    assessed = {i["seq"]: i for i in assessment.get("items", [])}
    table = folding_table(
        "#", N_("description"), N_("tariff line"), N_("origin"), N_("net kg"),
        _("customs value %(currency)s") % {"currency": assessment.get("currency", "")},
        prose=("description",),
    )  # fmt: skip
    for item in d["document"]["items"]:
        a = assessed.get(item["seq"], {})
        table.add_row(
            str(item["seq"]), item["description"], a.get("tariff_line") or item["hs_code"],
            item["origin"], str(item["net_mass_kg"]), a.get("customs_value", ""),
        )  # fmt: skip
    return table
