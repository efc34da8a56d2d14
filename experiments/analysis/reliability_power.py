"""How many observations tell a provider from the mean: S1 App. VI's table by simulation.

S1 App. VI (from the Zichtbare Zorg *Indicatorstandaard* v1.5, 2012, docs/sources.md
[S7]) gives, by the indicator's mean proportion p, the observations a provider needs
before one with a better or worse value than the mean is flagged as significantly
different: green (meets), yellow (partly), red (does not). The source does not say which
difference it assumed. This module finds it: the table follows from a **one-sample test of
the provider's proportion against the known mean** at two-sided α = 0.05 and 80% power
(the conventional choice, assumed), with the provider's difference a fixed **odds ratio**:
about 1.55 for green and 2.5 for yellow (:func:`fit_effect`, fitted to all five rows; an
absolute or a relative difference fits far worse, see :data:`RULES`).

The thresholds are then reproduced by Monte Carlo: binomial draws of a provider whose
odds differ from the mean by the fitted ratio, tested with the normal (Wald) test against
the mean; the simulated power is checked against the exact binomial power of the same
test (:func:`exact_power`, scipy.stats), which it must match within its Monte Carlo error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import expit, logit

ALPHA = 0.05
"""Two-sided significance level (assumption: the usual one; the source gives none)."""
POWER = 0.80
"""Power at which a threshold is reached (assumption: the usual one)."""


@dataclass(frozen=True)
class SourceRow:
    """One row of S1 App. VI's table "Proportie" (docs/sources.md [S1], [S7]).

    Attributes:
        band: The proportions of the row, as the source writes them.
        p: The proportion the threshold applies to: the row's bound nearest 0.5, where
            the fewest observations are needed (0.5 for the middle row).
        green: Observations from which the indicator meets the criterion.
        yellow: Observations from which it partly meets it (below: red).
    """

    band: str
    p: float
    green: int
    yellow: int


SOURCE_TABLE: tuple[SourceRow, ...] = (
    SourceRow("p ≤ 0.02 or ≥ 0.98", 0.02, 2300, 640),
    SourceRow("0.02–0.04 or 0.96–0.98", 0.04, 1160, 320),
    SourceRow("0.04–0.07 or 0.93–0.96", 0.07, 580, 160),
    SourceRow("0.07–0.12 or 0.88–0.93", 0.12, 340, 90),
    SourceRow("0.12–0.88", 0.50, 200, 30),
)
"""S1 App. VI, table "Proportie" (neighbourhood or municipality level)."""

RULES = ("odds_ratio", "relative", "absolute")
"""Kinds of difference tried: a log odds ratio, a relative and an absolute difference."""


def alternative(p: np.ndarray, effect: float, rule: str, sign: int) -> np.ndarray:
    """The provider's proportion: ``p`` moved by ``effect`` up (``sign`` 1) or down (-1)."""
    p = np.asarray(p, dtype=float)
    if rule == "odds_ratio":
        return expit(logit(p) + sign * effect)
    if rule == "relative":
        return np.clip(p * (1 + sign * effect), 1e-12, 1 - 1e-12)
    if rule == "absolute":
        return np.clip(p + sign * effect, 1e-12, 1 - 1e-12)
    raise ValueError(f"unknown rule {rule!r}")


def required_n(p: np.ndarray, effect: float, rule: str, power: float = POWER) -> np.ndarray:
    """Observations for ``power`` at two-sided :data:`ALPHA`, normal approximation.

    The one-sample test of a proportion against a known ``p`` (variance ``p(1-p)``
    under the null, ``p1(1-p1)`` under the alternative); averaged over a provider
    better and one worse than the mean, as the source counts both.
    """
    z_alpha, z_beta = stats.norm.ppf(1 - ALPHA / 2), stats.norm.ppf(power)
    p = np.asarray(p, dtype=float)
    needed = []
    for sign in (1, -1):
        p1 = alternative(p, effect, rule, sign)
        spread = z_alpha * np.sqrt(p * (1 - p)) + z_beta * np.sqrt(p1 * (1 - p1))
        needed.append((spread / (p1 - p)) ** 2)
    return np.mean(needed, axis=0)


def fit_effect(rule: str, colour: str) -> tuple[float, float]:
    """The difference of ``rule`` that best reproduces the source's ``colour`` column.

    Least squares on the logarithm of the observations (every row counts alike, the
    rare-event rows as much as the middle one).

    Returns:
        The fitted effect and the root mean square of the log errors (0.1: about 10%).
    """
    p = np.array([row.p for row in SOURCE_TABLE])
    target = np.log([getattr(row, colour) for row in SOURCE_TABLE])

    def loss(effect: float) -> float:
        return float(np.sum((np.log(required_n(p, effect, rule)) - target) ** 2))

    upper = 3.0 if rule == "odds_ratio" else 0.99 if rule == "relative" else 0.45
    found = optimize.minimize_scalar(loss, bounds=(1e-4, upper), method="bounded")
    return float(found.x), float(np.sqrt(found.fun / len(SOURCE_TABLE)))


def rule_fits() -> pd.DataFrame:
    """Every rule's fitted difference and error, per colour: which rule the source used."""
    rows = []
    for colour in ("green", "yellow"):
        for rule in RULES:
            effect, error = fit_effect(rule, colour)
            rows.append({"colour": colour, "rule": rule, "effect": effect, "rms_log_error": error})
    return pd.DataFrame(rows)


def rejection_bounds(n: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Counts at which the Wald test rejects ``p``: ``k <= low`` or ``k >= high``."""
    n = np.asarray(n, dtype=float)
    half_width = stats.norm.ppf(1 - ALPHA / 2) * np.sqrt(p * (1 - p) * n)
    low = np.ceil(n * p - half_width) - 1  # largest count with k < np - half width
    high = np.floor(n * p + half_width) + 1  # smallest count with k > np + half width
    return low, high


def exact_power(n: np.ndarray, p: float, effect: float, rule: str) -> np.ndarray:
    """The test's power from the binomial distribution itself (no simulation)."""
    n = np.asarray(n)
    low, high = rejection_bounds(n, p)
    power = []
    for sign in (1, -1):
        p1 = float(alternative(p, effect, rule, sign))
        power.append(stats.binom.cdf(low, n, p1) + stats.binom.sf(high - 1, n, p1))
    return np.mean(power, axis=0)


def simulated_power(
    n: np.ndarray, p: float, effect: float, rule: str, replications: int, rng: np.random.Generator
) -> np.ndarray:
    """The test's power by Monte Carlo: half the providers better, half worse."""
    n = np.asarray(n)
    low, high = rejection_bounds(n, p)
    signs = np.where(np.arange(replications) % 2 == 0, 1, -1)
    up, down = alternative(p, effect, rule, 1), alternative(p, effect, rule, -1)
    p1 = np.where(signs > 0, up, down)
    counts = rng.binomial(n[:, None], p1[None, :])
    rejected = (counts <= low[:, None]) | (counts >= high[:, None])
    return rejected.mean(axis=1)


def reproduce_table(
    replications: int = 4000, seed: int = 0, rule: str = "odds_ratio", step: float = 0.01
) -> pd.DataFrame:
    """The App. VI thresholds as the fitted rule reproduces them, beside the source's.

    Per row and colour: the source's threshold; the normal approximation's; the
    smallest n on a grid (steps of ``step``, relative) whose simulated power reaches
    :data:`POWER`; and the simulated and exact power at the source's threshold, with
    the Monte Carlo standard error of the simulated one.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for colour in ("green", "yellow"):
        effect, _ = fit_effect(rule, colour)
        for row in SOURCE_TABLE:
            source_n = getattr(row, colour)
            grid = np.unique(np.round(source_n * (1 + step) ** np.arange(-60, 61)).astype(int))
            simulated = simulated_power(grid, row.p, effect, rule, replications, rng)
            reached = grid[simulated >= POWER]
            at_source = simulated_power(
                np.array([source_n]), row.p, effect, rule, replications, rng
            )
            rows.append(
                {
                    "colour": colour,
                    "band": row.band,
                    "p": row.p,
                    "odds_ratio": float(np.exp(effect)) if rule == "odds_ratio" else np.nan,
                    "source_n": source_n,
                    "formula_n": float(np.ceil(required_n(row.p, effect, rule))),
                    "simulated_n": float(reached[0]) if len(reached) else np.nan,
                    "simulated_power": float(at_source[0]),
                    "exact_power": float(exact_power(np.array([source_n]), row.p, effect, rule)[0]),
                    "power_se": float(np.sqrt(at_source[0] * (1 - at_source[0]) / replications)),
                }
            )
    return pd.DataFrame(rows)
