"""The single window in real headless Chromium: an agency's licence, drawn down and revoked.

A node process of its own (its database has the illustrative LPCO requirements,
which would reach the session's other lodgings): SQLite, or PostgreSQL with
``SILKGATE_TEST_DATABASE_URL``. The chemicals agency issues an import licence for
1,000 kg of lithium batteries on its console; two declarations of 600 kg are
lodged at once and only one draws it; the agency revokes the licence while that
import waits, and the customs officer's page says why it is under control. The
public page says which licences batteries need.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from silkgate.config import Settings
from tests.conftest import SECRET, _postgres_database
from tests.e2e.conftest import SILKGATE, free_port, node_env, wait_until_up
from tests.e2e.test_console import log_in
from tests.lpco_helpers import ACME, batteries, prepare_single_window

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def single_window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The URL of a `silkgate serve` process with the LPCO requirements, and the tokens."""
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    folder = tmp_path_factory.mktemp("single-window")
    urls = _postgres_database(base) if base else iter([f"sqlite:///{folder / 'sw.db'}"])
    database = next(urls)
    settings = Settings(mode="test", database_url=database, secret_key=SECRET)
    tokens = prepare_single_window(settings)
    port = free_port()
    with open(folder / "node.log", "wb") as out:
        proc = subprocess.Popen(
            [SILKGATE, "serve", "--port", str(port)],
            env=node_env(settings), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, url)
        yield url, tokens
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for _ in urls:  # drops the PostgreSQL database
            pass


@pytest.fixture
def console(browser, single_window) -> Iterator[Any]:
    url, tokens = single_window
    contexts = []

    def open_as(user: str | None) -> Page:
        context = browser.new_context(base_url=url)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        if user is not None:
            log_in(pg, tokens[user])
            expect(pg).not_to_have_url(re.compile("/console/login"))
        return pg

    yield open_as
    for context in contexts:
        context.close()


def _lodge(url: str, token: str, doc: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(
        f"{url}/v1/declarations", json=doc, headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def test_a_licence_issued_drawn_once_and_revoked_mid_clearance(single_window, console) -> None:
    url, tokens = single_window
    agency = console("agency.chem")
    expect(agency).to_have_url(re.compile("/console/lpcos$"))
    form = agency.locator("#issue-form")
    form.locator("select[name=kind]").select_option("import_licence")
    form.locator("input[name=holder]").fill(ACME)
    form.locator("input[name=holder_name]").fill("Shanghai Acme Trading Co. (demo)")
    form.locator("input[name=hs]").fill("850760")
    form.locator("input[name=description]").fill("Lithium-ion batteries")
    form.locator("input[name=quantity]").fill("1000")
    form.locator("input[name=unit]").fill("KGM")
    form.locator("button[type=submit]").click()
    expect(agency.get_by_role("status")).to_contain_text("Issued: CHEM-")
    number = agency.locator("h1").inner_text().split()[-1]
    expect(agency.locator("#lpco-balance")).to_have_text("1000")

    # Two declarations of 600 kg lodged at once: only one draws the licence.
    docs = [batteries("600", number) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        lodged = list(pool.map(lambda d: _lodge(url, tokens["acme-trading"], d), docs))
    assert sorted(d["status"] for d in lodged) == ["lodged", "under_control"]
    drawn = next(d for d in lodged if d["status"] == "lodged")
    agency.reload()
    expect(agency.locator("#lpco-balance")).to_have_text("400")
    expect(agency.locator("#drawdowns tr.live")).to_have_count(1)
    expect(agency.locator("#drawdowns")).to_contain_text(drawn["mrn"])

    # The other one waits under control: the officer sees the balance was short.
    officer = console("officer.li")
    held = next(d for d in lodged if d["status"] == "under_control")
    officer.goto(f"/console/declarations/{held['mrn']}")
    expect(officer.locator("#lpcos")).to_contain_text("insufficient")

    # The agency revokes the licence while the first import waits for its duties.
    agency.locator("#revoke-form input[name=reason]").fill("storage found unsafe")
    agency.locator("#revoke-form button").click()
    expect(agency.locator("#lpco-status")).to_have_text("revoked")
    officer.goto(f"/console/declarations/{drawn['mrn']}")
    expect(officer.locator("#lpcos")).to_contain_text("revoked")
    expect(officer.locator("body")).to_contain_text(f"{number} was revoked by CHEM")
    expect(officer.locator("body")).to_contain_text("under control")


def test_another_agency_reads_nothing_of_it(single_window, console) -> None:
    url, tokens = single_window
    radio = console("agency.radio")
    expect(radio.locator("#lpcos")).not_to_contain_text("CHEM-")
    r = httpx.get(f"{url}/v1/lpcos", headers={"Authorization": f"Bearer {tokens['agency.radio']}"})
    assert all(item["agency"] == "RADIO" for item in r.json()["items"])


def test_anyone_looks_up_which_licences_goods_need(console) -> None:
    public = console(None)
    public.goto("/console/tariff")
    public.get_by_role("link", name="Licences needed").click()
    public.locator("#requirements-form input[name=hs]").fill("85076000")
    public.locator("#requirements-form button").click()
    table = public.locator("#requirements")
    expect(table).to_contain_text("import licence")
    expect(table).to_contain_text("CHEM")
    expect(table).to_contain_text("hold")
    public.locator("#requirements-form input[name=hs]").fill("0301")
    public.locator("#requirements-form button").click()
    expect(table).to_contain_text("permit")
    expect(table).to_contain_text("CITES")


def test_an_examining_agency_records_its_checks_and_release_waits_for_it(
    single_window, console
) -> None:
    """An import licence with an examination condition: the goods go under control, the
    agency records its checks on its Examinations page, customs sees them beside its own."""
    url, tokens = single_window
    agency = console("agency.chem")
    if agency.locator("#issue").get_attribute("open") is None:  # folded once it has LPCOs
        agency.locator("#issue summary").click()
    form = agency.locator("#issue-form")
    form.locator("select[name=kind]").select_option("import_licence")
    form.locator("input[name=holder]").fill(ACME)
    form.locator("input[name=holder_name]").fill("Shanghai Acme Trading Co. (demo)")
    form.locator("input[name=hs]").fill("850760")
    form.locator("input[name=description]").fill("Lithium-ion batteries")
    form.locator("input[name=quantity]").fill("500")
    form.locator("input[name=unit]").fill("KGM")
    form.locator("input[name=examine]").check()
    form.locator("button[type=submit]").click()
    expect(agency.locator("#examine")).to_contain_text("examines the goods")
    number = agency.locator("h1").inner_text().split()[-1]
    lodged = _lodge(url, tokens["acme-trading"], batteries("200", number))
    assert lodged["status"] == "under_control"

    agency.get_by_role("link", name="Examinations").click()
    task = agency.locator("section.examination").filter(has_text=lodged["mrn"])
    expect(task).to_contain_text(f"CHEM: the goods are those {number} covers")
    expect(task).not_to_contain_text("Packages, mass and quantities")  # customs' own
    task.locator("form.check-form button").first.click()
    expect(agency.get_by_role("status")).to_contain_text("Recorded")
    task = agency.locator("section.examination").filter(has_text=lodged["mrn"])
    expect(task).to_contain_text("compliant")

    officer = console("officer.li")
    officer.goto(f"/console/declarations/{lodged['mrn']}")
    checks = officer.locator("#checks")
    expect(checks).to_contain_text("CHEM")
    expect(checks).to_contain_text("agency.chem")
