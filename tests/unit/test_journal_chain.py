import dataclasses
import datetime as dt

import pytest

from silkgate.declarations.journal import GENESIS, Anchored, Entry, entry_hash, verify_chain
from silkgate.declarations.journal_keys import JournalKeys, derive

T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
KEYS = JournalKeys("node-secret-0123456789")


def entry(i, key_id="j1", **changes):
    e = Entry(
        i, T0 + dt.timedelta(seconds=i), "officer.li", 7, "26CNX", 1, "lodged", None, "lodged",
        None, key_id,
    )  # fmt: skip
    return dataclasses.replace(e, **changes)


def chain(n, keys=KEYS, key_ids=None):
    """``n`` sealed rows ``(entry, prev_hash, hash)``; entry i under ``key_ids[i - 1]``."""
    rows, prev = [], GENESIS
    for i in range(1, n + 1):
        e = entry(i, key_ids[i - 1] if key_ids else keys.current)
        h = entry_hash(e, prev, keys.key(e.key_id))
        rows.append((e, prev, h))
        prev = h
    return rows


def reseal(rows, start, key, **changes):
    """Rewrite entry ``start`` with ``changes`` and recompute every later hash with ``key``."""
    out, prev = list(rows[: start - 1]), rows[start - 2][2] if start > 1 else GENESIS
    for e, _, _ in rows[start - 1 :]:
        if e.seq == start:
            e = dataclasses.replace(e, **changes)
        h = entry_hash(e, prev, key)
        out.append((e, prev, h))
        prev = h
    return out


def test_an_intact_chain_verifies():
    rows = chain(5)
    assert verify_chain(rows, 5, rows[-1][2], KEYS) == (5, None)


def test_an_empty_journal_verifies():
    assert verify_chain([], 0, GENESIS, KEYS) == (0, None)


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "edited"},
        {"declaration_id": 8},  # moved to another declaration
        {"at": T0},
        {"actor": "someone-else"},
        {"event": "released"},
        {"mrn": "26CNY"},
        {"version": 2},
        {"from_status": "held"},
        {"to_status": "released"},
        {"key_id": "j2"},
    ],
)
def test_every_column_is_sealed(change):
    rows = chain(5)
    e, prev, h = rows[2]
    rows[2] = (dataclasses.replace(e, **change), prev, h)
    _, problem = verify_chain(rows, 5, rows[-1][2], KEYS)
    assert problem is not None and problem.seq == 3


def test_a_removed_entry_is_reported():
    rows = chain(5)
    del rows[1]
    _, problem = verify_chain(rows, 5, rows[-1][2], KEYS)
    assert problem is not None and problem.seq == 2


def test_a_removed_tail_is_reported_against_the_head():
    rows = chain(5)
    _, problem = verify_chain(rows[:3], 5, rows[-1][2], KEYS)
    assert problem is not None and problem.seq == 4


def test_the_hash_is_the_same_for_the_same_instant_in_any_zone():
    e = entry(1, at=T0)
    shifted = dataclasses.replace(e, at=T0.astimezone(dt.timezone(dt.timedelta(hours=8))))
    key = KEYS.key("j1")
    assert entry_hash(e, GENESIS, key) == entry_hash(shifted, GENESIS, key)


def test_a_history_rewritten_without_the_key_does_not_verify():
    rows = reseal(chain(5), 3, derive("a guess at the secret", "j1"), reason="edited")
    _, problem = verify_chain(rows, 5, rows[-1][2], KEYS)
    assert problem is not None and problem.seq == 3


def test_a_history_rewritten_with_the_key_fails_only_against_an_earlier_anchor():
    rows = chain(5)
    anchor = Anchored(4, rows[3][2], T0)
    assert verify_chain(rows, 5, rows[-1][2], KEYS, anchor) == (5, None)
    forged = reseal(rows, 2, KEYS.key("j1"), reason="edited")
    assert verify_chain(forged, 5, forged[-1][2], KEYS) == (5, None)
    _, problem = verify_chain(forged, 5, forged[-1][2], KEYS, anchor)
    assert problem is not None and problem.seq == 4 and "rewritten" in problem.problem


def test_entries_removed_back_past_an_anchor_are_reported():
    rows = chain(5)
    anchor = Anchored(5, rows[4][2], T0)
    # The tail removed and the head moved back to match: only the anchor notices.
    assert verify_chain(rows[:3], 3, rows[2][2], KEYS) == (3, None)
    _, problem = verify_chain(rows[:3], 3, rows[2][2], KEYS, anchor)
    assert problem is not None and problem.seq == 4 and "removed" in problem.problem


def test_keys_rotate_without_resealing():
    rows = chain(4, key_ids=["j1", "j1", "j2", "j2"])
    rotated = JournalKeys("node-secret-0123456789", current="j2")
    assert verify_chain(rows, 4, rows[-1][2], rotated) == (4, None)
    # A new secret: the entries of j1 and j2 verify with the old secret kept for them.
    renewed = JournalKeys(
        "a-new-secret-0123456789",
        current="j3",
        retired={"j1": "node-secret-0123456789", "j2": "node-secret-0123456789"},
    )
    assert verify_chain(rows, 4, rows[-1][2], renewed) == (4, None)
    _, problem = verify_chain(rows, 4, rows[-1][2], JournalKeys("a-new-secret-0123456789"))
    assert problem is not None and problem.seq == 1 and "key j1" in problem.problem


def test_keys_are_independent_per_id_and_secret():
    assert len({derive("s" * 16, "j1"), derive("s" * 16, "j2"), derive("t" * 16, "j1")}) == 3
    assert len(derive("s" * 16, "j1")) == 32


@pytest.mark.parametrize(
    ("current", "retired"), [("", None), ("j 1", None), ("j1", {"j1": "x"}), ("j2", {"ü": "x"})]
)
def test_bad_key_ids_are_refused(current, retired):
    with pytest.raises(ValueError):
        JournalKeys("s" * 16, current, retired)
