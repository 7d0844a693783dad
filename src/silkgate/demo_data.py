"""The capabilities' demo data that `silkgate demo setup` loads on a node: the rules of
origin, the ILLUSTRATIVE LPCO requirements and the demo transit guarantee (part of
:mod:`silkgate.demo`'s interface, kept apart for size)."""

from __future__ import annotations

import sqlalchemy as sa

from silkgate.access.principals import Role
from silkgate.config import Settings


def lpco_requirements_file() -> bytes:
    """The ILLUSTRATIVE LPCO requirements (lithium batteries, drones, precursor chemicals,
    CITES species, radio equipment), invented for demonstration."""
    from importlib.resources import files

    return (files("silkgate.lpco") / "files" / "illustrative-lpco.toml").read_bytes()


def load_lpco(settings: Settings, engine: sa.Engine) -> list[str]:
    """Load the ILLUSTRATIVE LPCO requirements where none are loaded yet."""
    from silkgate.bootstrap import open_node
    from silkgate.store import lpco as lpco_store
    from silkgate.store.db import reading

    with reading(engine) as conn:
        if lpco_store.active_set(conn) is not None:
            return []
    node = open_node(settings, engine)
    _, rows = node.lpco.requirements.load(
        lpco_requirements_file(), source="illustrative-lpco.toml", actor="demo setup"
    )
    node.close()
    return [f"illustrative LPCO requirements loaded ({rows} rules)"]


# The demo guarantee the transit example (examples/transit/) draws on: ILLUSTRATIVE.
DEMO_GUARANTEE = ("CN-G-ACME-0001", "91310115MA1K4DEMO1", "5000000.00")


def load_transit(settings: Settings, engine: sa.Engine) -> list[str]:
    """Register the demo comprehensive guarantee of acme-trading (China's node only)."""
    from decimal import Decimal

    from silkgate.bootstrap import open_node
    from silkgate.kernel.actors import Principal
    from silkgate.store import transit as transit_store
    from silkgate.store.db import reading
    from silkgate.transit.document import GuaranteeRegistration

    reference, holder, amount = DEMO_GUARANTEE
    with reading(engine) as conn:
        if settings.administration != "CN" or transit_store.guarantee(conn, reference):
            return []
    node = open_node(settings, engine)
    registration = GuaranteeRegistration(
        reference=reference, holder=holder, kind="comprehensive", amount=Decimal(amount)
    )
    node.transit.guarantees.register(Principal(0, "demo setup", Role.ADMIN, None), registration)
    return [f"transit guarantee {reference} (demo) of {holder}: {amount} {settings.currency}"]


def origin_rules_file() -> bytes:
    """The shipped rules of origin: ACFTA's, RCEP's and ATIGA's terms, their general rules
    and a few product-specific rules, those written for the demonstration marked so."""
    from importlib.resources import files

    return (files("silkgate.origin") / "files" / "rules-of-origin.toml").read_bytes()


def load_origin(settings: Settings, engine: sa.Engine) -> list[str]:
    """Load the shipped rules of origin where none are loaded yet."""
    from silkgate.bootstrap import open_node
    from silkgate.store import origin as origin_store
    from silkgate.store.db import reading

    with reading(engine) as conn:
        if origin_store.active_version(conn) is not None:
            return []
    node = open_node(settings, engine)
    version, parsed = node.origin.load(
        origin_rules_file(), source="rules-of-origin.toml", actor="demo setup"
    )
    illustrative = sum(1 for r in parsed.rules if r.illustrative)
    return [
        f"rules of origin loaded as version {version} ({len(parsed.terms)} agreements, "
        f"{len(parsed.rules)} rules, {illustrative} of them illustrative)"
    ]
