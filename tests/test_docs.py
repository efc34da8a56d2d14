"""Docs that must not drift from the code: the ODD schedule and the README quick start."""

from __future__ import annotations

import re
from pathlib import Path

from wijksim.model.schedule import DEFAULT_SCHEDULE

ROOT = Path(__file__).resolve().parents[1]


def _section(text: str, heading_start: str) -> str:
    match = re.search(rf"^## {re.escape(heading_start)}.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section '## {heading_start}'"
    return match.group(1)


def test_odd_lists_the_schedule_in_code_order():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    section = _section(odd, "3. Process overview and scheduling")
    listed = re.findall(r"^\d+\. `([a-z_]+)`", section, re.M)
    assert tuple(listed) == DEFAULT_SCHEDULE


def test_readme_quick_start_has_two_commands_that_make_knows():
    readme = (ROOT / "README.md").read_text()
    quick = _section(readme, "Quick start")
    commands = re.findall(r"^(make [a-z-]+)$", quick, re.M)
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for command in commands:
        assert re.search(rf"^{command.split()[1]}:", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
