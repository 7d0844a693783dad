"""Many lodgings at once through the group commit: none lost, none duplicated."""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from silkgate.store.journal import verify
from silkgate.store.tables import declarations, idempotency_keys


def lodge_via_group_commit(node, principal, doc, key=None):
    lodging = node.declarations.prepare(principal, doc, idempotency_key=key)
    outcome = node.lodgings.submit(lodging).result(30)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def test_concurrent_lodgings_are_all_stored_once(node, tokens, declaration):
    principal = node.tokens.resolve(tokens["acme-trading"])
    docs = []
    for i in range(60):
        doc = copy.deepcopy(declaration)
        doc["lrn"] = f"{declaration['lrn'][:20]}-C{i}"
        docs.append(doc)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda d: lodge_via_group_commit(node, principal, d), docs))
    mrns = {r[0]["mrn"] for r in results}
    assert len(mrns) == 60 and not any(r[1] for r in results)
    with node.engine.connect() as conn:
        stored = conn.execute(
            sa.select(sa.func.count())
            .select_from(declarations)
            .where(declarations.c.lrn.like(declaration["lrn"][:20] + "-C%"))
        ).scalar_one()
        assert stored == 60
        _, problem = verify(conn, node.journal.keys)
        assert problem is None


def test_one_key_sent_many_times_at_once_lodges_once(node, tokens, declaration):
    principal = node.tokens.resolve(tokens["acme-trading"])
    key = "race-" + declaration["lrn"]
    with ThreadPoolExecutor(12) as pool:
        results = list(
            pool.map(lambda _: lodge_via_group_commit(node, principal, declaration, key), range(24))
        )
    assert len({r[0]["mrn"] for r in results}) == 1
    assert sum(1 for r in results if not r[1]) == 1
    with node.engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(idempotency_keys)
                .where(idempotency_keys.c.key == key)
            ).scalar_one()
            == 1
        )
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(declarations)
                .where(declarations.c.lrn == declaration["lrn"])
            ).scalar_one()
            == 1
        )


def test_one_lrn_sent_many_times_at_once_lodges_once(node, tokens, declaration):
    from silkgate.declarations.validation import InvalidDeclaration

    principal = node.tokens.resolve(tokens["acme-trading"])

    def attempt(_):
        try:
            return lodge_via_group_commit(node, principal, declaration)
        except InvalidDeclaration as exc:
            return exc

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(attempt, range(24)))
    lodged = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(lodged) == 1 and len(refused) == 23
    assert all(r.errors[0].pointer == "/lrn" for r in refused)
