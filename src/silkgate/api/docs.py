"""``/docs``: Swagger UI for the node's OpenAPI document, served from the node itself.

Its script and style come from the ``swagger-ui-bundle`` package, mounted at
``/docs/static``: the page works offline and loads nothing from elsewhere. The
one inline script (FastAPI's call of ``SwaggerUIBundle``) runs under a nonce
fresh for each answer, so the page's Content-Security-Policy admits no other
inline script. ReDoc is not served.

The bundled Swagger UI (4.15) reads OpenAPI 3.0 only, and the node's document
(``/openapi.json``) is OpenAPI 3.1. The page therefore reads
``/docs/openapi.json``: the same document written in 3.0's terms (a nullable
type as ``nullable: true``, numeric exclusive bounds as booleans, a schema's
``examples`` as one ``example``). ``/openapi.json`` stays the reference.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs/static"
DOCUMENT = "/docs/openapi.json"

_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def install(app: FastAPI) -> None:
    """Serve Swagger UI's files and the ``/docs`` page on ``app``."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-static")
    page = get_swagger_ui_html(
        openapi_url=DOCUMENT,
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

    document: list[bytes] = []  # built at the first request, once every route is there

    @app.get(DOCUMENT, include_in_schema=False)
    def openapi_30() -> Response:
        if not document:
            document.append(orjson.dumps(as_openapi_30(app.openapi())))
        return Response(document[0], media_type="application/json")


def as_openapi_30(spec: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.1 document as OpenAPI 3.0 says the same (for Swagger UI 4)."""
    converted: dict[str, Any] = _as_30(spec)
    converted["openapi"] = "3.0.3"
    return converted


def _as_30(node: Any) -> Any:
    if isinstance(node, list):
        return [_as_30(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_30(v) for k, v in node.items()}
    for bound, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), int | float) and not isinstance(out[bound], bool):
            out[inclusive], out[bound] = out[bound], True
    if isinstance(out.get("examples"), list):  # a schema's examples (not a media type's map)
        examples = out.pop("examples")
        if examples:
            out.setdefault("example", examples[0])
    branches = out.get("anyOf")
    if isinstance(branches, list) and {"type": "null"} in branches:
        others = [b for b in branches if b != {"type": "null"}]
        del out["anyOf"]
        if len(others) == 1 and "$ref" not in others[0]:
            out = {**others[0], **out}
        elif len(others) == 1:
            out["allOf"] = others  # 3.0 allows nothing beside a $ref
        else:
            out["anyOf"] = others
        out["nullable"] = True
    return out
