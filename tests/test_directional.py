"""Directional tests: changing one cause moves the outcome the expected way.

Each compares two scenarios on the same seeds (paired: same random streams), and
requires the direction in every pair and in the mean. The contrasts are chosen large
enough that the effect is several times the seed-to-seed spread measured when the tests
were written, so a failure means the mechanism is broken, not bad luck.
"""

from __future__ import annotations

import numpy as np
from conftest import small
from wijksim.model.model import NeighbourhoodModel

SEEDS = (1, 2, 3)


def _mean_metric(metric: str, years=(3, 5), **overrides) -> np.ndarray:
    values = []
    for seed in SEEDS:
        model = NeighbourhoodModel(small(households=2000, years=years[1], **overrides), seed=seed)
        model.run(years[1] * 52)
        chosen = [r[metric] for r in model.records if r["year"] >= years[0]]
        values.append(np.nanmean(chosen))
    return np.array(values)


def test_higher_vulnerability_more_complex_households():
    base = _mean_metric("share_complex")
    vulnerable = _mean_metric(
        "share_complex",
        **{"population.vulnerability_alpha": 3.0, "population.vulnerability_beta": 4.0},
    )
    assert (vulnerable > base).all(), (base, vulnerable)


def test_more_network_help_fewer_complex_households():
    base = _mean_metric("share_complex")
    helped = _mean_metric(
        "share_complex",
        **{"network.helper_capacity_households": 3.0, "network.help_units_for_full_support": 1.0},
    )
    assert (helped < base).all(), (base, helped)


def test_higher_specialist_capacity_shorter_waits():
    kinds = (
        "youth_care",
        "mental_health",
        "addiction_care",
        "debt_counselling",
        "personal_care",
        "sheltered_housing",
    )
    tight = {f"specialists.{k}.capacity_per_1000_households": 1.0 for k in kinds}
    ample = {f"specialists.{k}.capacity_per_1000_households": 10.0 for k in kinds}
    waits_tight = _mean_metric("mean_wait_weeks_mental_health", **tight)
    waits_ample = _mean_metric("mean_wait_weeks_mental_health", **ample)
    assert (waits_ample < waits_tight).all(), (waits_tight, waits_ample)
