"""Fingerprints of seven runs, to show that an optimisation changes no result.

A fingerprint is a hash of every weekly record and of the final population's state. Run
it with two versions of wijksim (``docs/performance.md``) and compare the lines::

    python experiments/benchmarks/fingerprint.py > after.txt

Self-contained on purpose: it uses only what every version has.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

ADAPTING = {"funding.operator.adapts": True}
RUNS: tuple[tuple[str, dict, int], ...] = (
    ("old_system", {"population.households": 2000}, 156),
    ("integral_team", {"population.households": 3000}, 156),
    ("funding_per_hour", {"population.households": 3000, **ADAPTING}, 208),
    (
        "funding_population",
        {
            "population.households": 3000,
            "funding.specialist_access.charge_share": 0.5,  # option D
            **ADAPTING,
        },
        156,
    ),
    ("team_focus_life_phase", {"population.households": 3000}, 156),
    ("team_front_back", {"population.households": 3000}, 156),
    ("transition", {"population.households": 3000}, 208),
)
POPULATION_STATE = ("zrm", "status", "own_strength", "cost_cents", "need_group", "network_help")
SEED = 3


def fingerprint(name: str, overrides: dict, weeks: int) -> str:
    """The hash of one run's weekly records and final population."""
    scenario = with_overrides(load_scenario(name).scenario, overrides)
    model = NeighbourhoodModel(scenario, seed=SEED)
    model.run(weeks)
    digest = hashlib.sha256(json.dumps(model.records, sort_keys=True, default=float).encode())
    for field in POPULATION_STATE:
        # Row-major bytes, whatever the array's layout in memory.
        digest.update(np.ascontiguousarray(getattr(model.population, field)).tobytes())
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    for name, overrides, weeks in RUNS:
        print(name, fingerprint(name, overrides, weeks), flush=True)
