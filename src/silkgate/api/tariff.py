"""The published tariff, exchange rates and the duty calculator: public, no token needed.

Anyone (a trader, a journalist, a partner administration) can check the
measures in force for a commodity on a date, the customs exchange rates, and
what a declaration would cost, as the node itself would assess it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body
from silkgate.api.deps import NodeDep
from silkgate.api.params import HS_PREFIX, CheckedRoute, IsoDate
from silkgate.api.problems import PROBLEM, Problem
from silkgate.api.schemas import reference as out
from silkgate.api.schemas.base import answer, schema_of
from silkgate.api.schemas.declarations import Assessment
from silkgate.declarations.document import DraftDeclaration
from silkgate.declarations.validation import validate_draft
from silkgate.kernel.errors import FieldError, InvalidRequest
from silkgate.kernel.wording import quote
from silkgate.tariff.rates import MissingRate

router = APIRouter(tags=["tariff"], route_class=CheckedRoute)

DateQuery = Annotated[
    IsoDate | None, Query(description="The date the measures apply on (default: today)")
]


def _json(payload: Any, status: int = 200) -> Response:
    return Response(
        orjson.dumps(payload),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=60"},
    )


def _today(node: NodeDep) -> dt.date:
    return node.declarations.today(node.declarations.clock())


@router.get("/v1/tariff", responses={200: answer(out.TariffInfo), 503: PROBLEM})
def tariff_info(node: NodeDep) -> Response:
    """The tariff schedule in force on this node."""
    schedule = node.tariff.schedule()
    return _json({**node.tariff.describe(schedule), "lines": len(schedule)})


@router.get(
    "/v1/tariff/search",
    responses={200: answer(out.TariffSearch), 422: PROBLEM, 503: PROBLEM},
)
def tariff_search(
    node: NodeDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words to look for")],
    date: DateQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Tariff lines whose description (or heading, or chapter) contains every word."""
    return _json(node.tariff.search(q, date or _today(node), limit))


@router.get(
    "/v1/tariff/{code}",
    responses={200: answer(out.TariffLines), 404: PROBLEM, 422: PROBLEM, 503: PROBLEM},
)
def tariff_line(
    node: NodeDep,
    code: Annotated[
        str,
        Path(description="A chapter, heading, subheading or national line (2 to 10 digits)"),
    ],
    date: DateQuery = None,
) -> Response:
    """The lines under ``code`` and their measures in force on ``date``, with the HS path."""
    if not (code.isdigit() and code.isascii() and 2 <= len(code) <= 10 and len(code) % 2 == 0):
        raise InvalidRequest(
            [
                FieldError(
                    "/code",
                    "malformed_hs_code",
                    f"{quote(code)} is not an HS code: send a chapter, heading, subheading "
                    "or national line of 2, 4, 6, 8 or 10 digits, e.g. 0810",
                    "path",
                )
            ]
        )
    found = node.tariff.lookup(code, date or _today(node))
    if found is None:
        raise Problem(
            404,
            "Not found",
            f"there is no chapter, heading or line {code} in the tariff",
            kind="not-found",
        )
    return _json(found)


@router.get(
    "/v1/exchange-rates",
    responses={200: answer(out.ExchangeRates), 404: PROBLEM, 422: PROBLEM},
)
def exchange_rates(
    node: NodeDep,
    date: DateQuery = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> Response:
    """The customs exchange rates in force on ``date`` (national currency per unit)."""
    on = date or _today(node)
    rates = node.tariff.rates()
    wanted = [currency] if currency else rates.currencies()
    found = []
    for code in wanted:
        try:
            found.append(rates.rate(code, on).as_json())
        except MissingRate as exc:
            if currency:
                raise Problem(404, "Not found", str(exc), kind="not-found") from None
    return _json({"date": on.isoformat(), "national_currency": rates.national, "rates": found})


@router.get("/v1/sps/requirements", responses={200: answer(out.SpsRequirements), 422: PROBLEM})
def sps_requirements(
    node: NodeDep,
    hs_code: Annotated[str, Query(pattern=HS_PREFIX, description="HS code or prefix")],
    origin: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    date: DateQuery = None,
) -> Response:
    """The published SPS (quarantine) requirements for goods of ``hs_code`` from ``origin``."""
    on = date or _today(node)
    return _json(
        {
            "hs_code": hs_code,
            "origin": origin,
            "date": on.isoformat(),
            "requirements": node.sps.lookup(hs_code, origin, on),
        }
    )


@router.get("/v1/trs", responses={200: answer(out.TimeReleaseStudy), 422: PROBLEM})
def time_release_study(
    node: NodeDep,
    since: Annotated[
        IsoDate | None, Query(alias="from", description="Default: 30 days ago")
    ] = None,
    until: Annotated[IsoDate | None, Query(alias="to", description="Default: today")] = None,
    by: Annotated[str, Query(pattern="^(office|channel|mode)$")] = "channel",
) -> Response:
    """The Time Release Study of imports lodged in a period (public, as the WCO recommends)."""
    end = until or _today(node)
    if not _FIRST_DAY <= end <= _LAST_DAY:
        raise InvalidRequest([FieldError("/to", "out_of_range", _CALENDAR, "query")])
    start = since or end - dt.timedelta(days=30)
    if start > end or (end - start).days > 366:
        raise InvalidRequest(
            [
                FieldError(
                    "/from", "invalid", "must be before to, and at most a year before it", "query"
                )
            ]
        )
    return _json(node.trs.report(start, end, by))


# A period of the study must be one the calendar can move around in (30 days back, one ahead).
_FIRST_DAY = dt.date(1900, 1, 1)
_LAST_DAY = dt.date(9998, 12, 31)
_CALENDAR = f"must be between {_FIRST_DAY} and {_LAST_DAY}"


@router.post(
    "/v1/assessments",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema_of(DraftDeclaration)}},
        }
    },
    responses={
        200: answer(Assessment, "The assessment, as the node would make it"),
        400: PROBLEM,
        422: PROBLEM,
        503: PROBLEM,
    },
)
async def calculate(
    request: Request,
    node: NodeDep,
    date: DateQuery = None,
) -> Response:
    """The duty calculator: assess a declaration without lodging it (nothing is stored).

    The body is a declaration, checked as lodging checks it, except that the
    LRN and the declarant may be left out.
    """
    raw, body = await json_body(request)  # the same body rules as lodging
    on = date or _today(node)

    def work() -> dict[str, Any]:
        # Dates in the declaration are checked as of the later of today and the day
        # it is priced for, so a trader can price a shipment planned for next month.
        doc = validate_draft(raw, node.codes, max(on, _today(node)), body=body)
        return node.tariff.assess(doc, on).as_json()

    return Response(orjson.dumps(await run_in_threadpool(work)), media_type="application/json")
