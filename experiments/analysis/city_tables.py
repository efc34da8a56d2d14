"""A city run's table per neighbourhood and year (issue 18, item 1; model/config/city.py).

From the model's per-neighbourhood weekly metrics (``model.neighbourhood_records``,
named ``<metric>@<neighbourhood>``): one row per year, neighbourhood and metric, flows summed
over the year and states averaged (:func:`wijksim.model.observation.metrics.is_flow`), with the
mean waits worked out from their sums, and each neighbourhood's provider and households.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from wijksim.model.observation.metrics import is_flow, to_long

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel

COLUMNS = ("year", "neighbourhood", "provider", "metric", "value")
MEAN_WAITS = {
    "team_mean_intake_wait_weeks": ("team_intake_wait_weeks", "team_admissions"),
    "specialist_mean_wait_weeks": ("specialist_wait_weeks", "admissions_specialist"),
}
"""Mean waits of a year: the sum of the waits over the admissions (NaN without one)."""


def neighbourhood_table(model: NeighbourhoodModel) -> pd.DataFrame | None:
    """The yearly per-neighbourhood table of a city run; ``None`` outside a city.

    Args:
        model: The model after the run (its weekly records, neighbourhoods, providers).
    """
    if not model.is_city:
        return None
    mine = to_long(model.neighbourhood_records)
    yearly = []
    for metric, rows in mine.groupby("metric", sort=False):
        by_year = rows.groupby("year")["value"]
        values = by_year.sum() if is_flow(metric) else by_year.mean()
        base, _, hood = metric.partition("@")
        yearly.append(
            pd.DataFrame(
                {
                    "year": values.index,
                    "neighbourhood": hood,
                    "metric": base,
                    "value": values.to_numpy(),
                }
            )
        )
    table = pd.concat(yearly, ignore_index=True)
    wide = table.pivot_table(
        index=["year", "neighbourhood"], columns="metric", values="value", sort=False
    )
    for mean, (waits, admissions) in MEAN_WAITS.items():
        counts = wide[admissions].to_numpy()
        wide[mean] = np.where(counts > 0, wide[waits] / np.maximum(counts, 1), np.nan)
    sizes = {hood.name: hood.households for hood in model.neighbourhoods}
    wide["households"] = wide.index.get_level_values("neighbourhood").map(sizes)
    long = wide.reset_index().melt(
        id_vars=["year", "neighbourhood"], var_name="metric", value_name="value"
    )
    providers = {hood.name: hood.provider for hood in model.neighbourhoods}
    long["provider"] = long["neighbourhood"].map(providers)
    order = {hood.name: hood.index for hood in model.neighbourhoods}
    long = long.sort_values(
        ["year", "neighbourhood", "metric"],
        key=lambda c: c.map(order) if c.name == "neighbourhood" else c,
    )
    return long[list(COLUMNS)].reset_index(drop=True)
