"""Principals (declarants, officers, admins) and their bearer tokens.

Tokens are random, high-entropy strings; only an HMAC-SHA256 of each, keyed
with the node's secret, is stored, so a copy of the database yields no usable
token. (A slow password hash buys nothing for 256-bit random secrets and would
cost every request.)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

TOKEN_PREFIX = "sg_"


class Role(StrEnum):
    DECLARANT = "declarant"  # trader, broker, e-commerce platform: its own declarations only
    OFFICER = "officer"  # customs officer: every declaration of the node, and the decisions
    ADMIN = "admin"  # runs the node: everything an officer can, plus the users
    ANALYST = "analyst"  # risk analyst: profiles, budget, model; reads every declaration
    SPS_INSPECTOR = "sps_inspector"  # quarantine service: the SPS checks of joint inspections


@dataclass(frozen=True)
class Principal:
    id: int
    name: str
    role: Role
    party_id: str | None  # the trader identifier a declarant lodges under

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.OFFICER, Role.ADMIN)

    @property
    def sees_all(self) -> bool:
        """Reads every declaration of the node (staff and risk analysts)."""
        return self.is_staff or self.role in (Role.ANALYST, Role.SPS_INSPECTOR)

    def may_see(self, declarant_id: str) -> bool:
        return self.sees_all or declarant_id == self.party_id


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def demo_token(secret_key: str, name: str) -> str:
    """A token derived from the secret, so a demo node can print the same tokens at each start.

    Only demo and test nodes create these; production tokens come from :func:`new_token`.
    """
    digest = hmac.new(secret_key.encode(), f"demo-token:{name}".encode(), hashlib.sha256)
    return TOKEN_PREFIX + "demo_" + digest.hexdigest()[:32]


def hash_token(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()
