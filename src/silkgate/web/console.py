"""The web console under ``/console``: its pages, one module per use case.

Pages reuse the same services as the API, with the same access rules; who is
logged in comes from the session cookie (:mod:`silkgate.web.session`), and how a
refused form is answered is decided once for every console route
(:mod:`silkgate.web.routing`).
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from silkgate.web import (
    amendments,
    certificates,
    declarations,
    ecommerce,
    exchange,
    inspections,
    language,
    login,
    lpco,
    origin,
    outcomes,
    portal,
    portal_payments,
    portal_questions,
    risk,
    statistics,
    tariff,
    transit,
    trs,
    verifications,
)

# The modules whose routers make the console (``silkgate.api.roles.CONSOLE`` lists their pages).
# Amendments, outcomes and the portal's forms come before the declarations' pages: their
# ``/declarations/{mrn}/{action}`` takes any form posted under a declaration that is
# not routed first.
MODULES = (
    login, language, amendments, outcomes, portal, portal_questions, portal_payments,
    declarations, trs, tariff, lpco, origin, certificates, verifications, risk, inspections,
    exchange, ecommerce, statistics, transit,
)  # fmt: skip


def install(app: FastAPI) -> None:
    """Serve the console's static files and pages on ``app``."""
    app.mount(
        "/console/static",
        StaticFiles(directory=str(files("silkgate.web") / "static")),
        name="console-static",
    )
    for pages in MODULES:
        app.include_router(pages.router)
