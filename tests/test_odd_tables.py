"""The ODD's generated tables (issue 20, item 6): parameters, state and metrics from the code.

docs/ODD.md keeps its prose by hand, but its tables of parameters, state arrays, codes
and metrics are rendered from the schema and the state classes between marker comments;
these tests fail when the committed document differs from what the code renders.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from wijksim.experiments.cli import main
from wijksim.experiments.reports import odd_tables
from wijksim.experiments.reports.odd_tables import (
    ODD_PATH,
    UnknownBlock,
    block_names,
    regenerate,
    render,
)
from wijksim.model.inputs.parameters import parameters
from wijksim.model.observation.counters import declared_metrics
from wijksim.model.state.caseload import CaseTable
from wijksim.model.state.population import Population


def _odd() -> str:
    return ODD_PATH.read_text(encoding="utf-8")


def test_the_committed_odd_is_what_the_code_renders():
    """Regenerate with `wijksim params --odd docs/ODD.md`."""
    text = _odd()
    assert regenerate(text) == text, "docs/ODD.md's generated tables are stale: regenerate"


def test_the_odd_has_a_generated_table_for_every_state_class_and_the_metrics():
    names = set(block_names(_odd()))
    wanted = {f"state {name}" for name in odd_tables.STATE_TABLES} | {"metrics"}
    assert wanted <= names


def test_every_schema_table_has_its_generated_table_in_the_odd():
    """A new section or nested table of the schema needs a place in the description."""
    tables = {odd_tables._table_of(p) for p in parameters()}
    shown = {n.split(" ", 1)[1] for n in block_names(_odd()) if n.startswith("parameters ")}
    assert tables - shown == set()


def test_a_hand_edit_inside_a_block_is_undone_and_text_outside_is_kept():
    text = "intro\n<!-- generated: state Status -->\n| stale |\n<!-- end generated -->\nprose\n"
    new = regenerate(text)
    assert "| stale |" not in new
    assert new.startswith("intro\n") and new.endswith("<!-- end generated -->\nprose\n")
    assert "`ESCALATED`" in new


def test_the_state_tables_list_every_field_of_the_state_classes():
    for cls, name in ((Population, "Population"), (CaseTable, "CaseTable")):
        table = render(f"state {name}")
        for field in dataclasses.fields(cls):
            assert f"| `{field.name}` |" in table
        assert "|  |" not in table, f"a field of {name} has no line in its docstring"


def test_every_flow_of_wijksim_says_what_it_counts():
    """A new counter needs a line in FLOW_MEANINGS (model/observation/metrics.py) for the ODD."""
    missing = [m.name for m in declared_metrics() if not m.description]
    assert missing == [], f"no meaning for {missing}: add it to FLOW_MEANINGS"


def test_a_kinds_table_shows_every_field_that_each_kind_sets_itself():
    """The table of a kind's fields leaves those values to the kinds' table."""
    fields = render("parameters specialists.<kind>")
    kinds = render("kinds specialists: extension_weeks")
    header = kinds.splitlines()[0]
    for row in fields.splitlines()[4:]:
        name = row.split("|")[1].strip()
        if odd_tables.PER_KIND in row:
            assert name in header
    assert "`extension_weeks`" in header and "`extend_probability`" not in header


def test_the_parameter_table_gives_each_field_its_default_and_source():
    table = render("parameters team.policy")
    assert "| `referral_max_level` |" in table
    assert "assumption" in table


def test_an_unknown_block_name_is_refused():
    with pytest.raises(UnknownBlock, match=r"no table 'team\.polcy'"):
        render("parameters team.polcy")
    with pytest.raises(UnknownBlock, match="no generated table"):
        render("state Ledger")


def test_wijksim_params_odd_regenerates_a_file_in_place(tmp_path: Path):
    odd = tmp_path / "ODD.md"
    block = "<!-- generated: parameters zeroth_line -->\nSTALE ROW\n<!-- end generated -->\n"
    odd.write_text(f"# x\n{block}")
    assert main(["params", "--odd", str(odd)]) == 0
    text = odd.read_text()
    assert "STALE ROW" not in text and "| `cost_per_household_year_eur` |" in text
    assert odd_tables.main([str(odd), "--check"]) == 0
