"""One simulation: run a scenario and return its tables and manifest.

:func:`run_simulation` returns a :class:`RunResult`; writing it to a folder is
:func:`wijksim.experiments.reports.run_report.write_run`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.city_tables import neighbourhood_table
from wijksim.experiments.analysis.indicators import indicator_table
from wijksim.experiments.runner.manifest import (
    git_commit,
    model_provenance,
    package_versions,
    utc_now,
)
from wijksim.model.config.scenario import Scenario
from wijksim.model.core.domains import DOMAINS
from wijksim.model.model import WEEKS_PER_YEAR, NeighbourhoodModel
from wijksim.model.observation.metrics import to_long
from wijksim.model.state.ledger import household_ledger_id
from wijksim.model.state.population import LIFE_PHASES
from wijksim.model.state.status import STATUS_NAMES


@dataclass
class RunResult:
    """The outputs of one run.

    Attributes:
        steps: Tidy per-step table (``step, year, metric, value``).
        households: One row per household at the end of the run.
        ledger: Every booking (``step, stream, payer, agent_id, agent_kind, amount``).
        manifest: What produced the run.
        model: The model after the run (for tests and further analysis).
    """

    steps: pd.DataFrame
    households: pd.DataFrame
    ledger: pd.DataFrame
    manifest: dict
    model: NeighbourhoodModel = field(repr=False)
    neighbourhoods: pd.DataFrame | None = None
    """A city's yearly table per neighbourhood (analysis/city_tables.py); else ``None``."""
    indicators: pd.DataFrame | None = None
    """The yearly indicators of S1 App. V in the caseload and the population
    (experiments/analysis/indicators.py)."""


def household_table(model: NeighbourhoodModel) -> pd.DataFrame:
    """The per-household final table."""
    population = model.population
    table = pd.DataFrame(
        {
            "household_id": household_ledger_id(np.arange(population.size)),
            "vulnerability": population.vulnerability,
            "own_strength": population.own_strength,
            "life_phase": pd.Categorical.from_codes(population.life_phase, LIFE_PHASES),
            "has_children": population.has_children,
            "status": pd.Categorical.from_codes(population.status, STATUS_NAMES),
            "need_group": pd.Categorical.from_codes(population.need_group, model.classifier.names),
            "escalations": population.escalations,
            "cost_eur": population.cost_cents / 100.0,
            # The last (reported) year's own: Dutch concentration figures are yearly.
            "cost_eur_last_year": population.cost_cents_this_year / 100.0,
            "network_degree": model.network.degree,
        }
    )
    for column, domain in enumerate(DOMAINS):
        table[f"zrm_{domain}"] = population.zrm[:, column]
    return table


def run_simulation(
    scenario: Scenario,
    seed: int = 0,
    scenario_name: str = "scenario",
    scenario_files: list[str] | None = None,
    progress=None,
    scaled: dict[str, list[float]] | None = None,
    overrides: dict[str, object] | None = None,
) -> RunResult:
    """Run one simulation of ``scenario`` for its ``years``.

    Args:
        scenario: The validated scenario (with any command-line overrides applied).
        seed: The run's seed.
        scenario_name: Name recorded in the manifest.
        scenario_files: The files the scenario was read from, base first.
        progress: Called with 1 after every week (e.g. ``tqdm.update``).
        scaled: What was scaled with the households (``{field: [from, to]}``,
            :mod:`wijksim.model.inputs.scaling`), recorded in the manifest.
        overrides: The command line's overrides (``{"years": 5}``), recorded in the
            manifest and named in the figures' titles.
    """
    started = time.perf_counter()
    model = NeighbourhoodModel(scenario, seed=seed)
    model.run(scenario.years * WEEKS_PER_YEAR, progress=progress)
    manifest = {
        "scenario_name": scenario_name,
        "scenario_files": scenario_files or [],
        "seed": seed,
        "households": scenario.total_households,
        "years": scenario.years,
        "overrides": overrides or {},
        "scaled": scaled or {},
        "schedule": list(model.schedule),
        "scenario": scenario.model_dump(mode="json"),
        **model_provenance(),
        "versions": package_versions(),
        "git_commit": git_commit(),
        "created_utc": utc_now(),
        "wall_time_seconds": round(time.perf_counter() - started, 3),
    }
    steps = to_long(model.records)
    result = RunResult(
        steps=steps,
        households=household_table(model),
        ledger=model.ledger.to_frame(),
        manifest=manifest,
        model=model,
        neighbourhoods=neighbourhood_table(model),
    )
    result.indicators = indicator_table(result)
    return result
