"""Where uploaded documents are kept: outside the database rows, by their SHA-256.

:class:`DirectoryStore` keeps each document as a file named by its hash under
a directory (``SILKGATE_PORTAL_DOCUMENTS``), two levels deep so that no
directory grows too large; the same bytes uploaded twice are kept once. The
database row holds the key, the hash, the size and the type, so a file
changed on disk is detected when it is read back (its hash no longer
matches). Another store (an S3-compatible bucket) implements the same two
methods (docs/portal.md).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class DocumentStore(Protocol):
    def put(self, sha256: str, data: bytes) -> str:
        """Keep ``data`` (whose hash is ``sha256``); the key to read it back by."""

    def get(self, key: str) -> bytes:
        """The bytes kept under ``key``."""


class Tampered(Exception):
    """A kept document's bytes no longer match the hash recorded when it was uploaded."""


class DirectoryStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("not a document key")
        return self.root / key[:2] / key[2:4] / key

    def put(self, sha256: str, data: bytes) -> str:
        path = self._path(sha256)
        if path.exists():
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256

    def get(self, key: str) -> bytes:
        data = self._path(key).read_bytes()
        if hashlib.sha256(data).hexdigest() != key:
            raise Tampered(key)
        return data
