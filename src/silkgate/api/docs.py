"""``/docs``: Swagger UI for the node's OpenAPI document, served from the node itself.

Its script and style come from the ``swagger-ui-bundle`` package, mounted at
``/docs/static``: the page works offline and loads nothing from elsewhere. The
one inline script (FastAPI's call of ``SwaggerUIBundle``) runs under a nonce
fresh for each answer, so the page's Content-Security-Policy admits no other
inline script. ReDoc is not served.
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs/static"

_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def install(app: FastAPI) -> None:
    """Serve Swagger UI's files and the ``/docs`` page on ``app``."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        # No badge fetched from the public validator: nothing leaves the node.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode()
    if html.count("<script>") != 1:
        raise RuntimeError("Swagger UI's page no longer has one inline script to put a nonce on")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        return HTMLResponse(
            html.replace("<script>", f'<script nonce="{nonce}">'),
            headers={"Content-Security-Policy": _POLICY.format(nonce=nonce)},
        )
