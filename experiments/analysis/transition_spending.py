"""The transition curve's spending: yearly spending per seed, view and component, with the extra.

:func:`spending_table` pairs each run of the switch with the reference run of the same
seed (and grid values) and splits spending into the cost streams, their two groups
(investment, safety net) and the total, in the two views (the method is described in
:mod:`~wijksim.experiments.analysis.transition_analysis`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from wijksim.experiments.analysis.transition_conditions import condition_label, condition_rows
from wijksim.experiments.i18n import N_
from wijksim.model.config.scenario import STREAMS

INVESTMENT_STREAMS: tuple[str, ...] = ("team", "zeroth_line", "friction")
"""Spending on prevention and on the switch itself: hump 1."""


SAFETY_NET_STREAMS: tuple[str, ...] = ("specialist", "escalation")
"""Spending on care and crises that prevention should reduce: hump 2, then the savings."""


MUNICIPAL_PAYERS: tuple[str, ...] = ("municipality_wmo", "municipality_youth")
"""The payers counted in the municipality (GKBA) view: the Wmo and youth budgets."""


VIEWS: tuple[str, ...] = ("society", "municipality")
"""``society``: all payers (MKBA); ``municipality``: :data:`MUNICIPAL_PAYERS` (GKBA)."""


VIEW_LABELS = {
    "society": N_("MKBA (society: all payers)"),
    "municipality": N_("GKBA (municipality: Wmo and youth budgets)"),
}


TABLE_LABELS = {"society": "MKBA", "municipality": "GKBA"}


GROUPS = {"investment": INVESTMENT_STREAMS, "safety_net": SAFETY_NET_STREAMS}


COMPONENTS: tuple[str, ...] = (*STREAMS, "investment", "safety_net", "total")
"""Each cost stream, the two groups of streams, and all streams together."""


SPENDING_COLUMNS: tuple[str, ...] = (
    "seed",
    "year",
    "view",
    "component",
    "scenario_eur",
    "reference_eur",
    "extra_eur",
)
"""The columns of :func:`spending_table` besides the grid fields."""


def in_order(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sorted by ``by``, with views and components in their reading order, not alphabetical."""
    order = {"view": VIEWS, "component": COMPONENTS}

    def key(column: pd.Series) -> pd.Series:
        if column.name in order:
            return column.map({name: i for i, name in enumerate(order[column.name])})
        return column

    return table.sort_values(by, key=key, ignore_index=True)


def _stream_metric(stream: str, payer: str | None = None) -> str:
    return f"cost_{stream}_eur" if payer is None else f"cost_{stream}_paid_by_{payer}_eur"


def required_metrics() -> list[str]:
    """The yearly metrics :func:`spending_table` needs (others in the table are ignored)."""
    society = [_stream_metric(stream) for stream in STREAMS]
    municipality = [
        _stream_metric(stream, payer) for stream in STREAMS for payer in MUNICIPAL_PAYERS
    ]
    return society + municipality


def _check_variants(yearly: pd.DataFrame, scenario: str, reference: str) -> None:
    """Raise a ValueError unless the table has the needed columns and both variants."""
    missing = {"variant", "seed", "year", "metric", "value"} - set(yearly.columns)
    if missing:
        raise ValueError(f"yearly table lacks column(s) {sorted(missing)}")
    variants = set(yearly["variant"].unique())
    absent = [name for name in (scenario, reference) if name not in variants]
    if absent:
        raise ValueError(
            f"variant(s) {absent} not in the yearly table (found {sorted(variants)}); "
            f"the transition analysis compares {scenario!r} with {reference!r}"
        )


def _check_input(yearly: pd.DataFrame, scenario: str, reference: str) -> pd.DataFrame:
    """The rows of the two variants and the needed metrics, after checking they are complete.

    Raises:
        ValueError: Naming the missing column, variant, seed, metric or year.
    """
    _check_variants(yearly, scenario, reference)
    needed = required_metrics()
    rows = yearly[yearly["variant"].isin([scenario, reference]) & yearly["metric"].isin(needed)]
    absent = [metric for metric in needed if metric not in set(rows["metric"].unique())]
    if absent:
        raise ValueError(f"yearly table lacks metric(s) {absent}")
    keys = ["variant", "seed", "year", "metric"]
    duplicated = rows.duplicated(keys)
    if duplicated.any():
        first = rows[duplicated].iloc[0]
        raise ValueError(
            "more than one value per variant, seed, year and metric (e.g. "
            f"{first['variant']!r}, seed {first['seed']}, year {first['year']}, "
            f"{first['metric']}); select one condition of the sweep first, or pass its grid "
            "fields as grid"
        )
    seeds = {
        name: {int(seed) for seed in rows.loc[rows["variant"] == name, "seed"]}
        for name in (scenario, reference)
    }
    unpaired = seeds[scenario] ^ seeds[reference]
    if unpaired:
        raise ValueError(
            f"seed(s) {sorted(unpaired)} lack a pair: each seed needs both {scenario!r} and "
            f"{reference!r} (found {scenario!r}: {sorted(seeds[scenario])}, "
            f"{reference!r}: {sorted(seeds[reference])})"
        )
    # Every variant, seed and metric must have every year: a gap would silently turn a
    # difference into a level (or drop a year from a cumulative sum).
    years = sorted(int(year) for year in rows["year"].unique())
    full = pd.MultiIndex.from_product(
        [[scenario, reference], sorted(seeds[scenario]), years, needed], names=keys
    )
    gaps = full.difference(pd.MultiIndex.from_frame(rows[keys]))
    if len(gaps):
        variant, seed, year, metric = gaps[0]
        raise ValueError(
            f"{len(gaps)} yearly value(s) missing, e.g. {metric} of {variant!r}, seed {seed}, "
            f"year {year}; every seed needs years {years[0]}..{years[-1]} in both variants"
        )
    return rows


def _components(wide: pd.DataFrame, payers: tuple[str, ...] | None) -> pd.DataFrame:
    """Spending per component (columns) from a table with one column per metric."""
    if payers is None:
        streams = {stream: wide[_stream_metric(stream)] for stream in STREAMS}
    else:
        streams = {
            stream: sum(wide[_stream_metric(stream, payer)] for payer in payers)
            for stream in STREAMS
        }
    out = pd.DataFrame(streams)
    for group, members in GROUPS.items():
        out[group] = out[list(members)].sum(axis=1)
    # The total is the sum of the streams (not ``cost_total_eur``) so that the municipality
    # view, which has no total metric of its own, is built the same way as the society view.
    out["total"] = out[list(STREAMS)].sum(axis=1)
    return out


def spending_table(
    yearly: pd.DataFrame,
    scenario: str = "transition",
    reference: str = "counterfactual",
    grid: Sequence[str] = (),
    drop_unpaired: bool = False,
) -> pd.DataFrame:
    """Yearly spending of the scenario and its paired reference, per view and component.

    Args:
        yearly: Tidy yearly table with columns ``variant, seed, year, metric, value`` and
            the ``grid`` fields (more columns and metrics may be present; they are
            ignored). Needs the metrics of :func:`required_metrics` for every seed and
            year in both variants.
        scenario: The variant with the switch to the team.
        reference: The counterfactual variant: the old system continued.
        grid: The sweep's grid fields: each condition of ``scenario`` is paired with the
            ``reference`` rows of the same seed and grid values (see
            :func:`condition_rows`).
        drop_unpaired: Leave out seeds that lack one of the two variants (a failed run)
            instead of raising; the result may then be empty.

    Returns:
        Columns: the ``grid`` fields, then ``seed, year, view, component, scenario_eur,
        reference_eur, extra_eur``, where ``extra_eur = scenario_eur − reference_eur``
        for the same condition, seed and year. ``view`` is ``"society"`` (all payers) or
        ``"municipality"`` (only :data:`MUNICIPAL_PAYERS`); ``component`` is each stream,
        ``"investment"``, ``"safety_net"`` or ``"total"`` (see :data:`COMPONENTS`).

    Raises:
        ValueError: If a variant, a seed's pair, a metric or a year is missing (naming
            the condition), or a grid field is not a column.
    """
    grid = list(grid)
    if not grid and not drop_unpaired:
        return _spending_of_one(yearly, scenario, reference)
    if not drop_unpaired:
        _check_variants(yearly, scenario, reference)
    parts = []
    for condition, rows in condition_rows(yearly, grid, scenario, reference, drop_unpaired):
        try:
            one = _spending_of_one(rows, scenario, reference)
        except ValueError as error:
            if not condition:
                raise
            raise ValueError(f"condition {condition_label(condition)}: {error}") from None
        parts.append(one.assign(**condition)[[*grid, *SPENDING_COLUMNS]])
    if not parts:
        return pd.DataFrame(columns=[*grid, *SPENDING_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def _spending_of_one(yearly: pd.DataFrame, scenario: str, reference: str) -> pd.DataFrame:
    """:func:`spending_table` of one condition."""
    rows = _check_input(yearly, scenario, reference)
    wide = rows.pivot(index=["variant", "seed", "year"], columns="metric", values="value")
    wide = wide.astype(float)
    views = {"society": None, "municipality": MUNICIPAL_PAYERS}
    frames = []
    for view, payers in views.items():
        long = _components(wide, payers).stack().rename("eur").reset_index()
        long.columns = ["variant", "seed", "year", "component", "eur"]
        long["view"] = view
        frames.append(long)
    long = pd.concat(frames, ignore_index=True)
    keys = ["seed", "year", "view", "component"]
    by_variant = {
        name: long[long["variant"] == name].set_index(keys)["eur"] for name in (scenario, reference)
    }
    table = pd.DataFrame(
        {"scenario_eur": by_variant[scenario], "reference_eur": by_variant[reference]}
    ).reset_index()
    table["extra_eur"] = table["scenario_eur"] - table["reference_eur"]
    table = in_order(table, ["view", "component", "seed", "year"])
    table["seed"] = table["seed"].astype(int)
    table["year"] = table["year"].astype(int)
    return table[list(SPENDING_COLUMNS)]
