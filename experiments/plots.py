"""Figures of one run, each a function of a tidy table that returns a Figure.

Nothing here calls ``plt.show()``; the caller saves the figure. The Agg backend is used
so that figures can be drawn on machines without a screen.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from wijksim.experiments.manifest import overrides_text
from wijksim.model.scenario import STREAMS

WEEKS_PER_YEAR = 52
SAVE_OPTIONS = {"bbox_inches": "tight"}
"""``savefig`` options of every figure with a :func:`caption`: the saved image grows to
take in the caption above the figure instead of drawing it over the titles."""


def context_line(scenario: str, overrides: dict[str, object], households: str, years: str) -> str:
    """What produced a figure or table, in one line.

    Example: ``integral_team · households=3000, team.frontline_fte=12 · 3,000 households
    · 10 years``.
    """
    shown = ", ".join(overrides_text(overrides)) or "no overrides"
    return f"{scenario} · {shown} · {households} households · {years} years"


def caption(figure: Figure, text: str) -> Figure:
    """Write ``text`` in small type above the figure (save with :data:`SAVE_OPTIONS`)."""
    figure.text(0.0, 1.0, text, ha="left", va="bottom", fontsize=8, color="0.3")
    return figure


def _wide(steps: pd.DataFrame, prefix: str) -> pd.DataFrame:
    chosen = steps[steps["metric"].str.startswith(prefix)]
    wide = chosen.pivot(index="step", columns="metric", values="value")
    wide.columns = [c.removeprefix(prefix) for c in wide.columns]
    return wide


def _stacked_years(yearly: pd.DataFrame, ylabel: str, title: str) -> Figure:
    figure, axis = plt.subplots(figsize=(8, 4.5))
    yearly.plot.bar(stacked=True, ax=axis, width=0.8)
    axis.set_xlabel("year")
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    figure.tight_layout()
    return figure


def group_shares_figure(steps: pd.DataFrame, targets: dict[str, float] | None = None) -> Figure:
    """Share of households in each need group over time, with the target shares."""
    shares = _wide(steps, "share_") * 100
    figure, axis = plt.subplots(figsize=(8, 4.5))
    years = shares.index / WEEKS_PER_YEAR
    for column in shares.columns:
        (line,) = axis.plot(years, shares[column], label=column.replace("_", " "))
        if targets and column in targets:
            axis.axhline(targets[column] * 100, color=line.get_color(), linestyle=":", lw=1)
    axis.set_yscale("log")
    axis.set_xlabel("year")
    axis.set_ylabel("% of households (log scale; dotted: target)")
    axis.set_title("Need groups over time")
    axis.legend(loc="center right")
    figure.tight_layout()
    return figure


def escalations_figure(steps: pd.DataFrame) -> Figure:
    """Escalations per year by kind (stacked bars)."""
    rows = steps[
        steps["metric"].str.startswith("escalations_") & (steps["metric"] != "escalations_total")
    ]
    yearly = rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")
    yearly.columns = [c.removeprefix("escalations_").replace("_", " ") for c in yearly.columns]
    return _stacked_years(yearly, "escalations per year", "Escalations by kind")


def cost_by_stream_figure(steps: pd.DataFrame) -> Figure:
    """Spending per year by cost stream (stacked bars, € million)."""
    rows = steps[steps["metric"].isin([f"cost_{stream}_eur" for stream in STREAMS])]
    yearly = rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum") / 1e6
    yearly.columns = [
        c.removeprefix("cost_").removesuffix("_eur").replace("_", " ") for c in yearly.columns
    ]
    yearly = yearly.loc[:, yearly.sum() > 0]
    return _stacked_years(yearly, "€ million per year", "Spending by stream")


def _yearly_sum(steps: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    rows = steps[steps["metric"].isin(metrics)]
    return rows.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")


def team_figure(steps: pd.DataFrame) -> Figure:
    """The team at work: caseload, queue, routes in, referrals, waiting and relapse."""
    figure, axes = plt.subplots(2, 2, figsize=(11, 7.5))
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
    ax.legend(fontsize=8)
    routes = [m for m in steps["metric"].unique() if m.startswith("found_")]
    found = _yearly_sum(steps, routes)
    found.columns = [c.removeprefix("found_").replace("_", " ") for c in found.columns]
    found.loc[:, found.sum() > 0].plot.bar(stacked=True, ax=axes[0, 1], width=0.8)
    axes[0, 1].set_title("Households found, by route")
    axes[0, 1].set_ylabel("per year")
    referrals = _yearly_sum(steps, ["referrals_consult", "referrals_handover"])
    referrals.columns = ["consult", "hand-over"]
    referrals.plot.bar(stacked=True, ax=axes[1, 0], width=0.8)
    axes[1, 0].set_title("Team referrals, by route")
    axes[1, 0].set_ylabel("per year")
    flows = _yearly_sum(
        steps, ["team_intake_wait_weeks", "team_admissions", "relapses", "closures"]
    )
    summary = pd.DataFrame(
        {
            "mean intake wait (weeks)": flows["team_intake_wait_weeks"]
            / flows["team_admissions"].where(flows["team_admissions"] > 0),
            "relapse (% of closures)": 100
            * flows["relapses"]
            / flows["closures"].where(flows["closures"] > 0),
        }
    )
    summary.plot(ax=axes[1, 1], marker="o")
    axes[1, 1].set_title("Waiting and relapse")
    axes[1, 1].set_xlabel("year")
    figure.tight_layout()
    return figure
