"""Docs that must not drift from the code: the ODD's schedule and state tables, the README.

The ODD's state tables (``docs/ODD.md`` §2) list every field of the household arrays
(:class:`Population`), of the teams' case table (:class:`CaseTable`), and every member of
:class:`Status` and :class:`CaseRole`. A field or member added to the code without a row in
the ODD fails these tests, and so does a row for a field the code no longer has.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
from wijksim.model.config.scenario import PopulationParams
from wijksim.model.rules.schedule import DEFAULT_SCHEDULE
from wijksim.model.state.caseload import CaseRole, CaseTable
from wijksim.model.state.population import Population, initialise_population
from wijksim.model.state.status import Status

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


def _odd() -> str:
    return (ROOT / "docs" / "ODD.md").read_text()


def _subsection(text: str, heading_contains: str) -> str:
    """The body of the one ``###`` heading that contains ``heading_contains``."""
    pattern = rf"^### [^\n]*{re.escape(heading_contains)}[^\n]*$(.*?)(?=^#{{1,3}} |\Z)"
    found = re.findall(pattern, text, re.M | re.S)
    assert len(found) == 1, f"expected one '### …{heading_contains}…' heading, found {len(found)}"
    return found[0]


def _tables(section: str) -> list[list[list[str]]]:
    """Every Markdown table of ``section``: its body rows, as lists of stripped cells."""
    tables, current = [], None
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if current is None:
                current = []  # the header row
            elif not set("".join(cells)) <= set("-: "):
                current.append(cells)
        elif current is not None:
            tables.append(current)
            current = None
    if current is not None:
        tables.append(current)
    return tables


def _names_and_dtypes(section: str) -> dict[str, str]:
    """Rows of a state table whose first cell is a `name`: name -> first word of the dtype."""
    rows = {}
    for table in _tables(section):
        for cells in table:
            name = re.fullmatch(r"`([a-z_]+)`", cells[0])
            if name:
                rows[name.group(1)] = cells[1].split()[0]
    return rows


def _codes_and_names(table: list[list[str]]) -> list[tuple[int, str]]:
    return [(int(cells[0]), cells[1].strip("`")) for cells in table]


def test_odd_population_table_lists_every_field_with_its_dtype():
    documented = _names_and_dtypes(_subsection(_odd(), "`Population`"))
    fields = [field.name for field in dataclasses.fields(Population)]
    assert sorted(documented) == sorted(fields)
    population = initialise_population(PopulationParams(households=5), np.random.default_rng(0))
    actual = {name: getattr(population, name).dtype.name for name in fields}
    assert documented == actual


def test_odd_case_table_lists_every_field_with_its_dtype():
    section = _subsection(_odd(), "`CaseTable`")
    documented = _names_and_dtypes(section)
    fields = [field.name for field in dataclasses.fields(CaseTable)]
    assert sorted(documented) == sorted(fields)
    table = CaseTable.empty(3)
    assert documented == {name: getattr(table, name).dtype.name for name in fields}


def test_odd_status_table_lists_every_status_with_its_code():
    (table,) = _tables(_subsection(_odd(), "`Status`"))
    assert _codes_and_names(table) == [(int(s), s.name) for s in Status]


def test_odd_case_role_table_lists_every_role_with_its_code():
    tables = _tables(_subsection(_odd(), "`CaseRole`"))
    role_tables = [t for t in tables if t and t[0][0].isdigit()]
    assert len(role_tables) == 1, "expected one table of codes in the CaseRole section"
    assert _codes_and_names(role_tables[0]) == [(int(r), r.name) for r in CaseRole]


def test_readme_lists_every_command():
    """Each `wijksim` subcommand has a line in the README's command block."""
    import argparse

    from wijksim.experiments.cli.parser import build_parser

    readme = (ROOT / "README.md").read_text()
    block = _section(readme, "The command").split("```")[1]
    listed = set(re.findall(r"^wijksim ([a-z-]+)", block, re.M))
    commands = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    ).choices
    assert set(commands) - listed == set()
