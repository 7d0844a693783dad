"""The administration's set-up through the access service: users, their tokens, offices."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from silkgate.access.principals import Role, hash_token
from silkgate.access.services import Offices, Users
from silkgate.config import Settings
from silkgate.kernel.clock import ManualClock
from silkgate.kernel.errors import Conflict, InvalidRequest, NotFound
from silkgate.store import principals
from silkgate.store.db import make_engine, reading
from silkgate.store.tables import api_tokens

AT = dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def engine(settings: Settings, prepared: dict[str, str]) -> Iterator[sa.Engine]:
    engine = make_engine(settings.database_url, pool_size=1)
    yield engine
    engine.dispose()


def test_a_user_gets_a_token_that_resolves_to_it(settings: Settings, engine: sa.Engine) -> None:
    users = Users(engine, settings.secret_key, ManualClock(AT))
    name = "officer-" + uuid.uuid4().hex[:8]
    token = users.add(name, "officer")
    with reading(engine) as conn:
        found = principals.principal_for_token(conn, hash_token(settings.secret_key, token))
        created = conn.execute(
            sa.select(api_tokens.c.created_at).where(
                api_tokens.c.token_hash == hash_token(settings.secret_key, token)
            )
        ).scalar_one()
    assert found is not None and (found.name, found.role) == (name, Role.OFFICER)
    aware = created.astimezone(dt.UTC) if created.tzinfo else created.replace(tzinfo=dt.UTC)
    assert aware == AT
    assert name in [p.name for p in users.all()]


def test_tokens_are_issued_and_revoked_together(settings: Settings, engine: sa.Engine) -> None:
    users = Users(engine, settings.secret_key, ManualClock(AT))
    name = "broker-" + uuid.uuid4().hex[:8]
    users.add(name, Role.DECLARANT, "91310115MA1K4TEST1")
    second = users.issue_token(name, "laptop")
    assert users.revoke(name) == 2
    assert users.revoke(name) == 0
    with reading(engine) as conn:
        assert principals.principal_for_token(conn, hash_token(settings.secret_key, second)) is None


def test_refusals_name_the_field(settings: Settings, engine: sa.Engine) -> None:
    users = Users(engine, settings.secret_key, ManualClock(AT))
    with pytest.raises(InvalidRequest) as no_party:
        users.add("declarant-" + uuid.uuid4().hex[:8], Role.DECLARANT, None)
    assert [e.pointer for e in no_party.value.errors] == ["/party_id"]
    with pytest.raises(InvalidRequest) as bad_role:
        users.add("wizard-" + uuid.uuid4().hex[:8], "wizard", None)
    assert [(e.pointer, e.code) for e in bad_role.value.errors] == [("/role", "unknown_role")]
    name = "admin-" + uuid.uuid4().hex[:8]
    users.add(name, Role.ADMIN)
    with pytest.raises(Conflict, match="exists"):
        users.add(name, Role.ADMIN)
    with pytest.raises(NotFound):
        users.revoke("nobody-" + uuid.uuid4().hex[:8])
    with pytest.raises(NotFound):
        users.issue_token("nobody-" + uuid.uuid4().hex[:8])


def test_an_office_is_a_locode_of_the_administration(settings: Settings, engine: sa.Engine) -> None:
    offices = Offices(engine, settings.administration)
    existing = offices.all()
    assert existing, "the demo administration has offices"
    with pytest.raises(InvalidRequest) as unknown:
        offices.add("ZZ999", "Nowhere")
    assert [(e.pointer, e.code) for e in unknown.value.errors] == [("/code", "unknown_location")]
    with pytest.raises(InvalidRequest) as abroad:
        offices.add("VNSGN" if settings.administration != "VN" else "CNSHA", "Abroad")
    assert [(e.pointer, e.code) for e in abroad.value.errors] == [("/code", "other_country")]
    with pytest.raises(Conflict, match="exists"):
        offices.add(existing[0].code, existing[0].name, existing[0].kind)
    assert offices.all() == existing
