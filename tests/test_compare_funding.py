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


SOURCE_DIMENSIONS = ("clients_served", "hours_per_client", "held_year_share")
NEW_COLUMNS = {"p_value", "p_adjusted", "family", "family_size", "correction", "alpha", "origin"}


def tiny(out: Path, *options: str) -> list[str]:
    """A tiny compare-funding: 300 households, 2 years, 2 seeds, serial."""
    return [
        "compare-funding", "--seeds", "2", "--households", "300", "--years", "2",
        "--backend", "serial", "--out", str(out), "--quiet", *options,
    ]  # fmt: skip


ETHOS = "funding.operator.ethos"
ADAPTS = "funding.operator.adapts"


def test_compare_funding_runs_each_ethos_and_a_fixed_operator_as_families(tmp_path):
    out = tmp_path / "ethos"
    result = wijksim(*tiny(out, "--ethos", "0,1", "--fixed-operator"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = out / "report"
    incentives = pd.read_parquet(report / "incentives.parquet")
    assert set(incentives.columns) >= NEW_COLUMNS
    families = {f"{ETHOS}={e}, {ADAPTS}={a}" for e in ("0.0", "1.0") for a in (True, False)}
    assert set(incentives["family"]) == families
    # Six forms × seven dimensions per family, each family adjusted on its own.
    assert len(incentives) == 4 * 6 * 7
    assert set(incentives["family_size"]) <= set(range(6 * 7 + 1))
    assert set(incentives["correction"]) == {"holm"}
    tested = incentives["p_value"].notna()
    assert (incentives.loc[tested, "p_adjusted"] >= incentives.loc[tested, "p_value"]).all()
    called = incentives["arrow"].isin(["↑", "↓"])
    assert set(incentives.loc[called, "origin"]) <= {"by construction", "emerges"}
    assert incentives.loc[~called, "origin"].isna().all()
    summary = (report / "summary.md").read_text()
    for heading in (
        f"#### Family `{ETHOS}=0.0, {ADAPTS}=True`",
        f"#### Family `{ETHOS}=1.0, {ADAPTS}=False`",
        "#### Arrows that change between families",
        "#### By construction or emerging",
    ):
        assert heading in summary
    # One cost centre for all: it has no operator, so no ethos and nothing to adapt.
    indicators = pd.read_parquet(report / "funding_indicators.parquet")
    assert sum(c.startswith("cost_centre") for c in indicators["condition"].unique()) == 1
    # Without adaptation the ethos is never read (it weighs the operator's choices): both
    # fixed families are the same runs, seed by seed.
    form = indicators["condition"].map(lambda c: c.split(" [")[0])
    fixed = indicators.assign(form=form)[indicators["condition"].str.contains("adapts=False")]
    fixed = fixed.assign(ethos=fixed["condition"].str.contains("ethos=1.0", regex=False))
    wide = fixed.pivot_table(index=["form", "seed", "metric"], columns="ethos", values="value")
    assert wide[True].to_numpy() == pytest.approx(wide[False].to_numpy(), nan_ok=True)
    # The payment rule of every form but shared savings moves only money: with a fixed
    # operator their households fare as under the cost centre. (Shared savings also pay
    # the specialists a share, which shortens their trajectories by construction.)
    at_zero = fixed[~fixed["ethos"] & fixed["metric"].isin(SOURCE_DIMENSIONS)]
    centre = indicators[
        (indicators["condition"] == "cost_centre") & indicators["metric"].isin(SOURCE_DIMENSIONS)
    ]
    by_form = pd.concat([at_zero, centre.assign(form="cost_centre")]).pivot_table(
        index=["seed", "metric"], columns="form", values="value"
    )
    for name in FORMS - {"shared_savings"}:
        assert by_form[name].to_numpy() == pytest.approx(by_form["cost_centre"].to_numpy())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--ethos", "0,x"), "expected numbers from 0 to 1 separated by commas, found 'x'"),
        (("--ethos", "1.5"), "found '1.5'"),
        (("--ethos", "0,0.0"), "lists 0.0 twice"),
        (("--ethos", "0", "--set", "funding.operator.ethos=0.5"), "set by both --ethos and --set"),
        (("--fixed-operator", "--set", "funding.operator.adapts=false"), "set by both"),
    ],
)
def test_bad_ethos_is_one_line_and_exit_2(tmp_path, options, message):
    result = wijksim("compare-funding", "--seeds", "1", *options, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "results").exists()
