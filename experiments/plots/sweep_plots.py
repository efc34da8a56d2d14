"""Figures of a sweep: medians with 90% bands over replicates, and paired differences.

Each function takes the tidy summaries of :mod:`wijksim.experiments.runner.results` and
returns a Figure; nothing is shown or saved here.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from wijksim.experiments.i18n import translator
from wijksim.experiments.plots import run_figures as plots

LEGEND_ROWS = 24
"""Entries per legend column: a sweep of many conditions gets more columns, not a legend
taller than the page."""
WARM_UP_COLOUR = "0.92"


def band_figure(
    summary: pd.DataFrame,
    metrics: dict[str, str],
    title: str,
    scale: float = 1.0,
    ylabel: str = "",
    start_year: int | None = None,
    window_start: int | None = None,
    from_zero: bool = False,
    language: str = "en",
) -> Figure:
    """One panel per metric: each condition's median over the years with its 90% band.

    The legend sits to the right of the panels, over none of them, however many
    conditions the sweep has.

    Args:
        summary: From :func:`~wijksim.experiments.analysis.statistics.summarise` over a yearly
            table.
        metrics: Metric name → panel title.
        title: The figure's title.
        scale: Values are multiplied by this (``100`` for shares, ``1e-6`` for € million).
        ylabel: Label of the value axis.
        start_year: The team's first year, marked by a dashed line (``None`` or 1: none).
        window_start: First year of the evaluation window; the years before it (the
            operator's warm-up) are shaded (``None`` or 1: none).
        from_zero: Start the value axis at 0 (shares: read as lengths).
        language: ``"en"`` or ``"nl"``: the text of the figure (titles and metrics come
            translated).
    """
    _ = translator(language)
    columns = min(len(metrics), 3)
    rows = -(-len(metrics) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.4 * rows), squeeze=False)
    for axis, (metric, panel_title) in zip(axes.flat, metrics.items(), strict=False):
        chosen = summary[summary["metric"] == metric]
        for condition, lines in chosen.groupby("condition", sort=False):
            (line,) = axis.plot(lines["year"], lines["median"] * scale, marker=".", label=condition)
            axis.fill_between(
                lines["year"],
                lines["p05"] * scale,
                lines["p95"] * scale,
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
            )
        axis.set_title(panel_title, fontsize=10)
        axis.set_xlabel(_("year"))
        axis.set_ylabel(ylabel)
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        if from_zero:
            plots.from_zero(axis)
        mark_years(axis, start_year, window_start, language)
    for axis in list(axes.flat)[len(metrics) :]:
        axis.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    bands = _("{title} (line: median; band: {share} of replicates)")
    figure.suptitle(bands.format(title=title, share="90%"), fontsize=11)
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    # Beside the panels, in figure coordinates right of the last column: the saved image
    # (bbox_inches="tight") grows to take it in.
    figure.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.0, 0.97),
        ncol=max(1, -(-len(labels) // LEGEND_ROWS)),
        fontsize=8,
        frameon=False,
    )
    return figure


def mark_years(
    axis: Axes, start_year: int | None, window_start: int | None, language: str = "en"
) -> None:
    """Mark the team's start and the warm-up before the evaluation window on a panel.

    The panel has one point per year: year ``y`` is plotted at ``x = y``, so a year
    begins half a unit before its point.
    """
    _ = translator(language)
    if window_start is not None and window_start > 1:
        axis.axvspan(0.5, window_start - 0.5, color=WARM_UP_COLOUR, zorder=0, lw=0)
        axis.text(
            0.5,
            0.99,
            " " + _("warm-up (not compared)"),
            transform=axis.get_xaxis_transform(),
            ha="left",
            va="top",
            fontsize=7,
            color="0.35",
        )
    if start_year is not None and start_year > 1:
        axis.axvline(start_year - 0.5, **plots.SWITCH_STYLE)
        axis.text(
            start_year - 0.5,
            0.99,
            " " + _("team starts"),
            transform=axis.get_xaxis_transform(),
            ha="left",
            va="top",
            fontsize=8,
        )


def difference_figure(
    differences: pd.DataFrame,
    metrics: dict[str, str],
    reference: str,
    scale: float = 1.0,
    start_year: int | None = None,
    window_start: int | None = None,
    language: str = "en",
) -> Figure:
    """Paired differences against the reference: mean per year with its 90% interval.

    ``start_year`` and ``window_start`` are marked as in :func:`band_figure`, the text is
    in ``language``.
    """
    _ = translator(language)
    figure, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.6), squeeze=False)
    for axis, (metric, panel_title) in zip(axes.flat, metrics.items(), strict=True):
        chosen = differences[differences["metric"] == metric]
        for condition, lines in chosen.groupby("condition", sort=False):
            mean = lines["mean_difference"] * scale
            axis.errorbar(
                lines["year"],
                mean,
                yerr=[mean - lines["ci_low"] * scale, lines["ci_high"] * scale - mean],
                marker="o",
                capsize=3,
                label=condition,
            )
        axis.axhline(0, color="black", lw=0.8)
        axis.set_title(panel_title, fontsize=10)
        axis.set_xlabel(_("year"))
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        mark_years(axis, start_year, window_start, language)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    title = _(
        "Difference from '{reference}' on the same seeds (mean, {confidence} confidence interval)"
    )
    figure.suptitle(title.format(reference=reference, confidence="90%"), fontsize=11)
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    figure.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.0, 0.95),
        ncol=max(1, -(-len(labels) // LEGEND_ROWS)),
        fontsize=8,
        frameon=False,
    )
    return figure
