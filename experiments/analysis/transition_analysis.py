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

* :func:`~.transition_spending.spending_table`: yearly spending per seed, view and
  component, with the extra (``transition_spending.py``);
* :func:`seed_indicators`: humps, peak, break-even, payback, present values per seed
  (here);
* :func:`~.transition_summary.summarise_indicators`: median and 90% band of each
  indicator over seeds (``transition_summary.py``);
* :func:`~.transition_summary.mean_curves`: median and 90% band of the yearly curves over
  seeds (``transition_summary.py``).

The findings in words for a policy reader, and all of the above from a sweep's yearly
costs as the report needs it, are in :mod:`wijksim.experiments.reports.transition_report`
(``markdown_summary``, ``analyse``).

A sweep with a grid (e.g. ``"team.frontline_fte" = [8, 12]``) has one *condition* per
combination of grid values. Each condition of the switch is compared with the reference
runs on the same seeds *and the same grid values*; a grid field the reference lacks (a
field of the ``[team]`` it removed) is not a difference, so all conditions of the switch
share those reference runs. Every table then starts with the grid fields as columns, and
every indicator is computed per condition; without a grid, the tables have no such
columns. The conditions and their pairing with the reference are in
``transition_conditions.py``.

Two views: ``"society"`` counts every payer (the MKBA, social cost-benefit analysis);
``"municipality"`` counts only the municipal budgets (the GKBA, the municipality's own
business case), where costs borne by health insurers or others do not count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.transition_conditions import (
    StartYears,
    grid_columns,
    per_condition,
    start_year_of,
)
from wijksim.experiments.analysis.transition_spending import SPENDING_COLUMNS, in_order

DEFAULT_DISCOUNT_RATE = 0.0225
"""Real discount rate per year. The Dutch standard rate for social cost-benefit analysis
(Werkgroep discontovoet 2020: 2.25%); a parameter, so that a reader can test others."""

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
    return per_condition(
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
    return in_order(pd.DataFrame(rows, columns=["seed", "view", *INDICATORS]), ["view", "seed"])
