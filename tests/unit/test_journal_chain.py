import dataclasses
import datetime as dt

from silkgate.declarations.journal import GENESIS, Entry, entry_hash, verify_chain

T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


def chain(n):
    rows, prev = [], GENESIS
    for i in range(1, n + 1):
        e = Entry(
            i,
            T0 + dt.timedelta(seconds=i),
            "officer.li",
            "26CNX",
            1,
            "lodged",
            None,
            "lodged",
            None,
        )
        h = entry_hash(e, prev)
        rows.append((e, prev, h))
        prev = h
    return rows


def test_an_intact_chain_verifies():
    rows = chain(5)
    assert verify_chain(rows, 5, rows[-1][2]) == (5, None)


def test_an_empty_journal_verifies():
    assert verify_chain([], 0, GENESIS) == (0, None)


def test_a_changed_entry_is_the_first_reported():
    rows = chain(5)
    e, prev, h = rows[2]
    rows[2] = (dataclasses.replace(e, reason="edited"), prev, h)
    _, problem = verify_chain(rows, 5, rows[-1][2])
    assert problem is not None and problem.seq == 3


def test_a_removed_entry_is_reported():
    rows = chain(5)
    del rows[1]
    _, problem = verify_chain(rows, 5, rows[-1][2])
    assert problem is not None and problem.seq == 2


def test_a_removed_tail_is_reported_against_the_head():
    rows = chain(5)
    _, problem = verify_chain(rows[:3], 5, rows[-1][2])
    assert problem is not None and problem.seq == 4


def test_the_hash_is_the_same_for_the_same_instant_in_any_zone():
    e = Entry(1, T0, "a", None, None, "x", None, None, None)
    shifted = dataclasses.replace(e, at=T0.astimezone(dt.timezone(dt.timedelta(hours=8))))
    assert entry_hash(e, GENESIS) == entry_hash(shifted, GENESIS)
