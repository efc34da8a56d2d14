"""The household core: the household rules of the engine, without care or teams.

Both implementations of the benchmark run exactly these rules. On the array side the
core is a :class:`~wijksim.model.model.NeighbourhoodModel` whose schedule holds only
the household rules: households that ask for help or are signalled apply at the
central desk and stay there (status KNOWN, no assessment), and a household that
escalates is booked and stays in crisis care (status ESCALATED), because the desk's
and the specialists' rules do not run. The idiomatic Mesa reference
(:mod:`wijksim.experiments.benchmarks.mesa_reference`) does the same per agent.
"""

from __future__ import annotations

from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.scenario_io import with_overrides

HOUSEHOLD_CORE_SCHEDULE: tuple[str, ...] = (
    "informal_network",
    "life_events",
    "drift",
    "recovery",
    "escalation",
    "help_seeking",
    "classification",
)
"""The household rules in the order of the default schedule (model/rules/schedule.py)."""


def household_core(scenario: Scenario, households: int | None = None) -> Scenario:
    """Return ``scenario`` with only the household rules scheduled.

    Args:
        scenario: A scenario without a team (the old system's access point, the desk,
            is where households apply).
        households: Population size, if it should differ from the scenario's.
    """
    # From the initial draw, without a burn-in: both implementations start from the same
    # state, and the benchmark times steps, not settling.
    overrides: dict = {"schedule": list(HOUSEHOLD_CORE_SCHEDULE), "team": None, "burn_in_years": 0}
    if households is not None:
        overrides["population.households"] = households
    return with_overrides(scenario, overrides)
