"""Bad input: one clear line naming the file and the field, exit code 2, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CASES = {
    "malformed_toml": ('label = "x"\n[population\nhouseholds = 10\n', None, "malformed TOML"),
    "unknown_key": ("[population]\nhousholds = 100\n", "population.housholds", "unknown field"),
    "wrong_type": ('[population]\nhouseholds = "many"\n', "population.households", "found 'many'"),
    "negative_count": ("[population]\nhouseholds = -5\n", "population.households", "found -5"),
    "shares_not_one": (
        "[classification.target_shares]\nself_reliant = 0.8\nbasic = 0.15\ncomplex = 0.10\n",
        "classification.target_shares",
        "summing to 1",
    ),
    "missing_extends": ('extends = "no_such_base.toml"\n', "extends", "not found"),
    "unknown_rule": ('schedule = ["drift", "teleport"]\n', "schedule", "teleport"),
    "team_unknown_policy_key": (
        "[team.policy]\naftercare_weeks = 52\nintake_level = 2\n",
        "team.policy.intake_level",
        "valid fields here",
    ),
    "team_hours_all_spent": (
        "[team.policy]\noutreach_share = 0.6\ncollective_share = 0.5\n",
        "team.policy",
        "hours must be left for casework",
    ),
    "team_unknown_own_function": (
        '[team]\nown_functions = ["astrology"]\n',
        "team.own_functions",
        "astrology",
    ),
    "team_starts_after_last_year": (
        "years = 2\n[team]\n[transition]\nteam_start_year = 3\n",
        "transition.team_start_year",
        "expected ≤ years (2), found 3",
    ),
    "unknown_group_share": (
        "[classification.target_shares]\nself_reliant = 0.8\nbasic = 0.2\n",
        "classification",
        "one share for each group",
    ),
}


def wijksim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijksim", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_scenario_is_one_clear_line(case, command, tmp_path):
    text, field, expected = CASES[case]
    scenario = tmp_path / f"{case}.toml"
    scenario.write_text(text)
    out = tmp_path / "out"
    args = [command, str(scenario)] + (["--out", str(out), "--quiet"] if command == "run" else [])
    result = wijksim(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(scenario) in lines[0]
    if field:
        assert f"field '{field}" in lines[0]
    assert expected in lines[0]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [scenario.name]


def test_error_names_the_file_that_set_the_field(tmp_path):
    (tmp_path / "base.toml").write_text("[population]\nhouseholds = -1\n")
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\nlabel = "child"\n')
    result = wijksim("validate", str(child), cwd=tmp_path)
    assert result.returncode == 2
    assert "base.toml: field 'population.households'" in result.stderr


def test_bad_command_line_value_is_exit_2(tmp_path):
    result = wijksim("run", "old_system", "--households", "-3", "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "population.households" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()


def test_team_start_after_the_years_on_the_command_line_is_exit_2(tmp_path):
    """The shipped transition opens its team in year 3: two years would never reach it."""
    result = wijksim("run", "transition", "--years", "2", "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "field 'transition.team_start_year': expected ≤ years (2), found 3" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "results").exists()


def test_unknown_scenario_name(tmp_path):
    result = wijksim("run", "atlantis", cwd=tmp_path)
    assert result.returncode == 2
    assert "atlantis" in result.stderr and "old_system" in result.stderr
