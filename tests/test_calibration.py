"""The shipped scenarios settle at their target shares (issue 2, point 7).

Criterion: mean share of every group over years 5–10, over 10 seeds, at the scenario's
own size (6,000 households), within ±2 percentage points of the target. The seeds
(1..10) differ from the calibration's own (10000+), so this is an out-of-sample check.
Tolerance: ±2 points is the acceptance criterion itself; the seed-to-seed standard error
of a 10-seed, 6-year mean at 6,000 households is about 0.2 points, so a failure means a
calibration error, not noise.
"""

from __future__ import annotations

import pytest
from wijksim.experiments.calibrate import simulated_shares
from wijksim.model.scenario_io import load_scenario, shipped_scenario_names

TOLERANCE_POINTS = 2.0
SEEDS = list(range(1, 11))

# Calibration fits the no-team baseline; team scenarios inherit its record through
# `extends`, but a team is meant to move the shares, so they are not held to them.
CALIBRATED = [
    n
    for n in shipped_scenario_names()
    if load_scenario(n).scenario.calibrated and load_scenario(n).scenario.team is None
]


def test_default_scenario_is_calibrated():
    assert "old_system" in CALIBRATED


@pytest.mark.slow
@pytest.mark.parametrize("name", CALIBRATED)
def test_settles_at_target_shares(name):
    scenario = load_scenario(name).scenario
    shares = simulated_shares(scenario, SEEDS)
    for group, target in scenario.classification.target_shares.items():
        gap = (shares[group] - target) * 100
        assert abs(gap) <= TOLERANCE_POINTS, f"{group}: {shares[group]:.3f} vs {target}"
