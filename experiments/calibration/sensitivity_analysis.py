"""Sensitivity indices from a sample table and an output table: pure functions, no runs.

:func:`analyse_indices` is what ``wijksim sensitivity`` calls after its runs, and what
the tests call with an analytic model (Ishigami) in place of the simulation: it takes

* ``design``: one row per sample point, ``point`` and one column per parameter, as
  :func:`~wijksim.experiments.calibration.sensitivity_spec.sample_design` draws it;
* ``outputs``: tidy, one row per ``point, seed, output`` with its ``value``,

averages the replicate seeds of each point (the indices describe the *expected* output
at a parameter set; seed noise is reported beside them, not mixed into them), and runs
SALib's ``morris.analyze`` or ``sobol.analyze`` per output.

Seed noise. The seeds are the same at every point (common random numbers), so an
elementary effect is a paired difference. Per seed ``s`` each Morris step gives an
elementary effect ``EE_s``; the effect of the seed means is their mean, with standard
error ``SE = sd_s(EE_s) / √S`` (the variance pooled over the parameter's steps). An
inert parameter's effects would be pure noise, with ``E|EE| = √(2/π) × SE``: that is
``noise_mu_star``: a ``mu_star`` well above it is an effect, one near it is not distinguishable
from seed noise. For Sobol, ``noise_share`` is the share of the variance of the point
means that seed noise alone contributes (mean over points of ``var_s / S``, over the
variance of the means): indices of that order are noise. With one seed both are NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from wijksim.experiments.calibration.sensitivity_spec import POINT

CONFIDENCE = 0.95
"""Level of SALib's bootstrap confidence intervals (its default)."""
RESAMPLES = 1000
"""Bootstrap resamples for the confidence intervals (SALib's default)."""
MORRIS_COLUMNS = ("mu", "mu_star", "mu_star_conf", "sigma", "noise_mu_star")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf", "noise_share")


def point_means(outputs: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds per point and output: ``point`` × one column per output."""
    return outputs.pivot_table(index=POINT, columns="output", values="value", aggfunc="mean")


def problem_of(design: pd.DataFrame, bounds: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """The SALib problem of a design table's parameter columns."""
    names = [c for c in design.columns if c != POINT]
    return {"num_vars": len(names), "names": names, "bounds": [list(bounds[n]) for n in names]}


def analyse_indices(
    design: pd.DataFrame,
    outputs: pd.DataFrame,
    bounds: dict[str, tuple[float, float]],
    method: str,
    levels: int = 4,
    seed: int = 1,
) -> pd.DataFrame:
    """Morris or Sobol indices per output and parameter, from seed-averaged outputs.

    Args:
        design: Sample points (``point`` and the parameters), in SALib's sample order.
        outputs: ``point, seed, output, value``; every point needs every output.
        bounds: The parameters' ranges (``[low, high]``), as sampled.
        method: ``"morris"`` or ``"sobol"``.
        levels: Morris grid levels the design was drawn with.
        seed: Seed of the bootstrap confidence intervals.

    Returns:
        One row per output and parameter: ``output, parameter`` and, for Morris,
        :data:`MORRIS_COLUMNS`, for Sobol :data:`SOBOL_COLUMNS`. An output with a missing
        value at any point (e.g. a BCR without net investment) is left out: SALib's
        estimators need every point.
    """
    design = design.sort_values(POINT)
    problem = problem_of(design, bounds)
    means = point_means(outputs).reindex(design[POINT])
    frames = []
    for output in means.columns:
        values = means[output].to_numpy(dtype=float)
        if not np.isfinite(values).all():
            continue
        per_seed = outputs[outputs["output"] == output].pivot_table(
            index=POINT, columns="seed", values="value"
        )
        per_seed = per_seed.reindex(design[POINT]).to_numpy(dtype=float)
        if method == "morris":
            frame = _morris(problem, design, values, per_seed, levels, seed)
        else:
            frame = _sobol(problem, values, per_seed, seed)
        frame.insert(0, "output", output)
        frames.append(frame)
    if not frames:
        columns = MORRIS_COLUMNS if method == "morris" else SOBOL_COLUMNS
        return pd.DataFrame(columns=["output", "parameter", *columns])
    return pd.concat(frames, ignore_index=True)


def _morris(
    problem: dict,
    design: pd.DataFrame,
    values: np.ndarray,
    per_seed: np.ndarray,
    levels: int,
    seed: int,
) -> pd.DataFrame:
    from SALib.analyze import morris

    x = design[problem["names"]].to_numpy(dtype=float)
    found = morris.analyze(
        problem,
        x,
        values,
        num_levels=levels,
        num_resamples=RESAMPLES,
        conf_level=CONFIDENCE,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": found["mu"],
            "mu_star": found["mu_star"],
            "mu_star_conf": found["mu_star_conf"],
            "sigma": found["sigma"],
            "noise_mu_star": morris_seed_noise(problem, x, per_seed, levels),
        }
    )


def morris_seed_noise(
    problem: dict, x: np.ndarray, per_seed: np.ndarray, levels: int
) -> np.ndarray:
    """Per parameter: the ``mu_star`` seed noise alone would give (see the module text).

    Args:
        problem: The SALib problem.
        x: The design's parameter values, ``(r (k + 1), k)`` in trajectory order.
        per_seed: The output per point (rows) and seed (columns).
        levels: Morris grid levels (the step is ``levels / (2 (levels − 1))``).
    """
    k = problem["num_vars"]
    if per_seed.shape[1] < 2:
        return np.full(k, np.nan)
    low = np.array([b[0] for b in problem["bounds"]])
    high = np.array([b[1] for b in problem["bounds"]])
    unit = (x - low) / (high - low)
    delta = levels / (2.0 * (levels - 1))
    variances: list[list[float]] = [[] for _ in range(k)]
    for start in range(0, len(x), k + 1):
        for step in range(start, start + k):
            moved = unit[step + 1] - unit[step]
            changed = int(np.argmax(np.abs(moved)))
            effects = (per_seed[step + 1] - per_seed[step]) / (delta * np.sign(moved[changed]))
            variances[changed].append(np.var(effects, ddof=1))
    # Pooled over the parameter's steps (the mean of variances, unbiased, rather than
    # the mean of standard deviations, which is biased low with few seeds).
    pooled = np.array([np.mean(v) if v else np.nan for v in variances])
    return np.sqrt(2.0 / np.pi) * np.sqrt(pooled / per_seed.shape[1])


def _sobol(problem: dict, values: np.ndarray, per_seed: np.ndarray, seed: int) -> pd.DataFrame:
    from SALib.analyze import sobol

    found = sobol.analyze(
        problem,
        values,
        calc_second_order=False,
        num_resamples=RESAMPLES,
        conf_level=CONFIDENCE,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": found["S1"],
            "S1_conf": found["S1_conf"],
            "ST": found["ST"],
            "ST_conf": found["ST_conf"],
            "noise_share": sobol_seed_noise(values, per_seed),
        }
    )


def sobol_seed_noise(values: np.ndarray, per_seed: np.ndarray) -> float:
    """The share of the point means' variance that seed noise alone contributes."""
    seeds = per_seed.shape[1]
    total = np.var(values, ddof=1)
    if seeds < 2 or total <= 0:
        return np.nan
    return float(np.mean(np.var(per_seed, axis=1, ddof=1)) / seeds / total)


def drivers(indices: pd.DataFrame, method: str, top: int = 3) -> dict[str, list[str]]:
    """Per output, the parameters that drive it most, strongest first.

    Morris ranks by ``mu_star`` and keeps parameters whose ``mu_star`` exceeds both its
    seed noise and its bootstrap interval (``mu_star − mu_star_conf > noise``, noise 0
    when unknown); Sobol ranks by ``ST`` and keeps those whose ``ST − ST_conf`` exceeds
    the noise share.
    """
    key, conf, noise = (
        ("mu_star", "mu_star_conf", "noise_mu_star")
        if method == "morris"
        else ("ST", "ST_conf", "noise_share")
    )
    found = {}
    for output, rows in indices.groupby("output", sort=False):
        rows = rows.sort_values(key, ascending=False)
        clear = rows[rows[key] - rows[conf] > rows[noise].fillna(0.0)]
        found[output] = clear["parameter"].head(top).tolist()
    return found
