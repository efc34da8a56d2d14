"""Figures of one run, each a function of a tidy table that returns a Figure.

Nothing here calls ``plt.show()``; the caller saves the figure. The Agg backend is used
so that figures can be drawn on machines without a screen.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from wijksim.experiments.manifest import overrides_text
from wijksim.model.scenario import STREAMS

WEEKS_PER_YEAR = 52
SAVE_OPTIONS = {"bbox_inches": "tight"}
"""``savefig`` options of every figure with a :func:`caption`: the saved image grows to
take in the caption above the figure instead of drawing it over the titles."""


CAPTION_CHARACTERS_PER_INCH = 15
"""How many characters of the 8-point caption fit in an inch: 8-point type averages
about 4.5 points (1/16 inch) a character; 15 leaves a margin."""
SWITCH_STYLE = {"color": "black", "linestyle": "--", "linewidth": 1}
LEGEND_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "frameon": False}
"""A legend to the right of its panel, over no data."""

SEVERAL_WORKERS = "share_supported_multiple_workers"
"""A share of the team's caseload (``model/metrics.py``), not of the neighbourhood."""


def context_line(
    scenario: str,
    overrides: dict[str, object],
    households: str,
    years: str,
    burn_in_years: int | None = None,
) -> str:
    """What produced a figure or table, in one line: the subtitle of every figure.

    Example: ``integral_team · households=3000, team.frontline_fte=12 · 3,000 households
    · 10 years after a 6-year burn-in of the old system (not shown)``.

    Args:
        scenario: The scenario's name (with the seed, for one run).
        overrides: The fields set on the command line.
        households: Households, as shown (``"3,000"`` or a range).
        years: Reported years, as shown.
        burn_in_years: Years simulated before reported year 1 and left out of every
            series (``None``: not known, e.g. results written before it was recorded).
    """
    shown = ", ".join(overrides_text(overrides)) or "no overrides"
    reported = f"{years} years"
    if burn_in_years:
        reported += f" after a {burn_in_years}-year burn-in of the old system (not shown)"
    return f"{scenario} · {shown} · {households} households · {reported}"


def caption(figure: Figure, text: str) -> Figure:
    """Write ``text`` in small type above the figure (save with :data:`SAVE_OPTIONS`).

    Wrapped to the figure's width: a long list of overrides on one line would make the
    saved image many times wider than the figure.
    """
    width = max(40, int(figure.get_figwidth() * CAPTION_CHARACTERS_PER_INCH))
    wrapped = textwrap.fill(text, width=width, break_on_hyphens=False)
    figure.text(0.0, 1.0, wrapped, ha="left", va="bottom", fontsize=8, color="0.3")
    return figure


def mark_switch(axis: Axes, start_year: int | None, bars: bool = False) -> None:
    """A dashed vertical line and a label where the team opens (the desk closes).

    Args:
        axis: The panel.
        start_year: The team's first year; ``None`` or 1 marks nothing (the team is open
            from the first reported week, there is no switch to see).
        bars: The panel has one bar per year at positions 0, 1, ... (pandas' bar plot)
            instead of years on a numeric axis.
    """
    if start_year is None or start_year <= 1:
        return
    # A year's first week is at (year - 1) on a weekly axis in years; bar `year` sits at
    # position year - 1, so its left edge is half a bar before.
    x = start_year - 1.5 if bars else start_year - 1
    axis.axvline(x, **SWITCH_STYLE)
    axis.text(
        x,
        1.0,
        " team starts",
        transform=axis.get_xaxis_transform(),
        ha="left",
        va="top",
        fontsize=8,
        rotation=0,
    )


def access_point_label(has_team: bool, start_year: int | None) -> str:
    """What the ``team`` cost stream pays for in a run: the desk, the team, or both.

    The old system's central desk is booked in the ``team`` stream
    (:data:`~wijksim.model.scenario.STREAMS`); a run without a team has no team to label.
    """
    if not has_team:
        return "central desk (old system)"
    if start_year is not None and start_year > 1:
        return f"desk, then team (from year {start_year})"
    return "neighbourhood team"


def _wide(steps: pd.DataFrame, prefix: str) -> pd.DataFrame:
    chosen = steps[steps["metric"].str.startswith(prefix)]
    wide = chosen.pivot(index="step", columns="metric", values="value")
    wide.columns = [c.removeprefix(prefix) for c in wide.columns]
    return wide


def _stacked_years(
    yearly: pd.DataFrame, ylabel: str, title: str, start_year: int | None = None
) -> Figure:
    figure, axis = plt.subplots(figsize=(9, 4.5))
    yearly.plot.bar(stacked=True, ax=axis, width=0.8)
    axis.set_xlabel("year")
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    mark_switch(axis, start_year, bars=True)
    axis.legend(fontsize=9, **LEGEND_OUTSIDE)
    figure.tight_layout()
    return figure


def group_shares_figure(
    steps: pd.DataFrame,
    targets: dict[str, float] | None = None,
    start_year: int | None = None,
) -> Figure:
    """Share of households in each need group over time, with the target shares.

    A linear axis from 0: a council reads a share as a length. The share of the caseload
    supported by more than one worker is not a need group and is not shown here (see
    :func:`team_figure`).
    """
    shares = _wide(steps[steps["metric"] != SEVERAL_WORKERS], "share_") * 100
    figure, axis = plt.subplots(figsize=(9, 4.5))
    years = shares.index / WEEKS_PER_YEAR
    for column in shares.columns:
        (line,) = axis.plot(years, shares[column], label=column.replace("_", " "))
        if targets and column in targets:
            axis.axhline(targets[column] * 100, color=line.get_color(), linestyle=":", lw=1)
    axis.set_ylim(0, 100)
    axis.set_xlabel("year")
    axis.set_ylabel("% of households (dotted: target)")
    axis.set_title("Need groups over time")
    mark_switch(axis, start_year)
    axis.legend(**LEGEND_OUTSIDE)
    figure.tight_layout()
    return figure


def escalations_figure(steps: pd.DataFrame, start_year: int | None = None) -> Figure:
    """Escalations per year by kind (stacked bars)."""
    rows = steps[
        steps["metric"].str.startswith("escalations_") & (steps["metric"] != "escalations_total")
    ]
    yearly = rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")
    yearly.columns = [c.removeprefix("escalations_").replace("_", " ") for c in yearly.columns]
    return _stacked_years(yearly, "escalations per year", "Escalations by kind", start_year)


def cost_by_stream_figure(
    steps: pd.DataFrame, access_point: str = "team", start_year: int | None = None
) -> Figure:
    """Spending per year by cost stream (stacked bars, € million).

    Args:
        steps: The run's tidy weekly table.
        access_point: Label of the ``team`` stream, which also books the old system's
            desk (:func:`access_point_label`).
        start_year: The team's first year, marked when after year 1.
    """
    rows = steps[steps["metric"].isin([f"cost_{stream}_eur" for stream in STREAMS])]
    yearly = rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum") / 1e6
    yearly.columns = [c.removeprefix("cost_").removesuffix("_eur") for c in yearly.columns]
    yearly = yearly.rename(columns={"team": access_point})
    yearly.columns = [c.replace("_", " ") for c in yearly.columns]
    yearly = yearly.loc[:, yearly.sum() > 0]
    return _stacked_years(yearly, "€ million per year", "Spending by stream", start_year)


def _yearly_sum(steps: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    rows = steps[steps["metric"].isin(metrics)]
    return rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")


def team_figure(steps: pd.DataFrame, start_year: int | None = None) -> Figure:
    """The team at work: caseload, queue, routes in, referrals, waiting and relapse.

    With the share of the team's caseload supported by more than one worker (a team
    worker with a specialist's, or two teams' workers): a share of the caseload, on its
    own axis, not of the neighbourhood beside the need groups.
    """
    figure, axes = plt.subplots(2, 3, figsize=(15, 7.5))
    load = _wide(steps, "team_")
    years = load.index / WEEKS_PER_YEAR
    ax = axes[0, 0]
    ax.plot(years, load["caseload_households"], label="households in support")
    ax.plot(years, load["intake_queue"], label="intake queue")
    ax.plot(years, load["aftercare"], label="in aftercare")
    ax.plot(years, load["caseload_units"], ":", label="caseload units")
    ax.plot(years, load["caseload_limit_units"], "k--", lw=1, label="caseload limit")
    ax.set_xlabel("year")
    ax.set_ylabel("households")
    ax.set_title("Caseload and intake queue")
    mark_switch(ax, start_year)
    _legend_below(ax)
    routes = [m for m in steps["metric"].unique() if m.startswith("found_")]
    found = _yearly_sum(steps, routes)
    found.columns = [c.removeprefix("found_").replace("_", " ") for c in found.columns]
    found.loc[:, found.sum() > 0].plot.bar(stacked=True, ax=axes[0, 1], width=0.8)
    axes[0, 1].set_title("Households found, by route")
    axes[0, 1].set_ylabel("per year")
    mark_switch(axes[0, 1], start_year, bars=True)
    _legend_below(axes[0, 1])
    referrals = _yearly_sum(steps, ["referrals_consult", "referrals_handover"])
    referrals.columns = ["consult", "hand-over"]
    referrals.plot.bar(stacked=True, ax=axes[0, 2], width=0.8)
    axes[0, 2].set_title("Team referrals, by route")
    axes[0, 2].set_ylabel("per year")
    mark_switch(axes[0, 2], start_year, bars=True)
    _legend_below(axes[0, 2])
    flows = _yearly_sum(
        steps, ["team_intake_wait_weeks", "team_admissions", "relapses", "closures"]
    )
    admissions = flows["team_admissions"].where(flows["team_admissions"] > 0)
    _year_line(
        axes[1, 0],
        flows["team_intake_wait_weeks"] / admissions,
        "Mean wait for intake",
        "weeks",
        start_year,
    )
    _year_line(
        axes[1, 1],
        100 * flows["relapses"] / flows["closures"].where(flows["closures"] > 0),
        "Relapse",
        "% of closures",
        start_year,
    )
    several = _wide(steps[steps["metric"] == SEVERAL_WORKERS], "share_") * 100
    ax = axes[1, 2]
    ax.plot(several.index / WEEKS_PER_YEAR, several.iloc[:, 0])
    ax.set_ylim(0, 100)
    ax.set_xlabel("year")
    ax.set_ylabel("% of the team's caseload")
    ax.set_title("Supported by more than one worker")
    mark_switch(ax, start_year)
    figure.tight_layout()
    return figure


def _legend_below(axis: Axes) -> None:
    """The panel's legend under its x-axis label, over no data."""
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=8, frameon=False)


def _year_line(
    axis: Axes, values: pd.Series, title: str, ylabel: str, start_year: int | None
) -> None:
    """One value per year as dots on a line, from 0 on a linear axis."""
    axis.plot(values.index - 0.5, values, marker="o")  # year y is the span y-1 .. y
    axis.set_ylim(bottom=0)
    axis.set_xlim(0, max(values.index.max(), 1))
    axis.set_xlabel("year")
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    mark_switch(axis, start_year)
