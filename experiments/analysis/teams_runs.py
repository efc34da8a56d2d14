"""Step 1 of the team-split comparison: per run (and per team of a split), its indicators.

:func:`team_indicators` turns a tidy yearly table into one value per run, team and
indicator of :data:`~wijksim.experiments.analysis.teams_catalogue.TEAM_INDICATORS` (the
method is described in :mod:`~wijksim.experiments.analysis.teams_analysis`).
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
from wijksim.experiments.analysis import funding_runs
from wijksim.experiments.analysis.funding_runs import DEFAULT_START, evaluation_window
from wijksim.experiments.analysis.team_configurations import INTEGRAL
from wijksim.experiments.analysis.teams_catalogue import (
    PER_TEAM_METRICS,
    TEAM_INDICATORS,
    Condition,
    TeamIndicator,
    parse_condition,
    required_metrics,
    split_metric,
)

INDICATOR_COLUMNS: tuple[str, ...] = (
    "condition",
    "configuration",
    "form",
    "neighbourhood",
    "seed",
    "metric",
    "team",
    "value",
)


class _Window(NamedTuple):
    """Per run (rows) and metric (columns): the window's sum, yearly mean and last year."""

    sums: pd.DataFrame
    means: pd.DataFrame
    last_year: pd.DataFrame

    def columns(self, renamed: dict[str, str], rows) -> _Window:
        """Some columns, renamed, for some runs."""
        return _Window(*(frame.loc[rows, list(renamed)].rename(columns=renamed) for frame in self))


def _value(indicator: TeamIndicator, window: _Window) -> pd.Series:
    if indicator.how == "ratio" and indicator.less:
        sums = window.sums
        denominator = funding_runs.sum_of(sums, indicator.per) - funding_runs.sum_of(
            sums, indicator.less
        )
        return funding_runs.sum_of(sums, indicator.plus) / denominator.where(denominator > 0)
    return funding_runs.indicator_value(indicator, *window)


def _teams_of(columns) -> list[str]:
    """The teams of a split named in some metric names, in order of appearance."""
    return list(dict.fromkeys(found[1] for m in columns if (found := split_metric(m))))


def team_indicators(
    yearly_table: pd.DataFrame, start: int = DEFAULT_START, end: int | None = None
) -> pd.DataFrame:
    """Per run, every indicator of :data:`TEAM_INDICATORS` over the evaluation window.

    Args:
        yearly_table: From :func:`~wijksim.experiments.analysis.statistics.yearly`: columns
            ``run_id, condition, seed, year, metric, value`` (more columns and metrics may
            be present; they are ignored).
        start: The window's first year (default
            :data:`~wijksim.experiments.analysis.funding_runs.DEFAULT_START`).
        end: The window's last year (default the table's last year).

    Returns:
        Long format: ``condition, configuration, form, neighbourhood, seed, metric, team,
        value``. Runs in the order of the table; per run first every indicator of the
        whole run (``team`` empty) in the order of :data:`TEAM_INDICATORS`, then the
        ``per_team`` indicators of each of its teams (a run without a split: one team,
        ``"integral"``). NaN where a metric is missing or a ratio's denominator is zero.

    Raises:
        ValueError: If a column is missing or the window holds no simulated year.
    """
    funding_runs.check_yearly_columns(yearly_table)
    first, last = evaluation_window(yearly_table, start, end)
    ids = list(funding_runs.ID_COLUMNS)
    runs = pd.MultiIndex.from_frame(yearly_table[ids].drop_duplicates())
    metrics = pd.Series(pd.unique(yearly_table["metric"]), dtype=object)
    wanted = set(required_metrics()) | {m for m in metrics if split_metric(m)}
    in_window = yearly_table["year"].between(first, last) & yearly_table["metric"].isin(wanted)
    window = yearly_table[in_window]
    per_year = window.set_index([*ids, "year", "metric"])["value"].unstack("metric")
    by_run = per_year.groupby(level=ids, sort=False)
    final = per_year[per_year.index.get_level_values("year") == last].droplevel("year")
    frames = _Window(
        # min_count: a metric recorded only as NaN stays NaN rather than summing to 0.
        by_run.sum(min_count=1).reindex(runs),
        by_run.mean().reindex(runs),
        final.reindex(runs),
    )
    per_team = [i for i in TEAM_INDICATORS if i.per_team]
    pieces = [pd.DataFrame({i.name: _value(i, frames) for i in TEAM_INDICATORS}).assign(team="")]
    split = pd.Series(False, index=runs)
    for team in _teams_of(metrics):  # in the order of the table
        renamed = {f"{b}__{team}": b for b in PER_TEAM_METRICS if f"{b}__{team}" in per_year}
        has_team = frames.sums[list(renamed)].notna().any(axis=1)
        split |= has_team
        mine = frames.columns(renamed, has_team)
        pieces.append(pd.DataFrame({i.name: _value(i, mine) for i in per_team}).assign(team=team))
    alone = frames.columns({b: b for b in PER_TEAM_METRICS if b in per_year}, ~split)
    pieces.insert(
        1, pd.DataFrame({i.name: _value(i, alone) for i in per_team}).assign(team=INTEGRAL)
    )
    return _long(pieces, runs)


def _long(pieces: list[pd.DataFrame], runs: pd.MultiIndex) -> pd.DataFrame:
    """Wide pieces (runs × indicators, and a ``team``) as one tidy table in reading order."""
    position = {run: i for i, run in enumerate(runs)}
    order = {i.name: k for k, i in enumerate(TEAM_INDICATORS)}
    parts = []
    for number, piece in enumerate(pieces):
        long = piece.rename_axis(runs.names).reset_index()
        long = long.melt(id_vars=[*runs.names, "team"], var_name="metric", value_name="value")
        long["piece"] = number
        parts.append(long)
    table = pd.concat(parts, ignore_index=True)
    table["run"] = [position[run] for run in zip(*(table[n] for n in runs.names), strict=True)]
    table["rank"] = table["metric"].map(order)
    table = table.sort_values(["run", "piece", "rank"], kind="stable", ignore_index=True)
    names = table["condition"].map({c: parse_condition(c) for c in pd.unique(table["condition"])})
    for field in Condition._fields:
        table[field] = [getattr(name, field) for name in names]
    table["value"] = table["value"].astype(float)
    return table[list(INDICATOR_COLUMNS)]
