"""End-to-end fixtures: a real node process, and real headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from silkgate.config import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SILKGATE = str(Path(sys.executable).parent / "silkgate")


def node_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "SILKGATE_MODE": "test",
        "SILKGATE_DATABASE_URL": settings.database_url,
        "SILKGATE_SECRET_KEY": settings.secret_key,
        "SILKGATE_ADMINISTRATION": settings.administration,
        "SILKGATE_TIMEZONE": settings.timezone,
        # The session's node has test partners that no process answers for.
        "SILKGATE_EXCHANGE_DISPATCH": "false",
        # The commands speak English whatever the machine's LANG (a test may ask for another).
        "SILKGATE_LANG": "en",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(proc: subprocess.Popen, url: str, timeout: float = 30) -> None:
    """Wait for ``url``/healthz to answer; fail with the node's output if it does not."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"the node at {url} did not start")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def live_node(settings: Settings, prepared: dict[str, str], tmp_path_factory) -> Iterator[str]:
    """The base URL of a `silkgate serve` process on the session's database."""
    port = free_port()
    log = tmp_path_factory.mktemp("node") / "node.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [SILKGATE, "serve", "--port", str(port)],
            env=node_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, url)
    except BaseException:
        print(log.read_text())
        raise
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_node):
    context = browser.new_context(base_url=live_node)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def run_cli(
    settings: Settings,
    *args: str,
    token: str | None = None,
    node: str | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    env = node_env(settings)
    env["COLUMNS"] = "200"
    if token:
        env["SILKGATE_TOKEN"] = token
    if node:
        env["SILKGATE_NODE_URL"] = node
    return subprocess.run(
        [SILKGATE, *args], env=env, capture_output=True, text=True, timeout=60, input=stdin
    )
