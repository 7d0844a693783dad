"""The origin calculator in the console: a product and its bill of materials, the verdict, why.

Public, like the tariff: an exporter checks a product before applying for a
certificate of origin. The bill of materials is pasted as JSON (the
materials, or the whole request as the API takes it) or entered as rows;
nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from silkgate.kernel.errors import InvalidRequest, invalid
from silkgate.origin.services import RulesNotLoaded
from silkgate.web.pages import node_of, render, today
from silkgate.web.routing import console_router
from silkgate.web.session import OptionalPrincipal

router = console_router()

ROWS = 8  # material rows on the form (more: paste the bill as JSON)
_ROW_FIELDS = ("description", "hs", "origin", "amount", "currency")


def _context(request: Request, form: dict[str, Any]) -> dict[str, Any]:
    node = node_of(request)
    context: dict[str, Any] = {"form": form, "rows": ROWS, "errors": [], "agreements": []}
    try:
        context["agreements"] = [a["code"] for a in node.origin.describe()["agreements"]]
    except RulesNotLoaded as exc:
        context["error"] = str(exc)
    return context


@router.get("/origin")
async def origin_page(request: Request, principal: OptionalPrincipal) -> Response:
    """The calculator's form; no login needed."""
    node = node_of(request)
    form = {"agreement": "ACFTA", "date": today(node).isoformat(), "direct_consignment": "on"}
    context = await run_in_threadpool(_context, request, form)
    return render(request, "origin.html", principal, **context)


@router.post("/origin")
async def origin_determine(request: Request, principal: OptionalPrincipal) -> Response:
    """Determine the origin of the product on the form, and show the result on the page."""
    posted = await request.form()
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    node = node_of(request)

    def work() -> dict[str, Any]:
        context = _context(request, form)
        try:
            raw = request_of(posted)
            context["result"] = node.origin.determine(raw).as_json()
        except InvalidRequest as exc:
            context["errors"] = [e.as_dict() for e in exc.errors]
        except RulesNotLoaded as exc:
            context["error"] = str(exc)
        return context

    context = await run_in_threadpool(work)
    status = 422 if context["errors"] else 200
    return render(request, "origin.html", principal, status=status, **context)


def request_of(form: FormData) -> Any:
    """The API's request body from the form: the pasted JSON, else the fields and rows."""
    pasted = str(form.get("bill") or "").strip()
    if pasted:
        try:
            bill = json.loads(pasted)
        except json.JSONDecodeError as exc:
            raise invalid("/bill", "malformed_json", f"is not JSON: {exc}") from None
        if isinstance(bill, dict) and "product" in bill:
            return bill  # the whole request, as the API takes it
    else:
        bill = [row for i in range(ROWS) if (row := _row(form, i)) is not None]
    return {
        "agreement": _text(form, "agreement"),
        "exporting_country": _text(form, "exporting_country").upper(),
        "date": _text(form, "date") or None,
        "product": {
            "hs": _text(form, "hs"),
            "description": _text(form, "description"),
            "fob": {
                "amount": _text(form, "fob_amount"),
                "currency": _text(form, "fob_currency").upper(),
            },
        },
        "materials": bill,
        "processes": [p.strip() for p in _text(form, "processes").split(",") if p.strip()],
        "wholly_obtained": form.get("wholly_obtained") == "on",
        "direct_consignment": form.get("direct_consignment") == "on",
    }


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def _row(form: FormData, i: int) -> dict[str, Any] | None:
    values = {f: _text(form, f"m{i}_{f}") for f in _ROW_FIELDS}
    if not any(values.values()):
        return None
    return {
        "description": values["description"],
        "hs": values["hs"] or None,
        "origin": values["origin"].upper() or None,
        "originating": form.get(f"m{i}_originating") == "on",
        "value": {"amount": values["amount"], "currency": values["currency"].upper()},
    }
