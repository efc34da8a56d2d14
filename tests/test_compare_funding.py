"""The funding experiment end to end: `wijksim compare-funding`, its tables and figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

FORMS = {
    "function_budget",
    "per_hour",
    "per_trajectory",
    "result_per_client",
    "population",
    "shared_savings",
}


def wijksim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijksim", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.smoke
def test_compare_funding_writes_the_incentive_table(tmp_path):
    out = tmp_path / "compare"
    result = wijksim(
        "compare-funding", "--seeds", "2", "--households", "1000", "--years", "4",
        # A 3-year burn-in, not the shipped 14: the need groups are near their settled
        # shares by then (5.4% complex against ~6%), which is all this plumbing needs.
        "--set", "burn_in_years=3",
        "--backend", "serial", "--out", str(out), "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = out / "report"
    summary = (report / "summary.md").read_text()
    assert "cost_centre" in summary and "App. III.4" in summary
    incentives = pd.read_parquet(report / "incentives.parquet")
    assert set(incentives["condition"]) == FORMS  # every form against the cost centre
    assert set(incentives["arrow"]) <= {"↑", "↓", "≈", "n/a"}
    indicators = pd.read_parquet(report / "funding_indicators.parquet")
    assert indicators["seed"].nunique() == 2
    assert {
        "hours_per_client",
        "held_year_share",
        "policy_discharge_min_level",
        "operator_margin_eur",
    } <= set(indicators["metric"])
    for name in ("funding_indicators", "funding_incentives", "funding_settings"):
        assert (report / "figures" / f"{name}.png").stat().st_size > 10_000


def test_compare_funding_refuses_a_scenario_without_a_team(tmp_path):
    result = wijksim("compare-funding", "old_system", "--seeds", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert "expected a scenario with a [team]" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()
