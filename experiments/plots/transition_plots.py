"""Figures of the transition curve: the switch to a team against the old system continued.

Each function takes the tables of :mod:`wijksim.experiments.analysis.transition_analysis` and
returns a Figure; nothing is shown or saved here. The figures are built on
:class:`matplotlib.figure.Figure` directly, not through pyplot, so none is left open in
pyplot's global list however the caller handles them. Euros are shown in millions; the
year the team starts is marked with a dashed line at its beginning, in every panel.

With a grid (tables with grid fields as columns), :func:`transition_figures` draws each
figure as small multiples: one panel per condition on shared axes, so that conditions
compare at a glance, each with its own start of the team; at most :data:`MAX_PANELS`
panels per file, further conditions in numbered files.

One piece over 300 lines: the transition figures share their bands, colours, zero line and
the layout per condition.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from wijksim.experiments.analysis.transition_analysis import (
    ZERO_TOLERANCE_EUR,
    stays_at_or_below_zero_from,
)
from wijksim.experiments.analysis.transition_conditions import (
    StartYears,
    condition_key,
    condition_label,
    grid_columns,
    start_year_of,
)
from wijksim.experiments.analysis.transition_spending import (
    INVESTMENT_STREAMS,
    SAFETY_NET_STREAMS,
    SPENDING_COLUMNS,
    VIEW_LABELS,
)
from wijksim.experiments.i18n import N_, translator

MILLION = 1e6
BAND_ALPHA = 0.2
STREAM_COLOURS = {
    # Investment streams in warm colours, the safety net in cool ones, so that hump 1
    # and hump 2 read apart at a glance; the same colour for a stream in every figure.
    "team": "#e6550d",
    "zeroth_line": "#fdae6b",
    "friction": "#8c2d04",
    "specialist": "#3182bd",
    "escalation": "#756bb1",
}
STREAM_LABELS = {
    "team": N_("team (old system: desk)"),
    "zeroth_line": N_("zeroth line"),
    "friction": N_("switch costs (friction)"),
    "specialist": N_("specialist care"),
    "escalation": N_("escalations"),
}
SCENARIO_COLOUR = "#e6550d"
REFERENCE_COLOUR = "#636363"
VIEW_COLOURS = {"society": "#2c7fb8", "municipality": "#d95f0e"}
MAX_PANELS = 9
"""Conditions per file (3 × 3 panels), so that a figure stays readable however large
the grid; more conditions go to numbered files."""
PANEL_COLUMNS = 3
PANEL_SIZE = (4.2, 3.2)
"""Inches per panel: about the size of a quarter of the single-condition figure."""


def _mark_team_start(
    axis: Axes, team_start_year: int, top: bool = False, language: str = "en"
) -> None:
    """A dashed line where the team starts: the beginning of its year.

    Yearly values are drawn at the year's number, so year ``s`` begins at ``s − 0.5``.
    The label runs along the line at the bottom (or the ``top``), left of it, where it is
    out of the way of the humps: before the switch both runs spend about the same.
    """
    x = team_start_year - 0.5
    axis.axvline(x, color="black", linestyle="--", linewidth=1)
    label = translator(language)(N_("team starts"))
    axis.text(
        x,
        0.97 if top else 0.03,
        f" {label} " if top else f"{label} ",
        transform=axis.get_xaxis_transform(),
        rotation=90,
        ha="right",
        va="top" if top else "bottom",
        fontsize=9,
    )


def _finish(figure: Figure, axis: Axes, title: str, ylabel: str, language: str = "en") -> None:
    """Title, axis labels, whole years, and the legend below the plot, clear of the data."""
    axis.set_title(title, fontsize=11)
    axis.set_xlabel(translator(language)(N_("year")))
    axis.set_ylabel(ylabel)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = axis.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8)


def _band(axis: Axes, x, median, low, high, colour: str, label: str) -> None:
    axis.plot(x, median / MILLION, color=colour, marker=".", label=label)
    axis.fill_between(x, low / MILLION, high / MILLION, color=colour, alpha=BAND_ALPHA, linewidth=0)


def spending_figure(
    curves: pd.DataFrame, team_start_year: int, view: str = "society", language: str = "en"
) -> Figure:
    """Total spending per year, with the team and with the old system continued.

    Args:
        curves: From :func:`~wijksim.experiments.analysis.transition_summary.mean_curves`.
        team_start_year: The first year of the team.
        view: ``"society"`` (all payers) or ``"municipality"``.
        language: ``"en"`` or ``"nl"``: the figure's text.
    """
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axis = figure.subplots()
    _draw_spending(axis, curves, team_start_year, view, language)
    ylabel = translator(language)(N_("€ million per year"))
    _finish(figure, axis, _spending_title(view, language), ylabel, language)
    return figure


def _spending_title(view: str, language: str = "en") -> str:
    _ = translator(language)
    title = _("Total spending per year, {view}\n(line: median; band: {share} of replicate runs)")
    return title.format(view=_(VIEW_LABELS[view]), share="90%")


def _draw_spending(
    axis: Axes, curves: pd.DataFrame, team_start_year: int, view: str, language: str = "en"
) -> None:
    """The two total spending curves of :func:`spending_figure` on one axis."""
    _ = translator(language)
    rows = curves[(curves["view"] == view) & (curves["component"] == "total")]
    for prefix, colour, label in (
        ("scenario_eur", SCENARIO_COLOUR, _("with the neighbourhood team")),
        ("reference_eur", REFERENCE_COLOUR, _("old system continued")),
    ):
        _band(
            axis,
            rows["year"],
            rows[f"{prefix}_median"],
            rows[f"{prefix}_p05"],
            rows[f"{prefix}_p95"],
            colour,
            label,
        )
    _mark_team_start(axis, team_start_year, language=language)


def _median_by_year(spending: pd.DataFrame, view: str) -> pd.DataFrame:
    """Median extra spending over seeds: years × components."""
    rows = spending[spending["view"] == view]
    return rows.pivot_table(index="year", columns="component", values="extra_eur", aggfunc="median")


def _stacked_bars(axis: Axes, medians: pd.DataFrame, language: str = "en") -> pd.Series:
    """Stacked bars per stream, positive up and negative down; returns the top per year.

    The investment streams are stacked first, then the safety net, so that each hump is
    one block of colour.
    """
    up = pd.Series(0.0, index=medians.index)
    down = pd.Series(0.0, index=medians.index)
    for stream in (*INVESTMENT_STREAMS, *SAFETY_NET_STREAMS):
        values = medians[stream] / MILLION
        if (values.abs() * MILLION <= ZERO_TOLERANCE_EUR).all():
            continue  # a stream without differences only clutters the legend
        positive = values.clip(lower=0)
        negative = values.clip(upper=0)
        colour, label = STREAM_COLOURS[stream], translator(language)(STREAM_LABELS[stream])
        axis.bar(medians.index, positive, bottom=up, width=0.8, color=colour, label=label)
        axis.bar(medians.index, negative, bottom=down, width=0.8, color=colour)
        up += positive
        down += negative
    return up


def _annotate_humps(
    axis: Axes, medians: pd.DataFrame, tops: pd.Series, team_start_year: int, language: str = "en"
) -> None:
    """Name the two humps of the median curves, where they exist.

    Hump 1 is the year of the highest median extra investment, hump 2 that of the
    highest median extra safety-net spending from the switch on, each only if above
    zero. The arrow points at the top of the hump's own block of colour; the label sits
    above the whole bar, or beside it (investment left, safety net right) if both humps
    fall in the same year.
    """
    _ = translator(language)
    investment_tops = medians[list(INVESTMENT_STREAMS)].clip(lower=0).sum(axis=1) / MILLION
    humps = []
    investment = medians["investment"]
    if investment.max() > ZERO_TOLERANCE_EUR:
        year = investment.idxmax()
        humps.append((year, investment_tops[year], _("investment hump"), -1))
    safety_net = medians.loc[medians.index >= team_start_year, "safety_net"]
    if not safety_net.empty and safety_net.max() > ZERO_TOLERANCE_EUR:
        year = safety_net.idxmax()
        humps.append((year, tops[year], _("safety-net hump"), 1))
    shared = len(humps) == 2 and humps[0][0] == humps[1][0]
    rise = 0.1 * max(tops.max(), 1e-9)
    for year, top, text, side in humps:
        shift = 0.45 * side if shared else 0.0
        axis.annotate(
            text,
            xy=(year, top),
            xytext=(year + shift, tops[year] + rise),
            ha={-1.0: "right", 0.0: "center", 1.0: "left"}[float(side) if shared else 0.0],
            va="bottom",
            fontsize=9,
            arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 0.8},
        )


def extra_by_stream_figure(
    spending: pd.DataFrame, team_start_year: int, view: str = "society", language: str = "en"
) -> Figure:
    """Extra spending against the old system per stream and year: the "two humps".

    Bars: the median over seeds of each stream's extra spending (up: more, down: less
    than the old system). Line: the median extra total with its 90% band. The medians of
    the streams need not add up to the median total; the bars show where the money
    goes, the line what it comes to. The humps are named on the median curves.

    Args:
        spending: From :func:`~wijksim.experiments.analysis.transition_spending.spending_table`.
        team_start_year: The first year of the team.
        view: ``"society"`` (all payers) or ``"municipality"``.
        language: ``"en"`` or ``"nl"``: the figure's text.
    """
    figure = Figure(figsize=(9, 5), layout="constrained")
    axis = figure.subplots()
    _draw_extra_by_stream(axis, spending, team_start_year, view, language)
    ylabel = translator(language)(EXTRA_YLABEL)
    _finish(figure, axis, _extra_title(view, language), ylabel, language)
    return figure


EXTRA_YLABEL = N_("€ million per year (above 0: more than the old system)")


def _extra_title(view: str, language: str = "en") -> str:
    _ = translator(language)
    safety = _(" and ").join(_(STREAM_LABELS[s]) for s in SAFETY_NET_STREAMS)
    title = _(
        "Extra spending against the old system, {view}\n"
        "(warm: prevention and the switch; cool: {safety})"
    )
    return title.format(view=_(VIEW_LABELS[view]), safety=safety)


def _draw_extra_by_stream(
    axis: Axes, spending: pd.DataFrame, team_start_year: int, view: str, language: str = "en"
) -> None:
    """The bars, the total line and the humps of :func:`extra_by_stream_figure`."""
    medians = _median_by_year(spending, view)
    tops = _stacked_bars(axis, medians, language)
    total = spending[(spending["view"] == view) & (spending["component"] == "total")]
    band = total.groupby("year")["extra_eur"].quantile([0.05, 0.95]).unstack()
    _band(
        axis,
        medians.index,
        medians["total"],
        band[0.05],
        band[0.95],
        "black",
        translator(language)(N_("total extra (median, 90% band)")),
    )
    axis.axhline(0, color="black", linewidth=0.8)
    _annotate_humps(axis, medians, tops, team_start_year, language)
    # Room above the bars for the hump labels; bars of zero height would otherwise pin
    # the axis limit to their base ("sticky edges") and cut off the margin.
    axis.use_sticky_edges = False
    axis.margins(y=0.25)
    _mark_team_start(axis, team_start_year, language=language)


def _payback(cumulative: pd.Series) -> float:
    """The year the median cumulative extra comes back to ≤ 0 for good, after rising above."""
    if cumulative.max() <= ZERO_TOLERANCE_EUR:
        return float("nan")  # nothing invested, nothing to pay back
    return stays_at_or_below_zero_from(cumulative)


def cumulative_figure(curves: pd.DataFrame, team_start_year: int, language: str = "en") -> Figure:
    """Cumulative extra spending from the switch, for society and for the municipality.

    Each curve starts at zero at the beginning of the team's first year; it rises with
    the investment and falls as savings come in. Where the median comes back below zero
    for good, the investment is paid back; that point is marked.

    Args:
        curves: From :func:`~wijksim.experiments.analysis.transition_summary.mean_curves`.
        team_start_year: The first year of the team.
        language: ``"en"`` or ``"nl"``: the figure's text.
    """
    _ = translator(language)
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axis = figure.subplots()
    _draw_cumulative(axis, curves, team_start_year, language=language)
    _finish(figure, axis, _(CUMULATIVE_TITLE).format(share="90%"), _(CUMULATIVE_YLABEL), language)
    return figure


CUMULATIVE_TITLE = N_(
    "Cumulative extra spending since the team started\n"
    "(above 0: still to be earned back; line: median; band: {share} of replicate runs)"
)
CUMULATIVE_YLABEL = N_("€ million, cumulative")


def _draw_cumulative(
    axis: Axes,
    curves: pd.DataFrame,
    team_start_year: int,
    first_year: int | None = None,
    language: str = "en",
) -> None:
    """Both views' cumulative curves and paybacks of :func:`cumulative_figure`.

    The x axis starts a year before ``first_year`` (by default the team's start year):
    panels on a shared axis pass the earliest start of them all, so that no panel's
    start falls off the left edge.
    """
    _ = translator(language)
    for view, colour in VIEW_COLOURS.items():
        rows = curves[
            (curves["view"] == view)
            & (curves["component"] == "total")
            & (curves["year"] >= team_start_year)
        ]
        if rows.empty:
            continue
        # The running sum is zero when the team starts: draw it from there.
        start = pd.DataFrame(
            {
                "year": [team_start_year - 0.5],
                "cumulative_extra_eur_median": [0.0],
                "cumulative_extra_eur_p05": [0.0],
                "cumulative_extra_eur_p95": [0.0],
            }
        )
        line = pd.concat([start, rows[start.columns]], ignore_index=True)
        _band(
            axis,
            line["year"],
            line["cumulative_extra_eur_median"],
            line["cumulative_extra_eur_p05"],
            line["cumulative_extra_eur_p95"],
            colour,
            _(VIEW_LABELS[view]),
        )
        median = rows.set_index("year")["cumulative_extra_eur_median"]
        year = _payback(median)
        if pd.notna(year):
            value = median[int(year)] / MILLION
            axis.plot([year], [value], marker="o", markersize=9, color=colour, zorder=5)
            axis.annotate(
                _("pays back in year {year}").format(year=int(year)),
                xy=(year, value),
                xytext=(10, -14),  # below right: clear of the "team starts" label
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=9,
                color=colour,
            )
    axis.axhline(0, color="black", linewidth=0.8)
    # Room for the "team starts" label.
    axis.set_xlim(left=(team_start_year if first_year is None else first_year) - 1)
    # At the top: the curves start from zero at the bottom left.
    _mark_team_start(axis, team_start_year, top=True, language=language)


Draw = Callable[[Axes, pd.DataFrame, int], None]
"""Draws one condition's figure on one axis: ``draw(axis, table, team_start_year)``."""


def condition_figure(
    panels: list[tuple[str, pd.DataFrame, int]],
    draw: Draw,
    title: str,
    ylabel: str,
    language: str = "en",
) -> Figure:
    """Small multiples: one panel per condition, on shared axes.

    Args:
        panels: Per condition its label, its rows (without grid columns) and the year
            its team starts; at most :data:`MAX_PANELS`.
        draw: Draws one panel.
        title: The figure's title; each panel is titled with its condition.
        ylabel: The y-axis label, shared by all panels.
        language: ``"en"`` or ``"nl"``: the year axis's label (the rest comes translated).
    """
    columns = min(PANEL_COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    # One extra inch of height for the title and the legend below the panels.
    size = (columns * PANEL_SIZE[0], rows * PANEL_SIZE[1] + 1.0)
    figure = Figure(figsize=size, layout="constrained")
    axes = list(figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).flat)
    legend: dict[str, object] = {}
    for axis, (label, table, start) in zip(axes, panels, strict=False):
        draw(axis, table, start)
        axis.set_title(label, fontsize=10)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        for handle, text in zip(*axis.get_legend_handles_labels(), strict=True):
            legend.setdefault(text, handle)  # a stream without differences in one panel
    for axis in axes[len(panels) :]:
        axis.set_visible(False)
    # The lowest panel of each column carries the year axis (and its tick labels, which
    # shared axes hide on every row but the last).
    for axis in axes[max(0, len(panels) - columns) : len(panels)]:
        axis.xaxis.set_tick_params(labelbottom=True)
        axis.set_xlabel(translator(language)(N_("year")))
    figure.suptitle(title, fontsize=11)
    figure.supylabel(ylabel, fontsize=10)
    figure.legend(
        list(legend.values()), list(legend), loc="outside lower center", ncol=3, fontsize=8
    )
    return figure


def _figures_per_condition(
    spending: pd.DataFrame,
    curves: pd.DataFrame,
    team_start_year: StartYears,
    grid: list[str],
    language: str = "en",
) -> dict[str, Figure]:
    """:func:`transition_figures` with a panel per condition, paged by :data:`MAX_PANELS`."""
    conditions = [
        dict(zip(grid, values, strict=True))
        for values, _ in spending.groupby(grid, sort=False, dropna=False)
    ]

    def panels(table: pd.DataFrame, page: list[dict]) -> list[tuple[str, pd.DataFrame, int]]:
        groups = {
            condition_key(dict(zip(grid, values, strict=True)), grid): rows
            for values, rows in table.groupby(grid, sort=False, dropna=False)
        }
        return [
            (
                condition_label(condition, separator=",\n"),  # fits a narrow panel
                groups[condition_key(condition, grid)].drop(columns=grid),
                start_year_of(team_start_year, condition),
            )
            for condition in page
        ]

    _ = translator(language)
    kinds = {
        "transition_spending": (
            curves,
            lambda axis, rows, start: _draw_spending(axis, rows, start, "society", language),
            _spending_title("society", language),
            _("€ million per year"),
        ),
        "transition_extra_by_stream": (
            spending,
            lambda axis, rows, start: _draw_extra_by_stream(axis, rows, start, "society", language),
            _extra_title("society", language),
            _(EXTRA_YLABEL),
        ),
        "transition_cumulative": (
            curves,
            lambda axis, rows, start: _draw_cumulative(axis, rows, start, earliest_start, language),
            _(CUMULATIVE_TITLE).format(share="90%"),
            _(CUMULATIVE_YLABEL),
        ),
        "transition_extra_by_stream_municipality": (
            spending,
            lambda axis, rows, start: _draw_extra_by_stream(
                axis, rows, start, "municipality", language
            ),
            _extra_title("municipality", language),
            _(EXTRA_YLABEL),
        ),
    }
    earliest_start = min(start_year_of(team_start_year, c) for c in conditions)
    pages = [conditions[i : i + MAX_PANELS] for i in range(0, len(conditions), MAX_PANELS)]
    figures = {}
    for stem, (table, draw, title, ylabel) in kinds.items():
        for number, page in enumerate(pages, start=1):
            name = f"{stem}.png" if len(pages) == 1 else f"{stem}_{number}.png"
            figures[name] = condition_figure(panels(table, page), draw, title, ylabel, language)
    return figures


def transition_figures(
    spending: pd.DataFrame,
    curves: pd.DataFrame,
    team_start_year: StartYears,
    language: str = "en",
) -> dict[str, Figure]:
    """All figures of the transition analysis, by file name.

    Args:
        spending: From :func:`~wijksim.experiments.analysis.transition_spending.spending_table`.
        curves: From :func:`~wijksim.experiments.analysis.transition_summary.mean_curves`.
        team_start_year: The first year of the team (per condition if a grid varies it).
        language: ``"en"`` or ``"nl"``: the figures' text.

    Returns:
        Without a grid, four figures; with one, the same four with a panel per
        condition (``name_1.png``, ``name_2.png``, … beyond :data:`MAX_PANELS`
        conditions).
    """
    grid = grid_columns(spending, SPENDING_COLUMNS)
    if grid:
        return _figures_per_condition(spending, curves, team_start_year, grid, language)
    start = start_year_of(team_start_year, {})
    return {
        "transition_spending.png": spending_figure(curves, start, language=language),
        "transition_extra_by_stream.png": extra_by_stream_figure(
            spending, start, language=language
        ),
        "transition_cumulative.png": cumulative_figure(curves, start, language),
        "transition_extra_by_stream_municipality.png": extra_by_stream_figure(
            spending, start, "municipality", language
        ),
    }
