"""Model output as the tidy input of :func:`wijksim.experiments.analysis.reliability.misranking`.

A sweep's yearly table (:func:`wijksim.experiments.analysis.statistics.yearly` of
:func:`~wijksim.experiments.runner.results.load_results`) has a row per run, year and metric.
Where the sweep's conditions are the units (neighbourhoods, providers; e.g. a grid over
``population.households`` or, later, the city scenario's neighbourhoods) and its seeds
are independent replications of the city, :func:`from_yearly` turns it into
``replication, unit, period, events, exposure, true_rate``; :func:`load_sweep` does so
for a results folder.

The model has no "true rate" of a unit: it is estimated as the unit's mean observed
rate over all seeds and years. With few seeds that estimate shares the observation's own
noise and makes the settlement look more often right than it is, so use many seeds (the
noise of the truth falls as one over the square root of seeds × years).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from wijksim.model.inputs.scenario_io import ScenarioError

EVENT_METRICS = {"escalations": "escalations_total", "self_reliant": "share_self_reliant"}
"""The model metric behind each indicator (``model/observation/metrics.py``): a yearly count of
escalations (a flow, summed over the year) or the share self-reliant (averaged)."""


def from_yearly(
    yearly: pd.DataFrame, indicator: str, households: dict[str, int] | int
) -> pd.DataFrame:
    """The tidy reliability table of a sweep's yearly results.

    Args:
        yearly: Columns ``condition, seed, year, metric, value`` at least.
        indicator: ``escalations`` or ``self_reliant`` (:data:`EVENT_METRICS`).
        households: Households per condition, or one number for all.

    Returns:
        ``replication`` (the seed), ``unit`` (the condition), ``period`` (the year),
        ``events`` (escalations, or households self-reliant, rounded), ``exposure``
        (households) and ``true_rate`` (the unit's mean rate over seeds and years).

    Raises:
        ValueError: The metric is absent, or a condition has no number of households.
    """
    metric = EVENT_METRICS[indicator]
    rows = yearly[yearly["metric"] == metric]
    if rows.empty:
        raise ValueError(f"the table has no metric '{metric}'")
    units = rows["condition"].astype(str)
    if isinstance(households, int):
        exposure = pd.Series(households, index=rows.index)
    else:
        missing = sorted(set(units) - set(households))
        if missing:
            raise ValueError(f"no number of households for the condition '{missing[0]}'")
        exposure = units.map(households)
    events = rows["value"] if indicator == "escalations" else rows["value"] * exposure
    table = pd.DataFrame(
        {
            "replication": rows["seed"].to_numpy(),
            "unit": units.to_numpy(),
            "period": rows["year"].to_numpy(),
            "events": events.round().astype(int).to_numpy(),
            "exposure": exposure.astype(int).to_numpy(),
        }
    )
    rate = table["events"] / table["exposure"]
    table["true_rate"] = rate.groupby(table["unit"]).transform("mean")
    return table


def load_sweep(folder: str | Path, indicator: str) -> pd.DataFrame:
    """The tidy reliability table of a sweep's results folder (``wijksim reliability --from``).

    Each condition of the sweep is a unit, its households those of its runs (the sweep
    manifest); each seed a replication. The reported years already leave out any burn-in.

    Raises:
        ScenarioError: Not a sweep's folder, no finished runs, or no such metric.
    """
    from wijksim.experiments.analysis.statistics import yearly
    from wijksim.experiments.runner.results import load_manifest, load_results

    folder = Path(folder)
    manifest = load_manifest(folder)
    households: dict[str, int] = {}
    for run in manifest["runs"]:
        if run["status"] == "done":
            households.setdefault(str(run["condition"]), int(run["households"]))
    metric = EVENT_METRICS[indicator]
    table = yearly(load_results(folder, metrics=[metric]))
    if table.empty:
        raise ScenarioError(folder, f"the runs have no metric '{metric}'")
    if table["condition"].nunique() < 3:
        raise ScenarioError(
            folder, "expected a sweep of at least 3 conditions (the units to compare)"
        )
    try:
        return from_yearly(table, indicator, households)
    except ValueError as error:
        raise ScenarioError(folder, str(error)) from None
