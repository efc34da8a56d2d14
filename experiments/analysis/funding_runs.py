"""Step 1 of the funding comparison: per run, its indicators over an evaluation window.

:func:`funding_indicators` turns a tidy yearly table into one value per run and
indicator of :data:`~wijksim.experiments.analysis.funding_catalogue.FUNDING_INDICATORS`
(the method is described in :mod:`~wijksim.experiments.analysis.funding_analysis`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.funding_catalogue import (
    FUNDING_INDICATORS,
    Indicator,
    required_metrics,
)

DEFAULT_START = 3
"""First year of the evaluation window. The operator reviews its policy during years 1
and 2; from year 3 it has had two years to adapt, so the window shows the adapted
operator rather than the transient from the common starting policy."""


ID_COLUMNS: tuple[str, ...] = ("run_id", "condition", "seed")
"""What identifies a run in the indicator table."""


def evaluation_window(
    yearly_table: pd.DataFrame, start: int = DEFAULT_START, end: int | None = None
) -> tuple[int, int]:
    """The first and last year of the evaluation window.

    Args:
        yearly_table: A tidy yearly table with a ``year`` column.
        start: The window's first year.
        end: The window's last year; default the table's last year.

    Raises:
        ValueError: If the table has no years or the window holds no simulated year.
    """
    years = pd.to_numeric(yearly_table["year"]).dropna()
    if years.empty:
        raise ValueError("the yearly table holds no years")
    last = int(years.max()) if end is None else int(end)
    if start > last or start > int(years.max()):
        raise ValueError(
            f"evaluation window {start}..{last} holds no simulated year "
            f"(the table has years {int(years.min())}..{int(years.max())})"
        )
    return int(start), last


def check_yearly_columns(yearly_table: pd.DataFrame) -> None:
    """Raise ValueError if ``yearly_table`` lacks a column of the tidy yearly table."""
    missing = {*ID_COLUMNS, "year", "metric", "value"} - set(yearly_table.columns)
    if missing:
        raise ValueError(f"yearly table lacks column(s) {sorted(missing)}")


def sum_of(frame: pd.DataFrame, metrics: tuple[str, ...]) -> pd.Series:
    """The sum of some metrics' columns per run; NaN where any of them is missing."""
    total = pd.Series(0.0, index=frame.index)
    for metric in metrics:
        total = total + frame.get(metric, np.nan)
    return total


def indicator_value(indicator: Indicator, sums, means, last_year) -> pd.Series:
    """One indicator per run from the window's sums, yearly means and last year's means."""
    if indicator.how == "total":
        return sum_of(sums, indicator.plus) - sum_of(sums, indicator.minus)
    if indicator.how == "ratio":
        denominator = sum_of(sums, indicator.per)
        # Zero clients (or closures, or assessments): a share of nothing is undefined.
        numerator = sum_of(sums, indicator.plus) - sum_of(sums, indicator.minus)
        return numerator / denominator.where(denominator > 0)
    if indicator.how == "window_mean":
        return sum_of(means, indicator.plus)
    if indicator.how == "last_year_mean":
        return sum_of(last_year, indicator.plus)
    raise ValueError(f"unknown way to compute indicator {indicator.name!r}: {indicator.how!r}")


def funding_indicators(
    yearly_table: pd.DataFrame, start: int = DEFAULT_START, end: int | None = None
) -> pd.DataFrame:
    """Per run, every indicator of :data:`FUNDING_INDICATORS` over the evaluation window.

    Args:
        yearly_table: From :func:`~wijksim.experiments.analysis.statistics.yearly`: columns
            ``run_id, condition, seed, year, metric, value`` (more columns and metrics may
            be present; they are ignored).
        start: The window's first year (default :data:`DEFAULT_START`).
        end: The window's last year (default the table's last year).

    Returns:
        Long format: ``run_id, condition, seed, metric, value``, one row per run and
        indicator, runs in the order of the table, indicators in the order of
        :data:`FUNDING_INDICATORS`. A value is NaN where a metric is missing or a ratio's
        denominator is zero.

    Raises:
        ValueError: If a column is missing or the window holds no simulated year.
    """
    check_yearly_columns(yearly_table)
    first, last = evaluation_window(yearly_table, start, end)
    ids = list(ID_COLUMNS)
    runs = yearly_table[ids].drop_duplicates().set_index(ids).index
    years = yearly_table["year"].between(first, last)
    window = yearly_table[years & yearly_table["metric"].isin(required_metrics())]
    grouped = window.groupby([*ids, "metric"], sort=False)["value"]
    # min_count: a metric recorded only as NaN stays NaN rather than summing to 0.
    sums = grouped.sum(min_count=1).unstack("metric").reindex(runs)
    yearly_means = window.groupby([*ids, "metric", "year"], sort=False)["value"].mean()
    means = yearly_means.groupby(level=[*ids, "metric"], sort=False).mean()
    means = means.unstack("metric").reindex(runs)
    final = window[window["year"] == last].groupby([*ids, "metric"], sort=False)["value"]
    last_year = final.mean().unstack("metric").reindex(runs)
    wide = pd.DataFrame(
        {ind.name: indicator_value(ind, sums, means, last_year) for ind in FUNDING_INDICATORS},
        index=runs,
    )
    # Long format run by run, each run's indicators in reading order.
    long = runs.to_frame(index=False)
    long = long.loc[long.index.repeat(wide.shape[1])].reset_index(drop=True)
    long["metric"] = np.tile(wide.columns.to_numpy(dtype=object), len(runs))
    long["value"] = wide.to_numpy(dtype=float).ravel()
    return long
