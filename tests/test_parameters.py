"""The parameter reference (issue 17, item 6): ``wijksim params`` and docs/parameters.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest
from pydantic import BaseModel
from wijksim.experiments.cli import main
from wijksim.model.config.scenario import Scenario
from wijksim.model.config.team_params import TeamParams
from wijksim.model.contracts.funding import FundingParams
from wijksim.model.inputs.parameters import (
    KIND,
    NO_UNIT,
    format_markdown,
    parameters,
    sections,
    unit_of,
)

ROOT = Path(__file__).resolve().parents[1]


def _by_path() -> dict[str, object]:
    return {p.path: p for p in parameters()}


def test_every_numeric_field_has_a_unit():
    """A new number in the schema needs a unit: from its name or in EXPLICIT_UNITS."""
    missing = [p.path for p in parameters() if not p.unit]
    assert missing == [], f"no unit for {missing}: name it (_eur, _weeks, ...) or add it"


def test_every_field_has_a_description():
    """The docstring under a field is its meaning and source: none may be missing."""
    missing = [p.path for p in parameters() if not p.description]
    assert missing == [], f"no docstring under {missing}"


def _schema_classes(annotation: object, found: set[type]) -> set[type]:
    """Every pydantic model reachable from ``annotation`` through its type arguments."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for info in annotation.model_fields.values():
                _schema_classes(info.annotation, found)
        return found
    for argument in get_args(annotation):
        _schema_classes(argument, found)
    return found


def test_the_reference_lists_every_field_of_every_section_class():
    classes = _schema_classes(Scenario, set())
    assert {TeamParams, FundingParams} <= classes
    leaves = {p.path.rsplit(".", 1)[-1] for p in parameters()}
    fields = {name for cls in classes for name in cls.model_fields}
    sections_and_tables = {name for name in fields if name not in leaves}
    # Only tables that the reference opens into their own fields are no row of their own.
    assert all(
        any(p.path.split(".").count(name) or f".{name}." in p.path for p in parameters())
        for name in sections_and_tables
    ), sections_and_tables
    assert len(parameters()) >= 190


def test_defaults_ranges_and_units_come_from_the_schema():
    rows = _by_path()
    fte = rows["team.frontline_fte"]
    assert (fte.unit, fte.default, fte.allowed) == ("FTE", "8", "> 0")
    assert "Leeuwarden" in fte.description
    # The team's own help-seeking defaults, not the class's (3, not 2).
    assert rows["team.help_seeking.help_seeking_max_level"].default == "3"
    assert rows["access.help_seeking_max_level"].default == "2"
    assert rows["population.households"].allowed == "whole number > 0"
    assert rows["burn_in_years"].allowed == "whole number 0–50"
    assert rows["network.mean_degree"].allowed == "even whole number ≥ 2"
    assert rows["funding.ceiling_per_year_eur"].allowed == "≥ 0, or not set"
    assert rows["team.intake_order"].allowed == 'one of "strict", "first_fit"'
    assert rows["team.label"].unit == NO_UNIT


def test_kinds_show_their_own_defaults():
    rows = _by_path()
    price = rows[f"specialists.{KIND}.price_per_week_eur"]
    assert "youth_care 350" in price.default and "sheltered_housing 1200" in price.default
    assert "a new kind: required" in price.default
    boost = rows[f"specialists.{KIND}.recovery_boost_per_week"].default
    assert boost == "0.06, except crisis_care 0"


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("team.cost_per_fte_year_eur", "€ per FTE per year"),
        ("x.price_per_week_eur", "€ per week"),
        ("x.trajectory_weeks", "weeks"),
        ("x.desk_fte_per_1000_households", "FTE per 1,000 households"),
        ("x.some_share", "share 0–1"),
        ("x.tariff_per_hour_eur", "€ per hour"),
    ],
)
def test_units_from_names(name, unit):
    assert unit_of(name, float) == unit


def test_a_number_without_a_unit_is_found():
    assert unit_of("x.mystery", float) == ""
    assert unit_of("x.mystery", str) == NO_UNIT


def test_docs_parameters_md_is_what_the_code_generates():
    """Regenerate with `wijksim params --markdown > docs/parameters.md`."""
    committed = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert committed == format_markdown(), "docs/parameters.md is stale: regenerate it"


def test_params_prints_one_section(capsys):
    assert main(["params", "team"]) == 0
    out = capsys.readouterr().out
    assert "team.frontline_fte  [FTE]" in out
    assert "team.policy.aftercare_weeks" in out
    assert "population.households" not in out


def test_params_specialists_show_every_kind(capsys):
    assert main(["params", "specialists"]) == 0
    out = capsys.readouterr().out
    assert "mental_health 250" in out and "crisis_care" in out


def test_params_nested_table_and_field(capsys):
    assert main(["params", "team.policy"]) == 0
    out = capsys.readouterr().out
    assert "team.policy.intake_max_level" in out and "team.frontline_fte" not in out
    assert main(["params", "funding.operator.ethos"]) == 0
    assert "funding.operator.ethos" in capsys.readouterr().out


def test_params_markdown_is_the_docs(capsys):
    assert main(["params", "--markdown"]) == 0
    assert capsys.readouterr().out == format_markdown()


@pytest.mark.parametrize(
    ("asked", "suggested"),
    [("teem", "team"), ("specialist", "specialists"), ("team.polcy", "team.policy")],
)
def test_unknown_section_is_one_line_with_a_suggestion(asked, suggested, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "wijksim", "params", asked],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert f"unknown section '{asked}'; did you mean '{suggested}'?" in lines[0]
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_sections_are_the_scenario_tables():
    names = sections()
    assert names[0] == "general"
    tables = [
        name
        for name, info in Scenario.model_fields.items()
        if isinstance(getattr(Scenario(), name), BaseModel | dict)
        or name in ("team", "funding", "city", "calibrated")
    ]
    # ``[rules.<name>]`` holds the tables of rules that plugins register: no schema of its
    # own to list, so it is one row of the general fields (issue 20, item 4).
    tables.remove("rules")
    assert names[1:] == tables


def test_params_scenario_shows_where_it_differs_from_the_defaults(capsys):
    """Values are computed from the shipped file, not written here: it is recalibrated."""
    from wijksim.model.inputs.parameters import render_value
    from wijksim.model.inputs.scenario_io import load_scenario

    old_system = load_scenario("old_system").scenario
    assert main(["params", "hazards", "--scenario", "old_system"]) == 0
    out = capsys.readouterr().out
    drift = render_value(old_system.hazards.drift_scale)
    assert drift != "1"  # the schema's default; the shipped scenario is calibrated
    assert f"default 1; allowed: > 0\n      in old_system: {drift}\n" in out
    assert "in old_system: 0.004" not in out  # equal to the default: not repeated
    assert main(["params", "team", "--scenario", "old_system"]) == 0
    assert "(old_system has no [team]" in capsys.readouterr().out


def test_params_scenario_shows_a_kinds_own_value(capsys, tmp_path):
    path = tmp_path / "dearer.toml"
    path.write_text("[specialists.mental_health]\nprice_per_week_eur = 275.0\n")
    assert main(["params", "specialists.price_per_week_eur", "--scenario", str(path)]) == 0
    assert "in dearer: youth_care 350; mental_health 275;" in capsys.readouterr().out
