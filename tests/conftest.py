"""Shared fixtures: small scenarios that run in a second or two."""

from __future__ import annotations

import os

import pytest
from wijksim.model.scenario_io import load_scenario, with_overrides

# A table column without a readable header is an error in the tests, not a raw name in
# the user's CSV and Excel files: any test of a command that writes a new column without
# a label fails (wijksim.experiments.table_files.STRICT_LABELS; inherited by the commands
# the tests start as subprocesses).
os.environ["WIJKSIM_STRICT_LABELS"] = "1"


def small(name: str = "old_system", households: int = 1000, years: int = 2, **overrides):
    """A shipped scenario, shrunk for tests, with dotted-key overrides.

    Without a burn-in unless asked (``burn_in_years=N``): most tests look at mechanisms,
    not at a settled neighbourhood, and run several times faster without one.
    """
    scenario = load_scenario(name).scenario
    return with_overrides(
        scenario,
        {"population.households": households, "years": years, "burn_in_years": 0, **overrides},
    )


@pytest.fixture
def small_scenario():
    return small()
