"""The transition curve: spending with a neighbourhood team against the old system continued.

Dutch cost-benefit analyses of neighbourhood teams (MKBA) describe spending over the
switch as "a camel with two humps" (DOMAIN.md §5, S1 App. I.1): first the investment in prevention
(the team, the zeroth line and one-off friction costs of the switch), while spending on
the safety net (specialist care, escalations) must go on; then a second rise when the
team finds hidden need and legacy clients finish their specialist trajectories. Only
after both humps may savings on the safety net pay the investment back.

Each seed runs the transition scenario and its counterfactual with the same random
streams, so every comparison here is *per seed* (paired): ``extra = scenario − reference``
in the same year of the same seed. Everything here is a pure function of tidy tables:

* :func:`spending_table`: yearly spending per seed, view and component, with the extra;
* :func:`seed_indicators`: humps, peak, break-even, payback, present values per seed;
* :func:`summarise_indicators`: median and 90% band of each indicator over seeds;
* :func:`mean_curves`: median and 90% band of the yearly curves over seeds;
* :func:`markdown_summary`: the findings in words for a policy reader.

Two views: ``"society"`` counts every payer (the MKBA, social cost-benefit analysis);
``"municipality"`` counts only the municipal budgets (the GKBA, the municipality's own
business case), where costs borne by health insurers or others do not count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from wijksim.model.scenario import PAYERS, STREAMS

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
    "society": "MKBA (society: all payers)",
    "municipality": "GKBA (municipality: Wmo and youth budgets)",
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
:mod:`wijksim.experiments.results`."""


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


def _check_input(yearly: pd.DataFrame, scenario: str, reference: str) -> pd.DataFrame:
    """The rows of the two variants and the needed metrics, after checking they are complete.

    Raises:
        ValueError: Naming the missing column, variant, seed, metric or year.
    """
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
            f"{first['metric']}); select one condition of the sweep first"
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
    yearly: pd.DataFrame, scenario: str = "transition", reference: str = "counterfactual"
) -> pd.DataFrame:
    """Yearly spending of the scenario and its paired reference, per view and component.

    Args:
        yearly: Tidy yearly table with columns ``variant, seed, year, metric, value`` (more
            columns and metrics may be present; they are ignored). Needs the metrics of
            :func:`required_metrics` for every seed and year in both variants.
        scenario: The variant with the switch to the team.
        reference: The counterfactual variant: the old system continued.

    Returns:
        Columns ``seed, year, view, component, scenario_eur, reference_eur, extra_eur``,
        where ``extra_eur = scenario_eur − reference_eur`` for the same seed and year.
        ``view`` is ``"society"`` (all payers) or ``"municipality"`` (only
        :data:`MUNICIPAL_PAYERS`); ``component`` is each stream, ``"investment"``,
        ``"safety_net"`` or ``"total"`` (see :data:`COMPONENTS`).

    Raises:
        ValueError: If a variant, a seed's pair, a metric or a year is missing.
    """
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
    return table[
        ["seed", "year", "view", "component", "scenario_eur", "reference_eur", "extra_eur"]
    ]


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
    spending: pd.DataFrame, team_start_year: int, discount_rate: float = DEFAULT_DISCOUNT_RATE
) -> pd.DataFrame:
    """Humps, peak, break-even, payback and present values, per seed and view.

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
        team_start_year: The first year of the team (1-based, as the ``year`` column).
        discount_rate: Real discount rate per year; default :data:`DEFAULT_DISCOUNT_RATE`.

    Returns:
        One row per seed and view: ``seed, view`` and the columns of :data:`INDICATORS`.
        The society view is the MKBA view, the municipality view the GKBA view.

    Raises:
        ValueError: If ``team_start_year`` is not a simulated year or the rate is ≤ −1.
    """
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
    """Median and 90% band of each indicator over seeds, per view.

    Euro amounts and the BCR use linear quantiles over the seeds with a value. Year
    indicators use the inverted-CDF quantile, so each is a simulated year (see
    :func:`_year_quantiles`); for break-even and payback, seeds that never get there
    count as getting there after the horizon, so the median is NaN when fewer than half
    the seeds do. The band spreads over seeds (replicate neighbourhoods): it is not a
    confidence interval of the mean.

    Args:
        indicators: From :func:`seed_indicators`.

    Returns:
        Columns ``view, indicator, median, p05, p95, n_seeds, share_of_seeds``:
        ``n_seeds`` seeds in the view, ``share_of_seeds`` the share with a value (e.g. the
        share that breaks even, or that has a second hump).
    """
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
    return pd.DataFrame(
        rows, columns=["view", "indicator", "median", "p05", "p95", "n_seeds", "share_of_seeds"]
    )


def mean_curves(spending: pd.DataFrame, team_start_year: int) -> pd.DataFrame:
    """The typical yearly curves: median and 90% band over seeds, per view and component.

    Despite the name the centre is the median, as elsewhere in the reports: it is not
    pulled by one unusual seed. Each statistic is taken per year over seeds, so the
    median extra is the median of the per-seed differences (not the difference of the
    medians), and the cumulative curve is cumulated per seed before the median is taken.

    Args:
        spending: From :func:`spending_table`.
        team_start_year: Where the cumulative extra spending starts.

    Returns:
        Columns ``view, component, year``, then ``{x}_median``, ``{x}_p05``, ``{x}_p95`` for
        ``x`` in ``scenario_eur, reference_eur, extra_eur, cumulative_extra_eur`` (the
        running sum of ``extra_eur`` from ``team_start_year``; NaN before it), and
        ``n_seeds``.
    """
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


MINUS = "\u2212"
"""The typographic minus sign: a hyphen before a number is easily missed in a table."""


def _kind(indicator: str) -> str:
    return "year" if indicator.endswith("_year") else "bcr" if indicator == "bcr" else "eur"


def _number(value: float, kind: str, missing: str = "—") -> str:
    """A year as an integer, euros in millions and the BCR with 2 decimals."""
    if pd.isna(value):
        return missing
    if kind == "year":
        return str(round(value))
    scaled = value / 1e6 if kind == "eur" else value
    text = f"{abs(scaled):.2f}"
    return MINUS + text if scaled < 0 and text != "0.00" else text


def _median_and_band(
    row: pd.Series, missing: str = "—", euro: bool = False, band: str = "90% band "
) -> str:
    """``median (90% band low–high)`` in the unit of the indicator (the row's name).

    With ``euro`` the median reads "€0.75 M"; a band with a negative end reads "low to
    high", since an en dash next to a minus sign is hard to read.
    """
    if row[["median", "p05", "p95"]].isna().all():
        return missing
    kind = _kind(str(row.name))
    median = _number(row["median"], kind, missing)
    if euro and kind == "eur" and pd.notna(row["median"]):
        median = f"{MINUS}€{median[1:]} M" if median.startswith(MINUS) else f"€{median} M"
    low, high = _number(row["p05"], kind, missing), _number(row["p95"], kind, missing)
    between = " to " if MINUS in low + high else "–"
    return f"{median} ({band}{low}{between}{high})"


def _figure(row: pd.Series, missing: str = "not reached") -> str:
    return _median_and_band(row, missing, euro=True)


def _share(row: pd.Series) -> str:
    return f"{row['share_of_seeds']:.0%}"


REACHED_TEXT = {
    "break_even_year": (
        "Break-even",
        "yearly spending is at or below the old system and stays there",
    ),
    "payback_year": (
        "Payback",
        "the investment is paid back: cumulative extra spending since the switch is back "
        "at or below zero and stays there",
    ),
}


def _view_sentences(rows: dict[str, pd.Series], start: int, rate: float) -> list[str]:
    """The findings of one view, one sentence per indicator."""
    lines = []
    hump1 = rows["investment_hump_year"]
    if hump1["share_of_seeds"] == 0:
        lines.append(
            "- **Hump 1 (investment):** none: spending on the team, the zeroth line and the "
            "switch is never above the old system, in any seed."
        )
    else:
        lines.append(
            "- **Hump 1 (investment):** extra spending on the team, the zeroth line and the "
            f"switch is highest in year {_figure(hump1)}, at "
            f"{_figure(rows['investment_hump_eur'])} a year."
        )
    hump2 = rows["safety_net_hump_year"]
    if hump2["share_of_seeds"] == 0:
        lines.append(
            "- **Hump 2 (safety net):** no second hump: after the switch, spending on "
            "specialist care and escalations is never above the old system, in any seed."
        )
    else:
        lines.append(
            f"- **Hump 2 (safety net):** in {_share(hump2)} of seeds, spending on specialist "
            "care and escalations rises above the old system after the switch (hidden need "
            f"found, legacy clients); where it does, it is highest in year {_figure(hump2)}, "
            f"at {_figure(rows['safety_net_hump_eur'])} above the old system."
        )
    lines.append(
        f"- **Peak:** total extra spending is highest in year {_figure(rows['peak_extra_year'])}"
        f", at {_figure(rows['peak_extra_eur'])} a year."
    )
    for name, (label, what) in REACHED_TEXT.items():
        row = rows[name]
        if row["share_of_seeds"] == 0:
            lines.append(f"- **{label}:** not within the simulated years, in any seed.")
        elif pd.isna(row["median"]):
            lines.append(
                f"- **{label}:** not within the simulated years in most seeds; "
                f"only {_share(row)} of seeds get there."
            )
        else:
            lines.append(
                f"- **{label}:** by year {_figure(row)}, in at least half the seeds, {what}; "
                f"{_share(row)} of seeds get there within the simulated years."
            )
    lines.append(
        "- **To pre-finance:** cumulative extra spending from the switch rises to "
        f"{_figure(rows['cumulative_investment_eur'])}; over all simulated years it comes to "
        f"{_figure(rows['cumulative_extra_eur'])} (below zero: saved)."
    )
    lines.append(
        f"- **Costs and benefits**, discounted at {rate:.2%} a year to year {start}: "
        f"safety-net savings {_figure(rows['pv_benefits_eur'])} against extra investment "
        f"{_figure(rows['pv_costs_eur'])}; net present value "
        f"{_figure(rows['npv_eur'])}; benefit-cost ratio {_figure(rows['bcr'], '—')}."
    )
    return lines


INDICATOR_LABELS = {
    "investment_hump_year": "hump 1 (investment): year",
    "investment_hump_eur": "hump 1 (investment): height, € M/yr",
    "safety_net_hump_year": "hump 2 (safety net): year",
    "safety_net_hump_eur": "hump 2 (safety net): height, € M/yr",
    "peak_extra_year": "peak extra spending: year",
    "peak_extra_eur": "peak extra spending, € M/yr",
    "break_even_year": "break-even year",
    "payback_year": "payback year",
    "cumulative_investment_eur": "to pre-finance (max. cumulative extra), € M",
    "cumulative_extra_eur": "cumulative extra, all years, € M",
    "pv_costs_eur": "PV costs (extra investment), € M",
    "pv_benefits_eur": "PV benefits (safety-net savings), € M",
    "npv_eur": "net present value, € M",
    "bcr": "benefit-cost ratio",
}


def markdown_summary(
    summary: pd.DataFrame,
    team_start_year: int,
    discount_rate: float,
    n_seeds: int,
    scenario_name: str,
) -> str:
    """The transition findings in words and one table, for a policy reader.

    Args:
        summary: From :func:`summarise_indicators`.
        team_start_year: The first year of the team.
        discount_rate: The rate the present values were discounted at.
        n_seeds: Number of seeds (paired replicates).
        scenario_name: Name of the transition scenario, for the heading.

    Returns:
        Markdown: a section per view (MKBA, then GKBA) and a table of all indicators, each
        as "median (90% band low–high)", euros in millions, years as simulated years.
    """
    lines = [
        f"## Transition: {scenario_name} against the old system continued",
        "",
        f"The team starts in year {team_start_year}. Each of {n_seeds} seeds runs the switch "
        "and the old system continued with the same random streams; *extra* spending is "
        "the switch minus the old system in the same seed and year. Figures are the median "
        "over seeds with, in brackets, the band that holds 90% of seeds (replicate "
        "neighbourhoods): a spread of outcomes, not a confidence interval of the mean. "
        "Amounts in € million.",
        "",
    ]
    by_view = {view: rows.set_index("indicator") for view, rows in summary.groupby("view")}
    views = [view for view in VIEWS if view in by_view]
    for view in views:
        lines += [f"### {VIEW_LABELS[view]}", ""]
        lines += _view_sentences(dict(by_view[view].iterrows()), team_start_year, discount_rate)
        lines.append("")
    short = " / ".join(TABLE_LABELS[view] for view in views)
    header = ["indicator", *(f"{TABLE_LABELS[v]}: median (90% band)" for v in views)]
    header.append(f"seeds with a value ({short})")
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in INDICATORS:
        per_view = [by_view[view].loc[name] for view in views]
        cells = [INDICATOR_LABELS[name], *(_median_and_band(row, band="") for row in per_view)]
        cells.append(" / ".join(_share(row) for row in per_view))
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "MKBA: society, all payers; GKBA: the municipality's Wmo and youth budgets only. "
        "—: not reached within the simulated years by enough seeds, or not defined (no "
        "hump; no net investment for a benefit-cost ratio). Present values are discounted "
        f"at {discount_rate:.2%} a year to year {team_start_year}. Break-even: the first "
        "year from which yearly extra spending stays ≤ 0; payback: the first year from "
        "which cumulative extra spending since the switch stays ≤ 0.",
        "",
    ]
    return "\n".join(lines)


def payer_table(costs: pd.DataFrame) -> str:
    """Yearly spending by payer, switch / old system continued (median over seeds, € M)."""
    from wijksim.experiments.report import markdown_table  # report imports this module

    by_payer = costs[costs["metric"].isin([f"cost_paid_by_{p}_eur" for p in PAYERS])]
    medians = by_payer.groupby(["year", "metric", "variant"])["value"].median().unstack()
    cells = (
        (medians["transition"] / 1e6).map("{:.2f}".format)
        + " / "
        + (medians["counterfactual"] / 1e6).map("{:.2f}".format)
    ).unstack("metric")
    cells.columns = [c.removeprefix("cost_paid_by_").removesuffix("_eur") for c in cells.columns]
    lines = [
        "### Spending by payer",
        "",
        "Per year, € million, median over seeds: with the switch / old system continued.",
        "",
        markdown_table(cells.reset_index()),
    ]
    return "\n".join(lines)
