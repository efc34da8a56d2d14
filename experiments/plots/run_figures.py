"""Figures of one run, each a function of a tidy table that returns a Figure.

Nothing here calls ``plt.show()``; the caller saves the figure. The Agg backend is used
so that figures can be drawn on machines without a screen. Text is English or Dutch
(``language``), through the gettext catalogue of :mod:`wijksim.experiments.i18n`.

One piece over 300 lines: the figures of one run, and the style helpers (terms, captions,
number format, the switch line) that every other figure module uses.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter
from wijksim.experiments.i18n import N_, translator
from wijksim.experiments.runner.manifest import overrides_text
from wijksim.model.config.scenario import STREAMS

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
"""A share of the team's caseload (``model/observation/metrics.py``), not of the neighbourhood."""

TERMS = {
    # need groups (three_groups and eindhoven_four schemes)
    "self_reliant": N_("self-reliant (zelfredzaam)"),
    "basic": N_("basic need"),
    "complex": N_("complex need"),
    "vulnerable_self_reliant": N_("vulnerable but self-reliant"),
    "vulnerable_not_self_reliant": N_("vulnerable, not self-reliant"),
    "top": N_("top: multiple complex problems"),
    # cost streams (``team`` is labelled by :func:`access_point_label`)
    "zeroth_line": N_("zeroth line (collective provisions)"),
    "specialist": N_("specialist care (maatwerkvoorziening)"),
    "escalation": N_("escalations"),
    "friction": N_("transition costs"),
    # escalation kinds
    "eviction": N_("eviction (huisuitzetting)"),
    "out_of_home_placement": N_("out-of-home placement (uithuisplaatsing)"),
    "acute_admission": N_("acute admission"),
    "police_justice": N_("police and justice"),
    # routes by which the team finds households
    "asked": N_("asked for help"),
    "crisis": N_("crisis"),
    "desk_transfer": N_("passed on by the desk"),
    "outreach": N_("outreach"),
    "signalled_neighbour": N_("signalled by a neighbour"),
    "signalled_professional": N_("signalled by a professional"),
}
"""Labels of model names, as the dashboard writes them (one msgid, one translation)."""


def term(name: str, language: str = "en") -> str:
    """The label of a model name in ``language`` (the name itself if it has none)."""
    return translator(language)(TERMS[name]) if name in TERMS else name.replace("_", " ")


def context_line(
    scenario: str,
    overrides: dict[str, object],
    households: str,
    years: str,
    burn_in_years: int | None = None,
    language: str = "en",
) -> str:
    """What produced a figure or table, in one line: the subtitle of every figure.

    Example: ``integral_team · households=3000, team.frontline_fte=12 · 3,000 households
    · 10 years after a 14-year burn-in of the old system (not shown)``.

    Args:
        scenario: The scenario's name (with the seed, for one run).
        overrides: The fields set on the command line.
        households: Households, as shown (``"3,000"`` or a range).
        years: Reported years, as shown.
        burn_in_years: Years simulated before reported year 1 and left out of every
            series (``None``: not known, e.g. results written before it was recorded).
        language: ``"en"`` or ``"nl"``.
    """
    _ = translator(language)
    shown = ", ".join(overrides_text(overrides)) or _("no overrides")
    reported = _("{years} years").format(years=years)
    if burn_in_years:
        burn_in = _("after a {years}-year burn-in of the old system (not shown)")
        reported += " " + burn_in.format(years=burn_in_years)
    households_text = _("{households} households").format(households=households)
    return f"{scenario} · {shown} · {households_text} · {reported}"


class DecimalComma(ScalarFormatter):
    """Matplotlib's tick labels with a decimal comma, as Dutch writes numbers.

    Matplotlib's own labels have no thousands separator, so only the decimal sign changes
    (Babel's Dutch pattern, :func:`wijksim.experiments.i18n.number`, writes ``0,5`` too).
    """

    def __call__(self, x, pos=None) -> str:
        """The tick label of ``x``, with a decimal comma."""
        return super().__call__(x, pos).replace(".", ",")

    def get_offset(self) -> str:
        """The offset or scale above the axis (``1e6``), with a decimal comma."""
        return super().get_offset().replace(".", ",")


def localise_numbers(figure: Figure, language: str) -> Figure:
    """Give every numeric axis of ``figure`` the language's decimal sign (before saving).

    Axes of categories (funding forms, years as bars) and axes that already format their
    numbers themselves keep their labels.
    """
    if language == "en":
        return figure
    for axis in figure.axes:
        for ticks in (axis.xaxis, axis.yaxis):
            if type(ticks.get_major_formatter()) is ScalarFormatter:
                ticks.set_major_formatter(DecimalComma())
    return figure


def caption(figure: Figure, text: str) -> Figure:
    """Write ``text`` in small type above the figure (save with :data:`SAVE_OPTIONS`).

    Wrapped to the figure's width: a long list of overrides on one line would make the
    saved image many times wider than the figure.
    """
    width = max(40, int(figure.get_figwidth() * CAPTION_CHARACTERS_PER_INCH))
    wrapped = textwrap.fill(text, width=width, break_on_hyphens=False)
    figure.text(0.0, 1.0, wrapped, ha="left", va="bottom", fontsize=8, color="0.3")
    return figure


def mark_switch(
    axis: Axes, start_year: int | None, bars: bool = False, language: str = "en"
) -> None:
    """A dashed vertical line and a label where the team opens (the desk closes).

    Args:
        axis: The panel.
        start_year: The team's first year; ``None`` or 1 marks nothing (the team is open
            from the first reported week, there is no switch to see).
        bars: The panel has one bar per year at positions 0, 1, ... (pandas' bar plot)
            instead of years on a numeric axis.
        language: ``"en"`` or ``"nl"``.
    """
    if start_year is None or start_year <= 1:
        return
    # A year's first week is at (year - 1) on a weekly axis in years; bar `year` sits at
    # position year - 1, so its left edge is half a bar before.
    x = start_year - 1.5 if bars else start_year - 1
    axis.axvline(x, **SWITCH_STYLE)
    label = " " + translator(language)(N_("team starts"))
    transform = axis.get_xaxis_transform()
    axis.text(x, 1.0, label, transform=transform, ha="left", va="top", fontsize=8)


def access_point_label(has_team: bool, start_year: int | None, language: str = "en") -> str:
    """What the ``team`` cost stream pays for in a run: the desk, the team, or both.

    The old system's central desk is booked in the ``team`` stream
    (:data:`~wijksim.model.config.scenario.STREAMS`); a run without a team has no team to label.
    """
    _ = translator(language)
    if not has_team:
        return _("central desk (old system)")
    if start_year is not None and start_year > 1:
        return _("desk, then team (from year {year})").format(year=start_year)
    return _("neighbourhood team")


ZERO_AXIS_HEADROOM = 0.08
"""Room above the highest value when an axis starts at 0, so no line runs along the top."""


def from_zero(axis: Axes) -> None:
    """Start the value axis at 0 with some room above the data.

    ``set_ylim(bottom=0)`` alone keeps the top that autoscaling gave for the data's own
    range: a line near its maximum then runs along the frame.
    """
    top = max(axis.dataLim.y1, 0.0)
    axis.set_ylim(0, top * (1 + ZERO_AXIS_HEADROOM) if top > 0 else 1)


def _wide(steps: pd.DataFrame, prefix: str) -> pd.DataFrame:
    chosen = steps[steps["metric"].str.startswith(prefix)]
    wide = chosen.pivot(index="step", columns="metric", values="value")
    wide.columns = [c.removeprefix(prefix) for c in wide.columns]
    return wide


def _stacked_years(
    yearly: pd.DataFrame, ylabel: str, title: str, start_year: int | None, language: str
) -> Figure:
    figure, axis = plt.subplots(figsize=(9, 4.5))
    yearly.plot.bar(stacked=True, ax=axis, width=0.8)
    axis.set_xlabel(translator(language)(N_("year")))
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    mark_switch(axis, start_year, bars=True, language=language)
    axis.legend(fontsize=9, **LEGEND_OUTSIDE)
    figure.tight_layout()
    return figure


def group_shares_figure(
    steps: pd.DataFrame,
    targets: dict[str, float] | None = None,
    start_year: int | None = None,
    language: str = "en",
) -> Figure:
    """Share of households in each need group over time, with the target shares.

    A linear axis from 0: a council reads a share as a length. The share of the caseload
    supported by more than one worker is not a need group and is not shown here (see
    :func:`team_figure`).
    """
    _ = translator(language)
    shares = _wide(steps[steps["metric"] != SEVERAL_WORKERS], "share_") * 100
    figure, axis = plt.subplots(figsize=(9, 4.5))
    years = shares.index / WEEKS_PER_YEAR
    for column in shares.columns:
        (line,) = axis.plot(years, shares[column], label=term(column, language))
        if targets and column in targets:
            axis.axhline(targets[column] * 100, color=line.get_color(), linestyle=":", lw=1)
    axis.set_ylim(0, 100)
    axis.set_xlabel(_("year"))
    axis.set_ylabel(_("share of households, in % (dotted: target)"))
    axis.set_title(_("Need groups over time"))
    mark_switch(axis, start_year, language=language)
    axis.legend(**LEGEND_OUTSIDE)
    figure.tight_layout()
    return figure


def escalations_figure(
    steps: pd.DataFrame, start_year: int | None = None, language: str = "en"
) -> Figure:
    """Escalations per year by kind (stacked bars)."""
    _ = translator(language)
    rows = steps[
        steps["metric"].str.startswith("escalations_") & (steps["metric"] != "escalations_total")
    ]
    yearly = rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")
    yearly.columns = [term(c.removeprefix("escalations_"), language) for c in yearly.columns]
    return _stacked_years(
        yearly, _("escalations per year"), _("Escalations by kind"), start_year, language
    )


def cost_by_stream_figure(
    steps: pd.DataFrame,
    access_point: str = "team",
    start_year: int | None = None,
    language: str = "en",
) -> Figure:
    """Spending per year by cost stream (stacked bars, € million).

    Args:
        steps: The run's tidy weekly table.
        access_point: Label of the ``team`` stream, which also books the old system's
            desk (:func:`access_point_label`).
        start_year: The team's first year, marked when after year 1.
        language: ``"en"`` or ``"nl"``.
    """
    _ = translator(language)
    rows = steps[steps["metric"].isin([f"cost_{stream}_eur" for stream in STREAMS])]
    yearly = rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum") / 1e6
    streams = [c.removeprefix("cost_").removesuffix("_eur") for c in yearly.columns]
    yearly.columns = [
        access_point if stream == "team" else term(stream, language) for stream in streams
    ]
    yearly = yearly.loc[:, yearly.sum() > 0]
    return _stacked_years(
        yearly, _("€ million per year"), _("Spending by stream"), start_year, language
    )


def _yearly_sum(steps: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    rows = steps[steps["metric"].isin(metrics)]
    return rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")


def team_figure(steps: pd.DataFrame, start_year: int | None = None, language: str = "en") -> Figure:
    """The team at work: caseload, queue, routes in, referrals, waiting and relapse.

    With the share of the team's caseload supported by more than one worker (a team
    worker with a specialist's, or two teams' workers): a share of the caseload, on its
    own axis, not of the neighbourhood beside the need groups.
    """
    _ = translator(language)
    figure, axes = plt.subplots(2, 3, figsize=(15, 7.5))
    load = _wide(steps, "team_")
    years = load.index / WEEKS_PER_YEAR
    ax = axes[0, 0]
    ax.plot(years, load["caseload_households"], label=_("households in support"))
    ax.plot(years, load["intake_queue"], label=_("intake queue"))
    ax.plot(years, load["aftercare"], label=_("in aftercare"))
    ax.plot(years, load["caseload_units"], ":", label=_("caseload units"))
    ax.plot(years, load["caseload_limit_units"], "k--", lw=1, label=_("caseload limit"))
    ax.set_xlabel(_("year"))
    ax.set_ylabel(_("households"))
    ax.set_title(_("Caseload and intake queue"))
    mark_switch(ax, start_year, language=language)
    _legend_below(ax)
    routes = [m for m in steps["metric"].unique() if m.startswith("found_")]
    found = _yearly_sum(steps, routes)
    found.columns = [term(c.removeprefix("found_"), language) for c in found.columns]
    found.loc[:, found.sum() > 0].plot.bar(stacked=True, ax=axes[0, 1], width=0.8)
    axes[0, 1].set_title(_("Households found, by route"))
    referrals = _yearly_sum(steps, ["referrals_consult", "referrals_handover"])
    referrals.columns = [_("consult"), _("hand-over")]
    referrals.plot.bar(stacked=True, ax=axes[0, 2], width=0.8)
    axes[0, 2].set_title(_("Team referrals, by route"))
    for ax in axes[0, 1:]:
        ax.set_xlabel(_("year"))
        ax.set_ylabel(_("per year"))
        mark_switch(ax, start_year, bars=True, language=language)
        _legend_below(ax)
    flows = _yearly_sum(
        steps, ["team_intake_wait_weeks", "team_admissions", "relapses", "closures"]
    )
    admissions = flows["team_admissions"].where(flows["team_admissions"] > 0)
    wait = flows["team_intake_wait_weeks"] / admissions
    _year_line(axes[1, 0], wait, _("Mean wait for intake"), _("weeks"), start_year, language)
    relapse = 100 * flows["relapses"] / flows["closures"].where(flows["closures"] > 0)
    _year_line(
        axes[1, 1], relapse, _("Relapse"), _("share of closures, in %"), start_year, language
    )
    several = _wide(steps[steps["metric"] == SEVERAL_WORKERS], "share_") * 100
    ax = axes[1, 2]
    ax.plot(several.index / WEEKS_PER_YEAR, several.iloc[:, 0])
    ax.set_ylim(0, 100)
    ax.set_xlabel(_("year"))
    ax.set_ylabel(_("share of the team's caseload, in %"))
    ax.set_title(_("Supported by more than one worker"))
    mark_switch(ax, start_year, language=language)
    figure.tight_layout()
    return figure


def _legend_below(axis: Axes) -> None:
    """The panel's legend under its x-axis label, over no data."""
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=8, frameon=False)


def _year_line(
    axis: Axes,
    values: pd.Series,
    title: str,
    ylabel: str,
    start_year: int | None,
    language: str,
) -> None:
    """One value per year as dots on a line, from 0 on a linear axis."""
    axis.plot(values.index - 0.5, values, marker="o")  # year y is the span y-1 .. y
    from_zero(axis)
    axis.set_xlim(0, max(values.index.max(), 1))
    axis.set_xlabel(translator(language)(N_("year")))
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    mark_switch(axis, start_year, language=language)
