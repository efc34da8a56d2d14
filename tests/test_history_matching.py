"""History matching recovers known parameters of a synthetic model (issue 16, item 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.calibration.history_matching import (
    POINT,
    Band,
    Parameter,
    accepted,
    best_point,
    history_match,
    identifiability,
    implausibility,
    kept_for_next_wave,
    latin_hypercube,
)

PARAMETERS = [
    Parameter("rate", 0.001, 0.1, log=True),
    Parameter("scale", 0.5, 3.0),
    Parameter("inert", 0.0, 1.0),
]
TRUE = {"rate": 0.01, "scale": 1.8, "inert": 0.4}
SEEDS = (1, 2, 3)
NOISE = 0.02  # relative standard deviation of one replicate


def synthetic(theta: dict[str, float], seed: int) -> dict[str, float]:
    """Three targets of two parameters, with replicate noise; ``inert`` does nothing."""
    rng = np.random.default_rng([seed, round(theta["rate"] * 1e6), round(theta["scale"] * 1e6)])
    exact = {
        "events": 1000 * theta["rate"] * theta["scale"],  # confounds the two
        "level": theta["scale"] ** 2,  # identifies the scale alone
        "wait": 5.0 / np.sqrt(theta["rate"]),  # identifies the rate alone
    }
    return {k: v * (1 + NOISE * rng.standard_normal()) for k, v in exact.items()}


def simulate(design: pd.DataFrame, wave: int) -> pd.DataFrame:
    rows = []
    for row in design.to_dict("records"):
        for seed in SEEDS:
            rows.append({POINT: row[POINT], "seed": seed, **synthetic(row, seed)})
    return pd.DataFrame(rows)


def bands_around_truth(half_width: float = 0.05) -> list[Band]:
    """Observed bands: the true parameters' noise-free outputs ± 5%."""
    exact = {
        "events": 1000 * TRUE["rate"] * TRUE["scale"],
        "level": TRUE["scale"] ** 2,
        "wait": 5.0 / np.sqrt(TRUE["rate"]),
    }
    return [Band(k, v * (1 - half_width), v * (1 + half_width)) for k, v in exact.items()]


@pytest.fixture(scope="module")
def matched():
    bands = bands_around_truth()
    waves = history_match(PARAMETERS, bands, simulate, points_per_wave=150, waves=3, seed=7)
    design = pd.concat([w.design for w in waves], ignore_index=True)
    table = pd.concat([w.table for w in waves], ignore_index=True)
    return bands, waves, design, table


def test_history_matching_recovers_the_true_parameters(matched):
    """The NROY ranges contain the truth, and the best point lies near it.

    Tolerance: the bands are ±5% around the truth's outputs, read as ±2 sd, so each
    output pins its parameter to about ±2.5% × 3 (the cut-off) of its value; the best of
    450 points should lie within 10% of the range (on the sampled scale) of the truth.
    Seeded design and noise.
    """
    bands, waves, design, table = matched
    ranges = identifiability(design, table, PARAMETERS, bands, cutoff=3.0).set_index("parameter")
    for p in PARAMETERS:
        assert ranges.loc[p.name, "nroy_low"] <= TRUE[p.name] <= ranges.loc[p.name, "nroy_high"]
    best = design.set_index(POINT).loc[best_point(table[table.I_max <= 3.0], bands)]
    for p in PARAMETERS[:2]:
        distance = abs(p.to_unit(np.array(best[p.name])) - p.to_unit(np.array(TRUE[p.name])))
        assert distance < 0.1, (p.name, best[p.name])
    # Later waves concentrate on what the first did not rule out.
    shares = [(w.table.I_max <= 3.0).mean() for w in waves]
    assert shares[-1] > 3 * shares[0], shares


def test_identifiability_names_what_the_targets_pin_down(matched):
    """The rate and scale are narrowed and informed; the inert parameter is neither."""
    bands, _, design, table = matched
    ranges = identifiability(design, table, PARAMETERS, bands, cutoff=3.0).set_index("parameter")
    assert ranges.loc["rate", "nroy_share_of_range"] < 0.3
    assert ranges.loc["scale", "nroy_share_of_range"] < 0.3
    assert ranges.loc["inert", "nroy_share_of_range"] > 0.8
    assert ranges.loc["inert", "informed_by"] == "none"
    assert "wait" in ranges.loc["rate", "informed_by"]
    assert "level" in ranges.loc["scale", "informed_by"]


def test_implausibility_by_hand():
    """|mean − middle| / sqrt(band variance + seed variance / R + discrepancy²)."""
    outputs = pd.DataFrame({POINT: [0, 0], "seed": [1, 2], "x": [11.0, 13.0]})
    band = Band("x", 8.0, 12.0)  # middle 10, sd 1
    table = implausibility(outputs, [band], discrepancy_share=0.1)
    # mean 12, seed variance 2 / 2 replicates = 1, discrepancy (0.1 × 10)² = 1
    assert table.loc[0, "I_x"] == pytest.approx(2.0 / np.sqrt(1 + 1 + 1))
    assert table.loc[0, "I_max"] == table.loc[0, "I_x"]


def test_latin_hypercube_is_seeded_stratified_and_in_range():
    first = latin_hypercube(PARAMETERS, 20, seed=3)
    assert first.equals(latin_hypercube(PARAMETERS, 20, seed=3))
    for p in PARAMETERS:
        unit = p.to_unit(first[p.name].to_numpy())
        # One point in each of the 20 strata of every parameter.
        assert sorted(np.floor(unit * 20).astype(int)) == list(range(20))


def test_every_band_acceptance_keeps_only_means_inside_every_band():
    bands = [Band("a", 10.0, 20.0)]
    # Means 15 (inside), 21 (outside by a tenth of the band: not ruled out at I < 3) and
    # 40 (ruled out); two seeds each, no spread.
    outputs = pd.DataFrame(
        {POINT: [0, 0, 1, 1, 2, 2], "seed": [1, 2] * 3, "a": [15, 15, 21, 21, 40, 40]}
    )
    table = implausibility(outputs, bands)
    assert accepted(table, bands, 3.0).tolist() == [True, True, False]
    assert accepted(table, bands, 3.0, "every_band").tolist() == [True, False, False]
    # The next wave draws around the strict points once there are enough of them ...
    assert kept_for_next_wave(table, 3.0, 1, bands, "every_band").tolist() == [True, False, False]
    # ... and around those not ruled out while there are fewer.
    assert kept_for_next_wave(table, 3.0, 2, bands, "every_band").tolist() == [True, True, False]


def test_waves_that_draw_around_sets_inside_every_band_find_more_of_them():
    """Side by side on the same seeds: drawing around the strict sets finds more of them.

    Deterministic (seeded designs and noise); on this synthetic model drawing around the
    sets not ruled out finds 11 sets inside every band in four waves, around the strict
    ones 27.
    """
    bands = bands_around_truth()

    def strict_sets(accept: str) -> pd.Series:
        waves = history_match(
            PARAMETERS, bands, simulate, 60, 4, seed=7, minimum_kept=3, accept=accept
        )
        table = pd.concat([w.table for w in waves], ignore_index=True)
        return accepted(table, bands, 3.0, "every_band")

    loose, strict = strict_sets("implausibility"), strict_sets("every_band")
    assert strict.sum() > 2 * loose.sum()
