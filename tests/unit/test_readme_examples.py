"""The README and the docs' examples do what their text says."""

from __future__ import annotations

import copy
import json
import re

from silkgate import demo
from silkgate.declarations.document import DeclarationDocument
from silkgate.risk.expressions import compile_condition
from silkgate.risk.facts import SCHEMA, item_facts
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
EXCHANGE = (ROOT / "docs" / "exchange.md").read_text()
TRANSIT = (ROOT / "docs" / "transit.md").read_text()


def _facts(raw: dict) -> list[dict]:
    return item_facts(DeclarationDocument.model_validate(raw), None)


def test_the_durian_profile_catches_durians_and_not_dragon_fruit():
    condition = re.search(r"risk profile durian-vn --condition '([^']+)'", README).group(1)
    matches = compile_condition(condition, SCHEMA)
    example = json.loads((ROOT / "examples" / "import-declaration.json").read_text())
    assert example["items"][0]["description"].startswith("Fresh dragon fruit")
    assert not any(matches(f) for f in _facts(example))
    durians = copy.deepcopy(example)
    durians["items"][0].update(hs_code="08106000", description="Fresh durians, in cartons")
    assert [matches(f) for f in _facts(durians)] == [True, False]


def _shell_lines(text: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line for block in blocks for line in block.splitlines()]


def test_the_command_is_always_written_the_same_way():
    for text in (README, *(doc.read_text() for doc in (ROOT / "docs").glob("*.md"))):
        commands = [line for line in _shell_lines(text) if re.search(r"\bsilkgate ", line)]
        for line in commands:
            assert not re.search(r"(?<!/bin/)\bsilkgate ", line.split("#")[0]), line


def test_the_tokens_the_walkthroughs_use_are_the_ones_the_demo_prints():
    admins = ("CN", "VN", "KZ", "UZ")
    printed = {f"{a}_{u.variable}" for a in admins for u in demo.users_of(a)}
    used = set(re.findall(r"\$((?:CN|VN|KZ|UZ)_[A-Z0-9]+)", README + EXCHANGE + TRANSIT))
    assert used and used <= printed
    assert {"KZ_OFFICER", "UZ_OFFICER"} <= used


def test_the_trio_prints_the_walkthrough_of_docs_transit():
    from silkgate.cli.trio import WALKTHROUGH

    for line in WALKTHROUGH.splitlines():
        if line.startswith(".venv/bin/silkgate"):
            assert line.split("#")[0].strip() in TRANSIT, line
