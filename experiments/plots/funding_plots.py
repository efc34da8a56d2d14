"""Figures of the funding comparison: indicators per form, incentives, payers, settings.

Each function takes the tables of :mod:`wijksim.experiments.analysis.funding_analysis` (or a
yearly table) and returns a Figure;
:func:`~wijksim.experiments.plots.figure_tools.save_figure` writes it as a PNG with its
caption. Conditions appear in the order of
the table (the sweep's order), so every figure lists the forms alike. Euros are shown in
millions and shares in per cent; a metric a run did not record gives an empty panel
that says so, not an error.

One piece (about 300 lines): the funding report's four figures share their scales and
style.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from wijksim.experiments.analysis.funding_analysis import DEFAULT_THRESHOLD, percent
from wijksim.experiments.analysis.funding_catalogue import (
    DIMENSION_LABELS,
    INCENTIVE_DIMENSIONS,
    INDICATORS_BY_NAME,
    NOT_AVAILABLE,
    UP,
)
from wijksim.experiments.analysis.funding_runs import DEFAULT_START
from wijksim.experiments.analysis.statistics import BAND
from wijksim.experiments.analysis.sweep_indicators import PAYER_NAMES
from wijksim.experiments.i18n import N_, translator
from wijksim.experiments.plots.figure_tools import mark_not_recorded, panel_grid
from wijksim.model.config.scenario import PAYERS

FIGURE_INDICATORS: tuple[str, ...] = (
    "clients_served",
    "hours_per_client",
    "mean_intake_wait_weeks",
    "held_year_share",
    "relapse_share",
    "admissions_not_complex_share",
    "referrals_per_client",
    "escalations",
    "cost_total_eur",
    "operator_margin_eur",
)
"""The panels of :func:`indicator_figure`, in reading order."""
SETTINGS: dict[str, str] = {
    "team_frontline_fte": N_("frontline staff (FTE)"),
    "team_hours_per_case_factor": N_("hours per case (factor)"),
    "team_intake_max_level": N_("intake: highest need level taken"),
    "team_referral_max_level": N_("referral: highest level referred on"),
    "team_discharge_min_level": N_("discharge: lowest level at closure"),
    "team_outreach_share": N_("outreach share of hours"),
    "team_complex_offload_share": N_("share of complex households to offload"),
}
"""The operator's settings (yearly means of states) → panel title: the policy chosen,
shown apart from the outcomes (none is read as quality or selection)."""
PAYER_COLOURS = {
    "municipality_wmo": "#2c7fb8",
    "municipality_youth": "#7fcdbb",
    "insurer": "#d95f0e",
    "other": "#969696",
}
ARROW_COLOURS = {UP: "#d95f0e", "↓": "#2c7fb8", "≈": "#636363", NOT_AVAILABLE: "#bdbdbd"}


def _scale(metric: str, language: str = "en") -> tuple[float, str]:
    """Display factor and unit of an indicator: € million, per cent, or as it is."""
    unit = INDICATORS_BY_NAME[metric].unit if metric in INDICATORS_BY_NAME else ""
    if unit == "€":
        return 1e-6, translator(language)(N_("€ million"))
    if unit == "share":
        return 100.0, "%"
    return 1.0, translator(language)(unit) if unit else unit


def _conditions(table: pd.DataFrame) -> list[str]:
    return [str(c) for c in pd.unique(table["condition"])]


def indicator_figure(
    indicators: pd.DataFrame,
    language: str = "en",
) -> Figure:
    """The main indicators per funding form: one dot per seed, a bar at the median.

    Args:
        indicators: From :func:`~wijksim.experiments.analysis.funding_runs.funding_indicators`.
        language: ``"en"`` or ``"nl"``: the figure's text.

    Returns:
        The figure (save it with :func:`save_figure`).
    """
    conditions = _conditions(indicators)
    positions = {name: i for i, name in enumerate(conditions)}
    figure, axes, lowest = panel_grid(len(FIGURE_INDICATORS), 3, 4.2, 3.0, sharex=True)
    axes[0].set_xlim(-0.6, len(conditions) - 0.4)  # shared: for every panel
    # A fixed spread of the dots around each form, so that the figure is the same every time.
    rng = np.random.default_rng(0)
    for axis, metric in zip(axes, FIGURE_INDICATORS, strict=True):
        indicator = INDICATORS_BY_NAME[metric]
        rows = indicators[(indicators["metric"] == metric) & indicators["value"].notna()]
        if rows.empty:
            mark_not_recorded(axis, indicator.label_in(language), language)
            continue
        factor, unit = _scale(metric, language)
        x = rows["condition"].astype(str).map(positions).to_numpy(dtype=float)
        jitter = rng.uniform(-0.15, 0.15, size=len(x))
        axis.scatter(x + jitter, rows["value"] * factor, s=10, alpha=0.6, color="#3182bd")
        medians = rows.groupby("condition", sort=False)["value"].median() * factor
        for condition, median in medians.items():
            centre = positions[str(condition)]
            axis.hlines(median, centre - 0.3, centre + 0.3, color="black", linewidth=2)
        axis.set_title(indicator.label_in(language), fontsize=10)
        axis.set_ylabel(unit)
    for axis in lowest:
        axis.set_xticks(range(len(conditions)), conditions, rotation=30, ha="right", fontsize=8)
    title = translator(language)(N_("Indicators per funding form (dots: seeds; bar: median)"))
    figure.suptitle(title, fontsize=11)
    return figure


def difference_figure(
    incentives: pd.DataFrame,
    threshold: float | None = None,
    language: str = "en",
) -> Figure:
    """The incentive dimensions: each form's relative change with its 90% interval.

    One panel per dimension of
    :data:`~wijksim.experiments.analysis.funding_catalogue.INCENTIVE_DIMENSIONS`, forms on the y
    axis, the change in % of the reference's mean (in points for a share) on the x axis;
    the shaded band is ±
    the threshold below which a change counts as practically nothing. Dots are coloured
    by the arrow they earn.

    Args:
        incentives: From :func:`~wijksim.experiments.analysis.funding_analysis.incentive_table`.
        threshold: The band's half width (default: the table's threshold, or 5%).
        language: ``"en"`` or ``"nl"``: the figure's text.

    Returns:
        The figure (save it with :func:`save_figure`).
    """
    _ = translator(language)
    if threshold is None:
        threshold = float(incentives["threshold"].iloc[0]) if len(incentives) else DEFAULT_THRESHOLD
    conditions = _conditions(incentives) if len(incentives) else []
    dimensions = list(INCENTIVE_DIMENSIONS)
    figure, axes, _lowest = panel_grid(
        len(dimensions), len(dimensions), 3.0, 0.6 * len(conditions) + 1.8
    )
    for axis, dimension in zip(axes, dimensions, strict=True):
        rows = incentives[incentives["dimension"] == dimension] if len(incentives) else incentives
        axis.axvspan(-100 * threshold, 100 * threshold, color="#d9d9d9", alpha=0.6, linewidth=0)
        axis.axvline(0, color="black", linewidth=0.8)
        for y, condition in enumerate(conditions):
            found = rows[rows["condition"] == condition]
            if found.empty or pd.isna(found["relative_effect"].iloc[0]):
                axis.text(0, y, _(NOT_AVAILABLE), ha="center", va="center", fontsize=8)
                continue
            row = found.iloc[0]
            mid = 100 * row["relative_effect"]
            low, high = 100 * row["relative_ci_low"], 100 * row["relative_ci_high"]
            axis.errorbar(
                [mid],
                [y],
                xerr=[[mid - low], [high - mid]],
                fmt="o",
                capsize=3,
                color=ARROW_COLOURS.get(row["arrow"], "black"),
            )
        axis.set_yticks(range(len(conditions)), conditions if axis is axes[0] else [])
        axis.set_ylim(-0.7, len(conditions) - 0.3)
        axis.invert_yaxis()  # the first form on top, as in the tables
        axis.set_title(_(DIMENSION_LABELS[dimension]), fontsize=10)
        # A share changes in percentage points, anything else in % of the reference.
        metric = rows["indicator"].iloc[0] if len(rows) else None
        is_share = metric in INDICATORS_BY_NAME and INDICATORS_BY_NAME[metric].unit == "share"
        axis.set_xlabel(
            _("percentage points") if is_share else _("{percent} of reference").format(percent="%")
        )
    reference = incentives["reference"].iloc[0] if len(incentives) else _("the reference")
    title = _(
        "Change against '{reference}' on the same seeds (mean, {confidence} confidence interval; "
        "grey: within ±{threshold}, practically nothing)"
    )
    shown = percent(threshold, language)
    shown = title.format(reference=reference, threshold=shown, confidence="90%")
    figure.suptitle(shown, fontsize=10)
    return figure


def cost_by_payer_figure(
    indicators: pd.DataFrame,
    language: str = "en",
) -> Figure:
    """Spending over the window per funding form, stacked by who pays (mean over seeds).

    Args:
        indicators: From :func:`~wijksim.experiments.analysis.funding_runs.funding_indicators`.
        language: ``"en"`` or ``"nl"``: the figure's text.

    Returns:
        The figure (save it with :func:`save_figure`).
    """
    _ = translator(language)
    conditions = _conditions(indicators)
    figure = Figure(figsize=(max(6.0, 1.1 * len(conditions) + 3), 4.5), layout="constrained")
    axis = figure.subplots()
    bottom = np.zeros(len(conditions))
    for payer in PAYERS:
        rows = indicators[indicators["metric"] == f"cost_paid_by_{payer}_eur"]
        means = rows.groupby("condition", sort=False)["value"].mean().reindex(conditions)
        if means.isna().all():
            continue  # a payer not recorded only clutters the legend
        heights = means.fillna(0.0).to_numpy(dtype=float) / 1e6
        axis.bar(
            conditions,
            heights,
            bottom=bottom,
            color=PAYER_COLOURS.get(payer),
            label=payer.replace("_", " ") if language == "en" else _(PAYER_NAMES[payer]),
        )
        bottom += heights
    axis.set_ylabel(_("€ million over the window"))
    axis.set_xticks(range(len(conditions)), conditions, rotation=30, ha="right", fontsize=8)
    axis.set_title(_("Spending per funding form by payer (mean over seeds)"), fontsize=11)
    if axis.get_legend_handles_labels()[0]:
        axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        shown = _("not recorded")
        axis.text(0.5, 0.5, shown, ha="center", va="center", transform=axis.transAxes)
    return figure


def settings_figure(
    yearly_table: pd.DataFrame,
    start: int | None = DEFAULT_START,
    language: str = "en",
) -> Figure:
    """The operator's settings over the years: median over seeds, 90% band, per form.

    Args:
        yearly_table: From :func:`~wijksim.experiments.analysis.statistics.yearly`.
        start: First year of the evaluation window, marked with a dashed line (None: none).
        language: ``"en"`` or ``"nl"``: the figure's text.

    Returns:
        The figure (save it with :func:`save_figure`).
    """
    _ = translator(language)
    conditions = _conditions(yearly_table)
    figure, axes, lowest = panel_grid(len(SETTINGS), 3, 4.2, 3.2, sharex=True)
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))  # shared: whole years
    for axis, (metric, english) in zip(axes, SETTINGS.items(), strict=True):
        title = _(english)
        rows = yearly_table[(yearly_table["metric"] == metric) & yearly_table["value"].notna()]
        if rows.empty:
            mark_not_recorded(axis, title, language)
            continue
        grouped = rows.groupby(["condition", "year"], sort=False)["value"]
        summary = pd.DataFrame(
            {
                "median": grouped.median(),
                "low": grouped.quantile(BAND[0]),
                "high": grouped.quantile(BAND[1]),
            }
        ).reset_index()
        for condition in conditions:
            line = summary[summary["condition"].astype(str) == condition].sort_values("year")
            if line.empty:
                continue
            (drawn,) = axis.plot(line["year"], line["median"], marker=".", label=condition)
            axis.fill_between(
                line["year"], line["low"], line["high"], color=drawn.get_color(), alpha=0.2, lw=0
            )
        if start is not None:
            axis.axvline(start - 0.5, color="black", linestyle="--", linewidth=0.8)
        axis.set_title(title, fontsize=10)
    for axis in lowest:
        axis.set_xlabel(_("year"))
    handles, labels = [], []
    for axis in axes:
        handles, labels = axis.get_legend_handles_labels()
        if handles:
            break
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8)
    window = "" if start is None else _("; dashed: evaluation window from year {start}")
    title = _(
        "Policy chosen: the operator's settings (line: median over seeds; band: {share} of "
        "seeds{window})"
    )
    figure.suptitle(title.format(window=window.format(start=start), share="90%"), fontsize=11)
    return figure
