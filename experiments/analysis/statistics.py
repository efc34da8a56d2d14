"""Statistics of results tables: yearly aggregation, summaries and paired differences.

Pure functions of the tidy tables that :mod:`wijksim.experiments.runner.results` loads:

* :func:`yearly`: a per-step table by year (flows summed, states averaged; see
  :func:`wijksim.model.observation.metrics.is_flow`);
* :func:`summarise`: median and a 90% band over replicates (seeds) per condition;
* :func:`paired_differences`: each condition minus the reference condition *with the
  same seed*, with the mean difference and its 90% confidence interval.

Example:
    >>> from wijksim.experiments.runner.results import load_results
    >>> from wijksim.experiments.analysis.statistics import summarise, yearly
    >>> table = yearly(load_results("results/sweeps/team_size"))  # doctest: +SKIP
    >>> summarise(table).query("metric == 'cost_total_eur'")  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from wijksim.model.inputs.scenario_io import ScenarioError
from wijksim.model.observation.metrics import is_flow

BAND = (0.05, 0.95)
"""The band drawn around medians: 90% of replicates lie inside it."""
CONFIDENCE = 0.90
"""Confidence level of the interval of a mean paired difference."""


def yearly(table: pd.DataFrame) -> pd.DataFrame:
    """Aggregate a per-step table by year: flows summed, states averaged.

    Returns:
        The identity columns of ``table``, then ``year, metric, value``.
    """
    keys = [c for c in table.columns if c not in ("step", "value")]
    flows = table["metric"].map(_flow_lookup(table["metric"]))
    summed = table[flows].groupby(keys, observed=True, sort=False, dropna=False)["value"].sum()
    averaged = table[~flows].groupby(keys, observed=True, sort=False, dropna=False)["value"].mean()
    return pd.concat([summed, averaged]).reset_index()


def _flow_lookup(metrics: pd.Series) -> dict[str, bool]:
    return {name: is_flow(name) for name in pd.unique(metrics)}


def summarise(table: pd.DataFrame, by: tuple[str, ...] = ("condition", "year", "metric")):
    """Median and 90% band over replicates, per condition, year and metric.

    Returns:
        Columns ``*by, median, p05, p95, mean, n``.
    """
    grouped = table.groupby(list(by), observed=True, sort=False)["value"]
    summary = grouped.agg(
        median="median",
        p05=lambda v: v.quantile(BAND[0]),
        p95=lambda v: v.quantile(BAND[1]),
        mean="mean",
        n="count",
    )
    return summary.reset_index()


def paired_differences(
    table: pd.DataFrame,
    reference: str,
    keys: tuple[str, ...] = ("year", "metric"),
) -> pd.DataFrame:
    """Each condition minus ``reference`` on the same seed, summarised over seeds.

    Common random numbers make the runs of two conditions with one seed differ only
    where their rules differ, so the paired difference has far less spread than the
    difference of two independent runs (``tests/test_paired_streams.py``).

    Args:
        table: A tidy table with ``condition`` and ``seed`` (e.g. from :func:`yearly`).
        reference: The condition subtracted.
        keys: What else identifies a value besides condition and seed.

    Returns:
        Columns ``condition, *keys, mean_difference, ci_low, ci_high, p05, p95, n``, where
        ``ci_*`` is the 90% t-interval of the mean difference over seeds and
        ``p05``/``p95`` the band of the per-seed differences.

    Raises:
        ScenarioError: If ``reference`` is not a condition of the table.
    """
    differences = paired_rows(table, reference, keys)
    if differences.empty:
        return pd.DataFrame(
            columns=["condition", *keys, "mean_difference", "ci_low", "ci_high", "p05", "p95", "n"]
        )
    grouped = differences.groupby(["condition", *keys], sort=False)["difference"]
    summary = grouped.agg(mean_difference="mean", sd="std", n="count")
    summary["p05"] = grouped.quantile(BAND[0])
    summary["p95"] = grouped.quantile(BAND[1])
    half_width = _t_half_width(summary["sd"], summary["n"])
    summary["ci_low"] = summary["mean_difference"] - half_width
    summary["ci_high"] = summary["mean_difference"] + half_width
    columns = ["mean_difference", "ci_low", "ci_high", "p05", "p95", "n"]
    return summary[columns].reset_index()


def paired_rows(
    table: pd.DataFrame, reference: str, keys: tuple[str, ...] = ("year", "metric")
) -> pd.DataFrame:
    """Each condition minus ``reference`` on the same seed, one row per seed (not summarised).

    Args:
        table: A tidy table with ``condition``, ``seed``, ``value`` and ``keys``.
        reference: The condition subtracted.
        keys: What else identifies a value besides condition and seed.

    Returns:
        Columns ``seed, *keys, difference, condition``: the per-seed differences behind
        :func:`paired_differences` (pairs with a missing value left out); empty if no
        condition besides the reference.

    Raises:
        ScenarioError: If ``reference`` is not a condition of the table.
    """
    conditions = list(pd.unique(table["condition"]))
    if reference not in conditions:
        message = f"expected a condition in {conditions}, found '{reference}'"
        raise ScenarioError("<results>", message)
    index = ["seed", *keys]
    base = table[table["condition"] == reference].set_index(index)["value"]
    parts = []
    for condition in conditions:
        if condition == reference:
            continue
        values = table[table["condition"] == condition].set_index(index)["value"]
        difference = (values - base).dropna().rename("difference").reset_index()
        difference["condition"] = condition
        parts.append(difference)
    if not parts:
        return pd.DataFrame(columns=[*index, "difference", "condition"])
    return pd.concat(parts, ignore_index=True)


def _t_half_width(sd: pd.Series, n: pd.Series) -> pd.Series:
    """Half width of the two-sided ``CONFIDENCE`` t-interval of a mean (NaN for n < 2)."""
    quantile = stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1))
    return pd.Series(np.where(n >= 2, quantile * sd / np.sqrt(n), np.nan), index=sd.index)


def reference_condition(table: pd.DataFrame, manifest: dict) -> str:
    """The condition paired differences are taken against.

    The sweep's ``reference`` (a condition, or a variant: its first condition), else
    the first condition.
    """
    conditions = list(pd.unique(table["condition"]))
    wanted = manifest["sweep"].get("reference")
    if wanted in conditions:
        return wanted
    matching = [c for c in conditions if wanted and c.split(" [")[0] == wanted]
    return matching[0] if matching else conditions[0]
