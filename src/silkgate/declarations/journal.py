"""The journal's hash chain (pure): how an entry is hashed and how a chain is verified.

Each entry's hash covers its own fields and the previous entry's hash, so
changing, inserting or removing any row breaks every hash after it. The
journal head (sequence number and hash of the newest entry) is kept apart, so
removing the newest rows is noticed too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime  # UTC
    actor: str
    mrn: str | None
    version: int | None
    event: str
    from_status: str | None
    to_status: str | None
    reason: str | None


def _utc_text(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(entry: Entry, prev_hash: str) -> str:
    canonical = json.dumps(
        [
            entry.seq,
            _utc_text(entry.at),
            entry.actor,
            entry.mrn,
            entry.version,
            entry.event,
            entry.from_status,
            entry.to_status,
            entry.reason,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Tampering:
    seq: int  # the first entry that does not verify
    problem: str


def verify_chain(
    rows: Iterable[tuple[Entry, str, str]], head_seq: int, head_hash: str
) -> tuple[int, Tampering | None]:
    """Walk ``(entry, prev_hash, hash)`` in sequence order; the count and the first problem."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for entry, prev_hash, stored_hash in rows:
        count += 1
        if entry.seq != expected_seq:
            return count, Tampering(expected_seq, f"entry {expected_seq} is missing")
        if prev_hash != expected_prev:
            return count, Tampering(entry.seq, "its link to the previous entry was changed")
        if entry_hash(entry, prev_hash) != stored_hash:
            return count, Tampering(entry.seq, "its content does not match its hash")
        expected_prev, expected_seq = stored_hash, entry.seq + 1
    last = expected_seq - 1
    if last < head_seq:
        return count, Tampering(last + 1, f"entries {last + 1}..{head_seq} were removed")
    if last > head_seq or expected_prev != head_hash:
        return count, Tampering(head_seq or 1, "the journal head does not match the last entry")
    return count, None
