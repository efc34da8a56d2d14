"""The transition curve: spending with a neighbourhood team against the old system continued.

Dutch cost-benefit analyses of neighbourhood teams (MKBA) describe spending over the
switch as "a camel with two humps" (docs/sources.md §6, S1 App. I.1): first the
investment in prevention (the team, the zeroth line and one-off friction costs of the
switch), while spending on
the safety net (specialist care, escalations) must go on; then a second rise when the
team finds hidden need and legacy clients finish their specialist trajectories. Only
after both humps may savings on the safety net pay the investment back.

Each seed runs the transition scenario and its counterfactual with the same random
streams, so every comparison here is *per seed* (paired): ``extra = scenario − reference``
in the same year of the same seed. Everything here is a pure function of tidy tables:

* :func:`spending_table`: yearly spending per seed, view and component, with the extra;
* :func:`seed_indicators`: humps, peak, break-even, payback, present values per seed;
* :func:`summarise_indicators`: median and 90% band of each indicator over seeds;
* :func:`mean_curves`: median and 90% band of the yearly curves over seeds.

The findings in words for a policy reader, and all of the above from a sweep's yearly
costs as the report needs it, are in :mod:`wijksim.experiments.reports.transition_report`
(``markdown_summary``, ``analyse``).

A sweep with a grid (e.g. ``"team.frontline_fte" = [8, 12]``) has one *condition* per
combination of grid values. Each condition of the switch is compared with the reference
runs on the same seeds *and the same grid values*; a grid field the reference lacks (a
field of the ``[team]`` it removed) is not a difference, so all conditions of the switch
share those reference runs. Every table then starts with the grid fields as columns, and
every indicator is computed per condition; without a grid, the tables have no such
columns.

Two views: ``"society"`` counts every payer (the MKBA, social cost-benefit analysis);
``"municipality"`` counts only the municipal budgets (the GKBA, the municipality's own
business case), where costs borne by health insurers or others do not count.

One piece over 300 lines: the method above, step by step; its steps share the helpers that
pair conditions and seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from wijksim.experiments.i18n import N_
from wijksim.model.config.scenario import STREAMS

INVESTMENT_STREAMS: tuple[str, ...] = ("team", "zeroth_line", "friction")
"""Spending on prevention and on the switch itself: hump 1."""
SAFETY_NET_STREAMS: tuple[str, ...] = ("specialist", "escalation")
"""Spending on care and crises that prevention should reduce: hump 2, then the savings."""
MUNICIPAL_PAYERS: tuple[str, ...] = ("municipality_wmo", "municipality_youth")
"""The payers counted in the municipality (GKBA) view: the Wmo and youth budgets."""
DEFAULT_DISCOUNT_RATE = 0.0225
"""Real discount rate per year. The Dutch standard rate for social cost-benefit analysis
(Werkgroep discontovoet 2020: 2.25%); a parameter, so that a reader can test others."""

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
ZERO_TOLERANCE_EUR = 0.005
"""Differences smaller than half a cent count as zero: the ledger books whole cents, so
anything smaller is floating-point rounding of the yearly sums, not a real difference."""

INDICATORS: tuple[str, ...] = (
    "investment_hump_year",
    "investment_hump_eur",
    "safety_net_hump_year",
    "safety_net_hump_eur",
    "peak_extra_year",
    "peak_extra_eur",
    "break_even_year",
    "payback_year",
    "cumulative_investment_eur",
    "cumulative_extra_eur",
    "pv_costs_eur",
    "pv_benefits_eur",
    "npv_eur",
    "bcr",
)
YEAR_INDICATORS: tuple[str, ...] = tuple(name for name in INDICATORS if name.endswith("_year"))
REACHED_INDICATORS: tuple[str, ...] = ("break_even_year", "payback_year")
"""Year indicators of a point a seed may not reach within the simulated years: in the
summary a seed that never reaches it counts as reaching it after the horizon."""
BAND = (0.05, 0.95)
"""The band around medians: 90% of seeds (replicates) lie inside it, as in
:mod:`wijksim.experiments.runner.results`."""
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


def _per_condition(
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


def _in_order(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
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
    table = _in_order(table, ["view", "component", "seed", "year"])
    table["seed"] = table["seed"].astype(int)
    table["year"] = table["year"].astype(int)
    return table[list(SPENDING_COLUMNS)]


def _hump(extra: pd.Series) -> tuple[float, float]:
    """Year and height of the highest positive extra spending, or NaN if never positive.

    Ties go to the earliest year: the hump is reached when the height is first reached.
    """
    if extra.empty or extra.max() <= ZERO_TOLERANCE_EUR:
        return np.nan, np.nan
    return float(extra.idxmax()), float(extra.max())


def stays_at_or_below_zero_from(values: pd.Series) -> float:
    """First year from which ``values`` is ≤ 0 in that year and in every later year.

    ``values`` (euros) is indexed by year, in order. The result is the year after the
    last positive value, the first year if none is positive, and NaN if the last year is
    positive (not reached within the simulated years). Used for break-even (yearly extra
    spending) and payback (cumulative extra spending).
    """
    positive = values[values > ZERO_TOLERANCE_EUR]
    if positive.empty:
        return float(values.index[0])
    last = positive.index[-1]
    later = values.index[values.index > last]
    return float(later[0]) if len(later) else np.nan


def _indicators_of_one(extra: pd.DataFrame, start: int, rate: float) -> dict[str, float]:
    """The indicators of one seed and view from its extra spending (years × components)."""
    total, investment, safety_net = extra["total"], extra["investment"], extra["safety_net"]
    after = extra.index >= start
    cumulative = total[after].cumsum()
    discount = (1.0 + rate) ** -(extra.index[after] - start).to_numpy(dtype=float)
    pv_costs = float((investment[after] * discount).sum())
    pv_benefits = float((-safety_net[after] * discount).sum())
    investment_year, investment_eur = _hump(investment)
    safety_year, safety_eur = _hump(safety_net[after])
    return {
        "investment_hump_year": investment_year,
        "investment_hump_eur": investment_eur,
        "safety_net_hump_year": safety_year,
        "safety_net_hump_eur": safety_eur,
        "peak_extra_year": float(total.idxmax()),
        "peak_extra_eur": float(total.max()),
        "break_even_year": stays_at_or_below_zero_from(total[after]),
        "payback_year": stays_at_or_below_zero_from(cumulative),
        "cumulative_investment_eur": max(0.0, float(cumulative.max())),
        "cumulative_extra_eur": float(total.sum()),
        "pv_costs_eur": pv_costs,
        "pv_benefits_eur": pv_benefits,
        "npv_eur": pv_benefits - pv_costs,
        "bcr": pv_benefits / pv_costs if pv_costs > ZERO_TOLERANCE_EUR else np.nan,
    }


def seed_indicators(
    spending: pd.DataFrame,
    team_start_year: StartYears,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> pd.DataFrame:
    """Humps, peak, break-even, payback and present values, per condition, seed and view.

    With ``E`` the yearly extra total spending (scenario − reference), ``C`` its running
    sum from ``team_start_year`` (the year the team starts, ``s``) and ``r`` the discount
    rate:

    * hump 1, ``investment_hump_year``/``_eur``: the year and height of the highest extra
      spending on the investment component (team, zeroth line, friction), over all years;
    * hump 2, ``safety_net_hump_year``/``_eur``: the same for the safety net (specialist
      care, escalations) in years ≥ ``s``: the discovery surge and legacy clients;
    * ``peak_extra_year``/``_eur``: the year and height of the highest ``E`` (all years);
    * ``break_even_year``: the first year ≥ ``s`` with ``E ≤ 0`` in it and every later year;
    * ``payback_year``: the first year ≥ ``s`` with ``C ≤ 0`` in it and every later year:
      the investment has been earned back and stays so. If ``C`` never rises above zero
      (nothing to pay back) this is ``s``;
    * ``cumulative_investment_eur``: the highest ``C``, what must be pre-financed (0 if
      ``C`` never rises above zero);
    * ``cumulative_extra_eur``: the sum of ``E`` over all simulated years (negative: saved);
    * ``pv_costs_eur``: the present value in year ``s`` of the extra investment spending in
      years ``t ≥ s``, each discounted by ``(1 + r) ** (t − s)`` (costs booked in year ``s``
      count in full; whole years, no mid-year convention); years with less investment
      than the reference count negative;
    * ``pv_benefits_eur``: the same for the safety-net savings (reference − scenario);
    * ``npv_eur = pv_benefits_eur − pv_costs_eur``, which equals minus the present value of
      ``E`` from ``s``; ``bcr = pv_benefits_eur / pv_costs_eur``, NaN if ``pv_costs_eur ≤ 0``
      (no net investment: a ratio would be meaningless or negative).

    A year indicator is NaN when the point is not reached within the simulated years, or
    (humps) when that extra spending is never above zero; a hump's height is then NaN too.
    Ties go to the earliest year. Differences below :data:`ZERO_TOLERANCE_EUR` count as 0.

    Args:
        spending: From :func:`spending_table`.
        team_start_year: The first year of the team (1-based, as the ``year`` column);
            one per condition if a grid varies it (see :data:`StartYears`).
        discount_rate: Real discount rate per year; default :data:`DEFAULT_DISCOUNT_RATE`.

    Returns:
        One row per condition, seed and view: the grid fields of ``spending`` (if any),
        ``seed, view`` and the columns of :data:`INDICATORS`. The society view is the
        MKBA view, the municipality view the GKBA view.

    Raises:
        ValueError: If ``team_start_year`` is not a simulated year or the rate is ≤ −1.
    """
    grid = grid_columns(spending, SPENDING_COLUMNS)
    if not grid:
        return _seed_indicators_of_one(spending, start_year_of(team_start_year, {}), discount_rate)
    return _per_condition(
        spending,
        grid,
        lambda rows, condition: _seed_indicators_of_one(
            rows, start_year_of(team_start_year, condition), discount_rate
        ),
    )


def _seed_indicators_of_one(
    spending: pd.DataFrame, team_start_year: int, discount_rate: float
) -> pd.DataFrame:
    """:func:`seed_indicators` of one condition."""
    years = spending["year"].unique()
    if team_start_year not in set(years.tolist()):
        raise ValueError(
            f"team_start_year {team_start_year} is not among the simulated years "
            f"{int(years.min())}..{int(years.max())}"
        )
    if discount_rate <= -1:
        raise ValueError(f"discount rate must be above -1, got {discount_rate}")
    extra = spending.pivot_table(
        index=["view", "seed", "year"], columns="component", values="extra_eur", aggfunc="sum"
    )
    rows = []
    for (view, seed), one in extra.groupby(level=["view", "seed"], sort=False):
        one = one.droplevel(["view", "seed"]).sort_index()
        rows.append(
            {"seed": seed, "view": view, **_indicators_of_one(one, team_start_year, discount_rate)}
        )
    return _in_order(pd.DataFrame(rows, columns=["seed", "view", *INDICATORS]), ["view", "seed"])


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
    return _per_condition(indicators, grid, lambda rows, _: _summarise_one(rows))


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
    return _per_condition(
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
    return _in_order(curves.reset_index(), ["view", "component", "year"])
