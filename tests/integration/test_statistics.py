"""Statistics kept as the work happens: they agree with a rebuild from the journal, the Time
Release Study read from them agrees with the one recomputed, and the trade tables publish."""

from __future__ import annotations

import copy
import datetime as dt

from silkgate.store import statistics as store
from silkgate.store import statistics_trade as trade_store
from silkgate.store.db import reading
from silkgate.trs.services import TrsService
from tests.integration.conftest import auth, settle


def _kept(node):
    with reading(node.engine) as conn:
        return (
            list(store.all_stages(conn)),
            store.all_sums(conn),
            store.all_study(conn),
            store.all_sketch(conn),
            trade_store.all_rows(conn),
        )


def _lodge(client, tokens, doc):
    r = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201, r.text
    return r.json()["mrn"]


def test_the_rebuild_agrees_exactly_with_the_figures_kept(client, tokens, node, declaration):
    green = _lodge(client, tokens, declaration)
    settle(client, tokens["officer.li"], green)  # released once paid
    other = copy.deepcopy(declaration)
    other["lrn"] += "B"
    other["transport"]["mode"] = 4
    amended = _lodge(client, tokens, other)
    other["transport"]["arrival_date"] = "2026-11-20"
    r = client.put(f"/v1/declarations/{amended}", json=other, headers=auth(tokens["acme-trading"]))
    assert r.status_code in (200, 201, 409), r.text
    kept = _kept(node)
    assert all(kept)
    counted = node.statistics.rebuild()
    assert counted["declarations"] == len(kept[0])
    assert _kept(node) == kept


def test_the_study_read_from_the_kept_figures_is_the_one_recomputed(client, tokens, node):
    today = dt.datetime.now(dt.UTC).date()
    since = today - dt.timedelta(days=400)
    for by in ("office", "channel", "mode"):
        kept = node.trs.report(since, today, by)
        assert kept.pop("percentiles") == "exact"
        again = node.trs.recomputed(since, today, by)
        assert kept == again, f"{by}\n{kept}\n{again}"
        assert kept["overall"]["declarations"] > 0


def test_beyond_the_exact_limit_the_percentiles_come_from_the_sketch(client, tokens, node):
    today = dt.datetime.now(dt.UTC).date()
    since = today - dt.timedelta(days=400)
    sketched = TrsService(node.engine, exact_up_to=0).report(since, today, "channel")
    exact = node.trs.report(since, today, "channel")
    assert sketched["percentiles"] == "within 0.5%"
    for name, group in [("all", exact["overall"]), *exact["groups"].items()]:
        other = sketched["overall"] if name == "all" else sketched["groups"][name]
        for figure in ("median_hours", "p90_hours"):
            if group[figure] is None:  # nothing released in the group
                assert other[figure] is None
                continue
            # 0.5 % of the value, and the study's rounding to 0.001 h.
            assert abs(other[figure] - group[figure]) <= group[figure] * 0.005 + 0.001
        assert other["mean_hours"] == group["mean_hours"]


def test_a_month_with_one_trader_is_suppressed_and_marked(client, tokens, node, declaration):
    mrn = _lodge(client, tokens, declaration)
    settle(client, tokens["officer.li"], mrn)
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    r = client.get("/v1/statistics/trade", params={"month": month, "by": "chapter"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["release"]["status"] == "provisional"
    assert body["cells"], body
    # The test node's imports are all one trader's: every cell is confidential.
    assert all(c["flag"] == "C" and c["value"] is None for c in body["cells"])
    assert body["total"]["value"] is None or len(body["cells"]) > 1
    assert "max-age" in r.headers["cache-control"] and r.headers["etag"]
    again = client.get(
        "/v1/statistics/trade",
        params={"month": month, "by": "chapter"},
        headers={"If-None-Match": r.headers["etag"]},
    )
    assert again.status_code == 304
    csv = client.get(
        "/v1/statistics/trade", params={"month": month, "by": "chapter", "format": "csv"}
    )
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("chapter,")
    bad = client.get("/v1/statistics/trade", params={"month": "2026-13", "by": "chapter"})
    assert bad.status_code == 422 and "/month" in bad.text


def test_a_month_is_closed_then_revised_saying_what_changed(client, tokens, node, declaration):
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    analyst = auth(tokens["analyst.zhao"])
    refused = client.post(
        f"/v1/statistics/trade/{month}/close", headers=auth(tokens["acme-trading"])
    )
    assert refused.status_code == 403
    first = client.post(f"/v1/statistics/trade/{month}/close", headers=analyst)
    assert first.status_code == 201, first.text
    version = first.json()["version"]
    table = client.get("/v1/statistics/trade", params={"month": month}).json()
    assert table["release"]["version"] == version
    assert table["release"]["status"] == ("final" if version == 1 else "revised")
    other = copy.deepcopy(declaration)
    other["items"][0]["origin"] = "NZ"
    other["items"][0].pop("preference", None)
    settle(client, tokens["officer.li"], _lodge(client, tokens, other))
    second = client.post(f"/v1/statistics/trade/{month}/close", headers=analyst).json()
    assert second["version"] == version + 1
    changed = {c["cell"] for c in second["changes"]}
    assert any(c.startswith("M/") and c.endswith("/NZ") for c in changed), changed
    listed = client.get(f"/v1/statistics/trade/{month}/releases").json()["releases"]
    assert [r["version"] for r in listed][-2:] == [version, version + 1]
    page = client.get("/console/statistics", params={"month": month})
    assert page.status_code == 200 and 'id="trend"' in page.text
    assert "revised" in page.text.lower() or "Revised" in page.text
