"""The administration's e-commerce terms: consumer limits, the reduced tax, the waiting
time of the lists, returns and the risk threshold, read from a TOML file.

The file shipped (``files/ecommerce-terms.toml``) holds China's defaults; a node
may be given another (``SILKGATE_ECOMMERCE_TERMS``), so a change of the rules is a
data change. A file that is not valid is refused with what is wrong, by key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import Any

HUNDRED = Decimal(100)


class InvalidTerms(ValueError):
    """The terms file is not valid; the message names the key."""


@dataclass(frozen=True)
class Terms:
    limit_currency: str
    per_transaction: Decimal
    per_year: Decimal  # 0: no annual limit
    duty_share: Decimal  # of the normal amount: 0.70 for 70 %
    excise_share: Decimal
    vat_share: Decimal
    complete_within_hours: int
    waybill_requires_order: bool
    return_days: int
    score_threshold: Decimal
    # The parcels' own inspection budget for the risk model: at most this share (0.01 for
    # 1 %) of recent parcels, those it scores highest, are held for inspection.
    model_share: Decimal = Decimal("0.01")


def _decimal(
    data: dict[str, Any], section: str, key: str, *, most: Decimal | None = None
) -> Decimal:
    raw = data.get(section, {}).get(key)
    try:
        value = Decimal(str(raw)) if isinstance(raw, (str, int)) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or (most is not None and value > most):
        bound = f" and at most {most}" if most is not None else ""
        raise InvalidTerms(f"[{section}] {key} must be a number of 0 or more{bound}, as a string")
    return value


def _whole(data: dict[str, Any], section: str, key: str) -> int:
    raw = data.get(section, {}).get(key)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 10_000:
        raise InvalidTerms(f"[{section}] {key} must be a whole number from 1 to 10000")
    return raw


def parse(text: str) -> Terms:
    """The terms in ``text`` (TOML), or :class:`InvalidTerms`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidTerms(f"not TOML: {exc}") from None
    currency = data.get("limits", {}).get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise InvalidTerms("[limits] currency must be a 3-letter ISO 4217 code, e.g. CNY")
    requires = data.get("lists", {}).get("waybill_requires_order", True)
    if not isinstance(requires, bool):
        raise InvalidTerms("[lists] waybill_requires_order must be true or false")
    return Terms(
        limit_currency=currency,
        per_transaction=_decimal(data, "limits", "per_transaction"),
        per_year=_decimal(data, "limits", "per_year"),
        duty_share=_decimal(data, "tax", "duty_percent", most=HUNDRED) / HUNDRED,
        excise_share=_decimal(data, "tax", "excise_percent", most=HUNDRED) / HUNDRED,
        vat_share=_decimal(data, "tax", "vat_percent", most=HUNDRED) / HUNDRED,
        complete_within_hours=_whole(data, "lists", "complete_within_hours"),
        waybill_requires_order=requires,
        return_days=_whole(data, "returns", "within_days"),
        score_threshold=_decimal(data, "risk", "score_threshold"),
        model_share=_decimal(
            {"risk": {"model_percent": "1", **data.get("risk", {})}},
            "risk", "model_percent", most=HUNDRED,
        ) / HUNDRED,
    )  # fmt: skip


def default_text() -> str:
    """The terms shipped with silkgate (China's)."""
    return (files("silkgate.ecommerce") / "files" / "ecommerce-terms.toml").read_text()


def load(path: str | None = None) -> Terms:
    """The terms of the file at ``path``, or those shipped when None."""
    if path is None:
        return parse(default_text())
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read())
