"""``wijksim compare-allocation``: one city's team budget divided by each key (issue 18, item 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.cli import main
from wijksim.experiments.reports.compare_allocation import ALLOCATIONS, allocation_weights, restaff
from wijksim.model.inputs.scaling import with_overrides_scaled
from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

SMALL = {"population.households": 1500, "years": 3, "burn_in_years": 0}


@pytest.fixture(scope="module")
def city() -> NeighbourhoodModel:
    scenario, _ = with_overrides_scaled(load_scenario("utrecht_like").scenario, SMALL)
    return NeighbourhoodModel(scenario, seed=3)


@pytest.mark.parametrize("allocation", list(ALLOCATIONS))
def test_every_allocation_divides_the_same_city_total(city, allocation):
    frontline = sum(t.frontline_fte for t in city.teams)
    cost = sum(t.weekly_cost_cents for t in city.teams)
    scenario = city.params
    model = NeighbourhoodModel(scenario, seed=3)
    fte = restaff(model, allocation)
    assert sum(t.frontline_fte for t in model.teams) == pytest.approx(frontline)
    assert fte["team.frontline_fte"].sum() == pytest.approx(frontline)
    # The weekly staff cost follows the new FTE, and the city's total stays (to the cent
    # per team, rounding).
    rounding = len(model.teams)  # a cent per team at most
    assert sum(t.weekly_cost_cents for t in model.teams) == pytest.approx(cost, abs=rounding)
    assert not any(t.is_open for t in model.teams)  # divided before the teams open


def test_the_keys_give_the_weak_neighbourhoods_more_per_household(city):
    sizes = np.array([hood.households for hood in city.neighbourhoods], dtype=float)
    weak = np.array([name.startswith("weak") for name in (h.name for h in city.neighbourhoods)])
    for allocation in ("vulnerability", "need_zrm", "caseload"):
        per_household = allocation_weights(city, allocation) / sizes
        assert per_household[weak].min() > per_household[~weak].max(), allocation
    per_household = allocation_weights(city, "households") / sizes
    assert np.allclose(per_household, per_household[0])


def test_compare_allocation_writes_paired_results(tmp_path):
    out = tmp_path / "allocation"
    argv = ["compare-allocation", "utrecht_like", "--households", "1000", "--years", "3"]
    argv += ["--set", "burn_in_years=0", "--seeds", "2", "--allocations", "caseload"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    results = pd.read_parquet(out / "results.parquet")
    assert set(results["condition"]) == {"households", "caseload"}  # the reference always runs
    assert set(results["seed"]) == {1, 2}
    city = results[results["neighbourhood"] == "city"]
    assert {"need_known_share", "need_known_spread", "spending_per_year_eur"} <= set(city["metric"])
    differences = pd.read_parquet(out / "differences.parquet")
    assert set(differences["condition"]) == {"caseload"} and (differences["n"] == 2).all()
    fte = pd.read_parquet(out / "allocation_fte.parquet")
    totals = fte.groupby("condition")["team.frontline_fte"].sum()
    assert totals["caseload"] == pytest.approx(totals["households"])
    assert "need known" in (out / "summary.md").read_text(encoding="utf-8")


def test_compare_allocation_needs_a_city(capsys):
    assert main(["compare-allocation", "transition", "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "[city]" in error


def test_an_unknown_allocation_is_one_line(capsys):
    argv = ["compare-allocation", "utrecht_like", "--allocations", "lottery", "--quiet"]
    argv += ["--households", "500", "--years", "3"]
    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "lottery" in error


def test_with_overrides_keeps_the_small_city(city):
    assert city.population.size == 1500
    assert with_overrides(city.params, {}).total_households == 1500
