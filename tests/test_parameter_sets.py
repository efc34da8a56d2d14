"""`--parameter-sets N`: parameter and stochastic uncertainty in experiments (issue 16, item 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.calibration.ensemble import draw_parameter_sets
from wijksim.experiments.reports.uncertainty import variance_components
from wijksim.experiments.runner.sweep_spec import (
    SET_SEED_STRIDE,
    SweepSpec,
    VariantSpec,
    parameter_set_of,
    plan_runs,
)
from wijksim.model.inputs.scenario_io import ScenarioError

HAZARD = "escalations.eviction.hazard_per_week"
CAPACITY = "specialists.youth_care.capacity_per_1000_households"


def test_variance_components_recover_known_spreads():
    """40 sets × 10 seeds with sd 3 between sets and 1 within: estimates near both.

    Tolerance: with 40 sets the between-set sd is estimated to about ±1/sqrt(2·39) ≈
    ±11% relative (one sd); 25% is over two of those. Within: 360 df, ±4%; 10% allowed.
    Seeded.
    """
    rng = np.random.default_rng(5)
    sets = np.repeat(np.arange(40), 10)
    values = 100 + 3.0 * rng.standard_normal(40)[sets] + 1.0 * rng.standard_normal(400)
    parts = variance_components(pd.Series(values), pd.Series(sets))
    assert parts["parameters_sd"] == pytest.approx(3.0, rel=0.25)
    assert parts["seeds_sd"] == pytest.approx(1.0, rel=0.10)
    assert parts["parameters_share"] == pytest.approx(9 / 10, abs=0.06)
    nothing = variance_components(pd.Series(rng.standard_normal(400)), pd.Series(sets))
    assert nothing["parameters_share"] < 0.1


def spec_with_sets(**update) -> SweepSpec:
    fields = {"seeds": 2, **update}
    return SweepSpec(
        name="sets",
        set={"population.households": 200, "years": 1},
        variants=[
            VariantSpec(name="plain"),
            VariantSpec(name="fixed", set={HAZARD: 0.5}),
        ],
        parameter_sets=[{HAZARD: 0.001, CAPACITY: 7.0}, {HAZARD: 0.002, CAPACITY: 9.0}],
        **fields,
    )


def test_every_condition_runs_every_set_on_its_own_seeds(tmp_path):
    tasks = plan_runs(spec_with_sets(), tmp_path / "sets.toml")
    assert len(tasks) == 2 * 2 * 2  # variants × sets × seeds
    plain = [t for t in tasks if t.variant == "plain"]
    assert [t.seed for t in plain] == [1, 2, 1 + SET_SEED_STRIDE, 2 + SET_SEED_STRIDE]
    assert [parameter_set_of(t.seed) for t in plain] == [0, 0, 1, 1]
    for task in plain:
        chosen = [0.001, 0.002][parameter_set_of(task.seed)]
        assert task.scenario.escalations["eviction"].hazard_per_week == chosen
    # Pairing: the same replicate (seed) of two variants has the same parameter set...
    fixed = {t.seed: t for t in tasks if t.variant == "fixed"}
    for task in plain:
        other = fixed[task.seed].scenario.specialists["youth_care"]
        assert other.capacity_per_1000_households == (
            task.scenario.specialists["youth_care"].capacity_per_1000_households
        )
        # ...but a field the variant sets itself keeps the variant's value.
        assert fixed[task.seed].scenario.escalations["eviction"].hazard_per_week == 0.5
    assert len({t.fingerprint for t in tasks}) == len(tasks)


def test_a_sets_fields_of_a_removed_section_stay_out_of_the_counterfactual(tmp_path):
    """The team's ensemble sets team fields; the counterfactual drops the team.

    Applied anyway, they brought the team back and the transition was compared with
    itself: every difference was 0 (`wijksim transition --parameter-sets 6 --ensemble
    integral_team` at f4abfe0).
    """
    spec = SweepSpec(
        name="team_sets",
        scenario="transition",
        set={"population.households": 200, "years": 3},
        variants=[VariantSpec(name="switch"), VariantSpec(name="counterfactual", without=["team"])],
        parameter_sets=[{"team.support_effect_per_hour": 0.1}],
        seeds=1,
    )
    tasks = {t.variant: t for t in plan_runs(spec, tmp_path / "team_sets.toml")}
    assert tasks["counterfactual"].scenario.team is None
    assert tasks["switch"].scenario.team.support_effect_per_hour == 0.1


def test_seeds_that_would_collide_across_sets_are_refused(tmp_path):
    with pytest.raises(ScenarioError, match="seeds"):
        plan_runs(spec_with_sets(seeds=[SET_SEED_STRIDE]), tmp_path / "sets.toml")


def test_draws_are_seeded_distinct_and_bounded():
    ensemble = pd.DataFrame({HAZARD: np.linspace(0.001, 0.01, 20), CAPACITY: np.arange(20.0)})
    first = draw_parameter_sets(ensemble, 5, seed=1)
    assert first == draw_parameter_sets(ensemble, 5, seed=1)
    assert len({s[CAPACITY] for s in first}) == 5
    with pytest.raises(ScenarioError, match="parameter sets"):
        draw_parameter_sets(ensemble, 21, seed=1)


def test_transition_with_parameter_sets_reports_both_uncertainties(tmp_path):
    """End to end: a tiny transition on 2 sets × 2 seeds; the report splits the spread."""
    ensemble = pd.DataFrame(
        {"point": [0, 1, 2], HAZARD: [0.001, 0.004, 0.01], CAPACITY: [5.0, 20.0, 40.0]}
    )
    ensemble.to_parquet(tmp_path / "mine.ensemble.parquet", index=False)
    result = subprocess.run(
        [
            sys.executable, "-m", "wijksim", "transition",
            "--households", "200", "--years", "3", "--seeds", "2",
            "--parameter-sets", "2", "--ensemble", "mine.ensemble.parquet",
            "--backend", "serial", "--out", "out", "--quiet",
        ],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = Path(tmp_path / "out" / "report")
    spread = pd.read_parquet(report / "uncertainty.parquet")
    assert set(spread["quantity"]) == {"level", "difference"}
    shares = spread["parameters_share"].dropna()  # NaN: no spread at all (no admissions)
    assert len(shares) >= 6 and shares.between(0, 1).all()
    assert "Parameter and stochastic uncertainty" in (report / "summary.md").read_text()
    # The transition's analysis pairs each replicate with its own counterfactual.
    indicators = pd.read_parquet(report / "transition_indicators.parquet")
    assert sorted(indicators["seed"].unique()) == [1, 2, 1 + SET_SEED_STRIDE, 2 + SET_SEED_STRIDE]
