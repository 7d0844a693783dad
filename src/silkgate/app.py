"""The ASGI application: API, web console and OpenAPI, wired to one node."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.responses import RedirectResponse, Response

from silkgate import __version__
from silkgate.api import (
    certificates,
    declarations,
    docs,
    ecommerce,
    exchange,
    inspections,
    journal,
    lpco,
    openapi,
    origin,
    problems,
    risk,
    statistics,
    tariff,
    transit,
    verifications,
)
from silkgate.api.headers import SecurityHeaders
from silkgate.api.limits import BodySizeLimit
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.i18n.middleware import Language
from silkgate.node import Node
from silkgate.web import console


def create_app(settings: Settings | None = None, node: Node | None = None) -> FastAPI:
    """The application for ``settings`` (from the environment by default)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = node is None
        app.state.node = node or open_node(settings)
        # Deliver the outbox from this process while it serves (one process holds the lease).
        dispatching = settings.exchange_dispatch and app.state.node.dispatcher is None
        if dispatching:
            app.state.node.start_dispatcher()
        # The traders' webhooks, delivered by the process that opened the node.
        notifying = settings.portal_webhooks and owned
        if notifying:
            app.state.node.portal.notifier.start()
        app.state.node.start_sweeper()
        # Everything built so far (code lists, schemas, compiled statements)
        # lives as long as the process: keep it out of the collector's full
        # passes, which otherwise walk it again and again under load.
        gc.freeze()
        # A request allocates thousands of short-lived objects; collecting the
        # young generation every 700 allocations costs more than it frees.
        gc.set_threshold(50_000, 20, 100)
        try:
            yield
        finally:
            app.state.node.stop_sweeper()
            if dispatching:
                app.state.node.stop_dispatcher()
            if notifying:
                app.state.node.portal.notifier.stop()
            if owned:
                app.state.node.close()

    app = FastAPI(
        title="silkgate node",
        version=__version__,
        description=(
            "One electronic declaration per consignment: lodge, validate, decide, release; "
            "every step journaled. Errors are RFC 9457 problem documents."
        ),
        lifespan=lifespan,
        # /docs is served from the node's own copy of Swagger UI (api/docs.py); no ReDoc.
        docs_url=None,
        redoc_url=None,
    )
    if node is not None:
        app.state.node = node
    problems.install(app)
    for router in (
        declarations.router, tariff.router, origin.router, certificates.router,
        verifications.router, lpco.router, transit.router, risk.router,
        inspections.router, inspections.certificates, exchange.router, journal.router,
        ecommerce.router, statistics.router,
    ):  # fmt: skip
        app.include_router(router)
    console.install(app)
    openapi.install(app)
    docs.install(app)

    _health_and_root(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        larger=("/v1/ecommerce/", settings.ecommerce_max_bytes),
    )
    # Every answer in its user's language, the body-size refusals included.
    app.add_middleware(Language)
    # Outermost: every answer gets the headers, the body-size refusals included.
    app.add_middleware(SecurityHeaders)
    return app


def _health_and_root(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    def health() -> Response:
        return Response("ok", media_type="text/plain")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console")
