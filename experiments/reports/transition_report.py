"""The transition analysis for a reader: markdown summary, payer table, and the whole run.

Renders what :mod:`wijksim.experiments.analysis.transition_analysis` computes (the method
is described there), in English or Dutch; :func:`analyse` runs the analysis of a sweep's
costs per condition of its grid and returns its tables with that text.

One piece over 300 lines: the summary's sentences, tables and notes are one text, in English
and Dutch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from wijksim.experiments.analysis.sweep_indicators import PAYER_NAMES
from wijksim.experiments.analysis.transition_analysis import INDICATORS, seed_indicators
from wijksim.experiments.analysis.transition_conditions import (
    StartYears,
    condition_key,
    condition_label,
    condition_rows,
    grid_columns,
    start_year_of,
)
from wijksim.experiments.analysis.transition_spending import (
    TABLE_LABELS,
    VIEW_LABELS,
    VIEWS,
    spending_table,
)
from wijksim.experiments.analysis.transition_summary import (
    SUMMARY_COLUMNS,
    mean_curves,
    summarise_indicators,
)
from wijksim.experiments.i18n import MINUS, N_, number, translator
from wijksim.experiments.reports.markdown import markdown_table
from wijksim.model.config.scenario import PAYERS


def _kind(indicator: str) -> str:
    return "year" if indicator.endswith("_year") else "bcr" if indicator == "bcr" else "eur"


def _number(value: float, kind: str, missing: str = "—", language: str = "en") -> str:
    """A year as an integer, euros in millions and the BCR with 2 decimals."""
    if pd.isna(value):
        return missing
    if kind == "year":
        return str(round(value))
    scaled = value / 1e6 if kind == "eur" else value
    text = number(abs(scaled), language, 2)
    return MINUS + text if scaled < 0 and round(abs(scaled), 2) != 0 else text


def _median_and_band(
    row: pd.Series,
    missing: str = "—",
    euro: bool = False,
    band: str | None = None,
    language: str = "en",
) -> str:
    """``median (90% band low–high)`` in the unit of the indicator (the row's name).

    With ``euro`` the median reads "€0.75 M" (Dutch: "€ 0,75 mln"); a band with a
    negative end reads "low to high", since an en dash next to a minus sign is hard to
    read. ``band`` is the words before the band (default "90% band ").
    """
    _ = translator(language)
    if row[["median", "p05", "p95"]].isna().all():
        return missing
    band = _("90% band ") if band is None else band
    kind = _kind(str(row.name))
    median = _number(row["median"], kind, missing, language)
    if euro and kind == "eur" and pd.notna(row["median"]):
        amount = _("€{amount} M")
        if median.startswith(MINUS):
            median = MINUS + amount.format(amount=median[1:])
        else:
            median = amount.format(amount=median)
    low = _number(row["p05"], kind, missing, language)
    high = _number(row["p95"], kind, missing, language)
    between = " " + _("to") + " " if MINUS in low + high else "–"
    return f"{median} ({band}{low}{between}{high})"


def _figure(row: pd.Series, missing: str | None = None, language: str = "en") -> str:
    missing = translator(language)(N_("not reached")) if missing is None else missing
    return _median_and_band(row, missing, euro=True, language=language)


def _share(row: pd.Series, language: str = "en") -> str:
    return number(100 * row["share_of_seeds"], language) + "%"


REACHED_TEXT = {
    "break_even_year": (
        N_("Break-even"),
        N_("yearly spending is at or below the old system and stays there"),
    ),
    "payback_year": (
        N_("Payback"),
        N_(
            "the investment is paid back: cumulative extra spending since the switch is back "
            "at or below zero and stays there"
        ),
    ),
}


def _view_sentences(
    rows: dict[str, pd.Series], start: int, rate: float, language: str = "en"
) -> list[str]:
    """The findings of one view, one sentence per indicator."""
    _ = translator(language)

    def figure(name: str, missing: str | None = None) -> str:
        return _figure(rows[name], missing, language)

    lines = []
    hump1 = rows["investment_hump_year"]
    if hump1["share_of_seeds"] == 0:
        lines.append(
            _(
                "- **Hump 1 (investment):** none: spending on the team, the zeroth line and "
                "the switch is never above the old system, in any seed."
            )
        )
    else:
        text = _(
            "- **Hump 1 (investment):** extra spending on the team, the zeroth line and the "
            "switch is highest in year {year}, at {height} a year."
        )
        lines.append(
            text.format(year=figure("investment_hump_year"), height=figure("investment_hump_eur"))
        )
    hump2 = rows["safety_net_hump_year"]
    if hump2["share_of_seeds"] == 0:
        lines.append(
            _(
                "- **Hump 2 (safety net):** no second hump: after the switch, spending on "
                "specialist care and escalations is never above the old system, in any seed."
            )
        )
    else:
        text = _(
            "- **Hump 2 (safety net):** in {share} of seeds, spending on specialist care and "
            "escalations rises above the old system after the switch (hidden need found, "
            "legacy clients); where it does, it is highest in year {year}, at {height} above "
            "the old system."
        )
        lines.append(
            text.format(
                share=_share(hump2, language),
                year=figure("safety_net_hump_year"),
                height=figure("safety_net_hump_eur"),
            )
        )
    peak = _("- **Peak:** total extra spending is highest in year {year}, at {height} a year.")
    lines.append(peak.format(year=figure("peak_extra_year"), height=figure("peak_extra_eur")))
    for name, (label, what) in REACHED_TEXT.items():
        row = rows[name]
        if row["share_of_seeds"] == 0:
            text = _("- **{label}:** not within the simulated years, in any seed.")
            lines.append(text.format(label=_(label)))
        elif pd.isna(row["median"]):
            text = _(
                "- **{label}:** not within the simulated years in most seeds; only {share} of "
                "seeds get there."
            )
            lines.append(text.format(label=_(label), share=_share(row, language)))
        else:
            text = _(
                "- **{label}:** by year {year}, in at least half the seeds, {what}; {share} of "
                "seeds get there within the simulated years."
            )
            lines.append(
                text.format(
                    label=_(label),
                    year=figure(name),
                    what=_(what),
                    share=_share(row, language),
                )
            )
    text = _(
        "- **To pre-finance:** cumulative extra spending from the switch rises to {most}; "
        "over all simulated years it comes to {all} (below zero: saved)."
    )
    lines.append(
        text.format(most=figure("cumulative_investment_eur"), all=figure("cumulative_extra_eur"))
    )
    text = _(
        "- **Costs and benefits**, discounted at {rate} a year to year {start}: safety-net "
        "savings {benefits} against extra investment {costs}; net present value {npv}; "
        "benefit-cost ratio {bcr}."
    )
    lines.append(
        text.format(
            rate=_rate(rate, language),
            start=start,
            benefits=figure("pv_benefits_eur"),
            costs=figure("pv_costs_eur"),
            npv=figure("npv_eur"),
            bcr=figure("bcr", "—"),
        )
    )
    return lines


def _rate(rate: float, language: str) -> str:
    """A discount rate as ``2.25%`` (``2,25%``), as ``.2%`` formatting wrote it."""
    return number(100 * rate, language, 2) + "%"


INDICATOR_LABELS = {
    "investment_hump_year": N_("hump 1 (investment): year"),
    "investment_hump_eur": N_("hump 1 (investment): height, € M/yr"),
    "safety_net_hump_year": N_("hump 2 (safety net): year"),
    "safety_net_hump_eur": N_("hump 2 (safety net): height, € M/yr"),
    "peak_extra_year": N_("peak extra spending: year"),
    "peak_extra_eur": N_("peak extra spending, € M/yr"),
    "break_even_year": N_("break-even year"),
    "payback_year": N_("payback year"),
    "cumulative_investment_eur": N_("to pre-finance (max. cumulative extra), € M"),
    "cumulative_extra_eur": N_("cumulative extra, all years, € M"),
    "pv_costs_eur": N_("PV costs (extra investment), € M"),
    "pv_benefits_eur": N_("PV benefits (safety-net savings), € M"),
    "npv_eur": N_("net present value, € M"),
    "bcr": N_("benefit-cost ratio"),
}


def markdown_summary(
    summary: pd.DataFrame,
    team_start_year: StartYears,
    discount_rate: float,
    n_seeds: int,
    scenario_name: str,
    per_condition_text: Mapping[tuple, str] | None = None,
    language: str = "en",
) -> str:
    """The transition findings in words and one table, for a policy reader.

    Args:
        summary: From :func:`summarise_indicators`.
        team_start_year: The first year of the team (per condition if a grid varies it).
        discount_rate: The rate the present values were discounted at.
        n_seeds: Number of seeds (paired replicates); with a grid, each condition's
            own count (``n_seeds`` of ``summary``) is given instead.
        scenario_name: Name of the transition scenario, for the heading.
        per_condition_text: With a grid, markdown to end each condition's section with,
            keyed by :func:`condition_key` (e.g. its :func:`payer_table`).
        language: ``"en"`` or ``"nl"``: the words and numbers.

    Returns:
        Markdown: a section per view (MKBA, then GKBA) and a table of all indicators, each
        as "median (90% band low–high)", euros in millions, years as simulated years.
        With grid fields in ``summary``, one such section per condition.
    """
    _ = translator(language)
    grid = grid_columns(summary, SUMMARY_COLUMNS)
    if grid:
        return _markdown_per_condition(
            summary,
            grid,
            team_start_year,
            discount_rate,
            scenario_name,
            per_condition_text or {},
            language,
        )
    start = start_year_of(team_start_year, {})
    intro = _(
        "The team starts in year {start}. Each of {seeds} seeds runs the switch and the old "
        "system continued with the same random streams; *extra* spending is the switch minus "
        "the old system in the same seed and year. Figures are the median over seeds with, "
        "in brackets, the band that holds {share} of seeds (replicate neighbourhoods): a spread "
        "of outcomes, not a confidence interval of the mean. Amounts in € million."
    )
    lines = [
        _("## Transition: {scenario} against the old system continued").format(
            scenario=scenario_name
        ),
        "",
        intro.format(start=start, seeds=n_seeds, share="90%"),
        "",
    ]
    lines += _findings(summary, start, discount_rate, "###", language)
    year = _("year {start}").format(start=start)
    lines += ["", _table_notes(discount_rate, year, language), ""]
    return "\n".join(lines)


def _findings(
    summary: pd.DataFrame, start: int, rate: float, heading: str, language: str = "en"
) -> list[str]:
    """The sentences per view and the table of all indicators, of one condition."""
    _ = translator(language)
    by_view = {view: rows.set_index("indicator") for view, rows in summary.groupby("view")}
    views = [view for view in VIEWS if view in by_view]
    lines = []
    for view in views:
        lines += [f"{heading} {_(VIEW_LABELS[view])}", ""]
        lines += _view_sentences(dict(by_view[view].iterrows()), start, rate, language)
        lines.append("")
    short = " / ".join(TABLE_LABELS[view] for view in views)
    column = _("{view}: median (90% band)")
    header = [_("indicator"), *(column.format(view=TABLE_LABELS[v]) for v in views)]
    header.append(_("seeds with a value ({views})").format(views=short))
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in INDICATORS:
        per_view = [by_view[view].loc[name] for view in views]
        cells = [
            _(INDICATOR_LABELS[name]),
            *(_median_and_band(row, band="", language=language) for row in per_view),
        ]
        cells.append(" / ".join(_share(row, language) for row in per_view))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _table_notes(rate: float, discounted_to: str, language: str = "en") -> str:
    _ = translator(language)
    text = _(
        "MKBA: society, all payers; GKBA: the municipality's Wmo and youth budgets only. "
        "—: not reached within the simulated years by enough seeds, or not defined (no "
        "hump; no net investment for a benefit-cost ratio). Present values are discounted "
        "at {rate} a year to {discounted_to}. Break-even: the first year from which yearly "
        "extra spending stays ≤ 0; payback: the first year from which cumulative extra "
        "spending since the switch stays ≤ 0."
    )
    return text.format(rate=_rate(rate, language), discounted_to=discounted_to)


def _markdown_per_condition(
    summary: pd.DataFrame,
    grid: list[str],
    team_start_year: StartYears,
    rate: float,
    scenario_name: str,
    per_condition_text: Mapping[tuple, str],
    language: str = "en",
) -> str:
    """:func:`markdown_summary` with a section per condition of the grid."""
    _ = translator(language)
    intro = _(
        "One section per condition of the grid ({fields}). In each, every seed runs the "
        "switch and the old system continued with the same random streams; *extra* spending "
        "is the switch minus the old system in the same condition, seed and year (a grid "
        "field of the team does not apply to the old system, so its runs are shared by all "
        "conditions). Figures are the median over seeds with, in brackets, the band that "
        "holds {share} of seeds (replicate neighbourhoods): a spread of outcomes, not a "
        "confidence interval of the mean. Amounts in € million."
    )
    notes = _table_notes(rate, _("the year the team starts"), language)
    lines = [
        _("## Transition: {scenario} against the old system continued, per condition").format(
            scenario=scenario_name
        ),
        "",
        intro.format(fields=", ".join(grid), share="90%") + " " + notes,
        "",
    ]
    for values, rows in summary.groupby(grid, sort=False, dropna=False):
        condition = dict(zip(grid, values, strict=True))
        start = start_year_of(team_start_year, condition)
        n_seeds = int(rows["n_seeds"].max())
        if n_seeds == 1:
            seeds = _("The team starts in year {start}; {seeds} seed.")
        else:
            seeds = _("The team starts in year {start}; {seeds} seeds.")
        lines += [
            f"### {condition_label(condition)}",
            "",
            seeds.format(start=start, seeds=n_seeds),
            "",
        ]
        lines += _findings(rows.drop(columns=grid), start, rate, "####", language)
        extra = per_condition_text.get(condition_key(condition, grid))
        lines += ["", extra, ""] if extra else [""]
    return "\n".join(lines)


def payer_table(
    costs: pd.DataFrame,
    scenario: str = "transition",
    reference: str = "counterfactual",
    heading: str = "###",
    language: str = "en",
) -> str:
    """Yearly spending by payer, switch / old system continued (median over seeds, € M).

    Args:
        costs: Yearly ``cost_paid_by_*`` metrics of one condition: columns ``variant,
            year, metric, value`` (a grid's conditions one at a time: see
            :func:`condition_rows`).
        scenario: The variant with the switch to the team.
        reference: The counterfactual variant.
        heading: The markdown heading level of the table's title.
        language: ``"en"`` or ``"nl"``: the words, payers and numbers.
    """
    _ = translator(language)
    by_payer = costs[costs["metric"].isin([f"cost_paid_by_{p}_eur" for p in PAYERS])]
    medians = by_payer.groupby(["year", "metric", "variant"])["value"].median().unstack()

    def shown(values: pd.Series) -> pd.Series:
        return (values / 1e6).map(lambda v: number(v, language, 2))

    cells = (shown(medians[scenario]) + " / " + shown(medians[reference])).unstack("metric")
    payers = [c.removeprefix("cost_paid_by_").removesuffix("_eur") for c in cells.columns]
    if language != "en":
        payers = [_(PAYER_NAMES[p]) if p in PAYER_NAMES else p for p in payers]
    cells.columns = payers
    table = cells.reset_index()
    if language != "en":
        table = table.rename(columns={"year": _("year")})
    lines = [
        _("{heading} Spending by payer").format(heading=heading),
        "",
        _("Per year, € million, median over seeds: with the switch / old system continued."),
        "",
        markdown_table(table),
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class TransitionResults:
    """The tables and text of the transition analysis (see :func:`analyse`)."""

    spending: pd.DataFrame
    """From :func:`spending_table`."""
    indicators: pd.DataFrame
    """From :func:`seed_indicators`."""
    summary: pd.DataFrame
    """From :func:`summarise_indicators`."""
    curves: pd.DataFrame
    """From :func:`mean_curves`."""
    markdown: str
    """:func:`markdown_summary` with the :func:`payer_table` (one per condition)."""


def analyse(
    costs: pd.DataFrame,
    team_start_year: StartYears,
    discount_rate: float,
    scenario_name: str,
    grid: Sequence[str] = (),
    scenario: str = "transition",
    reference: str = "counterfactual",
    language: str = "en",
) -> TransitionResults | None:
    """The transition analysis of a sweep, per condition of its grid.

    Seeds that lack one of the two runs (a run failed) are left out of their condition.

    Args:
        costs: The sweep's yearly ``cost_*`` metrics: columns ``variant, seed``, the grid
            fields, ``year, metric, value``.
        team_start_year: The first year of the team (per condition: :data:`StartYears`).
        discount_rate: Real discount rate per year for the present values.
        scenario_name: Name of the transition scenario, for the heading.
        grid: The sweep's grid fields.
        scenario: The variant with the switch to the team.
        reference: The counterfactual variant.
        language: ``"en"`` or ``"nl"``: the markdown's words and numbers.

    Returns:
        The tables and markdown, or None if no seed has both runs in any condition.
    """
    grid = list(grid)
    spending = spending_table(costs, scenario, reference, grid, drop_unpaired=True)
    if spending.empty:
        return None
    indicators = seed_indicators(spending, team_start_year, discount_rate)
    summary = summarise_indicators(indicators)
    curves = mean_curves(spending, team_start_year)
    pairs = condition_rows(costs, grid, scenario, reference, drop_unpaired=True)
    if grid:
        payers = {
            condition_key(condition, grid): payer_table(rows, scenario, reference, "####", language)
            for condition, rows in pairs
        }
        text = markdown_summary(
            summary, team_start_year, discount_rate, 0, scenario_name, payers, language
        )
    else:
        n_seeds = spending["seed"].nunique()
        text = markdown_summary(
            summary, team_start_year, discount_rate, n_seeds, scenario_name, language=language
        )
        text += "\n\n" + payer_table(pairs[0][1], scenario, reference, language=language)
    return TransitionResults(spending, indicators, summary, curves, text)
