"""The dashboard's figures, in Dutch or English: medians with 90% bands over seeds.

Each function takes the tidy runs (columns ``variant, seed, year, metric, value``), the
translation function and the language, and returns a matplotlib Figure. Percentages are
on linear axes; legends sit outside the data; the year the team starts is marked.
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from wijksim.dashboard.compute import KPIS, bands
from wijksim.experiments.i18n import N_, Translate, number
from wijksim.experiments.plots import run_figures as plots
from wijksim.model.config.scenario import PAYERS, STREAMS

SIZE = (7.0, 3.6)
TITLE_WIDTH = 45
"""Characters per line of a panel's title: longer ones wrap instead of running off."""
BAND_ALPHA = 0.2
MILLION = 1e6

TERMS = {
    # need groups, cost streams and escalation kinds: the run figures' labels, one home
    **plots.TERMS,
    "team": N_("neighbourhood team (wijkteam) or desk"),
    # payers
    "municipality_wmo": N_("municipality: Wmo"),
    "municipality_youth": N_("municipality: youth"),
    "insurer": N_("health insurer"),
    "other": N_("others (landlords, police, justice)"),
    # views of the transition
    "society": N_("MKBA: society, all payers"),
    "municipality": N_("GKBA: the municipality's budgets"),
}
"""Labels of model names; Dutch policy terms in brackets where readers know them."""


def term(name: str, _: Translate) -> str:
    """The label of a model name (the name itself if it has none)."""
    return _(TERMS[name]) if name in TERMS else name.replace("_", " ")


def _figure() -> tuple[Figure, Axes]:
    figure, axis = plt.subplots(figsize=SIZE, layout="constrained")
    return figure, axis


def _finish(axis: Axes, title: str, ylabel: str, _: Translate, start: int | None) -> None:
    axis.set_title(title, fontsize=10, loc="left")
    axis.set_xlabel(_("year"))
    axis.set_ylabel(ylabel)
    axis.grid(alpha=0.3)
    if start is not None and start > 1:
        axis.axvline(start - 0.5, color="0.3", linestyle=":", linewidth=1)
        axis.annotate(
            _("team starts"),
            (start - 0.5, 1.0),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            ha="left",
            va="top",
            color="0.3",
        )
    if axis.get_legend_handles_labels()[0]:
        axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def _band_lines(axis: Axes, summary: pd.DataFrame, labels: dict[str, str], scale=1.0) -> None:
    for metric, label in labels.items():
        rows = summary[summary["metric"] == metric].sort_values("year")
        if rows.empty:
            continue
        line = axis.plot(rows["year"], rows["median"] / scale, label=label, linewidth=1.8)[0]
        axis.fill_between(
            rows["year"],
            rows["p05"] / scale,
            rows["p95"] / scale,
            color=line.get_color(),
            alpha=BAND_ALPHA,
            linewidth=0,
        )


def _numbers(axis: Axes, language: str, digits: int = 0, percent: bool = False) -> None:
    def show(value, _position) -> str:
        return number(value * (100 if percent else 1), language, digits) + ("%" if percent else "")

    axis.yaxis.set_major_formatter(FuncFormatter(show))


def need_groups_figure(
    table, variant: str, groups: list[str], _: Translate, language: str, start: int | None
) -> Figure:
    """Share of households in each need group per year (median and 90% band)."""
    metrics = {f"share_{g}": term(g, _) for g in groups}
    figure, axis = _figure()
    _band_lines(axis, bands(table, variant, list(metrics)), metrics)
    axis.set_ylim(bottom=0)
    _numbers(axis, language, percent=True)
    _finish(axis, _("Need groups over time"), _("share of households"), _, start)
    return figure


def waiting_figure(table, variant: str, _: Translate, language: str, start: int | None) -> Figure:
    """Households waiting for specialist care and for the team's intake."""
    metrics = {
        "waiting_specialist": _("waiting for specialist care"),
        "team_intake_queue": _("waiting for the team's intake"),
    }
    figure, axis = _figure()
    _band_lines(axis, bands(table, variant, list(metrics)), metrics)
    axis.set_ylim(bottom=0)
    _numbers(axis, language)
    _finish(axis, _("Waiting"), _("households (mean over the year)"), _, start)
    return figure


def escalations_figure(
    table, variant: str, kinds: list[str], _: Translate, language: str, start: int | None
) -> Figure:
    """Escalations per year by kind (median and 90% band)."""
    metrics = {f"escalations_{k}": term(k, _) for k in kinds}
    figure, axis = _figure()
    _band_lines(axis, bands(table, variant, list(metrics)), metrics)
    axis.set_ylim(bottom=0)
    _numbers(axis, language)
    _finish(axis, _("Escalations by kind"), _("per year"), _, start)
    return figure


def _stacked(
    table, variant: str, metrics: dict[str, str], title: str, _: Translate, language: str, start
) -> Figure:
    summary = bands(table, variant, list(metrics))
    medians = summary.pivot(index="year", columns="metric", values="median").reindex(
        columns=list(metrics)
    )
    figure, axis = _figure()
    bottom = pd.Series(0.0, index=medians.index)
    for metric, label in metrics.items():
        values = medians[metric].fillna(0.0) / MILLION
        axis.bar(medians.index, values, bottom=bottom, label=label, width=0.7)
        bottom += values
    _numbers(axis, language, digits=1)
    _finish(axis, title, _("€ million per year (median over seeds)"), _, start)
    return figure


def spending_by_stream_figure(table, variant, _: Translate, language: str, start) -> Figure:
    """Spending per year by cost stream, stacked (median over seeds)."""
    metrics = {f"cost_{s}_eur": term(s, _) for s in STREAMS}
    return _stacked(table, variant, metrics, _("Spending by stream"), _, language, start)


def spending_by_payer_figure(table, variant, _: Translate, language: str, start) -> Figure:
    """Spending per year by payer, stacked (median over seeds)."""
    metrics = {f"cost_paid_by_{p}_eur": term(p, _) for p in PAYERS}
    return _stacked(table, variant, metrics, _("Spending by payer"), _, language, start)


def transition_figure(curves: pd.DataFrame, start: int, _: Translate, language: str) -> Figure:
    """Total spending with the team against the old system continued, and the extra.

    Two panels per view (MKBA: all payers; GKBA: the municipality): the two curves with
    their bands, and the extra spending of the switch (per-seed differences) with its band.
    """
    figure, axes = plt.subplots(2, 2, figsize=(10.0, 6.0), layout="constrained", sharex=True)
    for column, view in enumerate(("society", "municipality")):
        rows = curves[(curves["view"] == view) & (curves["component"] == "total")]
        rows = rows.sort_values("year")
        top, bottom = axes[0, column], axes[1, column]
        for value, label, colour in (
            ("scenario_eur", _("with the neighbourhood team"), "#e6550d"),
            ("reference_eur", _("old system continued"), "#636363"),
        ):
            top.plot(rows["year"], rows[f"{value}_median"] / MILLION, color=colour, label=label)
            top.fill_between(
                rows["year"],
                rows[f"{value}_p05"] / MILLION,
                rows[f"{value}_p95"] / MILLION,
                color=colour,
                alpha=BAND_ALPHA,
                linewidth=0,
            )
        bottom.axhline(0, color="0.5", linewidth=0.8)
        bottom.plot(rows["year"], rows["extra_eur_median"] / MILLION, color="#2c7fb8")
        bottom.fill_between(
            rows["year"],
            rows["extra_eur_p05"] / MILLION,
            rows["extra_eur_p95"] / MILLION,
            color="#2c7fb8",
            alpha=BAND_ALPHA,
            linewidth=0,
        )
        for axis in (top, bottom):
            _numbers(axis, language, digits=1)
        top.set_title(term(view, _), fontsize=10, loc="left")
        top.set_ylabel(_("€ million per year"))
        bottom.set_ylabel(_("extra spending, € million"))
        bottom.set_xlabel(_("year"))
        for axis in (top, bottom):
            axis.grid(alpha=0.3)
            axis.axvline(start - 0.5, color="0.3", linestyle=":", linewidth=1)
    axes[0, 1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    figure.suptitle(
        _("The switch against the old system continued (median, band of 90%)"), fontsize=11
    )
    return figure


def comparison_figure(by_year: pd.DataFrame, _: Translate, language: str) -> Figure:
    """Paired difference B − A per year of each headline figure, with its 90% interval."""
    figure, axes = plt.subplots(2, 3, figsize=(11.0, 5.5), layout="constrained", sharex=True)
    for axis, (metric, label, kind) in zip(axes.flat, KPIS, strict=True):
        rows = by_year[by_year["metric"] == metric].sort_values("year")
        scale = MILLION if kind == "eur" else 1.0
        axis.axhline(0, color="0.5", linewidth=0.8)
        axis.plot(rows["year"], rows["mean_difference"] / scale, color="#756bb1")
        axis.fill_between(
            rows["year"],
            rows["ci_low"] / scale,
            rows["ci_high"] / scale,
            color="#756bb1",
            alpha=BAND_ALPHA,
            linewidth=0,
        )
        _numbers(axis, language, digits=1, percent=kind == "share")
        unit = _("€ million") if kind == "eur" else ""
        title = _(label) + (f" ({unit})" if unit else "")
        axis.set_title(textwrap.fill(title, TITLE_WIDTH), fontsize=8, loc="left")
        axis.grid(alpha=0.3)
    for axis in axes[1]:
        axis.set_xlabel(_("year"))
    figure.suptitle(
        _("B − A on the same seeds: mean difference and its confidence interval (90%)"), fontsize=11
    )
    return figure
