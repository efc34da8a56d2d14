"""Each household's costs of the current year (issue 16: the concentration target is yearly).

The VNG cumulation monitor behind "half of the costs fall on fewer than 5% of households"
counts one year; the household table therefore carries the last year's costs beside the
run's total, and the target reads them.
"""

from __future__ import annotations

import numpy as np
import pytest
from wijksim.experiments.runner.run import household_table, run_simulation
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

SMALL = {"population.households": 600, "burn_in_years": 1}


def small_old_system():
    return with_overrides(load_scenario("old_system").scenario, SMALL)


def test_the_last_year_column_is_what_was_booked_in_the_last_year():
    model = NeighbourhoodModel(small_old_system(), seed=4)
    model.run(2 * WEEKS_PER_YEAR)
    after_two = model.population.cost_cents.copy()
    model.run(WEEKS_PER_YEAR)
    table = household_table(model)
    booked_in_year_three = (model.population.cost_cents - after_two) / 100.0
    assert booked_in_year_three.sum() > 0  # the check below is not 0 == 0
    np.testing.assert_array_equal(table["cost_eur_last_year"].to_numpy(), booked_in_year_three)
    assert (table["cost_eur"] > table["cost_eur_last_year"]).any()


def test_the_burn_in_books_nothing_into_the_first_year():
    model = NeighbourhoodModel(small_old_system(), seed=4)
    model.run(WEEKS_PER_YEAR)
    table = household_table(model)
    np.testing.assert_array_equal(table["cost_eur_last_year"], table["cost_eur"])


def test_a_run_writes_the_column_and_the_yearly_target_reads_it():
    from wijksim.experiments.analysis.target_metrics import METRICS, RunOutputs

    result = run_simulation(with_overrides(small_old_system(), {"years": 2}), seed=4)
    run = RunOutputs.from_result(result)
    yearly = METRICS["share_of_households_with_half_the_year_cost"].function(run, (1, 2), None)
    pooled = METRICS["share_of_households_with_half_the_cost"].function(run, (1, 2), None)
    costs = np.sort(result.households["cost_eur_last_year"].to_numpy())[::-1]
    expected = (np.searchsorted(np.cumsum(costs), costs.sum() / 2) + 1) / costs.size
    assert yearly == pytest.approx(expected)
    assert yearly < pooled  # one year's costs sit on fewer households than two years'


def test_a_run_without_the_column_has_no_yearly_figure():
    from wijksim.experiments.analysis.target_metrics import METRICS, RunOutputs

    result = run_simulation(with_overrides(small_old_system(), {"years": 1}), seed=4)
    households = result.households.drop(columns="cost_eur_last_year")
    run = RunOutputs(result.steps, households, result.manifest["scenario"])
    yearly = METRICS["share_of_households_with_half_the_year_cost"]
    assert yearly.function(run, (1, 1), None) is None
