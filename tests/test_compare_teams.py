"""The team-split experiment end to end: `wijksim compare-teams`, its tables and figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest


def wijksim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijksim", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.smoke
def test_compare_teams_pairs_every_split_with_the_integral_team(tmp_path):
    out = tmp_path / "teams"
    result = wijksim(
        "compare-teams", "--seeds", "2", "--households", "800", "--years", "3",
        "--forms", "cost_centre,per_hour", "--neighbourhoods", "weak,strong",
        "--backend", "serial", "--out", str(out), "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = out / "report"
    assert "Team splits against the `integral` team" in (report / "summary.md").read_text()
    differences = pd.read_parquet(report / "team_differences.parquet")
    pairs = differences[["configuration", "form", "neighbourhood"]].drop_duplicates()
    assert len(pairs) == 2 * 2 * 2  # two splits × two forms × two neighbourhood types
    assert set(pairs["configuration"]) == {"focus_life_phase", "front_back"}
    # Both seeds paired wherever both runs have a value (a ratio can be 0/0 in a small run).
    whole_run = differences[differences["metric"].isin(["cost_total_eur", "escalations"])]
    assert len(whole_run) == 2 * len(pairs) and (whole_run["n"] == 2).all()
    assert differences["n"].between(1, 2).all()
    # The integral team never coordinates, so the split's difference is its own hours.
    coordination = differences[differences["metric"] == "coordination_hours"]
    focus = coordination[coordination["configuration"] == "focus_life_phase"]
    assert (focus["mean_difference"] > 0).all()
    indicators = pd.read_parquet(report / "team_indicators.parquet")
    per_team = indicators[indicators["team"] != ""]
    waits = per_team[per_team["metric"] == "mean_intake_wait_weeks"]
    assert {"integral", "youth", "adults", "elderly", "front", "backing"} <= set(waits["team"])
    for name in ("teams_differences", "teams_wait_per_team", "teams_hours"):
        assert (report / "figures" / f"{name}.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("old_system",), "expected a scenario with a [team]"),
        (("--forms", "per_week"), "expected funding forms from"),
        (("--neighbourhoods", "rich"), "expected neighbourhood types from"),
        (("--configurations", "integral,no_such_file"), "no_such_file"),
    ],
)
def test_compare_teams_refuses_bad_input_clearly(tmp_path, args, message):
    result = wijksim("compare-teams", *args, "--seeds", "1", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()
