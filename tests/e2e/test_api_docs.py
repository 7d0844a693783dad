"""``/docs`` in headless Chromium: Swagger UI from the node alone, under its policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_work_with_nothing_but_the_node(page, live_node):
    elsewhere: list[str] = []
    problems: list[str] = []

    def only_the_node(route):
        if route.request.url.startswith(live_node):
            route.continue_()
        else:  # offline: nothing outside the node answers
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_node)
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" or "Refused" in m.text else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("silkgate node")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/v1/declarations")
    assert elsewhere == []
    assert problems == []
