"""Illustrative parcels for demonstrations, tests and the benchmark: the four records of
each, as the four parties would send them. Every name and number is invented (demo).

:func:`parcel` gives the records of parcel ``n``; the goods cycle through a few tariff
lines of the demo tariff (cosmetics, T-shirts, handbags, milk powder), consumers
through ``consumers`` invented identities, so their annual quotas fill up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# (sku, description, HS code of the demo tariff, origin, unit price in CNY)
GOODS = [
    ("SKU-FACE-50", "Face cream, 50 ml (demo)", "33049900", "JP", Decimal("189.00")),
    ("SKU-TEE-M", "Cotton T-shirt, size M (demo)", "61091000", "VN", Decimal("59.90")),
    ("SKU-BAG-01", "Leather handbag (demo)", "42022100", "IT", Decimal("899.00")),
    ("SKU-MILK-800", "Whole milk powder, 800 g (demo)", "04022100", "NZ", Decimal("238.00")),
]
PLATFORM = "91330100MA2DEMOPF1"  # platform.tmall-demo's party id


@dataclass(frozen=True)
class Records:
    order: dict[str, Any]
    payment: dict[str, Any]
    waybill: dict[str, Any]
    entry: dict[str, Any]


def consumer(k: int, tag: str = "DEMO") -> dict[str, str]:
    """Invented consumer ``k`` (demo); ``tag`` (letters and digits) keeps sets apart."""
    return {"name": f"Consumer {k:06d} (demo)", "id_number": f"{tag}{k:08d}"}


def parcel(
    n: int,
    *,
    consumers: int = 50_000,
    prefix: str = "D",
    platform: str = PLATFORM,
    tag: str = "DEMO",
) -> Records:
    """The four records of illustrative parcel ``n`` (order numbers start with ``prefix``)."""
    k = n % consumers
    person = consumer(k, tag)
    g = GOODS[n % len(GOODS)]
    quantity = 1 + n % 2
    goods_total = g[4] * quantity
    freight, insurance = Decimal("12.00"), Decimal("0.50")
    total = goods_total + freight + insurance
    order_no = f"{prefix}{n:09d}"
    waybill_no = f"WB{prefix}{n:09d}"
    line = {"sku": g[0], "description": g[1], "quantity": quantity, "unit_price": str(g[4])}
    common = {"platform": platform, "order_no": order_no}
    return Records(
        order={
            "id": f"O-{order_no}", **common, "currency": "CNY", "goods": [line],
            "freight": str(freight), "insurance": str(insurance), "total": str(total),
            "consumer": person,
        },
        payment={
            "id": f"P-{order_no}", **common, "payment_no": f"PAY{prefix}{n:09d}",
            "currency": "CNY", "amount": str(total), "payer": person,
        },
        waybill={
            "id": f"W-{order_no}", **common, "waybill_no": waybill_no,
            "consignee": person["name"], "address": f"{k} Demo Road, Hangzhou (demo)",
        },
        entry={
            "id": f"L-{order_no}", **common, "waybill_no": waybill_no, "currency": "CNY",
            "goods": [{**line, "hs_code": g[2], "origin": g[3]}],
            "freight": str(freight), "insurance": str(insurance), "consumer": person,
        },
    )  # fmt: skip


def stream(kind: str, start: int, count: int, **options: Any) -> Iterator[dict[str, Any]]:
    """The records of ``kind`` (orders, payments, waybills, parcels) of parcels
    ``start`` to ``start + count - 1``."""
    field = {"orders": "order", "payments": "payment", "waybills": "waybill", "parcels": "entry"}[
        kind
    ]
    for n in range(start, start + count):
        yield getattr(parcel(n, **options), field)
