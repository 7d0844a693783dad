"""Managing who may use the node: its users with their tokens, and its customs offices.

Both are the administration's own set-up, done by the node's administrator
(today through the ``silkgate users`` and ``silkgate offices`` commands). Each
change is one transaction; bad input raises :class:`InvalidRequest` naming the
field, a clash with what exists :class:`Conflict`, an unknown user
:class:`NotFound`.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from silkgate.access.principals import Principal, Role, hash_token, new_token
from silkgate.kernel.actors import ECOMMERCE_ROLES
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Conflict, NotFound, invalid, pointer
from silkgate.store import principals as principal_store
from silkgate.store import refdata as refdata_store
from silkgate.store.db import reading, writing
from silkgate.store.refdata import Office

__all__ = ["Office", "Offices", "Users"]

_AGENCY = re.compile(r"[A-Z][A-Z0-9]{1,9}")


class Users:
    """The node's users (principals) and their bearer tokens, stored hashed."""

    def __init__(self, engine: sa.Engine, secret_key: str, clock: Clock = system_clock) -> None:
        self._engine = engine
        self._secret_key = secret_key
        self._clock = clock

    def add(self, name: str, role: Role | str, party_id: str | None = None) -> str:
        """Create a user and return its first token (shown once: only its hash is kept)."""
        role = _role(role)
        if not name.strip():
            raise invalid(pointer("name"), "required", "a user needs a name")
        if (role is Role.DECLARANT or role in ECOMMERCE_ROLES) and not party_id:
            raise invalid(
                pointer("party_id"),
                "required",
                f"a {role.value} needs the party id (trader identifier) it acts under",
            )
        if role is Role.AGENCY_OFFICER and not (party_id and _AGENCY.fullmatch(party_id)):
            raise invalid(
                pointer("party_id"),
                "required",
                "an agency officer needs its agency's code (party id): 2 to 10 capitals or digits",
            )
        now = self._clock()
        with writing(self._engine) as conn:
            if principal_store.find_principal(conn, name) is not None:
                raise Conflict(f"a user named {name!r} exists")
            principal = principal_store.create_principal(conn, name, role, party_id, now)
            return self._issue(conn, principal, None)

    def issue_token(self, name: str, label: str | None = None) -> str:
        """Issue another token to the user called ``name``."""
        with writing(self._engine) as conn:
            return self._issue(conn, self._find(conn, name), label)

    def revoke(self, name: str) -> int:
        """Revoke every token of the user called ``name``; how many were still valid."""
        with writing(self._engine) as conn:
            return principal_store.revoke_tokens(conn, self._find(conn, name), self._clock())

    def all(self) -> list[Principal]:
        with reading(self._engine) as conn:
            return principal_store.all_principals(conn)

    def _find(self, conn: sa.Connection, name: str) -> Principal:
        principal = principal_store.find_principal(conn, name)
        if principal is None:
            raise NotFound(f"no user named {name!r}")
        return principal

    def _issue(self, conn: sa.Connection, principal: Principal, label: str | None) -> str:
        token = new_token()
        token_hash = hash_token(self._secret_key, token)
        principal_store.add_token(conn, principal, token_hash, label, self._clock())
        return token


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise invalid(
            pointer("role"), "unknown_role", f"{role!r} is not a role ({allowed})"
        ) from None


class Offices:
    """The administration's customs offices: the places declarations may be lodged at."""

    def __init__(self, engine: sa.Engine, administration: str) -> None:
        self._engine = engine
        self._administration = administration

    def add(self, code: str, name: str, kind: str = "seaport") -> Office:
        """Add an office; its code must be a UN/LOCODE in the administration's country."""
        with writing(self._engine) as conn:
            if not refdata_store.is_location(conn, code):
                raise invalid(pointer("code"), "unknown_location", f"{code!r} is not a UN/LOCODE")
            if code[:2] != self._administration:
                raise invalid(
                    pointer("code"), "other_country", f"{code} is not in {self._administration}"
                )
            if refdata_store.find_office(conn, code) is not None:
                raise Conflict(f"office {code} exists")
            office = Office(code, name, kind)
            refdata_store.add_office(conn, office)
        return office

    def all(self) -> list[Office]:
        with reading(self._engine) as conn:
            return refdata_store.all_offices(conn)
