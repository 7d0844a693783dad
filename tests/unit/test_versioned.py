"""What is in force: held for ``ttl`` seconds, reloaded from what was held, forgotten on change."""

from __future__ import annotations

import datetime as dt

from silkgate.kernel.versioned import FileLoad, InForce


def test_what_is_in_force_is_held_for_its_ttl_and_reloaded_from_what_was_held():
    now = [0.0]
    seen: list[int | None] = []

    def load(held: int | None) -> int:
        seen.append(held)
        return (held or 0) + 1

    in_force = InForce(load, ttl=5.0, monotonic=lambda: now[0])
    assert in_force.get() == 1
    now[0] = 4.9
    assert in_force.get() == 1
    now[0] = 5.0
    assert in_force.get() == 2
    in_force.forget()
    assert in_force.get() == 1
    assert seen == [None, 1, None]


def test_a_file_load_records_the_hash_of_the_file_as_received():
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    load = FileLoad.of(b"abc", source="t.csv", actor="admin", at=at)
    assert load.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert (load.source, load.actor, load.at) == ("t.csv", "admin", at)
