"""A finished model is freed: long-lived processes (sweep workers, the dashboard) do not grow.

Mesa 3.3 kept every model in a class-wide dict of agent counters (``Agent._ids``); a sweep
worker then held every run it had made (``NeighbourhoodModel._numbering_agents``).
"""

from __future__ import annotations

import gc
import weakref

from wijksim.experiments.runner.run import run_simulation
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

SMALL = {"population.households": 300, "burn_in_years": 1, "years": 1}


def small(name: str = "integral_team"):
    return with_overrides(load_scenario(name).scenario, SMALL)


def test_a_model_nothing_holds_is_freed():
    model = NeighbourhoodModel(small(), seed=1)
    model.run(4)
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None


def test_a_sweep_runs_model_is_freed_with_its_result():
    result = run_simulation(small(), seed=2)
    gone = weakref.ref(result.model)
    del result
    gc.collect()
    assert gone() is None


def test_agents_made_after_a_step_are_numbered_after_the_others():
    model = NeighbourhoodModel(small(), seed=3)
    model.run(WEEKS_PER_YEAR // 4)
    before = {agent.unique_id for agent in model.agents}
    first = model.household(0)
    second = model.household(1)
    assert first.unique_id > max(before)
    assert second.unique_id == first.unique_id + 1
