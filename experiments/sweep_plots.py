"""Figures of a sweep: medians with 90% bands over replicates, and paired differences.

Each function takes the tidy summaries of :mod:`wijksim.experiments.results` and
returns a Figure; nothing is shown or saved here.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure


def band_figure(
    summary: pd.DataFrame,
    metrics: dict[str, str],
    title: str,
    scale: float = 1.0,
    ylabel: str = "",
) -> Figure:
    """One panel per metric: each condition's median over the years with its 90% band.

    Args:
        summary: From :func:`~wijksim.experiments.results.summarise` over a yearly table.
        metrics: Metric name → panel title.
        title: The figure's title.
        scale: Values are multiplied by this (``100`` for shares, ``1e-6`` for € million).
        ylabel: Label of the value axis.
    """
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
        axis.set_xlabel("year")
        axis.set_ylabel(ylabel)
    for axis in list(axes.flat)[len(metrics) :]:
        axis.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3), fontsize=8)
    figure.suptitle(f"{title} (line: median; band: 90% of replicates)", fontsize=11)
    figure.tight_layout(rect=(0, 0.04 + 0.02 * (len(labels) // 3), 1, 0.97))
    return figure


def difference_figure(
    differences: pd.DataFrame, metrics: dict[str, str], reference: str, scale: float = 1.0
) -> Figure:
    """Paired differences against the reference: mean per year with its 90% interval."""
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
        axis.set_xlabel("year")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3), fontsize=8)
    figure.suptitle(
        f"Difference from '{reference}' on the same seeds (mean, 90% confidence interval)",
        fontsize=11,
    )
    figure.tight_layout(rect=(0, 0.06 + 0.02 * (len(labels) // 3), 1, 0.95))
    return figure
