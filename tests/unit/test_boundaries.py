"""The capability cores stay pure: no web, database or CLI framework inside them."""

from __future__ import annotations

import ast
from pathlib import Path

import silkgate

SRC = Path(silkgate.__file__).parent
CORES = [
    "declarations/document.py",
    "declarations/validation.py",
    "declarations/states.py",
    "declarations/journal.py",
    "declarations/mrn.py",
    "kernel/errors.py",
    "kernel/clock.py",
    "kernel/actors.py",
    "origin/agreements.py",
    "access/principals.py",
    "refdata/files.py",
    "tariff/schedule.py",
    "tariff/rates.py",
    "tariff/units.py",
    "tariff/money.py",
    "tariff/valuation.py",
    "tariff/assessment.py",
    "tariff/files.py",
    "tariff/search.py",
    "risk/expressions.py",
    "risk/facts.py",
    "risk/profiles.py",
    "risk/selectivity.py",
    "risk/kcs.py",
    "risk/features.py",
    "sps/requirements.py",
    "inspection/checklist.py",
    "trs/study.py",
    "inspection/recognition.py",
    "exchange/identity.py",
    "exchange/envelope.py",
    "exchange/messages.py",
    "exchange/advance.py",
    "exchange/aeo.py",
]
FORBIDDEN = (
    "sqlalchemy",
    "fastapi",
    "starlette",
    "alembic",
    "typer",
    "uvicorn",
    "httpx",
    "silkgate.store",
    "silkgate.api",
    "silkgate.web",
    "silkgate.cli",
    "silkgate.app",
)


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_cores_import_no_framework():
    for core in CORES:
        bad = {n for n in imports(SRC / core) if n.startswith(FORBIDDEN)}
        assert not bad, f"{core} imports {bad}"
