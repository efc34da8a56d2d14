"""The transition curve over seeds: median and 90% band of the indicators and the curves.

:func:`summarise_indicators` summarises
:func:`~wijksim.experiments.analysis.transition_analysis.seed_indicators` per view and
indicator; :func:`mean_curves` summarises the yearly curves of
:func:`~wijksim.experiments.analysis.transition_spending.spending_table` (the method is
described in :mod:`~wijksim.experiments.analysis.transition_analysis`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.transition_analysis import INDICATORS
from wijksim.experiments.analysis.transition_conditions import (
    StartYears,
    grid_columns,
    per_condition,
    start_year_of,
)
from wijksim.experiments.analysis.transition_spending import SPENDING_COLUMNS, in_order

YEAR_INDICATORS: tuple[str, ...] = tuple(name for name in INDICATORS if name.endswith("_year"))


REACHED_INDICATORS: tuple[str, ...] = ("break_even_year", "payback_year")
"""Year indicators of a point a seed may not reach within the simulated years: in the
summary a seed that never reaches it counts as reaching it after the horizon."""


BAND = (0.05, 0.95)
"""The band around medians: 90% of seeds (replicates) lie inside it, as in
:mod:`wijksim.experiments.runner.results`."""


SUMMARY_COLUMNS: tuple[str, ...] = (
    "view",
    "indicator",
    "median",
    "p05",
    "p95",
    "n_seeds",
    "share_of_seeds",
)
"""The columns of :func:`summarise_indicators` besides the grid fields."""


def _year_quantiles(values: pd.Series, reached: bool) -> list[float]:
    """The 5%, 50% and 95% quantiles of a year indicator, each a simulated year.

    The inverted-CDF quantile is the first year by which at least that share of seeds has
    reached the point; so the median break-even year reads "by then half the seeds break
    even". With ``reached``, a seed that never reaches it counts as reaching it after the
    horizon, and a quantile that falls there is NaN ("not within the simulated years").
    Otherwise (humps) the quantiles are over the seeds that have a value.
    """
    if reached:
        data = values.fillna(np.inf).to_numpy(dtype=float)
    else:
        data = values.dropna().to_numpy(dtype=float)
    if data.size == 0:
        return [np.nan] * 3
    out = np.quantile(data, [BAND[0], 0.5, BAND[1]], method="inverted_cdf")
    return [float(v) if np.isfinite(v) else np.nan for v in out]


def summarise_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Median and 90% band of each indicator over seeds, per condition and view.

    Euro amounts and the BCR use linear quantiles over the seeds with a value. Year
    indicators use the inverted-CDF quantile, so each is a simulated year (see
    :func:`_year_quantiles`); for break-even and payback, seeds that never get there
    count as getting there after the horizon, so the median is NaN when fewer than half
    the seeds do. The band spreads over seeds (replicate neighbourhoods): it is not a
    confidence interval of the mean.

    Args:
        indicators: From :func:`seed_indicators`.

    Returns:
        Columns: the grid fields of ``indicators`` (if any), then ``view, indicator,
        median, p05, p95, n_seeds, share_of_seeds``: ``n_seeds`` seeds in the view,
        ``share_of_seeds`` the share with a value (e.g. the share that breaks even, or
        that has a second hump).
    """
    grid = grid_columns(indicators, ("seed", "view", *INDICATORS))
    if not grid:
        return _summarise_one(indicators)
    return per_condition(indicators, grid, lambda rows, _: _summarise_one(rows))


def _summarise_one(indicators: pd.DataFrame) -> pd.DataFrame:
    """:func:`summarise_indicators` of one condition."""
    rows = []
    for view, table in indicators.groupby("view", sort=False):
        for name in INDICATORS:
            values = table[name]
            if name in YEAR_INDICATORS:
                p05, median, p95 = _year_quantiles(values, name in REACHED_INDICATORS)
            else:
                present = values.dropna()
                p05, median, p95 = (
                    [float(present.quantile(q)) for q in (BAND[0], 0.5, BAND[1])]
                    if len(present)
                    else [np.nan] * 3
                )
            rows.append(
                {
                    "view": view,
                    "indicator": name,
                    "median": median,
                    "p05": p05,
                    "p95": p95,
                    "n_seeds": len(values),
                    "share_of_seeds": float(values.notna().mean()),
                }
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def mean_curves(spending: pd.DataFrame, team_start_year: StartYears) -> pd.DataFrame:
    """The typical yearly curves: median and 90% band over seeds, per view and component.

    Despite the name the centre is the median, as elsewhere in the reports: it is not
    pulled by one unusual seed. Each statistic is taken per year over seeds, so the
    median extra is the median of the per-seed differences (not the difference of the
    medians), and the cumulative curve is cumulated per seed before the median is taken.

    Args:
        spending: From :func:`spending_table`.
        team_start_year: Where the cumulative extra spending starts (per condition if
            a grid varies it: see :data:`StartYears`).

    Returns:
        Columns: the grid fields of ``spending`` (if any; the curves are per condition),
        ``view, component, year``, then ``{x}_median``, ``{x}_p05``, ``{x}_p95`` for
        ``x`` in ``scenario_eur, reference_eur, extra_eur, cumulative_extra_eur`` (the
        running sum of ``extra_eur`` from ``team_start_year``; NaN before it), and
        ``n_seeds``.
    """
    grid = grid_columns(spending, SPENDING_COLUMNS)
    if not grid:
        return _curves_of_one(spending, start_year_of(team_start_year, {}))
    return per_condition(
        spending,
        grid,
        lambda rows, condition: _curves_of_one(rows, start_year_of(team_start_year, condition)),
    )


def _curves_of_one(spending: pd.DataFrame, team_start_year: int) -> pd.DataFrame:
    """:func:`mean_curves` of one condition."""
    table = spending.sort_values(["view", "component", "seed", "year"]).copy()
    after = table["year"] >= team_start_year
    table["cumulative_extra_eur"] = (
        table["extra_eur"].where(after).groupby([table["view"], table["component"], table["seed"]])
    ).cumsum()
    values = ["scenario_eur", "reference_eur", "extra_eur", "cumulative_extra_eur"]
    grouped = table.groupby(["view", "component", "year"], sort=False)[values]
    parts = {
        "median": grouped.median(),
        "p05": grouped.quantile(BAND[0]),
        "p95": grouped.quantile(BAND[1]),
    }
    curves = pd.concat(
        {f"{value}_{stat}": part[value] for value in values for stat, part in parts.items()},
        axis=1,
    )
    curves["n_seeds"] = table.groupby(["view", "component", "year"], sort=False)["seed"].nunique()
    return in_order(curves.reset_index(), ["view", "component", "year"])
