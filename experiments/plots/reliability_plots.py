"""The figure a funder reads: how often a settlement on results is right.

One line per neighbourhood size: the share of bonus–malus settlements on the right side
(the neighbourhood rewarded is truly better than the city, the one penalised truly
worse), against the years pooled; solid with raw rates, dashed with empirical-Bayes
shrunken ones (:mod:`wijksim.experiments.analysis.reliability`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from wijksim.experiments.i18n import number, percent
from wijksim.experiments.plots.run_figures import LEGEND_OUTSIDE

COLOURS = ("#d95f0e", "#2c7fb8", "#31a354", "#756bb1", "#636363", "#e6550d")
TEXT = {
    "en": {
        "title": "With {households} households and {indicator}, a settlement on results "
        "is right {right} of the time after 1 year, {pooled} after {years} pooled",
        "x": "years pooled",
        "y": "settlements on the right side (%)",
        "raw": "{households} households, raw rates",
        "shrunk": "{households} households, shrunken (empirical Bayes)",
        "chance": "coin toss",
        "escalations": "escalations",
        "self_reliant": "the self-reliant share",
    },
    "nl": {
        "title": "Met {households} huishoudens en {indicator} is afrekenen op resultaat "
        "{right} van de keren terecht na 1 jaar, {pooled} na {years} samen",
        "x": "jaren samengenomen",
        "y": "afrekeningen aan de goede kant (%)",
        "raw": "{households} huishoudens, ruwe cijfers",
        "shrunk": "{households} huishoudens, gekrompen (empirisch Bayes)",
        "chance": "kop of munt",
        "escalations": "escalaties",
        "self_reliant": "het aandeel zelfredzamen",
    },
}


def settlement_figure(by_size: pd.DataFrame, indicator: str, language: str = "en") -> Figure:
    """Right share against years pooled, per size, raw (solid) and shrunken (dashed).

    Args:
        by_size: :func:`~wijksim.experiments.analysis.reliability.misranking` by ``households``,
            ``window`` and ``estimator``.
        indicator: Its name, for the title.
        language: ``en`` or ``nl``.
    """
    text = TEXT[language]
    figure = Figure(figsize=(9, 5))
    axis = figure.subplots()
    sizes = sorted(by_size["households"].unique())
    for colour, size in zip(COLOURS * len(sizes), sizes, strict=False):
        for estimator, style in (("raw", "-"), ("shrunk", "--")):
            rows = by_size[(by_size["households"] == size) & (by_size["estimator"] == estimator)]
            rows = rows.sort_values("window")
            axis.plot(
                rows["window"],
                100 * rows["right_share"],
                style,
                color=colour,
                marker="o" if estimator == "raw" else None,
                label=text[estimator].format(households=number(size, language)),
            )
    axis.axhline(50, color="0.5", linewidth=0.8, linestyle=":", label=text["chance"])
    axis.set_ylim(0, 100)
    axis.set_xticks(sorted(by_size["window"].unique()))
    axis.set_xlabel(text["x"])
    axis.set_ylabel(text["y"])
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8, **LEGEND_OUTSIDE)
    axis.set_title(_headline(by_size, indicator, language), fontsize=10, wrap=True)
    figure.tight_layout()
    return figure


def _headline(by_size: pd.DataFrame, indicator: str, language: str) -> str:
    """The smallest neighbourhood's right share, raw, after one year and all years."""
    text = TEXT[language]
    smallest = by_size[(by_size["households"] == by_size["households"].min())]
    raw = smallest[smallest["estimator"] == "raw"].set_index("window")["right_share"]
    return text["title"].format(
        households=number(smallest["households"].iloc[0], language),
        indicator=text.get(indicator, indicator),
        right=_percent(raw.loc[raw.index.min()], language),
        pooled=_percent(raw.loc[raw.index.max()], language),
        years=int(raw.index.max()),
    )


def _percent(share: float, language: str) -> str:
    """``76%``, or ``–`` when undefined (no neighbourhood truly differs from the mean)."""
    return "–" if pd.isna(share) else percent(share, language, 0)
