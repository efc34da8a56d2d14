"""Figures of the team comparison: differences from the integral team, waits per team, hours.

Each function takes the tables of :mod:`wijksim.experiments.analysis.teams_analysis` and returns
a Figure (:func:`~wijksim.experiments.plots.figure_tools.save_figure` saves it); like
:mod:`wijksim.experiments.plots.funding_plots` (whose layout helpers it uses) the figures are
built on :class:`matplotlib.figure.Figure`, not through
pyplot. Configurations keep one colour in every figure (the integral team grey), and
neighbourhood types, forms and configurations appear in the order of the table (the
sweep's order). Euros are shown in millions and shares in per cent (a change of a share
in percentage points).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from wijksim.experiments.analysis.funding_analysis import DEFAULT_THRESHOLD, percent
from wijksim.experiments.analysis.team_configurations import INTEGRAL
from wijksim.experiments.analysis.teams_analysis import in_order
from wijksim.experiments.analysis.teams_catalogue import (
    INDICATORS_BY_NAME,
    NO_TEAM,
    parse_condition,
)
from wijksim.experiments.i18n import translator
from wijksim.experiments.plots.figure_tools import mark_not_recorded, panel_grid

DIFFERENCE_PANELS: tuple[str, ...] = (
    "cost_total_eur",
    "escalations",
    "mean_intake_wait_weeks",
    "coordination_hours",
    "time_to_referral_weeks",
    "held_year_share",
    "relapse_share",
    "return_rate",
)
"""The panels of :func:`difference_figure`, in reading order."""
HOURS_PANELS: tuple[str, ...] = ("idle_hours", "coordination_hours")
"""The rows of :func:`hours_figure`."""
INTEGRAL_COLOUR = "#969696"
SPLIT_COLOURS = ("#2c7fb8", "#d95f0e", "#31a354", "#756bb1", "#e6550d", "#636363")
PREFERRED_FORM = "cost_centre"
"""The form of :func:`wait_per_team_figure` if the sweep ran it: no payment moves the
operator's knobs, so the waits show the split itself."""


def configuration_colours(configurations) -> dict[str, str]:
    """A colour per configuration: the integral team grey, splits in a fixed order."""
    splits = [c for c in configurations if c != INTEGRAL]
    colours = {c: SPLIT_COLOURS[i % len(SPLIT_COLOURS)] for i, c in enumerate(splits)}
    return {INTEGRAL: INTEGRAL_COLOUR, **colours}


def _display(metric: str, difference: bool = False, language: str = "en") -> tuple[float, str]:
    """Display factor and unit: € million, per cent (points for a change), or as it is."""
    _ = translator(language)
    unit = INDICATORS_BY_NAME[metric].unit
    if unit == "€":
        return 1e-6, _("€ million")
    if unit == "share":
        return 100.0, _("percentage points") if difference else "%"
    return 1.0, _(unit)


def _legend(figure: Figure, colours: dict[str, str], shown) -> None:
    handles = [Patch(color=colours[c], label=c) for c in shown]
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)


def difference_figure(
    differences: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    language: str = "en",
) -> Figure:
    """Each split minus the reference (integral) team, paired, with the 90% interval.

    One row of panels per neighbourhood type, one column per indicator of
    :data:`DIFFERENCE_PANELS`; funding forms on the y axis, one colour per split. The grey
    band around zero is ± ``threshold`` of the integral team's level under that form: a
    change inside it is practically nothing.

    Args:
        differences: From :func:`~wijksim.experiments.analysis.teams_analysis.team_differences`.
        threshold: The band's half width, a share of the integral team's level.
        language: ``"en"`` or ``"nl"``: the figure's text.

    Returns:
        The figure (save it with :func:`save_figure`).
    """
    _ = translator(language)
    if differences.empty:
        figure = Figure(figsize=(6, 2), layout="constrained")
        axis = figure.subplots()
        axis.set_axis_off()
        shown = _("No split configuration to compare")
        axis.text(0.5, 0.5, shown, ha="center", va="center")
        return figure
    neighbourhoods = in_order(differences["neighbourhood"])
    forms = in_order(differences["form"])
    splits = in_order(differences["configuration"])
    colours = configuration_colours(splits)
    columns = len(DIFFERENCE_PANELS)
    height = 0.45 * len(forms) + 0.9
    figure = Figure(
        figsize=(2.9 * columns, height * len(neighbourhoods) + 0.8), layout="constrained"
    )
    grid = figure.subplots(len(neighbourhoods), columns, squeeze=False, sharey=True)
    offsets = (np.arange(len(splits)) - (len(splits) - 1) / 2) * 0.22
    for row, neighbourhood in enumerate(neighbourhoods):
        here = differences[differences["neighbourhood"] == neighbourhood]
        for column, metric in enumerate(DIFFERENCE_PANELS):
            axis = grid[row, column]
            factor, unit = _display(metric, True, language)
            rows = here[here["metric"] == metric]
            for y, form in enumerate(forms):
                level = rows.loc[rows["form"] == form, "reference_mean"]
                if len(level) and pd.notna(level.iloc[0]):
                    half = threshold * abs(float(level.iloc[0])) * factor
                    axis.fill_betweenx(
                        [y - 0.45, y + 0.45], -half, half, color="#d9d9d9", alpha=0.8, lw=0
                    )
            axis.axvline(0, color="black", linewidth=0.8)
            for offset, split in zip(offsets, splits, strict=True):
                mine = rows[rows["configuration"] == split]
                rows_of_forms = mine["form"].map({f: i for i, f in enumerate(forms)})
                y = rows_of_forms.to_numpy(dtype=float) + offset  # empty: float, not text
                mid = mine["mean_difference"].to_numpy(dtype=float) * factor
                low = mine["ci_low"].to_numpy(dtype=float) * factor
                high = mine["ci_high"].to_numpy(dtype=float) * factor
                # One seed has no interval: the dot alone.
                error = np.nan_to_num(np.vstack([mid - low, high - mid]))
                axis.errorbar(mid, y, xerr=error, fmt="o", ms=4, capsize=2, color=colours[split])
            if row == 0:
                label = INDICATORS_BY_NAME[metric].label_in(language)
                axis.set_title(textwrap.fill(label, 28), fontsize=9)
            if row == len(neighbourhoods) - 1:
                axis.set_xlabel(unit, fontsize=8)
            axis.tick_params(labelsize=7)
        grid[row, 0].set_ylabel(neighbourhood or _("all runs"), fontsize=10)
    axis = grid[0, 0]
    axis.set_yticks(range(len(forms)), forms)
    axis.set_ylim(-0.6, len(forms) - 0.4)
    axis.invert_yaxis()  # the first form on top, as in the tables
    _legend(figure, colours, splits)
    reference = parse_condition(differences["reference_condition"].iloc[0]).configuration
    title = _(
        "Split minus the {reference} team on the same seeds (mean, {confidence} confidence "
        "interval; "
        "grey: within ±{threshold} of the {reference} team's level)"
    )
    shown = percent(threshold, language)
    shown = title.format(reference=reference, threshold=shown, confidence="90%")
    figure.suptitle(shown, fontsize=10)
    return figure


def _chosen_form(forms: list[str]) -> str:
    return PREFERRED_FORM if PREFERRED_FORM in forms else forms[0]


def wait_per_team_figure(
    indicators: pd.DataFrame,
    form: str | None = None,
    language: str = "en",
) -> Figure:
    """The mean wait for intake of every team, per configuration and neighbourhood type.

    One panel per neighbourhood type; a group of bars per configuration, one bar per team
    (mean over seeds, a dot per seed). Separate queues show here: one team can wait while
    another idles.

    Args:
        indicators: From :func:`~wijksim.experiments.analysis.teams_runs.team_indicators`.
        form: The funding form shown (default the cost centre if run, else the first).
        language: ``"en"`` or ``"nl"``: the figure's text.

    Returns:
        The figure (save it with :func:`save_figure`).
    """
    _ = translator(language)
    teams = indicators[
        (indicators["team"] != NO_TEAM) & (indicators["metric"] == "mean_intake_wait_weeks")
    ]
    form = form or _chosen_form(in_order(indicators["form"]))
    teams = teams[teams["form"] == form]
    neighbourhoods = in_order(indicators["neighbourhood"])
    colours = configuration_colours(in_order(indicators["configuration"]))
    figure, axes, _lowest = panel_grid(len(neighbourhoods), len(neighbourhoods), 4.6, 3.6)
    rng = np.random.default_rng(0)  # a fixed spread of the dots: the same figure every time
    for axis, neighbourhood in zip(axes, neighbourhoods, strict=True):
        rows = teams[(teams["neighbourhood"] == neighbourhood) & teams["value"].notna()]
        title = neighbourhood or _("all runs")
        if rows.empty:
            mark_not_recorded(axis, title, language)
            continue
        ticks, labels, x = [], [], 0.0
        for configuration, group in rows.groupby("configuration", sort=False):
            for team, values in group.groupby("team", sort=False)["value"]:
                axis.bar(x, values.mean(), width=0.8, color=colours[configuration])
                jitter = rng.uniform(-0.2, 0.2, size=len(values))
                axis.scatter(x + jitter, values, s=8, color="black", alpha=0.6, zorder=3)
                ticks.append(x)
                labels.append(team)
                x += 1.0
            x += 0.6  # a gap between configurations
        axis.set_xticks(ticks, labels, rotation=30, ha="right", fontsize=8)
        axis.set_ylabel(_("weeks"))
        axis.set_title(title, fontsize=10)
    _legend(figure, colours, in_order(teams["configuration"]))
    title = _("Mean wait for intake per team, form '{form}' (bar: mean over seeds; dots: seeds)")
    figure.suptitle(title.format(form=form), fontsize=10)
    return figure


def _grouped_bars(axis: Axes, rows: pd.DataFrame, forms, colours: dict[str, str]) -> None:
    """Bars of the mean over seeds: a group per form, a bar per configuration."""
    means = rows.groupby(["form", "configuration"], sort=False)["value"].mean()
    configurations = [c for c in colours if c in set(rows["configuration"])]
    width = 0.8 / max(1, len(configurations))
    for k, configuration in enumerate(configurations):
        heights = [means.get((form, configuration), np.nan) for form in forms]
        x = np.arange(len(forms)) + (k - (len(configurations) - 1) / 2) * width
        axis.bar(x, heights, width=width, color=colours[configuration])


def hours_figure(
    indicators: pd.DataFrame,
    language: str = "en",
) -> Figure:
    """Idle hours and coordination hours over the window, per configuration and form.

    One row of panels per indicator of :data:`HOURS_PANELS`, one column per neighbourhood
    type; a group of bars per funding form, a bar per configuration (mean over seeds).

    Args:
        indicators: From :func:`~wijksim.experiments.analysis.teams_runs.team_indicators`.
        language: ``"en"`` or ``"nl"``: the figure's text.

    Returns:
        The figure (save it with :func:`save_figure`).
    """
    _ = translator(language)
    whole = indicators[indicators["team"] == NO_TEAM]
    neighbourhoods = in_order(whole["neighbourhood"])
    forms = in_order(whole["form"])
    colours = configuration_colours(in_order(whole["configuration"]))
    panels = len(HOURS_PANELS) * len(neighbourhoods)
    figure, axes, lowest = panel_grid(panels, len(neighbourhoods), 4.4, 3.0, sharex=True)
    for number, axis in enumerate(axes):
        metric = HOURS_PANELS[number // len(neighbourhoods)]
        neighbourhood = neighbourhoods[number % len(neighbourhoods)]
        label = INDICATORS_BY_NAME[metric].label_in(language)
        title = f"{label}: {neighbourhood}" if neighbourhood else label
        rows = whole[(whole["metric"] == metric) & (whole["neighbourhood"] == neighbourhood)]
        if rows["value"].isna().all():
            mark_not_recorded(axis, title, language)
            continue
        _grouped_bars(axis, rows, forms, colours)
        axis.set_title(title, fontsize=10)
        axis.set_ylabel(_("hours over the window"), fontsize=8)
    for axis in lowest:
        axis.set_xticks(range(len(forms)), forms, rotation=30, ha="right", fontsize=8)
    _legend(figure, colours, in_order(whole["configuration"]))
    figure.suptitle(_("Idle and coordination hours (mean over seeds)"), fontsize=11)
    return figure
