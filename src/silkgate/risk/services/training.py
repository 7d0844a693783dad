"""The risk model: trained on the history in the database, stored with its card, activated.

LightGBM is imported only when a model is trained, so a node without it still
selects by profiles and the budget.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.kernel.clock import Clock
from silkgate.kernel.errors import FieldError, InvalidRequest, NotFound
from silkgate.kernel.versioned import InForce
from silkgate.risk.services.in_force import RiskInForce
from silkgate.store import risk as store
from silkgate.store.db import reading
from silkgate.store.versions import add_version

MIN_HISTORY = 100


def train(
    engine: sa.Engine,
    in_force: InForce[RiskInForce],
    actor: str,
    clock: Clock,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Train on the history in the database, store the model with its card, activate it."""
    from silkgate.risk.kcs import FRAUD
    from silkgate.risk.model import train_with_card

    with reading(engine) as conn:
        history = store.history(conn, since=since, until=until)
    # Not controlled (NULL) is unknown, not "compliant".
    labels: list[float | None] = [
        None if h["_fraud"] is None else float(h["_fraud"]) for h in history
    ]
    known = [v for v in labels if v is not None]
    if len(known) < MIN_HISTORY or not 0 < sum(known) < len(known):
        raise InvalidRequest(
            [
                FieldError(
                    "/history",
                    "too_little",
                    f"{len(known)} controlled declarations with {sum(known):.0f} frauds: "
                    "training needs at least 100, with and without fraud "
                    "(import history, or record control outcomes)",
                )
            ]
        )
    rows = [{k: v for k, v in h.items() if not k.startswith("_") and k != FRAUD} for h in history]
    trained = train_with_card(
        rows, labels, seed=seed, clock=clock, critical=[bool(h["_critical"]) for h in history]
    )
    trained.card["data"]["sources"] = sorted({h["_source"] for h in history})
    model_id = add_version(
        engine,
        in_force,
        lambda conn: store.add_model(
            conn,
            created_at=clock(),  # when training ended
            created_by=actor,
            card=orjson.dumps(trained.card).decode(),
            features=orjson.dumps(trained.builder.state).decode(),
            booster=trained.booster.model_to_string(),
        ),
    )
    return {"id": model_id, "card": trained.card}


def models(engine: sa.Engine) -> list[dict[str, Any]]:
    with reading(engine) as conn:
        return store.models(conn)


def activate_model(engine: sa.Engine, in_force: InForce[RiskInForce], model_id: int) -> None:
    """Make a stored model the one that scores (an earlier one, to roll back)."""

    def activate(conn: sa.Connection) -> None:
        if not store.activate_model(conn, model_id):
            raise NotFound(f"no risk model {model_id}")

    add_version(engine, in_force, activate)
