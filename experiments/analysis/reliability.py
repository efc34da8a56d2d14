"""Is settling money on results fair or a lottery? Misranking with and without shrinkage.

S1 App. VI warns that small neighbourhoods and rare events make an indicator unreliable,
and recommends "empirical Bayes" and pooling periods (docs/sources.md [S1], [S7]). This
module measures it for a bonus–malus: a neighbourhood (or provider) observed better than
the city mean, or than a target, is rewarded; one observed worse is penalised. A
settlement is *on the wrong side* when the unit's true rate lies on the other side.

Everything works on one tidy table (:data:`COLUMNS`): a row per unit and period with the
events counted and the exposure (households), and, where known, the unit's true rate. The
flag-driven simulation (:func:`simulate_counts`) writes such a table; the city scenario's
yearly tables (issue 18, item 1) can be passed to :func:`misranking` unchanged.

Shrinkage: a beta-binomial is fitted by maximum likelihood to the units' pooled counts
(:func:`fit_beta_binomial`, scipy; statsmodels has no beta-binomial with exposure) and each
unit's estimate is its posterior mean ``(a + events) / (a + b + exposure)``. Note what this
implies: the posterior mean lies between the raw rate and the fitted mean, so against
that mean it never changes a unit's side; shrinkage changes sides only against a reference
other than the fitted mean (a target), and otherwise changes the *amounts* settled.

One piece over 300 lines: the true rates, the simulated counts, the beta-binomial fit, the
shrinkage and the settlement are one argument, read top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import betaln, digamma, expit, logit

COLUMNS = ("unit", "period", "events", "exposure")
"""The input table's required columns; ``true_rate`` and ``replication`` are optional."""
ESTIMATORS = ("raw", "shrunk")
TIE = 1e-12
"""Differences of rates this small are ties: no side (floating-point sums differ by less)."""
LIKELIHOOD_TOLERANCE = 1e-4
"""A log-likelihood gain smaller than this over the binomial is no evidence of spread."""
MAX_LOG_PRECISION = 30.0
"""Upper bound of log(a + b) in the fit: beyond it the beta is a point (no spread)."""


@dataclass(frozen=True)
class Indicator:
    """An indicator settled on: its city mean, assumed spread and which way is better.

    Attributes:
        name: As on the command line.
        mean: Events per household a year (or the share of households), city-wide.
        spread: Default between-unit standard deviation of the true rate, relative to
            the mean (coefficient of variation).
        lower_is_better: Escalations are better low, self-reliance high.
        source: Where ``mean`` and ``spread`` come from.
    """

    name: str
    mean: float
    spread: float
    lower_is_better: bool
    source: str


INDICATORS = {
    "escalations": Indicator(
        "escalations",
        0.0076,
        0.20,
        True,
        "mean: evictions 1.64 + child protection 2.39 + acute admissions 3.53 per 1,000 "
        "households a year, the calibrated old_system (docs/calibration.md); spread: "
        "assumption",
    ),
    "self_reliant": Indicator(
        "self_reliant",
        0.785,
        0.025,
        False,
        "mean: share self-reliant of the calibrated old_system, 0.785 (docs/calibration.md; "
        "S1 ch. 2: ~80%); spread (sd 2 points): assumption",
    ),
}


def true_rates(
    households: list[int], mean: float, spread: float, rng: np.random.Generator, replications: int
) -> np.ndarray:
    """Each unit's true rate, beta-distributed around ``mean`` (replications × units).

    Args:
        households: The units' sizes (only their number matters here).
        mean: The city's mean rate.
        spread: Between-unit standard deviation relative to ``mean``; 0: all at the mean.
        rng: The random generator.
        replications: Simulated cities.
    """
    shape = (replications, len(households))
    sd = spread * mean
    if sd == 0:
        return np.full(shape, mean)
    precision = mean * (1 - mean) / sd**2 - 1  # the beta's a + b
    if precision <= 0:
        raise ValueError(f"a spread of {spread} is too wide for a mean of {mean}")
    return rng.beta(mean * precision, (1 - mean) * precision, size=shape)


def simulate_counts(
    households: list[int],
    indicator: Indicator,
    years: int,
    replications: int,
    seed: int,
    spread: float | None = None,
) -> pd.DataFrame:
    """The tidy table of a city whose units have constant true rates over the years.

    Each year a unit of ``n`` households counts Binomial(n, true rate) events
    (independent years: an assumption; self-reliance of the same households is in truth
    correlated from year to year, which makes pooling worth less than here).
    """
    rng = np.random.default_rng(seed)
    spread = indicator.spread if spread is None else spread
    rates = true_rates(households, indicator.mean, spread, rng, replications)
    exposure = np.asarray(households)
    events = rng.binomial(exposure[None, :, None], rates[:, :, None], size=(*rates.shape, years))
    replication, unit, period = np.indices(events.shape)
    return pd.DataFrame(
        {
            "replication": replication.ravel(),
            "unit": unit.ravel(),
            "period": period.ravel() + 1,
            "events": events.ravel(),
            "exposure": np.broadcast_to(exposure[None, :, None], events.shape).ravel(),
            "true_rate": np.broadcast_to(rates[:, :, None], events.shape).ravel(),
        }
    )


def fit_beta_binomial(events: np.ndarray, exposure: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood beta-binomial across units: the prior's mean and a + b.

    Returns:
        ``(mean, precision)``; precision is ``inf`` when the binomial alone (no spread
        between units) fits at least as well, the likelihood's boundary.
    """
    events, exposure = np.asarray(events, float), np.asarray(exposure, float)
    pooled = np.clip(events.sum() / exposure.sum(), 1e-9, 1 - 1e-9)

    def negative_log_likelihood(x: np.ndarray) -> tuple[float, np.ndarray]:
        mean, precision = expit(x[0]), np.exp(x[1])
        a, b = mean * precision, (1 - mean) * precision
        value = np.sum(betaln(events + a, exposure - events + b) - betaln(a, b))
        # The gradient by hand: finite differences drown in the rounding of betaln's
        # large terms (exposures of 10,000s), and the optimiser then wanders.
        common = digamma(precision) - digamma(exposure + precision)
        d_a = np.sum(digamma(events + a) - digamma(a) + common)
        d_b = np.sum(digamma(exposure - events + b) - digamma(b) + common)
        slope = precision * mean * (1 - mean)
        gradient = np.array([slope * (d_a - d_b), a * d_a + b * d_b])
        return -float(value), -gradient

    rates = events / exposure
    between = max(rates.var() - pooled * (1 - pooled) * np.mean(1 / exposure), 1e-12)
    start = np.log(np.clip(pooled * (1 - pooled) / between, 1e-2, 1e12))
    found = optimize.minimize(
        negative_log_likelihood,
        x0=[logit(pooled), start],
        jac=True,
        method="TNC",  # L-BFGS-B found the same optimum ~6 times slower here
        bounds=[(-25, 25), (-5, MAX_LOG_PRECISION)],
    )
    binomial = -float(np.sum(events * np.log(pooled) + (exposure - events) * np.log1p(-pooled)))
    # The beta-binomial's likelihood tends to the binomial's as a + b grows; no better
    # fit than that means no spread between units is found. "Better" by more than
    # LIKELIHOOD_TOLERANCE: at a + b of 1e10 betaln's rounding alone is ~1e-5.
    if binomial <= found.fun + LIKELIHOOD_TOLERANCE or found.x[1] >= MAX_LOG_PRECISION - 1e-3:
        return float(pooled), np.inf
    return float(expit(found.x[0])), float(np.exp(found.x[1]))


def shrink(events: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """Each unit's posterior mean under the fitted beta-binomial (empirical Bayes)."""
    mean, precision = fit_beta_binomial(events, exposure)
    if np.isinf(precision):
        return np.full(len(events), mean)
    return (mean * precision + events) / (precision + exposure)


def _arrays(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """The table as replication × unit × period arrays (it must be complete)."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"the table lacks the columns {missing}")
    table = table.copy()
    if "replication" not in table.columns:
        table["replication"] = 0
    keys = ["replication", "unit", "period"]
    if table.duplicated(keys).any():
        raise ValueError("the table has two rows for one unit and period")
    sizes = [table[k].nunique() for k in keys]
    if len(table) != int(np.prod(sizes)):
        raise ValueError("every unit needs a row for every period (and replication)")
    table = table.sort_values(keys)
    arrays = {"units": table["unit"].unique()}
    arrays["units"] = np.sort(arrays["units"])
    for column in ("events", "exposure", "true_rate"):
        if column in table.columns:
            arrays[column] = table[column].to_numpy(float).reshape(sizes)
    return arrays


def _side(difference: np.ndarray) -> np.ndarray:
    """+1 better, -1 worse, 0 a tie (within :data:`TIE`)."""
    return np.where(np.abs(difference) <= TIE, 0.0, np.sign(difference))


def settle(table: pd.DataFrame, lower_is_better: bool, target: float | None = None) -> pd.DataFrame:
    """The bonus–malus per replication, window of pooled periods, unit and estimator.

    A window of ``w`` pools the first ``w`` periods. The reference is ``target``, or else
    the city's observed rate over the window (events over exposure). A unit is rewarded
    (side +1) when its estimate is better than the reference, penalised (-1) when worse;
    its payment is the events it is estimated to have avoided against the reference
    (positive: a bonus). With ``true_rate``, ``true_side`` is the side of the true rate
    against the true reference (the target, or the exposure-weighted mean true rate).
    """
    arrays = _arrays(table)
    events, exposure = arrays["events"], arrays["exposure"]
    better = -1.0 if lower_is_better else 1.0
    frames = []
    for window in range(1, events.shape[2] + 1):
        y, n = events[:, :, :window].sum(axis=2), exposure[:, :, :window].sum(axis=2)
        raw = y / n
        reference = y.sum(axis=1) / n.sum(axis=1) if target is None else np.full(len(y), target)
        shrunk = np.array([shrink(yr, nr) for yr, nr in zip(y, n, strict=True)])
        estimates = {"raw": raw, "shrunk": shrunk}
        truth = None
        if "true_rate" in arrays:
            rate = arrays["true_rate"][:, :, :window].mean(axis=2)
            true_reference = (rate * n).sum(axis=1) / n.sum(axis=1) if target is None else reference
            truth = _side(better * (rate - true_reference[:, None]))
        for name, estimate in estimates.items():
            difference = better * (estimate - reference[:, None])
            frame = {
                "replication": np.repeat(np.arange(len(y)), len(arrays["units"])),
                "window": window,
                "unit": np.tile(arrays["units"], len(y)),
                "households": (n / window).ravel(),
                "estimator": name,
                "estimate": estimate.ravel(),
                "reference": np.repeat(reference, len(arrays["units"])),
                "side": _side(difference).ravel(),
                "payment": (difference * n).ravel(),
            }
            if truth is not None:
                frame["true_side"] = truth.ravel()
            frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def misranking(
    table: pd.DataFrame,
    lower_is_better: bool,
    target: float | None = None,
    by: tuple[str, ...] = ("window", "estimator"),
) -> pd.DataFrame:
    """How often, and with how much money, the settlement is on the wrong side.

    Args:
        table: The tidy input (:data:`COLUMNS`, with ``true_rate``).
        lower_is_better: Which way the indicator is better.
        target: A fixed reference instead of the city mean.
        by: Columns of :func:`settle`'s table to summarise over; add ``households`` for
            each unit size apart.

    Returns:
        Per group: ``settled`` (units rewarded or penalised, of those with a true side),
        ``wrong_side_share`` (of those, the share on the wrong side; NaN when none is
        settled), ``right_share`` (1 minus it), ``wrong_money_share`` (of the money
        settled, the share paid in the wrong direction) and ``money`` (all money moved,
        in events, summed over replications), both over the units with a true side.
    """
    if "true_rate" not in table.columns:
        raise ValueError("the table needs a true_rate column to tell right from wrong")
    settled = settle(table, lower_is_better, target)
    # Every group keeps a row, also when no unit in it has a true side (no spread).
    groups = settled.groupby(list(by), sort=True).size().index
    settled = settled[settled["true_side"] != 0]
    paid = settled["side"] != 0
    wrong = paid & (settled["side"] != settled["true_side"])
    settled = settled.assign(
        paid=paid,
        wrong=wrong,
        money=settled["payment"].abs(),
        wrong_money=settled["payment"].abs().where(wrong, 0.0),
    )
    summary = (
        settled.groupby(list(by), sort=True)
        .agg(
            units=("paid", "size"),
            settled=("paid", "sum"),
            wrong=("wrong", "sum"),
            money=("money", "sum"),
            wrong_money=("wrong_money", "sum"),
        )
        .reindex(groups)
    )
    summary[["units", "settled", "money"]] = summary[["units", "settled", "money"]].fillna(0)
    settled_units = summary["settled"].where(summary["settled"] > 0)
    summary["wrong_side_share"] = summary["wrong"] / settled_units
    summary["right_share"] = 1 - summary["wrong_side_share"]
    summary["wrong_money_share"] = summary["wrong_money"] / summary["money"].where(
        summary["money"] > 0
    )
    return summary.drop(columns=["wrong", "wrong_money"]).reset_index()
