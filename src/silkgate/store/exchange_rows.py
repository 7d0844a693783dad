"""Result rows as plain dicts, for the exchange's queries."""

from __future__ import annotations

from typing import Any


def as_dict(r: Any) -> dict[str, Any]:
    # Plain str keys: SQLAlchemy's column names are a str subclass that orjson refuses.
    return {str(k): v for k, v in r._mapping.items()}


def as_dicts(result: Any) -> list[dict[str, Any]]:
    return [as_dict(r) for r in result]
