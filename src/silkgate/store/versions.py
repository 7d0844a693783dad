"""Adding a version of reference data: one write transaction, then what is held is stale.

The tariff, the exchange rates, the SPS requirements and the risk settings all
follow the same sequence once a file is parsed and hashed (:class:`FileLoad`):
store the new version and make it the active one in one transaction, then
forget what this process holds so its next use reads the new version. Other
processes see it within their own ``ttl``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa

from silkgate.kernel.versioned import FileLoad, InForce
from silkgate.store.db import writing

T = TypeVar("T")
R = TypeVar("R")


def add_version(engine: sa.Engine, in_force: InForce[T], write: Callable[[sa.Connection], R]) -> R:
    """``write`` in one transaction (nothing stored if it raises), then ``in_force`` forgotten."""
    with writing(engine) as conn:
        result = write(conn)
    in_force.forget()
    return result


def provenance(load: FileLoad) -> dict[str, Any]:
    """The columns every table of loaded versions has: source, sha256, loaded_at, loaded_by."""
    return {
        "source": load.source,
        "sha256": load.sha256,
        "loaded_at": load.at,
        "loaded_by": load.actor,
    }
