"""The three-list check: do the order, the payment, the waybill and the declaration list
entry of a parcel tell the same story?

Each record is read as stored (``bodies``: the record's JSON with the identity
numbers replaced by their keyed hashes, :mod:`silkgate.ecommerce.intake`). The
check compares:

* **amounts**: the list's goods, freight and insurance add up to the order's
  total, the payment pays that total, all in the same currency;
* **consumer and payer**: the list names the order's consumer (name and identity),
  and the payer is the consumer;
* **goods**: the list declares the order's goods, line by line (SKU, quantity,
  unit price);
* **waybill**: the list names the waybill that carries the order, addressed to the
  consumer.

Every disagreement is a reason (a stable code and a sentence); a parcel with none
passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Body = dict[str, Any]


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


def goods_total(goods: list[Body]) -> Decimal:
    return sum((Decimal(g["unit_price"]) * g["quantity"] for g in goods), Decimal(0))


def declared_value(entry: Body) -> Decimal:
    """The parcel's value as the list declares it: goods, freight and insurance."""
    return goods_total(entry["goods"]) + Decimal(entry["freight"]) + Decimal(entry["insurance"])


def _same_person(a: Body, b: Body) -> bool:
    return bool(a["id_hash"] == b["id_hash"] and a["name"].casefold() == b["name"].casefold())


def _amounts(order: Body, payment: Body, entry: Body) -> list[Reason]:
    reasons = []
    currencies = {order["currency"], payment["currency"], entry["currency"]}
    if len(currencies) > 1:
        reasons.append(
            Reason(
                "currency_mismatch",
                f"order in {order['currency']}, payment in {payment['currency']}, "
                f"list in {entry['currency']}",
            )
        )
    total = Decimal(order["total"])
    ordered = goods_total(order["goods"]) + Decimal(order["freight"]) + Decimal(order["insurance"])
    if ordered != total:
        reasons.append(
            Reason("order_total_mismatch", f"the order's lines add up to {ordered}, not {total}")
        )
    if Decimal(payment["amount"]) != total:
        reasons.append(
            Reason(
                "payment_amount_mismatch",
                f"the payment is {payment['amount']}, the order's total {order['total']}",
            )
        )
    declared = declared_value(entry)
    if declared != total:
        reasons.append(
            Reason(
                "declared_value_mismatch",
                f"the list declares {declared}, the order's total is {order['total']}",
            )
        )
    return reasons


def _goods(order: Body, entry: Body) -> list[Reason]:
    ordered = [(g["sku"], g["quantity"], Decimal(g["unit_price"])) for g in order["goods"]]
    listed = [(g["sku"], g["quantity"], Decimal(g["unit_price"])) for g in entry["goods"]]
    if ordered == listed:
        return []
    return [
        Reason(
            "goods_mismatch",
            "the list's goods (SKU, quantity, unit price) are not the order's: "
            f"{len(listed)} line(s) declared, {len(ordered)} ordered",
        )
    ]


def check(order: Body, payment: Body, waybill: Body, entry: Body) -> list[Reason]:
    """What the four records of one parcel disagree on (empty: they agree)."""
    reasons = _amounts(order, payment, entry)
    consumer = order["consumer"]
    if not _same_person(consumer, entry["consumer"]):
        reasons.append(
            Reason("consumer_mismatch", "the list names another consumer than the order")
        )
    if not _same_person(consumer, payment["payer"]):
        reasons.append(Reason("payer_mismatch", "the payer is not the order's consumer"))
    reasons.extend(_goods(order, entry))
    if waybill["waybill_no"] != entry["waybill_no"]:
        reasons.append(
            Reason(
                "waybill_mismatch",
                f"the list names waybill {entry['waybill_no']}, the order travels on "
                f"{waybill['waybill_no']}",
            )
        )
    elif waybill["consignee"].casefold() != consumer["name"].casefold():
        reasons.append(Reason("consignee_mismatch", "the waybill is addressed to someone else"))
    return reasons
