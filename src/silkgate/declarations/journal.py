"""The journal's keyed hash chain (pure): how an entry is sealed and how a chain is verified.

Each entry carries ``hash = HMAC-SHA256(key, prev_hash + canonical entry)``,
where the canonical entry lists every column that carries meaning: sequence
number, time, actor, declaration, MRN, version, event, status change, reason
and the id of the key it was sealed with. Changing, moving, inserting or
removing any row breaks every hash after it, and without the key (which the
database does not hold, see :mod:`silkgate.declarations.journal_keys`) the
later hashes cannot be recomputed. The journal head (sequence number and hash
of the newest entry) is kept apart, so removing the newest rows is noticed
too. An anchor (:mod:`silkgate.declarations.journal_anchor`) held outside the
node catches what the key cannot: a rewrite by someone who holds it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime  # UTC
    actor: str
    declaration_id: int | None
    mrn: str | None
    version: int | None
    event: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    key_id: str  # the journal key the entry is sealed with


class Keys(Protocol):
    """The journal keys by id (:class:`~silkgate.declarations.journal_keys.JournalKeys`)."""

    def key(self, key_id: str) -> bytes: ...


def _utc_text(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry: Entry) -> str:
    """The entry's sealed content: every column but the hashes, in a fixed order."""
    return json.dumps(
        [
            entry.seq,
            _utc_text(entry.at),
            entry.actor,
            entry.declaration_id,
            entry.mrn,
            entry.version,
            entry.event,
            entry.from_status,
            entry.to_status,
            entry.reason,
            entry.key_id,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


@functools.lru_cache(maxsize=32)
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod="sha256")


def entry_hash(entry: Entry, prev_hash: str, key: bytes) -> str:
    """The entry's seal: HMAC-SHA256 under ``key`` of the previous hash and its content."""
    # Copying a keyed HMAC skips hashing the key again: half the cost on the lodging path.
    mac = _keyed(key).copy()
    mac.update(f"{prev_hash}\n{canonical(entry)}".encode())
    return mac.hexdigest()


@dataclass(frozen=True)
class Tampering:
    seq: int  # the first entry that does not verify
    problem: str


@dataclass(frozen=True)
class Anchored:
    """A chain head vouched for outside the database: the hash entry ``seq`` had then."""

    seq: int
    hash: str
    signed_at: dt.datetime


def verify_chain(
    rows: Iterable[tuple[Entry, str, str]],
    head_seq: int,
    head_hash: str,
    keys: Keys,
    anchor: Anchored | None = None,
) -> tuple[int, Tampering | None]:
    """Walk ``(entry, prev_hash, hash)`` in sequence order; the count and the first problem.

    With ``anchor``, the chain must also still have the anchored hash at the
    anchored sequence number: a history rewritten with the key verifies entry
    by entry, but not against an anchor taken before the rewrite.
    """
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for entry, prev_hash, stored_hash in rows:
        count += 1
        if entry.seq != expected_seq:
            return count, Tampering(expected_seq, f"entry {expected_seq} is missing")
        if prev_hash != expected_prev:
            return count, Tampering(entry.seq, "its link to the previous entry was changed")
        if entry_hash(entry, prev_hash, keys.key(entry.key_id)) != stored_hash:
            return count, Tampering(
                entry.seq, f"its content does not match its hash (key {entry.key_id})"
            )
        if anchor is not None and entry.seq == anchor.seq and stored_hash != anchor.hash:
            return count, _rewritten(anchor)
        expected_prev, expected_seq = stored_hash, entry.seq + 1
    last = expected_seq - 1
    if anchor is not None and last < anchor.seq:
        return count, Tampering(
            last + 1, f"entries {last + 1}..{anchor.seq} were removed ({_anchor_text(anchor)})"
        )
    if last < head_seq:
        return count, Tampering(last + 1, f"entries {last + 1}..{head_seq} were removed")
    if last > head_seq or expected_prev != head_hash:
        return count, Tampering(head_seq or 1, "the journal head does not match the last entry")
    return count, None


def _anchor_text(anchor: Anchored) -> str:
    return f"the anchor signed {_utc_text(anchor.signed_at)} covers entry {anchor.seq}"


def _rewritten(anchor: Anchored) -> Tampering:
    return Tampering(
        anchor.seq,
        f"its hash is not the one anchored ({_anchor_text(anchor)}): "
        f"the history up to it was rewritten",
    )
