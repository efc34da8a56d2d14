"""Tests of the debt counselling rule: what a partner ships with its rule.

Run from the repository with ``python -m pytest examples/debt_counselling``; pytest puts
this folder on the import path, so ``import debt_counselling`` finds the rule. Small
neighbourhoods and two years without burn-in keep each test to seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from debt_counselling import FINANCES, DebtCounselling
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

HERE = Path(__file__).parent
SMALL = {"population.households": 300, "years": 2, "burn_in_years": 0}


def small_model(boost: float = 0.06) -> NeighbourhoodModel:
    """The example scenario, small, with the given effect size."""
    scenario = load_scenario(HERE / "scenario.toml").scenario
    overrides = {**SMALL, "rules.debt_counselling.boost_per_week": boost}
    return NeighbourhoodModel(with_overrides(scenario, overrides, check_rules=True), seed=1)


def test_the_rule_runs_after_team_support_with_its_parameter():
    model = small_model(boost=0.05)
    order = list(model.schedule)
    assert order.index("debt_counselling") == order.index("team_support") + 1
    assert model.rule("debt_counselling").params.boost_per_week == 0.05


def test_team_clients_in_debt_get_the_boost_on_finances_only():
    model = small_model(boost=0.05)
    model.run(8)  # the team takes its first cases
    rule = model.rule("debt_counselling")
    before = model.population.treatment_boost.copy()
    rule.step(model)
    added = model.population.treatment_boost - before
    counselled = rule._counselled(model)
    assert counselled.size > 0
    assert np.allclose(added[counselled, FINANCES], 0.05)
    others = np.ones(model.population.size, dtype=bool)
    others[counselled] = False
    assert not added[others].any() and not np.delete(added, FINANCES, axis=1).any()


def test_a_wrong_parameter_is_one_line_naming_the_field(tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(
        f'extends = "{HERE / "scenario.toml"}"\n[rules.debt_counselling]\nboost_per_week = 2.0\n'
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(scenario)
    assert "field 'rules.debt_counselling.boost_per_week'" in str(error.value)
    assert "found 2.0" in str(error.value)


def wijksim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The ``wijksim`` command as a partner runs it, with this folder on PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    command = [sys.executable, "-m", "wijksim", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def test_wijksim_run_with_the_plugin_records_its_metrics(tmp_path):
    out = tmp_path / "run"
    result = wijksim(
        "run", "--plugin", "debt_counselling", str(HERE / "scenario.toml"),
        "--households", "300", "--years", "2", "--set", "burn_in_years=0",
        "--no-figures", "--quiet", "--out", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    steps = pd.read_parquet(out / "steps.parquet")
    weekly = steps[steps["metric"] == "debt_counselling_households"]
    assert len(weekly) == 2 * 52  # recorded every week, 0 when nobody was counselled
    assert weekly["value"].sum() > 0
    assert "debt_counselling_households" in (out / "summary.md").read_text()


def test_a_tiny_sweep_of_the_effect_size_on_worker_processes(tmp_path):
    sweep = tmp_path / "tiny.toml"
    sweep.write_text(
        f'name = "tiny"\nscenario = "{HERE / "scenario.toml"}"\nseeds = 1\n'
        '[set]\n"population.households" = 300\nyears = 1\nburn_in_years = 0\n'
        '[grid]\n"rules.debt_counselling.boost_per_week" = [0.0, 0.06]\n'
    )
    out = tmp_path / "sweep"
    result = wijksim(
        "sweep", "--plugin", "debt_counselling", str(sweep), "--backend", "processes",
        "--workers", "2", "--quiet", "--out", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    indicators = pd.read_parquet(out / "report" / "indicators.parquet")
    counselled = indicators[indicators["metric"] == "debt_counselling_households"]
    assert len(counselled) == 2  # one per condition: summed over the run, as a flow


def test_the_rule_is_a_registered_rule_with_declared_metrics():
    kinds = {metric.name: metric.kind.value for metric in DebtCounselling.metrics}
    assert kinds == {
        "debt_counselling_households": "flow",
        "debt_counselling_share_in_debt": "state",
    }


def test_the_guide_shows_these_files_as_they_are():
    guide = (HERE.parents[1] / "docs" / "extending.md").read_text(encoding="utf-8")
    for name in ("debt_counselling.py", "scenario.toml", "sweep.toml"):
        assert (HERE / name).read_text(encoding="utf-8") in guide, name
