"""The console's layout, measured in headless Chromium: what a person sees lines up.

Each check measures the rendered page (bounding boxes, line boxes), at a
laptop's width where long reasons squeeze the tables.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.test_console import lodge, log_in
from tests.e2e.test_console_decisions import shot

pytestmark = pytest.mark.browser


@pytest.fixture
def yellow(live_node, tokens, declaration):
    """A declaration selectivity sends to yellow (a profile on its exporter), and its MRN."""
    exporter = f"Exporter {uuid.uuid4().hex[:8]} (test)"
    analyst = {"Authorization": f"Bearer {tokens['analyst.zhao']}"}
    r = httpx.post(
        f"{live_node}/v1/risk/profiles",
        json={
            "name": f"l-{exporter}",
            "condition": f'declaration.exporter == "{exporter}"',
            "effect": "yellow",
        },
        headers=analyst,
        timeout=10,
    )
    assert r.status_code == 201, r.text
    declaration["exporter"]["name"] = exporter
    yield lodge(live_node, tokens["acme-trading"], declaration)
    httpx.delete(f"{live_node}/v1/risk/profiles/l-{exporter}", headers=analyst, timeout=10)


def test_the_list_shows_the_channel_and_the_declarants_name(page, tokens, yellow, tmp_path):
    page.set_viewport_size({"width": 1100, "height": 900})
    log_in(page, tokens["officer.li"])
    headings = [t.strip() for t in page.locator("#declarations thead th").all_text_contents()]
    assert "Channel" in headings and "Declarant" in headings
    row = page.locator("#rows tr", has=page.get_by_role("link", name=yellow))
    expect(row.locator(".channel")).to_have_text("yellow")
    expect(row).to_contain_text("Shanghai Acme Trading Co. (demo)")
    expect(row).to_contain_text("48,250.00 USD")
    shot(page, tmp_path, "list")


def test_a_declarations_page_lines_up(page, tokens, yellow, tmp_path):
    page.set_viewport_size({"width": 1000, "height": 900})
    log_in(page, tokens["officer.li"])
    page.goto(f"/console/declarations/{yellow}")
    # A long reason in the timeline squeezes its other columns.
    hold = page.locator("form[action$='/hold']")
    hold.locator("input[name=reason]").fill("check the Form E with the exporting side; " * 12)
    hold.get_by_role("button", name="Hold").click()
    expect(page.locator("#status")).to_have_text("held")

    # Each outcome checkbox sits on the line of its label, at its start.
    for name in ("fraud", "critical"):
        box = page.locator(f"#outcome-form input[name={name}]")
        check, label = box.bounding_box(), box.locator("xpath=..").bounding_box()
        assert check and label
        middle = lambda b: b["y"] + b["height"] / 2  # noqa: E731
        assert abs(middle(check) - middle(label)) < 4, (check, label)
        assert label["height"] < 2 * check["height"] + 6, (check, label)
        assert check["x"] - label["x"] < 8  # its default margin only

    # The action buttons form one column of one width.
    buttons = page.locator("#actions .action > button, #actions .action > a.button")
    boxes = [b for b in (buttons.nth(i).bounding_box() for i in range(buttons.count())) if b]
    assert len(boxes) >= 3
    assert len({round(b["x"]) for b in boxes}) == 1
    assert len({round(b["width"]) for b in boxes}) == 1

    # A timeline date is one line, however long the reasons beside it.
    dates = page.locator("#timeline time.when")
    assert dates.count() >= 4
    for i in range(dates.count()):
        lines, height, line_height = dates.nth(i).evaluate(
            "e => [e.getClientRects().length, e.getBoundingClientRect().height,"
            " parseFloat(getComputedStyle(e).lineHeight)]"
        )
        assert lines == 1 and height < 1.5 * line_height, (i, lines, height, line_height)

    # Counts in their plural forms, money grouped with its currency.
    expect(page.locator("#timeline")).to_contain_text("joint inspection (customs), 1 check at")
    expect(page.locator("main")).to_contain_text("2 items, 1800 packages")
    total = page.locator("#assessed-total").inner_text().strip()
    assert re.fullmatch(r"\d{1,3}(,\d{3})+\.\d{2} CNY", total), total
    expect(page.locator("#items")).to_contain_text("40,500.00 USD")
    shot(page, tmp_path, "declaration")


def test_the_risk_page_shows_no_raw_markup(page, tokens, tmp_path):
    log_in(page, tokens["analyst.zhao"])
    page.goto("/console/risk")
    expect(page.locator("main")).not_to_contain_text("`")
    shot(page, tmp_path, "risk")
