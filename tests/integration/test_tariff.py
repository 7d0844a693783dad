"""Tariff, rates, assessment, payments and the public tariff, over HTTP and the database."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from silkgate import demo
from silkgate.store import tariff as tariff_store
from silkgate.store.db import reading
from silkgate.store.tables import exchange_rates, tariff_versions
from silkgate.tariff.files import FileErrors
from silkgate.tariff.services import RatesConflict
from tests.integration.conftest import auth, settle


def lodge(client, tokens, doc, who="acme-trading"):
    r = client.post("/v1/declarations", json=doc, headers=auth(tokens[who]))
    assert r.status_code == 201, r.text
    return r.json()


# --- assessment on lodging and amendment ------------------------------------------------


def test_lodging_returns_and_stores_the_assessment(client, tokens, declaration, node):
    body = lodge(client, tokens, declaration)
    brief = body["assessment"]
    assert brief["currency"] == "CNY" and Decimal(brief["total"]) > 0
    a = client.get(
        f"/v1/declarations/{body['mrn']}/assessment", headers=auth(tokens["acme-trading"])
    )
    assert a.status_code == 200
    a = a.json()
    assert a["totals"]["total"] == brief["total"] and a["version"] == 1
    dragon, mango = a["items"]
    # Dragon fruit from Viet Nam under ACFTA: no duty, subject to origin verification.
    assert dragon["duty"]["amount"] == "0.00" and dragon["duty"]["agreement"] == "ACFTA"
    assert dragon["preference_status"] == "granted_subject_to_origin_verification"
    assert Decimal(dragon["duty_forgone"]) > 0
    # Dried mango has no preference claimed: the general 20%.
    assert mango["duty"]["measure"] == "20%"
    rate = Decimal(a["exchange_rate"]["rate"])
    # FOB 7750.00 + its share of 1920.00 freight and insurance, in CNY at the day's rate.
    share = Decimal("7750.00") + Decimal("1920.00") * Decimal("7750.00") / Decimal("48250.00")
    assert Decimal(mango["customs_value"]) == (share * rate).quantize(Decimal("0.01"))
    assert Decimal(a["totals"]["total"]) == sum(Decimal(i["total"]) for i in a["items"])
    events = client.get(
        f"/v1/declarations/{body['mrn']}/journal", headers=auth(tokens["acme-trading"])
    ).json()["items"]
    assert [e["event"] for e in events] == ["lodged", "assessed", "channel"]
    assert events[2]["reason"].startswith("green")
    assert brief["total"] in events[1]["reason"]


def test_an_amendment_is_reassessed_as_of_the_day_of_lodging(client, tokens, declaration):
    body = lodge(client, tokens, declaration)
    first = client.get(
        f"/v1/declarations/{body['mrn']}/assessment", headers=auth(tokens["acme-trading"])
    ).json()
    amended = copy.deepcopy(declaration)
    amended["items"][1]["value"] = "15500.00"
    amended["invoice"]["amount"] = "56000.00"
    r = client.put(
        f"/v1/declarations/{body['mrn']}", json=amended, headers=auth(tokens["acme-trading"])
    )
    assert r.status_code == 200, r.text
    assert Decimal(r.json()["assessment"]["total"]) > Decimal(first["totals"]["total"])
    second = client.get(
        f"/v1/declarations/{body['mrn']}/assessment", headers=auth(tokens["acme-trading"])
    ).json()
    assert second["version"] == 2 and second["date"] == first["date"]
    old = client.get(
        f"/v1/declarations/{body['mrn']}/assessment?version=1",
        headers=auth(tokens["acme-trading"]),
    ).json()
    assert old["totals"] == first["totals"]


def test_a_declaration_that_cannot_be_assessed_is_refused_and_not_stored(
    client, tokens, declaration
):
    declaration["invoice"].pop("freight")
    declaration["items"][1]["hs_code"] = "081340"  # two national lines under it
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 422
    errors = {e["pointer"]: e for e in r.json()["errors"]}
    assert errors["/invoice/freight"]["code"] == "required_for_incoterm"
    assert errors["/items/1/hs_code"]["code"] == "national_line_required"
    assert "08134010" in errors["/items/1/hs_code"]["detail"]
    listed = client.get(
        "/v1/declarations", params={"limit": 200}, headers=auth(tokens["acme-trading"])
    )
    assert declaration["lrn"] not in {d["lrn"] for d in listed.json()["items"]}


# --- payments and guarantees gate the release ---------------------------------------------


def test_release_needs_payment_or_guarantee(client, tokens, declaration):
    mrn = lodge(client, tokens, declaration)["mrn"]
    officer = auth(tokens["officer.wang"])
    # Under control, the officer releases; not before the duties are secured.
    client.post(f"/v1/declarations/{mrn}/control", headers=officer)
    r = client.post(f"/v1/declarations/{mrn}/release", headers=officer)
    assert r.status_code == 409 and r.json()["type"] == "/problems/unpaid-duties"
    account = client.get(f"/v1/declarations/{mrn}/payments", headers=officer).json()
    due = Decimal(account["due"])
    half = (due / 2).quantize(Decimal("0.01"))
    r = client.post(
        f"/v1/declarations/{mrn}/payments",
        json={"kind": "payment", "amount": str(half), "currency": "CNY", "reference": "P-1"},
        headers=officer,
    )
    assert r.status_code == 201 and Decimal(r.json()["due"]) == due - half
    assert client.post(f"/v1/declarations/{mrn}/release", headers=officer).status_code == 409
    account = settle(client, tokens["officer.wang"], mrn, kind="guarantee")
    assert account["unsecured"] == "0.00" and Decimal(account["guaranteed"]) == due - half
    assert Decimal(account["due"]) == due - half  # guaranteed, not paid
    assert account["status"] == "under_control"
    r = client.post(
        f"/v1/declarations/{mrn}/payments",
        json={"kind": "guarantee", "amount": "1.00", "currency": "CNY", "reference": "G-2"},
        headers=officer,
    )
    assert r.status_code == 422 and "neither paid nor guaranteed" in r.json()["errors"][0]["detail"]
    r = client.post(f"/v1/declarations/{mrn}/release", headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "released"
    # The guaranteed duties are paid after release, which releases the guarantee.
    account = settle(client, tokens["officer.wang"], mrn)
    assert account["due"] == "0.00" and account["status"] == "released"
    assert account["guaranteed"] == "0.00" and account["unsecured"] == "0.00"


def test_nothing_is_paid_on_a_cancelled_declaration(client, tokens, declaration):
    mrn = lodge(client, tokens, declaration)["mrn"]
    client.post(
        f"/v1/declarations/{mrn}/cancel",
        json={"reason": "duplicate"},
        headers=auth(tokens["acme-trading"]),
    )
    r = client.post(
        f"/v1/declarations/{mrn}/payments",
        json={"kind": "payment", "amount": "1.00", "currency": "CNY", "reference": "P-1"},
        headers=auth(tokens["officer.li"]),
    )
    assert r.status_code == 409 and "cancelled" in r.json()["detail"]


def test_payment_errors_name_the_field_and_change_nothing(client, tokens, declaration):
    mrn = lodge(client, tokens, declaration)["mrn"]
    officer = auth(tokens["officer.li"])
    due = client.get(f"/v1/declarations/{mrn}/payments", headers=officer).json()["due"]

    def pay(body, headers=officer):
        return client.post(f"/v1/declarations/{mrn}/payments", json=body, headers=headers)

    good = {"kind": "payment", "amount": "10.00", "currency": "CNY", "reference": "P-1"}
    r = pay({**good, "currency": "USD"})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/currency"
    r = pay({**good, "amount": str(Decimal(due) + 1)})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "exceeds_amount_due"
    r = pay({**good, "amount": "1.001"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "too_many_decimals"
    r = pay({**good, "amount": "-5"})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/amount"
    r = pay({**good, "kind": "cash"})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/kind"
    r = pay(good, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 403
    after = client.get(f"/v1/declarations/{mrn}/payments", headers=officer).json()
    assert after["due"] == due and after["payments"] == []


# --- the public tariff -----------------------------------------------------------------------


def test_tariff_lookup_is_public_and_point_in_time(client):
    r = client.get("/v1/tariff/87032300", params={"date": "2026-06-30"})
    assert r.status_code == 200
    body = r.json()
    assert [p["level"] for p in body["path"]] == ["section", "chapter", "heading", "subheading"]
    assert body["path"][0]["code"] == "XVII"
    duty = [m for m in body["lines"][0]["measures"] if m["measure"] == "duty"]
    assert [m["label"] for m in duty] == ["25%"]
    later = client.get("/v1/tariff/87032300", params={"date": "2026-07-01"}).json()
    assert [m["label"] for m in later["lines"][0]["measures"] if m["measure"] == "duty"] == ["15%"]
    assert body["tariff"]["illustrative"] is True
    heading = client.get("/v1/tariff/0901").json()
    assert {line["code"] for line in heading["lines"]} >= {"09012100", "09011100"}
    assert client.get("/v1/tariff/999999").status_code == 404
    bad = client.get("/v1/tariff/09x1")
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/code"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("coffee", {"09011100", "09012100", "21011100"}),
        ("lithium", {"28252000", "28369100", "85065000", "85076000"}),
        ("dragon fruit", {"08109040"}),
    ],
)
def test_tariff_search(client, query, expected):
    r = client.get("/v1/tariff/search", params={"q": query})
    assert r.status_code == 200
    codes = [hit["code"] for hit in r.json()["results"]]
    assert expected <= set(codes)
    # Lines whose own description matches come before those matching only by heading.
    assert codes[0] in expected


def test_exchange_rates_are_published(client):
    r = client.get("/v1/exchange-rates", params={"currency": "USD", "date": "2026-11-23"})
    assert r.status_code == 200 and r.json()["rates"][0]["valid_from"] == "2026-11-01"
    r = client.get("/v1/exchange-rates", params={"currency": "USD", "date": "2019-01-01"})
    assert r.status_code == 404 and "no official customs exchange rate" in r.json()["detail"]


def test_the_duty_calculator_stores_nothing(client, declaration, node):
    with reading(node.engine) as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM declarations")).scalar()
    r = client.post("/v1/assessments", json=declaration, params={"date": "2026-06-15"})
    assert r.status_code == 200, r.text
    assert (
        r.json()["date"] == "2026-06-15" and r.json()["exchange_rate"]["valid_from"] == "2026-06-01"
    )
    r = client.post("/v1/assessments", json=declaration, params={"date": "2028-01-15"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "no_exchange_rate"
    # A shipment planned for later is priced with that day's dates and rates.
    planned = copy.deepcopy(declaration)
    planned["invoice"]["date"] = "2027-03-10"
    planned["transport"]["arrival_date"] = "2027-03-20"
    planned["items"][0]["preference"]["proof"]["date"] = "2027-03-09"
    r = client.post("/v1/assessments", json=planned, params={"date": "2027-03-12"})
    assert r.status_code == 200, r.text
    assert r.json()["exchange_rate"]["valid_from"] == "2027-03-01"
    with reading(node.engine) as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM declarations")).scalar() == before


# --- loading files -----------------------------------------------------------------------------


def versions(node) -> list[int]:
    with reading(node.engine) as conn:
        return list(conn.execute(sa.select(tariff_versions.c.id)).scalars())


def test_a_bad_tariff_file_changes_nothing(node):
    before = versions(node)
    schedule, _ = demo.tariff_files()
    import gzip

    text = gzip.decompress(schedule).decode().splitlines()
    text[10] = text[10].replace(",duty,", ",dutty,", 1)
    text[200] = "12345678,Nothing,,duty,,2024-01-01,,5,,,,"
    with pytest.raises(FileErrors) as exc:
        node.tariff.load_tariff("\n".join(text).encode(), source="bad.csv", actor="test")
    found = [str(e) for e in exc.value.errors]
    assert "line 11, measure: 'dutty' is not one of duty, vat, excise, export_duty" in found
    assert "line 201, code: 123456 is not an HS 2022 subheading" in found
    assert versions(node) == before


def test_a_new_version_becomes_active_and_the_previous_is_kept(node):
    before = versions(node)
    schedule, _ = demo.tariff_files()
    version, _ = node.tariff.load_tariff(schedule, source="demo-tariff.csv.gz", actor="test")
    assert versions(node) == [*before, version]
    with reading(node.engine) as conn:
        assert tariff_store.active_version(conn) == version
    assert node.tariff.schedule().version == version


def test_rates_that_change_published_rates_need_replace(node):
    base = "currency,valid_from,valid_to,rate\nBRL,2026-01-01,,1.30\n"
    node.tariff.load_rates(base.encode(), source="brl.csv", actor="test")
    with pytest.raises(RatesConflict):
        node.tariff.load_rates(base.replace("1.30", "1.31").encode(), source="x", actor="test")
    assert node.tariff.rate("BRL", dt.date(2026, 5, 1)).rate == Decimal("1.30")
    added, replaced = node.tariff.load_rates(
        base.replace("1.30", "1.31").encode(), source="x", actor="test", replace=True
    )
    assert (added, replaced) == (0, 1)
    assert node.tariff.rate("BRL", dt.date(2026, 5, 1)).rate == Decimal("1.31")
    with reading(node.engine) as conn:
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(exchange_rates)
            .where(exchange_rates.c.currency == "BRL")
        ).scalar()
    assert count == 1


def test_the_worked_example_of_the_docs(client):
    """docs/tariff.md works examples/import-measures.json out by hand: the node must agree."""
    import json
    from pathlib import Path

    doc = json.loads((Path(__file__).parents[2] / "examples" / "import-measures.json").read_text())
    r = client.post("/v1/assessments", json=doc, params={"date": "2026-11-20"})
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["totals"] == {
        "customs_value": "720000.00",
        "duty": "75750.00",
        "excise": "36050.00",
        "vat": "104084.00",
        "total": "215884.00",
        "duty_forgone": "3250.00",
    }
    assert [i["duty"]["amount"] for i in a["items"]] == [
        "1250.00",
        "8000.00",
        "10500.00",
        "4000.00",
        "7000.00",
        "45000.00",
    ]
    before = client.post("/v1/assessments", json=doc, params={"date": "2026-06-30"}).json()
    assert before["items"][5]["duty"]["amount"] == "75000.00"  # 25% before the change


def test_a_rate_inside_a_published_period_is_refused_until_that_period_is_shortened(node):
    base = "currency,valid_from,valid_to,rate\nCLP,2026-11-01,2026-11-30,0.0075\n"
    node.tariff.load_rates(base.encode(), source="clp.csv", actor="test")
    inside = "currency,valid_from,valid_to,rate\nCLP,2026-11-15,2026-11-20,0.0080\n"
    with pytest.raises(FileErrors) as exc:
        node.tariff.load_rates(inside.encode(), source="x", actor="test")
    assert "overlaps the rate from 2026-11-01 to 2026-11-30" in str(exc.value.errors[0])
    assert node.tariff.rate("CLP", dt.date(2026, 11, 21)).rate == Decimal("0.0075")
    # Shorten the published rate and add the new ones in one file.
    split = (
        "currency,valid_from,valid_to,rate\n"
        "CLP,2026-11-01,2026-11-14,0.0075\n"
        "CLP,2026-11-15,2026-11-20,0.0080\n"
        "CLP,2026-11-21,2026-11-30,0.0076\n"
    )
    node.tariff.load_rates(split.encode(), source="x", actor="test", replace=True)
    assert node.tariff.rate("CLP", dt.date(2026, 11, 17)).rate == Decimal("0.0080")
    assert node.tariff.rate("CLP", dt.date(2026, 11, 25)).rate == Decimal("0.0076")
