"""Only the declarations repository writes a declaration's status or channel."""

from __future__ import annotations

import re
from pathlib import Path

import silkgate

SRC = Path(silkgate.__file__).parent
REPOSITORY = SRC / "store" / "declarations.py"
# An UPDATE of the declarations table, or a helper named after writing a status or channel.
WRITES = re.compile(r"\bdeclarations\.update\(\)|\bset_status\b|\bset_channels?\b")


def test_no_status_is_written_outside_the_declarations_repository():
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if path != REPOSITORY and "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if WRITES.search(line)
    ]
    assert offenders == []
