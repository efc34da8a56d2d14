"""Shared fixtures: small scenarios that run in a second or two."""

from __future__ import annotations

import os

import pytest
from wijksim.model.inputs.scenario_io import load_scenario, with_overrides

# A table column without a readable header is an error in the tests, not a raw name in
# the user's CSV and Excel files: any test of a command that writes a new column without
# a label fails (wijksim.experiments.reports.table_files.STRICT_LABELS; inherited by the commands
# the tests start as subprocesses).
os.environ["WIJKSIM_STRICT_LABELS"] = "1"

SLOWEST_FILES_FIRST = (
    *("test_calibration.py", "test_transition_experiment.py", "test_sweep.py"),
    *("test_compare_teams.py", "test_stylised_facts.py", "test_bad_input.py"),
    *("test_compare_funding.py", "test_dutch_reports.py", "test_shutdown.py"),
    *("test_funding.py", "test_calibrate_targets.py", "test_headline.py"),
    *("test_team_split.py", "test_scenarios_smoke.py", "test_targets_met.py"),
    *("test_parameter_sets.py", "test_run_output.py"),
)
"""Test files that take longest, longest first (``pytest --durations=0 -n 2``, summed per
file). ``make test`` hands each file whole to one of its xdist workers, in collection
order (``--dist loadfile --no-loadscope-reorder``): with the long files started first,
the files left at the end are short, and neither worker waits long for the other
(longest processing time first). The list only orders; a file not in it runs after
those in it, in the usual order."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slowest test files first; the tests within a file keep their order."""
    rank = {name: place for place, name in enumerate(SLOWEST_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


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
