"""The summary and figures of ``wijksim bench`` (:mod:`wijksim.experiments.benchmarks.bench`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from wijksim.experiments.reports.markdown import markdown_table

if TYPE_CHECKING:
    from wijksim.experiments.benchmarks.bench import BenchResult

LABELS = {
    "floor": "floor: one draw and compare per domain",
    "core": "wijksim household core (arrays)",
    "reference": "same rules, idiomatic Mesa agents",
    "full": "full model (teams, specialists, operator)",
}
STYLES = {"floor": ":", "core": "-", "reference": "--", "full": "-."}


def bench_figure(result: BenchResult) -> Figure:
    """Seconds per weekly step against households, log–log, with a linear guide."""
    table = result.table()
    figure, axis = plt.subplots(figsize=(7.5, 5))
    for implementation, rows in table.groupby("implementation", sort=False):
        rows = rows.sort_values("households")
        axis.plot(
            rows["households"],
            rows["seconds_per_step"],
            STYLES.get(implementation, "-"),
            marker="o",
            label=LABELS.get(implementation, implementation),
        )
    sizes = sorted(table["households"].unique())
    if len(sizes) > 1:  # a slope-1 guide through the core's smallest point
        core = table[table["implementation"] == "core"].sort_values("households")
        start = core["seconds_per_step"].iloc[0]
        axis.plot(
            sizes,
            [start * n / sizes[0] for n in sizes],
            color="grey",
            linewidth=0.8,
            label="linear in households (slope 1)",
        )
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("households")
    axis.set_ylabel("seconds per weekly step")
    axis.set_title("Time per step against population size")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    return figure


def rules_figure(result: BenchResult) -> Figure:
    """Where the full model's time goes: milliseconds per step by rule, per size."""
    table = result.rules_table()
    wide = table.pivot(index="rule", columns="households", values="ms_per_step").fillna(0.0)
    largest = wide.columns.max()
    wide = wide.sort_values(largest)
    wide.columns = [f"{n:,}" for n in wide.columns]
    figure, axis = plt.subplots(figsize=(8, 5.5))
    (wide / wide.sum()).mul(100).T.plot.barh(stacked=True, ax=axis, width=0.7, colormap="tab20")
    axis.set_xlabel("share of the full model's step time (%)")
    axis.set_ylabel("households")
    axis.set_title("Where the time goes (full model)")
    axis.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    figure.tight_layout()
    return figure


def _format(frame: pd.DataFrame, formats: dict[str, str]) -> pd.DataFrame:
    shown = frame.copy()
    for column, spec in formats.items():
        shown[column] = shown[column].map(lambda v, spec=spec: format(v, spec))
    return shown


def summary_markdown(result: BenchResult) -> str:
    """The benchmark as markdown: targets, speedups, the full table, the rule breakdown."""
    settings = result.settings
    targets = result.targets().copy()
    targets["met"] = targets["met"].map({True: "yes", False: "**no**"})
    speedups = _format(
        result.core_speedups(),
        {
            "households": ",",
            "core_household_steps_per_second": ",.0f",
            "reference_household_steps_per_second": ",.0f",
            "speedup": ".0f",
        },
    )
    table = _format(
        result.table(),
        {
            "households": ",",
            "seconds": ".2f",
            "seconds_per_step": ".4f",
            "household_steps_per_second": ",.0f",
            "setup_seconds": ".2f",
        },
    )
    rules = result.rules_table()
    largest = rules["households"].max()
    top = rules[rules["households"] == largest].sort_values("ms_per_step", ascending=False)
    top = _format(top.drop(columns="households"), {"ms_per_step": ".2f"})
    lines = [
        "# wijksim bench",
        "",
        f"Seed {settings.seed}; {settings.years} year(s) of weekly steps for floor, core and "
        f"full; {settings.reference_weeks} weeks for the idiomatic-Mesa reference (the core's "
        f"speedup is over the same weeks); full model: `{settings.full_scenario}` with the "
        "team's FTE scaled to the population and the operator adapting.",
        "",
        "## Targets",
        "",
        markdown_table(targets),
        "",
        "## Household core against idiomatic Mesa",
        "",
        markdown_table(speedups),
        "",
        "## Every measurement",
        "",
        markdown_table(table),
        "",
        f"## Where the full model's time goes at {largest:,} households (ms per step)",
        "",
        markdown_table(top),
        "",
    ]
    if result.memory is not None:
        memory = result.memory
        lines += [
            "## Peak memory",
            "",
            f"Full model, {memory['households']:,} households, {memory['weeks']} weeks, in a "
            f"fresh process: peak resident memory {memory['peak_memory_mb']:.0f} MB "
            f"({memory['seconds']:.0f} s).",
            "",
        ]
    return "\n".join(lines)
