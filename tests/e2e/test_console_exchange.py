"""The console's pages for the exchange with partners, in real Chromium against a real node.

A partner administration is played by the test: it holds its own key, is
registered from its card, and signs what it sends to the node's inbox. It
runs no node, so what this node sends it stays pending.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from silkgate.exchange import envelope, identity
from silkgate.exchange.envelope import Envelope
from silkgate.exchange.identity import Card, PublicKey
from tests.e2e.conftest import run_cli

pytestmark = pytest.mark.browser

PARTNER = "LA"  # played by the tests below; no other test speaks for it
AGREEMENTS = ["advance_export_data", "aeo_mra", "mutual_assistance"]


def log_in(page, token):
    page.goto("/console/login")
    page.fill("#token", token)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Declarations")).to_be_visible()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


@dataclass
class Partner:
    """A partner administration as the tests play it: its key, and its inbox calls."""

    node: str
    kid: str
    key: Any

    def send(self, kind: str, subject: str, payload: dict[str, Any]) -> httpx.Response:
        now = dt.datetime.now(dt.UTC)
        env = Envelope.new(kind, PARTNER, "CN", subject, payload, now)
        return httpx.post(
            f"{self.node}/v1/exchange/inbox",
            content=envelope.sign(env, self.key, self.kid, now),
            headers={"Content-Type": "application/jose"},
            timeout=10,
        )


@pytest.fixture(scope="module")
def node_kid(settings, live_node) -> str:
    """The node's signing key (it signs receipts and what it sends), made as an operator would."""
    done = run_cli(settings, "node", "keygen")
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]


@pytest.fixture(scope="module")
def partner(live_node, tokens, node_kid) -> Partner:
    key = identity.new_key()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    kid = identity.key_id(PARTNER, key, since.date())
    card = Card(
        PARTNER,
        "Lao Customs (test partner)",
        "http://127.0.0.1:9",  # nothing listens: deliveries wait
        (PublicKey(kid, identity.public_jwk(key, kid), since),),
        tuple(AGREEMENTS),
    )
    r = httpx.post(
        f"{live_node}/v1/exchange/partners",
        json={"card": card.as_json(), "agreements": AGREEMENTS},
        headers={"Authorization": f"Bearer {tokens['admin']}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    return Partner(live_node, kid, key)


def lodge(live_node, token, doc) -> str:
    r = httpx.post(
        f"{live_node}/v1/declarations",
        json=doc,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    return r.json()["mrn"]


def test_the_admin_sees_the_exchange_and_retries_a_parked_message(
    page, live_node, tokens, node, partner, node_kid
):
    # Something forged reaches the inbox: refused, and shown with its key.
    forged_kid = unique("LA-forged-")
    forger = Partner(live_node, forged_kid, identity.new_key())
    assert forger.send("assistance", "forged", {}).status_code == 401
    # A message the partner would not take, parked after every attempt.
    subject = unique("LA-MAA-PARKED-")
    message_id = str(uuid.uuid4())
    from silkgate.store import exchange as exchange_store
    from silkgate.store.db import writing

    now = dt.datetime.now(dt.UTC)
    with writing(node.engine) as conn:
        exchange_store.enqueue(
            conn,
            {
                "message_id": message_id,
                "partner": PARTNER,
                "type": "assistance",
                "subject": subject,
                "payload": '{"payload": {}, "signer": null}',
                "created_at": now,
                "status": "parked",
                "attempts": 12,
                "next_attempt_at": now,
                "last_error": "HTTP 503: partner down for maintenance",
            },
        )

    log_in(page, tokens["admin"])
    page.get_by_role("link", name="Exchange").click()
    expect(
        page.get_by_role("heading", name="Exchange with partner administrations")
    ).to_be_visible()
    card = page.locator("#node-card")
    expect(card).to_contain_text("CN")
    expect(card).to_contain_text(node_kid)
    partners = page.locator("#partners")
    expect(partners).to_contain_text("Lao Customs (test partner)")
    expect(partners).to_contain_text(partner.kid)
    expect(partners).to_contain_text("mutual assistance")
    refused = page.locator("#refusals tr", has_text=forged_kid)
    expect(refused).to_contain_text("unknown sender")
    expect(refused).to_contain_text("127.0.0.1")

    row = page.locator("#parked tr", has_text=subject)
    expect(row).to_contain_text("partner down for maintenance")
    row.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("status")).to_contain_text(f"Sent again: assistance {subject}")
    expect(page.locator("#parked")).not_to_contain_text(subject)
    expect(page.locator("#outgoing tr", has_text=subject)).to_contain_text("pending")


def test_exchange_is_for_administrators_only(page, tokens):
    log_in(page, tokens["officer.li"])
    expect(page.get_by_role("link", name="Exchange")).to_have_count(0)
    expect(page.get_by_role("link", name="AEO")).to_be_visible()
    expect(page.get_by_role("link", name="Assistance")).to_be_visible()
    response = page.goto("/console/exchange")
    assert response is not None and response.status == 403
    expect(page.get_by_role("status")).to_contain_text("administrators")
    expect(page.locator("#node-card")).to_have_count(0)


def test_a_trader_sees_neither_the_aeo_register_nor_assistance(page, tokens):
    log_in(page, tokens["acme-trading"])
    for name in ("AEO", "Assistance", "Exchange"):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
    for path, said in (("/console/aeo", "AEO register"), ("/console/assistance", "officers")):
        response = page.goto(path)
        assert response is not None and response.status == 403
        expect(page.get_by_role("status")).to_contain_text(said)
    response = page.goto("/console/exchange")
    assert response is not None and response.status == 403


def test_an_officer_keeps_the_aeo_register(page, tokens, partner):
    party = unique("91TEST")
    name = f"Trading {party} Ltd (test)"
    # The partner shares its register under mutual recognition.
    theirs = unique("LA")
    today = dt.date.today()
    r = partner.send(
        "aeo_list",
        "aeo-list",
        {
            "version": envelope.iso(dt.datetime.now(dt.UTC)),
            "operators": [
                {
                    "party_id": theirs,
                    "name": "Vientiane Logistics (test)",
                    "status": "granted",
                    "valid_from": (today - dt.timedelta(days=30)).isoformat(),
                    "valid_to": (today + dt.timedelta(days=700)).isoformat(),
                }
            ],
        },
    )
    assert r.status_code == 200, r.text

    log_in(page, tokens["officer.li"])
    page.get_by_role("link", name="AEO").click()
    expect(page.get_by_role("heading", name="Authorised Economic Operators")).to_be_visible()
    form = page.locator("#aeo-apply")
    form.get_by_label("Party identifier").fill(party)
    form.get_by_label("Operator name").fill(name)
    form.get_by_role("button", name="Register the application").click()
    expect(page.get_by_role("status")).to_contain_text(f"Registered the application of {name}")
    row = page.locator(f"#aeo-{party}")
    expect(row).to_contain_text("applied")
    # An application is validated or refused; nothing else is offered.
    expect(row.get_by_role("button")).to_have_text(["Validate", "Refuse"])
    row.get_by_role("button", name="Validate").click()
    expect(page.get_by_role("status")).to_contain_text("now validated")

    # A validity that ends before it starts is refused, the error next to its field.
    row = page.locator(f"#aeo-{party}")
    row.get_by_label("from", exact=True).fill("2026-07-01")
    row.get_by_label("to", exact=True).fill("2026-01-01")
    row.get_by_role("button", name="Grant").click()
    expect(page.locator(f"#error-{party}-valid_to")).to_have_text("ends before valid_from")
    expect(page.locator("#aeo-errors")).to_contain_text("valid to: ends before valid_from")
    row = page.locator(f"#aeo-{party}")
    expect(row.get_by_label("to", exact=True)).to_have_attribute("aria-invalid", "true")
    row.get_by_label("from", exact=True).fill("2026-01-01")
    row.get_by_label("to", exact=True).fill("2028-12-31")
    row.get_by_role("button", name="Grant").click()
    expect(page.get_by_role("status")).to_contain_text(f"Granted AEO status to {name}")
    row = page.locator(f"#aeo-{party}")
    expect(row).to_contain_text("granted")
    expect(row).to_contain_text("2026-01-01 to 2028-12-31")

    row.get_by_label(f"Reason to suspend {party}").fill("unpaid duties under review")
    row.get_by_role("button", name="Suspend").click()
    expect(page.locator(f"#aeo-{party}")).to_contain_text("suspended")
    page.locator(f"#aeo-{party}").get_by_role("button", name="Reinstate").click()
    expect(page.locator(f"#aeo-{party}")).to_contain_text("granted")
    page.get_by_role("link", name=party).click()
    expect(page.locator("#aeo-history")).to_contain_text("unpaid duties under review")
    expect(page.locator("#aeo-history")).to_contain_text("officer.li")

    page.goto("/console/aeo")
    theirs_row = page.locator("#partner-aeo tr", has_text=theirs)
    expect(theirs_row).to_contain_text(PARTNER)
    expect(theirs_row).to_contain_text("Vientiane Logistics (test)")
    expect(theirs_row).to_contain_text("granted")
    expect(theirs_row.locator("td").last).to_have_text("yes")

    # An analyst reads the register; only officers keep it.
    page.context.clear_cookies()
    log_in(page, tokens["analyst.zhao"])
    page.get_by_role("link", name="AEO").click()
    expect(page.locator(f"#aeo-{party}")).to_contain_text("granted")
    expect(page.locator("#aeo-apply")).to_have_count(0)
    expect(page.locator("#aeo-register").get_by_role("button")).to_have_count(0)


def test_an_officer_asks_a_partner_for_assistance(page, tokens, partner):
    subject = unique("Verify consignee ")
    # The partner opened a case of its own: it is listed as received.
    theirs = unique("LA-MAA-2026-")
    r = partner.send(
        "assistance",
        theirs,
        {
            "reference": theirs,
            "action": "open",
            "kind": "alert",
            "subject": "Undervalued motorcycle parts (test)",
            "author": "officer.souk",
            "body": "Invoices at a third of the market price.",
        },
    )
    assert r.status_code == 200, r.text

    log_in(page, tokens["officer.wang"])
    page.get_by_role("link", name="Assistance").click()
    expect(page.get_by_role("heading", name="Mutual administrative assistance")).to_be_visible()
    expect(page.locator("#cases tr", has_text=theirs)).to_contain_text("received")

    form = page.locator("#case-form")
    form.get_by_label("Partner").select_option(PARTNER)
    form.get_by_label("Kind").select_option("verify_operator")
    form.get_by_label("Subject").fill("   ")
    form.get_by_label("Message").fill("Please confirm the consignee is registered with you.")
    form.get_by_role("button", name="Send to the partner").click()
    expect(page.locator("#error-subject")).to_contain_text("text of 1 to 300 characters")
    form = page.locator("#case-form")
    expect(form.get_by_label("Message")).to_have_value(
        "Please confirm the consignee is registered with you."
    )
    form.get_by_label("Subject").fill(subject)
    form.get_by_role("button", name="Send to the partner").click()
    expect(page.get_by_role("status")).to_contain_text(f"with {PARTNER}")
    expect(page.locator("h1")).to_contain_text("CN-MAA-")
    reference = page.locator("h1").inner_text().split()[1]
    thread = page.locator("#thread li")
    expect(thread).to_have_count(1)
    expect(thread.first).to_contain_text("officer.wang")
    expect(thread.first).to_contain_text("request to verify an operator")
    expect(thread.first).to_contain_text("Please confirm the consignee")
    expect(thread.first.locator(".delivery")).to_have_text("pending")

    reply = page.locator("#reply-form")
    reply.get_by_label("Message").fill("Adding the invoice number: MF-INV-2026-118.")
    reply.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Sent: your reply")
    expect(page.locator("#thread li")).to_have_count(2)
    reply = page.locator("#reply-form")
    reply.get_by_label("Message").fill("Answered by phone; closing.")
    reply.get_by_label("close the case").check()
    reply.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text(f"Closed: case {reference}")
    expect(page.locator("#case-status")).to_have_text("closed")
    expect(page.locator("#thread li")).to_have_count(3)
    expect(page.locator("#thread li").last).to_contain_text("Answered by phone")
    expect(page.locator("#reply-form")).to_have_count(0)

    page.get_by_role("link", name="← all cases").click()
    expect(page.locator("#cases tr", has_text=reference)).to_contain_text("closed")
    expect(page.locator("#cases tr", has_text=reference)).to_contain_text(subject)


def _advance(doc: dict[str, Any], export_declaration: str, amount: str) -> dict[str, Any]:
    """The export data the partner sends on releasing ``doc``'s goods, at ``amount``."""
    t = doc["transport"]
    return {
        "export_declaration": export_declaration,
        "exporter": {"name": doc["exporter"]["name"]},
        "consignee": {"name": doc["importer"]["name"]},
        "transport": {
            "mode": t["mode"],
            "document": t["document"],
            "containers": t["containers"],
            "loading_place": t["loading_place"],
            "port_of_discharge": t["discharge_place"],
            "destination_country": "CN",
        },
        "invoice": {"currency": "USD", "amount": amount, "incoterm": "FOB"},
        "items": [
            {
                "seq": i["seq"],
                "hs_code": i["hs_code"][:6],
                "description": i["description"],
                "quantity": {"value": i["net_mass_kg"], "unit": "KGM"},
                "net_mass_kg": i["net_mass_kg"],
                "origin": i["origin"],
                "value": i["value"],
            }
            for i in doc["items"]
        ],
    }


@pytest.mark.parametrize("amount", ["48250.00", "96500.00"])
def test_staff_see_the_partners_export_data_on_an_import(
    page, live_node, tokens, partner, declaration, amount
):
    export_declaration = unique("LAEX")
    declaration["transport"]["dispatch_country"] = PARTNER
    declaration["transport"]["document"]["number"] = unique("LABL")
    r = partner.send(
        "advance_export_data",
        export_declaration,
        _advance(declaration, export_declaration, amount),
    )
    assert r.status_code == 200, r.text
    mrn = lodge(live_node, tokens["acme-trading"], declaration)

    log_in(page, tokens["officer.li"])
    page.goto(f"/console/declarations/{mrn}")
    expect(page.get_by_role("heading", name="Advance export data")).to_be_visible()
    data = page.locator("#advance-data")
    expect(data).to_contain_text(f"From {PARTNER}")
    expect(data).to_contain_text(f"export declaration {export_declaration}")
    if amount == "48250.00":
        expect(data.locator(".matches")).to_have_text("Matches the declaration.")
    else:
        # Declared at half of what left the partner's country: flagged, and controlled.
        expect(data.locator(".mismatch")).to_have_count(1)
        expect(data.locator(".mismatches")).to_contain_text("value: exported at 96500.00 USD")
        expect(page.locator("#channel")).to_have_text("yellow")

    # The officer's list of what partners sent links the export to the import.
    page.get_by_role("link", name="Advance data").click()
    row = page.locator("#advance-list tr", has_text=export_declaration)
    expect(row).to_contain_text(PARTNER)
    expect(row.get_by_role("link", name=mrn)).to_be_visible()
    page.select_option("#linked", "no")
    expect(page.locator("#advance-list tr", has_text=export_declaration)).to_have_count(0)

    # The trader never sees what the partner sent.
    page.context.clear_cookies()
    log_in(page, tokens["acme-trading"])
    expect(page.get_by_role("link", name="Advance data")).to_have_count(0)
    page.goto(f"/console/declarations/{mrn}")
    expect(page.locator("h1")).to_contain_text(mrn)
    expect(page.get_by_role("heading", name="Advance export data")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(export_declaration)
