"""The transition experiment end to end: `wijksim transition`, then `wijksim report`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from wijksim.experiments.analysis.statistics import yearly
from wijksim.experiments.runner.results import load_results


def wijksim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijksim", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.smoke
def test_transition_command_writes_the_curve_and_its_report(tmp_path):
    out = tmp_path / "transition"
    result = wijksim(
        "transition", "--seeds", "2", "--households", "800", "--years", "5",
        "--backend", "serial", "--out", str(out), "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = (out / "report" / "summary.md").read_text()
    assert "## Transition" in summary
    assert "MKBA" in summary and "GKBA" in summary and "benefit-cost ratio" in summary
    for name in ("transition_spending", "transition_extra_by_stream", "transition_cumulative"):
        assert (out / "report" / "figures" / f"{name}.png").stat().st_size > 10_000

    # Paired streams: before the team starts (year 3) the switch and the old system are
    # the same neighbourhood, draw for draw, so every cost is identical per seed; from
    # the start year, the team's staff costs make them differ.
    table = yearly(load_results(out, metrics=["cost_total_eur", "cost_team_eur"]))
    wide = table.pivot_table(index=["seed", "year", "metric"], columns="variant", values="value")
    difference = wide["transition"] - wide["counterfactual"]
    before = difference[difference.index.get_level_values("year") < 3]
    assert len(before) == 2 * 2 * 2 and (before == 0).all()
    team_after = difference.xs("cost_team_eur", level="metric")
    assert (team_after[team_after.index.get_level_values("year") >= 3] > 0).all()

    # The report can be rebuilt from the folder alone, with another discount rate.
    again = wijksim("report", str(out), "--discount-rate", "0.04", "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "discounted at 4.00%" in (out / "report" / "summary.md").read_text()
    indicators = pd.read_parquet(out / "report" / "indicators.parquet")
    assert set(indicators["condition"]) == {"counterfactual", "transition"}


def test_report_on_a_folder_without_results_is_one_clear_line(tmp_path):
    result = wijksim("report", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "no sweep.json here" in result.stderr
    assert "Traceback" not in result.stderr


def test_transition_needs_a_team(tmp_path):
    result = wijksim("transition", "old_system", "--seeds", "1", "--out", "x", cwd=tmp_path)
    assert result.returncode == 2
    assert "expected a scenario with a [team]" in result.stderr
    assert not (tmp_path / "x").exists()


GRID_SWEEP = """
name = "transition_grid"
scenario = "transition"
analysis = "transition"
seeds = 2
reference = "counterfactual"

[set]
years = 4
"population.households" = 300

[[variants]]
name = "counterfactual"
without = ["team"]

[[variants]]
name = "transition"

[grid]
"team.frontline_fte" = [4, 8]
"""


def test_transition_sweep_with_a_grid_is_analysed_per_condition(tmp_path):
    # The counterfactual has no [team], so the team grid does not multiply it: both
    # conditions of the switch are paired with the same old-system runs, seed by seed.
    (tmp_path / "grid.toml").write_text(GRID_SWEEP)
    out = tmp_path / "out"
    result = wijksim(
        "sweep", "grid.toml", "--backend", "serial", "--out", str(out), "--quiet", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    again = wijksim("report", str(out), "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr

    report = out / "report"
    field = "team.frontline_fte"
    indicators = pd.read_parquet(report / "transition_indicators.parquet")
    assert list(indicators.columns[:3]) == [field, "seed", "view"]
    # One result per condition, seed and view: 2 conditions × 2 seeds × 2 views.
    assert len(indicators) == 8
    assert indicators.groupby(field)["seed"].nunique().to_dict() == {4: 2, 8: 2}
    summary = pd.read_parquet(report / "transition_summary.parquet")
    assert summary.groupby([field, "view"]).size().to_dict() == {
        (fte, view): 14 for fte in (4, 8) for view in ("society", "municipality")
    }
    spending = pd.read_parquet(report / "transition_spending.parquet")
    # The same old system in both conditions; twice the team costs more with 8 FTE.
    team = spending.query("view == 'society' and component == 'team' and year == 4")
    by_fte = team.set_index([field, "seed"])
    assert (by_fte.loc[4, "reference_eur"] == by_fte.loc[8, "reference_eur"]).all()
    assert (by_fte.loc[8, "scenario_eur"] > by_fte.loc[4, "scenario_eur"]).all()

    text = (report / "summary.md").read_text()
    assert text.count("### team.frontline_fte=4") == 1
    assert text.count("### team.frontline_fte=8") == 1
    for name in ("transition_spending", "transition_extra_by_stream", "transition_cumulative"):
        assert (report / "figures" / f"{name}.png").is_file()
