"""e-COs for the tests: certificate documents as an issuing node writes them, signed messages.

A node does not issue certificates yet: the tests write the
``origin_certificate`` payload of the contract themselves and send it signed
with the partner node's own key, as the exchange tests do.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import random
from typing import Any

from silkgate.exchange import envelope
from silkgate.exchange.envelope import Envelope
from silkgate.origin.received import content_hash
from tests.conftest import ROOT

_numbers = itertools.count(random.SystemRandom().randint(1, 800_000))


def new_number(issuer: str = "CN") -> str:
    return f"{issuer}-E-2026-{next(_numbers) % 1_000_000:06d}"


def import_document(lrn: str) -> dict[str, Any]:
    """The pair's import into Viet Nam from China (smartphones and laptops), no preference."""
    doc = json.loads((ROOT / "examples" / "pair" / "import-vn-from-cn.json").read_text())
    doc["lrn"] = lrn
    doc.pop("ucr", None)
    doc["transport"]["document"]["number"] = f"CMR-{lrn}"
    return doc


def claiming(doc: dict[str, Any], number: str, on: dt.date, **proof: Any) -> dict[str, Any]:
    """``doc`` with every item claiming ACFTA on the e-CO ``number``."""
    out = copy.deepcopy(doc)
    for item in out["items"]:
        item["preference"] = {
            "agreement": "ACFTA",
            "proof": {"type": "E_CO", "reference": number, "date": on.isoformat(), **proof},
        }
    return out


def certificate(number: str, issued: dt.date, **changes: Any) -> dict[str, Any]:
    """The contract's certificate document for the pair's import, its hash computed last."""
    doc: dict[str, Any] = {
        "number": number,
        "agreement": "ACFTA",
        "form": "E",
        "issuer": number[:2],
        "status": "issued",
        "replaces": None,
        "replaced_by": None,
        "issued_on": issued.isoformat(),
        "valid_until": _year_after(issued).isoformat(),
        "exporter": {
            "id": "91310115MA1K4DEMO1",
            "name": "Shanghai Acme Trading Co. (demo)",
            "address": "88 Demo Road, Shanghai",
            "country": "CN",
        },
        "consignee": {
            "id": "0101234567",
            "name": "Hanoi Lotus Electronics JSC (demo)",
            "address": "12 Demo Street, Hanoi",
            "country": "VN",
        },
        "departure_date": issued.isoformat(),
        "vessel_flight": "GX-A-67890",
        "port_of_discharge": "VNLGS",
        "importing_country": "VN",
        "lines": [
            {
                "line": 1,
                "marks": "ACME / HANOI 1-60",
                "packages": {"count": 60, "kind": "CT"},
                "description": "Smartphones",
                "hs": "851713",
                "criterion": "RVC",
                "rvc": "70.00",
                "quantity": {"value": "1200", "unit": "NAR"},
                "gross_mass_kg": "480.000",
                "fob": {"amount": "660000.00", "currency": "CNY"},
                "invoice": {"number": "ACME-EX-INV-0042", "date": issued.isoformat()},
            },
            {
                "line": 2,
                "marks": "ACME / HANOI 61-120",
                "packages": {"count": 60, "kind": "CT"},
                "description": "Notebook computers",
                "hs": "847130",
                "criterion": "CTH",
                "rvc": None,
                "quantity": {"value": "400", "unit": "NAR"},
                "gross_mass_kg": "1650.000",
                "fob": None,
                "invoice": {"number": "ACME-EX-INV-0042", "date": issued.isoformat()},
            },
        ],
        "third_party_invoicing": False,
        "third_party": None,
        "back_to_back": False,
        "retroactive": False,
        "exhibition": False,
        "exporter_declaration": {
            "place": "Shanghai",
            "date": issued.isoformat(),
            "signatory": "Li Demo",
        },
        "certification": {
            "place": "Shanghai",
            "date": issued.isoformat(),
            "officer": "origin.zhou",
        },
    }
    doc.update(changes)
    doc["hash"] = content_hash(doc)
    return doc


def _year_after(day: dt.date) -> dt.date:
    """12 months from ``day``, less a day (as ACFTA counts a certificate's validity)."""
    return day.replace(year=day.year + 1, day=min(day.day, 28 if day.month == 2 else 31)) - (
        dt.timedelta(days=1)
    )


def signed(
    sender: Any, recipient: str, payload: dict[str, Any], at: dt.datetime | None = None
) -> str:
    """An ``origin_certificate`` message from the node ``sender``, signed with its key."""
    at = at or sender.exchange.clock()
    env = Envelope.new(
        "origin_certificate", sender.exchange.administration, recipient, payload["number"],
        payload, at,
    )  # fmt: skip
    kid, key = sender.exchange.signer()
    return envelope.sign(env, key, kid, at)
