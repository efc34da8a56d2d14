"""The shipped old system against the Dutch targets it was calibrated to (issue 16).

Each target of ``data/calibration/old_system.toml`` is checked on the shipped defaults:
the median over seeds 1–4 (out of sample; the calibration ran on seeds 10000 and up) at
the shipped 6,000 households must lie inside the target's band. The band is the
acceptance criterion itself (docs/calibration.md); the runs are seeded, so the check is
deterministic. Targets the current calibration misses are marked ``xfail(strict=True)``
with the figure it gives, so that a fit which meets one shows here as an unexpected pass.
"""

from __future__ import annotations

import numpy as np
import pytest
from wijksim.experiments.analysis.targets import evaluate, load_targets
from wijksim.experiments.calibration.calibration_spec import load_spec
from wijksim.experiments.calibration.targets_report import simulate
from wijksim.model.inputs.scenario_io import load_scenario

SEEDS = [1, 2, 3, 4]
SPEC, _ = load_spec("old_system")
MISSED: dict[str, str] = {}
"""Targets the shipped calibration misses, with its figure (none since step 4)."""


@pytest.fixture(scope="module")
def medians() -> dict[str, float]:
    resolved = load_scenario("old_system")
    targets = load_targets()
    chosen = {name: targets[name] for name in SPEC.targets}
    runs = simulate(resolved.scenario, SEEDS, "old_system")
    values = [evaluate(chosen, run) for run in runs]
    return {name: float(np.median([v[name] for v in values])) for name in chosen}


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=MISSED[n]))
        if n in MISSED
        else n
        for n in SPEC.targets
    ],
)
def test_the_shipped_old_system_meets_its_calibration_target(medians, name):
    target = load_targets()[name]
    assert target.low <= medians[name] <= target.high, (
        f"{name}: {medians[name]:.4g} outside {target.low}–{target.high}"
    )
