"""Polishing a history match's best point until its targets lie inside their bands.

History matching (:mod:`wijksim.experiments.calibration.history_matching`) rules points out; it does
not look for the point whose targets all lie *inside* their bands. A point whose mean is
1.9 band-sigmas outside a band is not ruled out, and with few points left the trust
region around the best point can stay where one target is met only loosely (the old
system's mental-health wait stayed at 1 week, band 4–20, through six waves). The
shipped defaults must meet the bands, so after the waves an evolution strategy (CMA-ES,
Hansen 2016, with the ``cmaes`` package that Optuna's sampler uses) starts at the best
point and minimises how far the targets lie outside their bands:

    miss(θ) = Σ_j (max(0, l_j − m_j(θ), m_j(θ) − h_j) / ((h_j − l_j) / 4))²

(zero inside every band; the scale is the band's own standard deviation as in the
implausibility), with the sum of squared implausibilities as a tie-break (lexicographic:
CMA-ES uses only the ranking of each generation). Each generation is one more wave of
the same sweep machinery, so it runs on any backend, resumes, and its points join the
ensemble when not ruled out.

The optimiser's points cluster near the optimum: the ensemble it adds to understates the
uncertainty in the directions the targets do not identify (docs/ODD.md §8.1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from cmaes import CMA
from wijksim.experiments.calibration.history_matching import (
    POINT,
    WAVE,
    Band,
    Parameter,
    Simulator,
    WaveResult,
    implausibility,
)


def band_miss(table: pd.DataFrame, bands: list[Band]) -> pd.Series:
    """Each point's squared distance outside the bands, in band standard deviations.

    Args:
        table: One row per point with ``mean_<target>`` (as :func:`implausibility`
            gives).
        bands: The targets.

    Returns:
        ``miss`` per row of ``table``: 0 when every mean lies inside its band; a point
        with no value for a target misses it by infinity.
    """
    total = pd.Series(0.0, index=table.index)
    for band in bands:
        mean = table[f"mean_{band.name}"]
        outside = np.maximum(np.maximum(band.low - mean, mean - band.high), 0.0)
        total += (outside / np.sqrt(band.observation_variance)) ** 2
    return total.fillna(np.inf)


def fit_order(table: pd.DataFrame, bands: list[Band]) -> pd.Series:
    """Each point's rank, 0 the best: by :func:`band_miss` first, then by Σ I².

    Lexicographic, so a point inside every band ranks before any point outside one,
    however central that point's other targets are. CMA-ES uses only the ranking of a
    generation, so the rank is also its objective.
    """
    squares = (table[[f"I_{b.name}" for b in bands]] ** 2).sum(axis=1).fillna(np.inf)
    order = np.lexsort((squares.to_numpy(), band_miss(table, bands).to_numpy()))
    rank = np.empty(len(table), dtype=float)
    rank[order] = np.arange(len(table))
    return pd.Series(rank, index=table.index)


def polish(
    parameters: list[Parameter],
    bands: list[Band],
    simulate: Simulator,
    start: pd.Series,
    generations: int,
    population: int,
    sigma: float,
    seed: int,
    discrepancy_share: float,
    first_point: int,
    first_wave: int,
) -> list[WaveResult]:
    """Run CMA-ES from ``start``; each generation is a wave of ``population`` points.

    Args:
        parameters: The uncertain parameters (searched on their unit scale).
        bands: The targets.
        simulate: Runs a wave's design, as in history matching.
        start: The starting point (a row with one value per parameter).
        generations: How many generations (waves).
        population: Points per generation.
        sigma: The initial step, on the unit scale (0.1: a tenth of every range).
        seed: The optimiser's seed.
        discrepancy_share: As for :func:`implausibility`.
        first_point: The number of the first new point.
        first_wave: The number of the first generation's wave.
    """
    mean = np.array([p.to_unit(np.array([float(start[p.name])]))[0] for p in parameters])
    optimiser = CMA(
        mean=np.clip(mean, 0.0, 1.0),
        sigma=sigma,
        bounds=np.tile([0.0, 1.0], (len(parameters), 1)),
        seed=seed,
        population_size=population,
    )
    results = []
    point = first_point
    for generation in range(generations):
        unit = np.array([optimiser.ask() for _ in range(population)])
        design = pd.DataFrame({p.name: p.from_unit(unit[:, i]) for i, p in enumerate(parameters)})
        design.insert(0, POINT, np.arange(point, point + population))
        design.insert(1, WAVE, first_wave + generation)
        point += population
        outputs = simulate(design, first_wave + generation)
        table = implausibility(outputs, bands, discrepancy_share)
        ranks = design[[POINT]].merge(
            table.assign(rank=fit_order(table, bands))[[POINT, "rank"]], on=POINT, how="left"
        )["rank"]
        # A point without runs (every one failed) ranks below every other.
        optimiser.tell(list(zip(unit, ranks.fillna(population).to_numpy(), strict=True)))
        results.append(WaveResult(first_wave + generation, design, outputs, table, False, "polish"))
    return results
