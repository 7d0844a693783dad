"""Synthetic declarations in the KCS format, with a pattern a model can learn (tests only)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from silkgate.risk.kcs import CRITICAL, FEATURE_COLUMNS, FRAUD, ID

HEADER = [ID, "Date", *FEATURE_COLUMNS, FRAUD, CRITICAL]


def rows(n: int, seed: int = 1, start: dt.date = dt.date(2025, 1, 1)) -> list[dict[str, str]]:
    """Declarations where fruit (HS 0810) from VN declared cheap is mostly fraud."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        risky = rng.random() < 0.25
        hs6 = "081090" if risky else rng.choice(["847130", "851713", "090111", "610910"])
        origin = "VN" if risky else rng.choice(["TH", "KR", "DE", "VN"])
        mass = rng.randint(100, 20000)
        price = mass * (rng.uniform(0.5, 1.0) if risky else rng.uniform(5, 50))
        fraud = (rng.random() < 0.8) if risky else (rng.random() < 0.05)
        out.append(
            {
                ID: f"S{seed}{i:06d}",
                "Date": (start + dt.timedelta(days=i * 365 // n)).isoformat(),
                "Office ID": rng.choice(["CNSGH", "CNNGB"]),
                "Process Type": "4000",
                "Import Type": "IM",
                "Import Use": "",
                "Payment Type": "",
                "Mode of Transport": "1",
                "Declarant ID": rng.choice(["D1", "D2", "D3"]),
                "Importer ID": f"I{rng.randint(1, 40)}",
                "Seller ID": f"S{rng.randint(1, 60)}",
                "Courier ID": "",
                "HS6 Code": hs6,
                "Country of Departure": origin,
                "Country of Origin": origin,
                "Tax Rate": "20" if hs6.startswith("08") else "5",
                "Tax Type": "A",
                "Country of Origin Indicator": "",
                "Net Mass": str(mass),
                "Item Price": f"{price:.2f}",
                FRAUD: "1" if fraud else "0",
                CRITICAL: ("2" if rng.random() < 0.1 else "1") if fraud else "0",
            }
        )
    return out


def write(path: Path, data: list[dict[str, str]], *, labels: bool = True) -> Path:
    header = HEADER if labels else HEADER[:-2]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, header, extrasaction="ignore")
        w.writeheader()
        w.writerows(data)
    return path
