"""The transition curve's conditions: grid values, and the runs paired with the reference.

A sweep with a grid has one *condition* per combination of grid values; each condition of
the switch is compared with the reference runs on the same seeds and the same grid values
(the method is described in :mod:`~wijksim.experiments.analysis.transition_analysis`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

StartYears = int | Mapping[tuple, int]
"""The year the team starts: one for all conditions, or one per condition, keyed by
:func:`condition_key` (a grid may vary ``transition.team_start_year`` itself)."""


def grid_columns(table: pd.DataFrame, known: Sequence[str]) -> list[str]:
    """The grid fields of an analysis table: its columns besides ``known``, in order."""
    return [column for column in table.columns if column not in known]


def _plain(value: Any) -> Any:
    """A grid value as plain Python, NaN (the field does not apply) as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def condition_key(condition: Mapping[str, Any], grid: Sequence[str]) -> tuple:
    """A condition's grid values as a dictionary key (for :data:`StartYears`).

    Grid values read back from Parquet may be floats where the sweep file had integers;
    they still make the same key, since ``8 == 8.0`` and both hash alike.
    """
    return tuple(_plain(condition.get(field)) for field in grid)


def condition_label(condition: Mapping[str, Any], separator: str = ", ") -> str:
    """``team.frontline_fte=8, years=12``: a condition for headings and messages.

    Whole numbers read back as floats are shown without ``.0``; ``separator`` goes
    between the fields.
    """

    def text(value: Any) -> str:
        value = _plain(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "n/a" if value is None else str(value)

    return separator.join(f"{field}={text(value)}" for field, value in condition.items())


def start_year_of(team_start_year: StartYears, condition: Mapping[str, Any]) -> int:
    """The team's start year in one condition."""
    if not isinstance(team_start_year, Mapping):
        return int(team_start_year)
    key = condition_key(condition, list(condition))
    if key not in team_start_year:
        raise ValueError(f"no team_start_year for condition {condition_label(condition)}")
    return int(team_start_year[key])


def per_condition(
    table: pd.DataFrame,
    grid: list[str],
    compute: Callable[[pd.DataFrame, dict[str, Any]], pd.DataFrame],
) -> pd.DataFrame:
    """``compute`` on each condition's rows (without the grid columns), grid columns first.

    Conditions keep the order in which they first appear in ``table``.

    Raises:
        ValueError: From ``compute``, with the condition named in front.
    """
    parts = []
    for values, rows in table.groupby(grid, sort=False, dropna=False):
        condition = dict(zip(grid, values, strict=True))
        try:
            result = compute(rows.drop(columns=grid), condition)
        except ValueError as error:
            raise ValueError(f"condition {condition_label(condition)}: {error}") from None
        parts.append(result.assign(**condition)[[*grid, *result.columns]])
    return pd.concat(parts, ignore_index=True)


def _matches(rows: pd.DataFrame, condition: Mapping[str, Any]) -> pd.Series:
    """Which reference rows belong to a condition of the switch.

    A row belongs if each grid field has the condition's value, or no value: a field of
    a section the reference removed (``without = ["team"]``) does not apply to it.
    """
    match = pd.Series(True, index=rows.index)
    for field, value in condition.items():
        missing = rows[field].isna()
        match &= missing if _plain(value) is None else missing | (rows[field] == value)
    return match


def _paired_only(rows: pd.DataFrame, scenario: str, reference: str) -> pd.DataFrame:
    """The rows of the seeds that have both variants (a run may have failed)."""
    seeds = [set(rows.loc[rows["variant"] == name, "seed"]) for name in (scenario, reference)]
    return rows[rows["seed"].isin(seeds[0] & seeds[1])]


def condition_rows(
    yearly: pd.DataFrame,
    grid: Sequence[str],
    scenario: str = "transition",
    reference: str = "counterfactual",
    drop_unpaired: bool = False,
) -> list[tuple[dict[str, Any], pd.DataFrame]]:
    """The rows of each condition of the switch with its reference rows, grid columns dropped.

    Args:
        yearly: A tidy yearly table with the grid fields as columns.
        grid: The grid fields; none gives one condition, ``{}``, with all rows.
        scenario: The variant with the switch to the team; its grid values make the
            conditions, in the order they first appear.
        reference: The counterfactual variant; its rows join each condition they match
            (see :func:`_matches`).
        drop_unpaired: Keep only the seeds with both variants in that condition, and
            leave out a condition that has none.

    Raises:
        ValueError: If a grid field is not a column of ``yearly``.
    """
    grid = list(grid)
    absent = [field for field in grid if field not in yearly.columns]
    if absent:
        raise ValueError(f"yearly table lacks the grid column(s) {absent}")
    if not grid:
        pairs = [({}, yearly)]
    else:
        theirs = yearly[yearly["variant"] == reference]
        ours = yearly[yearly["variant"] == scenario].groupby(grid, sort=False, dropna=False)
        pairs = []
        for values, rows in ours:
            condition = dict(zip(grid, values, strict=True))
            both = pd.concat([rows, theirs[_matches(theirs, condition)]])
            pairs.append((condition, both.drop(columns=grid)))
    if drop_unpaired:
        pairs = [(condition, _paired_only(rows, scenario, reference)) for condition, rows in pairs]
        pairs = [(condition, rows) for condition, rows in pairs if not rows.empty]
    return pairs
