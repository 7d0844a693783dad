"""The demonstration administration: China's customs, a few offices, demo users.

Everything here is invented for demonstrations and labelled so; the offices
are real UN/LOCODE locations. Demo tokens are derived from the node's secret,
so the same tokens are printed at every start of a demo node (and are useless
on a node with another secret).
"""

from __future__ import annotations

import sqlalchemy as sa

from silkgate.access.principals import Role, demo_token, hash_token
from silkgate.config import Settings

# The capabilities' demo data, loaded by `silkgate demo setup` (kept apart for size).
from silkgate.demo_data import (  # noqa: F401 (part of this module's interface)
    DEMO_GUARANTEE,
    load_lpco,
    load_origin,
    load_transit,
    lpco_requirements_file,
    origin_rules_file,
)
from silkgate.demo_users import (
    AGENCIES,
    ECOMMERCE,
    PARTNER_AGENCIES,
    STAFF,
    TRADERS,
    DemoUser,
)
from silkgate.kernel.clock import system_clock
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


# A partner's demo offices, for a pair of nodes (`silkgate demo pair`).
PARTNER_OFFICES = {
    "VN": [
        ("VNHPH", "Hai Phong Customs — Hai Phong port", "seaport"),
        ("VNSGN", "Ho Chi Minh City Customs — Cat Lai port", "seaport"),
        ("VNDAD", "Da Nang Customs — Tien Sa port", "seaport"),
        ("VNHAN", "Ha Noi Customs — Noi Bai airport", "airport"),
        ("VNLGS", "Lang Son Customs — Huu Nghi road border (China)", "road"),
        ("VNLCA", "Lao Cai Customs — rail and road border (China)", "rail"),
    ],
    # For the transit trio (`silkgate demo trio`): Horgos through Kazakhstan to Tashkent.
    "KZ": [
        ("KZHOR", "Khorgos border post (China) (demo)", "road"),
        ("KZSRY", "Saryagash border post (Uzbekistan) (demo)", "road"),
        ("KZALA", "Almaty Customs (demo)", "inland"),
    ],
    "UZ": [
        ("UZTAS", "Tashkent Customs (demo)", "inland"),
        ("UZSYA", "Sary-Assiya border post (demo)", "road"),
    ],
}
# Illustrative: units of a partner's currency per CNY, to derive its demo exchange rates.
PER_CNY = {"VND": 3500}


def offices_of(administration: str) -> list[tuple[str, str, str]]:
    if administration == "CN":
        return DEMO_OFFICES
    if administration not in PARTNER_OFFICES:
        raise RuntimeError(f"the demo has no offices for {administration} (CN, VN, KZ or UZ)")
    return PARTNER_OFFICES[administration]


def users_of(administration: str) -> list[DemoUser]:
    """The demo users of an administration's node: its staff, its agencies, the traders,
    then (on the Chinese node, where the parcels are cleared) the e-commerce parties."""
    if administration not in STAFF:
        raise RuntimeError(f"the demo has no staff for {administration} (CN, VN, KZ or UZ)")
    china = administration == "CN"
    return [
        *STAFF[administration],
        *(AGENCIES if china else PARTNER_AGENCIES.get(administration, [])),
        *TRADERS,
        *(ECOMMERCE if china else []),
    ]


DEMO_USERS = users_of("CN")


def setup(
    engine: sa.Engine, secret_key: str, administration: str = "CN"
) -> list[tuple[DemoUser, str]]:
    """Create the demo offices and users if missing; the users with their tokens."""
    now = system_clock()
    out = []
    with writing(engine) as conn:
        known = set(conn.execute(sa.select(offices.c.code)).scalars())
        for code, name, kind in offices_of(administration):
            if code in known:
                continue
            if (
                conn.execute(sa.select(locations.c.code).where(locations.c.code == code)).first()
                is None
            ):
                raise RuntimeError(f"{code} is not in UN/LOCODE; load the reference data first")
            conn.execute(offices.insert().values(code=code, name=name, kind=kind))
        for user in users_of(administration):
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


def tariff_files() -> tuple[bytes, bytes]:
    """The ILLUSTRATIVE demo tariff schedule (gzip CSV) and exchange rates (CSV)."""
    from importlib.resources import files

    folder = files("silkgate.tariff") / "files"
    return (folder / "demo-tariff.csv.gz").read_bytes(), (folder / "demo-rates.csv").read_bytes()


def load_tariff(settings: Settings, engine: sa.Engine) -> list[str]:
    """Load the demo tariff and rates where none are loaded yet; what was done, in words."""
    from silkgate.bootstrap import open_node
    from silkgate.store import tariff as tariff_store
    from silkgate.store.db import reading

    if settings.currency not in ("CNY", *PER_CNY):
        # The transit trio's Kazakh and Uzbek nodes: offices of transit and destination,
        # which reckon no duties (the illustrative tariff names China's agreements).
        return [f"no demo tariff for {settings.administration} (transit and destination only)"]
    with reading(engine) as conn:
        has_tariff = tariff_store.active_version(conn) is not None
        has_rates = tariff_store.rates_version(conn) > 0
    done: list[str] = []
    if has_tariff and has_rates:
        return done
    node = open_node(settings, engine)
    schedule, rates = tariff_files()
    if not has_tariff:
        version, parsed = node.tariff.load_tariff(
            schedule, source="demo-tariff.csv.gz", actor="demo setup"
        )
        done.append(
            f"illustrative tariff loaded as version {version} "
            f"({len(parsed.lines):,} lines, {len(parsed.measures):,} measures)"
        )
    if not has_rates:
        if settings.currency != "CNY":
            rates = _rates_in(settings.currency, rates)
        added, _ = node.tariff.load_rates(rates, source="demo-rates.csv", actor="demo setup")
        done.append(f"illustrative exchange rates loaded ({added:,} rates)")
    return done


# Illustrative profiles for the demo administration, invented to show what
# analysts write; not the risk rules of any customs service.
DEMO_PROFILES = [
    {
        "name": "demo-durian-quarantine",
        "condition": 'item.hs_code.startsWith("081060")',
        "effect": "sps",
        "description": "Fresh durians: quarantine inspection of every consignment (illustrative)",
    },
    {
        "name": "demo-cheap-fresh-fruit",
        "condition": 'item.hs2 == "08" && item.unit_value < 3',
        "effect": "score",
        "points": "30",
        "description": "Fresh fruit below 3 CNY/kg: possible undervaluation (illustrative)",
    },
    {
        "name": "demo-low-unit-value",
        "condition": 'item.unit_value < 12 && !(item.hs2 in ["10", "25", "27", "72", "44"])',
        "effect": "score",
        "points": "40",
        "description": "Goods below 12 CNY/kg: possible undervaluation (illustrative)",
    },
    {
        "name": "demo-exw-high-value",
        "condition": 'declaration.incoterm == "EXW" && declaration.invoice_amount > 1000000',
        "effect": "yellow",
        "description": "Ex-works invoices above 1,000,000: check the costs added (illustrative)",
    },
    {
        "name": "demo-ivory",
        "condition": 'item.hs4 == "0507"',
        "effect": "red",
        "description": "Ivory and horn: physical inspection (illustrative)",
    },
]


def load_profiles(settings: Settings, engine: sa.Engine) -> list[str]:
    """Create the illustrative demo risk profiles where no profile exists yet."""
    from silkgate.bootstrap import open_node
    from silkgate.kernel.actors import Principal
    from silkgate.kernel.commands import parse
    from silkgate.risk.commands import RiskProfileCommand

    node = open_node(settings, engine)
    if node.risk.list_profiles(include_retired=True):
        return []
    admin = Principal(0, "demo setup", Role.ADMIN, None)
    for profile in DEMO_PROFILES:
        node.risk.save_profile(admin, parse(RiskProfileCommand, profile))
    return [f"{len(DEMO_PROFILES)} illustrative risk profiles created"]


def load_sps(settings: Settings, engine: sa.Engine) -> list[str]:
    """Load the ILLUSTRATIVE demo SPS requirements where none are loaded yet."""
    from importlib.resources import files

    from silkgate.bootstrap import open_node
    from silkgate.store import sps as sps_store
    from silkgate.store.db import reading

    with reading(engine) as conn:
        if sps_store.active_set(conn) is not None:
            return []
    node = open_node(settings, engine)
    data = (files("silkgate.sps") / "files" / "demo-sps.csv").read_bytes()
    _, rows = node.sps.load(data, source="demo-sps.csv", actor="demo setup")
    return [f"illustrative SPS requirements loaded ({rows} rows)"]


def _rates_in(currency: str, cny_rates: bytes) -> bytes:
    """The demo rates restated in another national currency (ILLUSTRATIVE, like the rest)."""
    from decimal import Decimal

    if currency not in PER_CNY:
        raise RuntimeError(f"the demo has no exchange rates for {currency} (CNY or VND)")
    factor = Decimal(PER_CNY[currency])
    lines = cny_rates.decode().splitlines()
    out = [
        f"# Illustrative customs exchange rates ({currency} per unit), invented for demonstration."
    ]
    first = True
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        if first:
            out.append(line)
            first = False
            continue
        cur, start, end, rate = line.split(",")
        if cur == currency:
            continue
        out.append(f"{cur},{start},{end},{(Decimal(rate) * factor).quantize(Decimal('0.0001'))}")
        if cur == "USD":
            out.append(f"CNY,{start},{end},{factor}")
    return ("\n".join(out) + "\n").encode()
