"""The demonstration administration: China's customs, a few offices, demo users.

Everything here is invented for demonstrations and labelled so; the offices
are real UN/LOCODE locations. Demo tokens are derived from the node's secret,
so the same tokens are printed at every start of a demo node (and are useless
on a node with another secret).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from silkgate.access.principals import Role, demo_token, hash_token
from silkgate.store import principals as principal_store
from silkgate.store.db import writing
from silkgate.store.tables import locations, offices

# (UN/LOCODE, name, kind): seaports, an airport and land borders with ASEAN and SCO partners.
DEMO_OFFICES = [
    ("CNSGH", "Shanghai Customs — Yangshan / Waigaoqiao port", "seaport"),
    ("CNSNZ", "Shenzhen Customs — Shekou / Yantian port", "seaport"),
    ("CNNBO", "Ningbo Customs — Beilun port", "seaport"),
    ("CNQIN", "Qingdao Customs — Qianwan port", "seaport"),
    ("CNTNJ", "Tianjin Customs — Xingang port", "seaport"),
    ("CNGGZ", "Guangzhou Customs — Nansha port", "seaport"),
    ("CNXAM", "Xiamen Customs — Haicang port", "seaport"),
    ("CNPEK", "Beijing Capital Airport Customs", "airport"),
    ("CNYYG", "Youyiguan road border (Viet Nam)", "road"),
    ("CNPIN", "Pingxiang railway border (Viet Nam)", "rail"),
    ("CNDOX", "Dongxing border (Viet Nam)", "road"),
    ("CNHRS", "Horgos border (Kazakhstan)", "road"),
    ("CNMLX", "Manzhouli railway border (Russia)", "rail"),
    ("CNRLC", "Erenhot border (Mongolia)", "rail"),
]


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: Role
    party_id: str | None
    description: str


# Trader identifiers are invented, shaped like China's 18-character unified social credit codes.
DEMO_USERS = [
    DemoUser("admin", Role.ADMIN, None, "node administrator"),
    DemoUser("officer.li", Role.OFFICER, None, "customs officer, Shanghai"),
    DemoUser("officer.wang", Role.OFFICER, None, "customs officer, Youyiguan"),
    DemoUser(
        "acme-trading",
        Role.DECLARANT,
        "91310115MA1K4DEMO1",
        "Shanghai Acme Trading Co. (demo importer)",
    ),
    DemoUser(
        "lotus-broker",
        Role.DECLARANT,
        "91450100MA5LDEMO02",
        "Nanning Lotus Customs Brokerage (demo broker)",
    ),
]


def setup(engine: sa.Engine, secret_key: str) -> list[tuple[DemoUser, str]]:
    """Create the demo offices and users if missing; the users with their tokens."""
    now = dt.datetime.now(dt.UTC)
    out = []
    with writing(engine) as conn:
        known = set(conn.execute(sa.select(offices.c.code)).scalars())
        for code, name, kind in DEMO_OFFICES:
            if code in known:
                continue
            if (
                conn.execute(sa.select(locations.c.code).where(locations.c.code == code)).first()
                is None
            ):
                raise RuntimeError(f"{code} is not in UN/LOCODE; load the reference data first")
            conn.execute(offices.insert().values(code=code, name=name, kind=kind))
        for user in DEMO_USERS:
            principal = principal_store.find_principal(conn, user.name)
            if principal is None:
                principal = principal_store.create_principal(
                    conn, user.name, user.role, user.party_id, now
                )
            token = demo_token(secret_key, user.name)
            principal_store.add_token(
                conn, principal, hash_token(secret_key, token), "demo token", now
            )
            out.append((user, token))
    return out
