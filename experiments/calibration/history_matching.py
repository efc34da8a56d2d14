"""History matching: which parameter sets the observed targets do not rule out.

The method of Craig et al. (1997) and Vernon et al. (2010), as used to calibrate
agent-based models (Andrianakis et al. 2015), without an emulator because a run of this
model costs seconds: in waves, draw a Latin hypercube over the parameters' plausible
ranges, run every point on the same replicate seeds, and rule out each point whose
simulated mean lies implausibly far from some target. The implausibility of point θ for
target j is

    I_j(θ) = |m_j(θ) − z_j| / sqrt(V_obs,j + V_sim,j(θ) / R + V_md,j)

with m_j the mean over R replicate seeds, z_j the middle of the target's band, V_obs,j
the band read as ± 2 standard deviations of observation uncertainty, V_sim,j the variance
between seeds and V_md,j a model discrepancy (a share of z_j, an assumption). A point
is *not ruled out yet* (NROY) when max_j I_j ≤ the cut-off (3, Pukelsheim's three-sigma
rule). The next wave draws its hypercube in the box around the NROY points of all waves
so far; while fewer than a minimum are left, in a box around the best point so far (a
trust region a quarter as wide as the closest points' spread, in the parameters that some
target informs).

Everything here is a pure function of tables: the simulator is a callable, so that the
same code fits the model (``wijksim calibrate --spec``) and a synthetic test function
whose true parameters are known (``tests/test_history_matching.py``).

One piece over 300 lines: design, implausibility, the next wave's box and identifiability
are the steps of one algorithm, read in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc, spearmanr

POINT = "point"
"""The column of a parameter set's number in every table."""
WAVE = "wave"
"""The column of the wave a parameter set was drawn in."""


@dataclass(frozen=True)
class Parameter:
    """An uncertain parameter: a dotted scenario field and its plausible range.

    Attributes:
        name: The dotted scenario field (``escalations.eviction.hazard_per_week``).
        low: Lower end of the plausible range.
        high: Upper end.
        log: Sample uniformly in log(value) (for rates and sizes whose order of
            magnitude is uncertain).
    """

    name: str
    low: float
    high: float
    log: bool = False

    def to_unit(self, values: np.ndarray) -> np.ndarray:
        """Map values in [low, high] to [0, 1] (on the log scale if ``log``)."""
        if self.log:
            return (np.log(values) - np.log(self.low)) / (np.log(self.high) - np.log(self.low))
        return (values - self.low) / (self.high - self.low)

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        """Map [0, 1] to [low, high] (on the log scale if ``log``)."""
        if self.log:
            return np.exp(np.log(self.low) + unit * (np.log(self.high) - np.log(self.low)))
        return self.low + unit * (self.high - self.low)


@dataclass(frozen=True)
class Band:
    """An observed target: the band the simulated mean should fall in.

    Attributes:
        name: The target's name (``data/targets.toml``).
        low: Lower end of the band.
        high: Upper end.
    """

    name: str
    low: float
    high: float

    @property
    def middle(self) -> float:
        """The band's middle, z_j."""
        return (self.low + self.high) / 2

    @property
    def observation_variance(self) -> float:
        """The band read as ± 2 standard deviations: ((high − low) / 4)²."""
        return ((self.high - self.low) / 4) ** 2


def latin_hypercube(
    parameters: list[Parameter], points: int, seed: int, box: np.ndarray | None = None
) -> pd.DataFrame:
    """A seeded Latin hypercube of ``points`` parameter sets.

    Args:
        parameters: The uncertain parameters.
        points: How many sets.
        seed: The design's seed (scipy's ``qmc.LatinHypercube``, optimised for spread).
        box: ``(k, 2)`` lower and upper ends in the unit cube to draw in (default the
            whole cube): a later wave's box around the points not ruled out.

    Returns:
        One row per set, one column per parameter (in the parameters' own units).
    """
    k = len(parameters)
    sampler = qmc.LatinHypercube(d=k, optimization="random-cd", seed=seed)
    unit = sampler.random(points)
    if box is not None:
        unit = box[:, 0] + unit * (box[:, 1] - box[:, 0])
    columns = {p.name: p.from_unit(unit[:, i]) for i, p in enumerate(parameters)}
    return pd.DataFrame(columns)


def implausibility(
    outputs: pd.DataFrame, bands: list[Band], discrepancy_share: float = 0.0
) -> pd.DataFrame:
    """Each point's implausibility per target, from its replicate runs.

    Args:
        outputs: One row per run: ``point``, ``seed`` and one column per target (NaN
            where a run has no value).
        bands: The targets.
        discrepancy_share: Model discrepancy as a share of each band's middle (its
            standard deviation; an assumption).

    Returns:
        One row per point: ``mean_<target>``, ``sd_<target>`` (between seeds),
        ``I_<target>`` and ``I_max``.
    """
    grouped = outputs.groupby(POINT)
    rows = {}
    for band in bands:
        values = grouped[band.name]
        mean, var, count = values.mean(), values.var(ddof=1).fillna(0.0), values.count()
        variance = (
            band.observation_variance
            + var / count.clip(lower=1)
            + (discrepancy_share * band.middle) ** 2
        )
        rows[f"mean_{band.name}"] = mean
        rows[f"sd_{band.name}"] = np.sqrt(var)
        rows[f"I_{band.name}"] = (mean - band.middle).abs() / np.sqrt(variance)
    table = pd.DataFrame(rows)
    table["I_max"] = table[[f"I_{b.name}" for b in bands]].max(axis=1, skipna=False)
    return table.reset_index()


def next_box(
    design: pd.DataFrame, parameters: list[Parameter], keep: pd.Series, widen: float = 0.1
) -> np.ndarray:
    """The box in the unit cube around the kept points, widened on each side.

    Args:
        design: The wave's parameter sets (one column per parameter).
        parameters: The uncertain parameters.
        keep: Boolean per row of ``design``: the points to draw around.
        widen: Added on each side, as a share of the kept points' own spread (at least
            0.02 of the whole range), so that the next wave can find what the last one
            only touched.
    """
    box = np.zeros((len(parameters), 2))
    for i, p in enumerate(parameters):
        unit = p.to_unit(design.loc[keep, p.name].to_numpy(dtype=float))
        low, high = unit.min(), unit.max()
        margin = max(widen * (high - low), 0.02)
        box[i] = max(low - margin, 0.0), min(high + margin, 1.0)
    return box


def inside_every_band(table: pd.DataFrame, bands: list[Band]) -> pd.Series:
    """Per point: its mean over seeds lies inside every target's band."""
    inside = pd.Series(True, index=table.index)
    for band in bands:
        mean = table[f"mean_{band.name}"]
        inside &= (mean >= band.low) & (mean <= band.high)
    return inside


def accepted(
    table: pd.DataFrame, bands: list[Band], cutoff: float, accept: str = "implausibility"
) -> pd.Series:
    """Per point: accepted into the ensemble.

    ``"implausibility"``: not ruled out (``I_max`` ≤ ``cutoff``), the history-matching
    rule, which keeps a point whose mean lies outside a band by less than the band's
    width allows for seed noise and model discrepancy. ``"every_band"``: not ruled out
    and its mean inside every band, the stricter rule a reader may expect of "the sets
    the targets allow".
    """
    nroy = table["I_max"] <= cutoff
    if accept == "every_band":
        return nroy & inside_every_band(table, bands)
    return nroy


def kept_for_next_wave(
    table: pd.DataFrame,
    cutoff: float,
    minimum: int,
    bands: list[Band] | None = None,
    accept: str = "implausibility",
) -> pd.Series:
    """The points a next wave draws around: the accepted, NROY, or else the closest.

    With ``accept="every_band"`` and at least ``minimum`` points inside every band, the
    next wave draws around those. Otherwise around the points not ruled out; when fewer
    than ``minimum`` are (early waves over wide ranges, or targets no point meets), the
    next wave refocuses on the ``minimum`` points with the smallest maximum
    implausibility instead, and says so in the summary.
    """
    if accept == "every_band" and bands is not None:
        strict = accepted(table, bands, cutoff, accept)
        if strict.sum() >= minimum:
            return strict
    nroy = table["I_max"] <= cutoff
    if nroy.sum() >= minimum:
        return nroy
    closest = table["I_max"].rank(method="first") <= minimum
    return closest


def best_point(table: pd.DataFrame, bands: list[Band]) -> int:
    """The point with the smallest sum of squared implausibilities (a point estimate).

    The centre of a refocused wave's trust region. The defaults a scenario ships are
    chosen after polishing, inside the bands first
    (:func:`~wijksim.experiments.calibration.calibration_polish.fit_order`).
    """
    squares = (table[[f"I_{b.name}" for b in bands]] ** 2).sum(axis=1)
    return int(table.loc[squares.idxmin(), POINT])


def identifiability(
    design: pd.DataFrame,
    table: pd.DataFrame,
    parameters: list[Parameter],
    bands: list[Band],
    cutoff: float,
) -> pd.DataFrame:
    """Which targets inform each parameter, and how far they narrow it.

    Args:
        design: Every evaluated point: ``point`` and one column per parameter.
        table: :func:`implausibility` of those points.
        parameters: The uncertain parameters.
        bands: The targets.
        cutoff: The implausibility cut-off.

    Returns:
        One row per parameter: the NROY range (in its units) and its share of the
        plausible range (on the sampled scale; 1 means the targets do not narrow it), the
        Spearman correlation of the parameter with each target's simulated mean over the
        first wave (a uniform design, so correlations are not produced by the waves), and
        ``informed_by``: the targets with |ρ| ≥ 0.3.
    """
    merged = design.merge(table, on=POINT)
    nroy = merged[merged["I_max"] <= cutoff]
    first = merged[merged[WAVE] == merged[WAVE].min()] if WAVE in merged else merged
    rows = []
    for p in parameters:
        row: dict[str, object] = {"parameter": p.name, "low": p.low, "high": p.high}
        if len(nroy):
            values = nroy[p.name].to_numpy(dtype=float)
            unit = p.to_unit(values)
            row.update(
                nroy_low=float(values.min()),
                nroy_high=float(values.max()),
                nroy_share_of_range=float(unit.max() - unit.min()),
            )
        else:
            row.update(nroy_low=np.nan, nroy_high=np.nan, nroy_share_of_range=np.nan)
        informed = []
        for band in bands:
            column = f"mean_{band.name}"
            pair = first[[p.name, column]].dropna()
            rho = spearmanr(pair[p.name], pair[column]).statistic if len(pair) > 2 else np.nan
            row[f"rho_{band.name}"] = float(rho)
            if abs(rho) >= 0.3:
                informed.append(band.name)
        row["informed_by"] = ", ".join(informed) if informed else "none"
        rows.append(row)
    return pd.DataFrame(rows)


Simulator = Callable[[pd.DataFrame, int], pd.DataFrame]
"""Runs a wave: takes the wave's design (``point`` and parameter columns) and the wave's
number, returns one row per run with ``point``, ``seed`` and one column per target."""


@dataclass
class WaveResult:
    """One wave: its design, its runs and each point's implausibility."""

    wave: int
    design: pd.DataFrame
    outputs: pd.DataFrame
    table: pd.DataFrame
    refocused: bool
    method: str = "history matching"
    """``history matching``, or ``polish`` for a generation of
    :mod:`~wijksim.experiments.calibration.calibration_polish`."""


def history_match(
    parameters: list[Parameter],
    bands: list[Band],
    simulate: Simulator,
    points_per_wave: int,
    waves: int,
    seed: int,
    cutoff: float = 3.0,
    discrepancy_share: float = 0.0,
    minimum_kept: int = 10,
    accept: str = "implausibility",
) -> list[WaveResult]:
    """Run the waves; each draws around the points the last did not rule out.

    Args:
        parameters: The uncertain parameters and their plausible ranges.
        bands: The targets.
        simulate: Runs a wave's design (see :data:`Simulator`).
        points_per_wave: Parameter sets per wave.
        waves: How many waves.
        seed: The designs' seed (wave w uses ``seed + w``).
        cutoff: The implausibility cut-off.
        discrepancy_share: See :func:`implausibility`.
        minimum_kept: Fewer NROY points than this and the next wave refocuses on this
            many closest points (:func:`kept_for_next_wave`).
        accept: The ensemble's rule (:func:`accepted`); with ``"every_band"`` the waves
            draw around the points inside every band once there are ``minimum_kept``.
    """
    results: list[WaveResult] = []
    box = None
    first_point = 0
    for wave in range(1, waves + 1):
        design = latin_hypercube(parameters, points_per_wave, seed + wave, box)
        design.insert(0, POINT, np.arange(first_point, first_point + len(design)))
        design.insert(1, WAVE, wave)
        first_point += len(design)
        outputs = simulate(design, wave)
        table = implausibility(outputs, bands, discrepancy_share)
        # The next wave draws around what no wave so far has ruled out (or the closest
        # of all waves so far): a wave drawn in a box only adds points inside it.
        so_far = pd.concat([*(r.table for r in results), table], ignore_index=True)
        designs = pd.concat([*(r.design for r in results), design], ignore_index=True)
        keep_rows = kept_for_next_wave(so_far, cutoff, minimum_kept, bands, accept)
        refocused = bool((so_far["I_max"] <= cutoff).sum() < minimum_kept)
        kept_points = so_far.loc[keep_rows, POINT]
        results.append(WaveResult(wave, design, outputs, table, refocused))
        box = next_box(designs, parameters, designs[POINT].isin(kept_points))
        if refocused:
            # In many dimensions the closest points lie far apart and their box hardly
            # shrinks; search around the best so far instead (a trust region), in the
            # parameters some target informs (elsewhere the best point's place is chance).
            first = results[0]
            informed = identifiability(first.design, first.table, parameters, bands, cutoff)
            narrowed = (informed["informed_by"] != "none").to_numpy()
            around = box_around(designs, parameters, best_point(so_far, bands), box)
            box = np.where(narrowed[:, None], around, box)
    return results


def box_around(
    design: pd.DataFrame, parameters: list[Parameter], point: int, spread: np.ndarray
) -> np.ndarray:
    """A box centred on ``point``, a quarter as wide as ``spread`` (at least ±0.05).

    Args:
        design: Every evaluated point (``point`` and one column per parameter).
        parameters: The uncertain parameters.
        point: The centre (the best point so far).
        spread: The box around the closest points (:func:`next_box`), on the unit scale.
    """
    row = design.set_index(POINT).loc[point]
    box = np.zeros((len(parameters), 2))
    for i, p in enumerate(parameters):
        centre = float(p.to_unit(np.array([row[p.name]], dtype=float))[0])
        half = max(0.125 * (spread[i, 1] - spread[i, 0]), 0.05)
        box[i] = max(centre - half, 0.0), min(centre + half, 1.0)
    return box
