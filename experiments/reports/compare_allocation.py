"""``wijksim compare-allocation``: one team budget divided over a city's neighbourhoods.

S1 App. IV describes how cities size their teams: bottom-up from the work a
neighbourhood's caseload needs, or top-down with a distribution key (households, age,
income or vulnerability, ZRM results). This command runs a city scenario (``[city]``)
with each way of dividing the *same* city total of team FTE, on the same seeds (common
random numbers, so that allocations differ only in where the staff work), and reports per
neighbourhood and for the city: escalations, spending, the team's and the specialists'
waits, and how evenly need is met (the share of the households in need that someone
knows of, and its spread over the neighbourhoods).

The allocation is made when the run starts (after the burn-in, before the teams open),
from the state the city is in then; the burn-in does not depend on the teams' size, so
every allocation starts from the same city on a seed. Frontline and coordination FTE are
each divided by the key; a neighbourhood with a split team divides its share over its
teams as the scenario does.

One piece over 300 lines: the allocation study from weights and restaffing to runs and
written folder, whose parts serve only this command.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.statistics import paired_differences
from wijksim.experiments.runner.atomic import atomic_folder
from wijksim.experiments.runner.processes import map_tasks
from wijksim.model.config.scenario import Scenario
from wijksim.model.config.team_params import INTENSITIES
from wijksim.model.inputs.scenario_io import ScenarioError
from wijksim.model.model import WEEKS_PER_YEAR, NeighbourhoodModel

ALLOCATIONS: dict[str, str] = {
    "as_scenario": "as the scenario sets it (utrecht_like: Utrecht's 10 FTE per neighbourhood)",
    "households": "top-down key: households",
    "vulnerability": "top-down key: households × mean vulnerability (income, vulnerability)",
    "need_zrm": "top-down key: households in need by their ZRM levels (ZRM results)",
    "caseload": "bottom-up: the FTE its households in need would take at the caseload norms",
}
"""The ways of dividing the city's team FTE (S1 App. IV), by name."""
REFERENCE = "households"
"""The allocation the others are compared with, seed by seed."""
CITY = "city"
"""The ``neighbourhood`` of the city's own rows."""


def allocation_weights(model: NeighbourhoodModel, allocation: str) -> np.ndarray:
    """Each neighbourhood's weight under ``allocation``, from the model's state now."""
    population, hoods = model.population, model.neighbourhoods
    if allocation == "as_scenario":
        return np.array([sum(t.frontline_fte for t in hood.teams) for hood in hoods])
    if allocation == "households":
        return np.array([hood.households for hood in hoods], dtype=float)
    if allocation == "vulnerability":
        return np.array([population.vulnerability[hood.rows].sum() for hood in hoods], float)
    if allocation == "need_zrm":
        return np.array([(population.need_group[hood.rows] > 0).sum() for hood in hoods], float)
    if allocation == "caseload":
        return np.array([_caseload_fte(model, hood) for hood in hoods])
    raise ValueError(f"unknown allocation '{allocation}'; expected one of {list(ALLOCATIONS)}")


def _caseload_fte(model: NeighbourhoodModel, hood) -> float:
    """FTE a neighbourhood's households in need take at the norms (households per FTE).

    Each need group's households over the norm of the intensity the team gives that
    group (``team.intensity_by_group``, ``team.intensity_norm_households_per_fte``;
    docs/sources.md §2: ~100 light, 30–40 basic, 5–7 complex per worker).
    """
    team = hood.teams[0]
    groups = np.bincount(
        model.population.need_group[hood.rows], minlength=len(model.classifier.names)
    )
    norms = team.params.intensity_norm_households_per_fte
    intensity = team.intensity_of_group
    return float(sum(groups[g] / norms[INTENSITIES[intensity[g]]] for g in range(1, groups.size)))


def restaff(model: NeighbourhoodModel, allocation: str) -> pd.DataFrame:
    """Divide the city's team FTE over the neighbourhoods by ``allocation`` (in place).

    Returns:
        Per neighbourhood: its provider and its new frontline and coordination FTE.
    """
    teams = model.teams
    frontline = sum(t.frontline_fte for t in teams)
    overhead = sum(t.params.overhead_fte for t in teams)
    weights = allocation_weights(model, allocation)
    shares = weights / weights.sum()
    rows = []
    for hood, share in zip(model.neighbourhoods, shares.tolist(), strict=True):
        own = sum(t.frontline_fte for t in hood.teams)
        for team in hood.teams:  # a split keeps its teams' shares
            part = team.frontline_fte / own
            team.restaff(frontline * share * part, overhead * share * part)
        rows.append(
            {
                "neighbourhood": hood.name,
                "provider": hood.provider,
                "team.frontline_fte": frontline * share,
                "team.overhead_fte": overhead * share,
            }
        )
    return pd.DataFrame(rows)


def _hood_values(records: list[dict], hood, first_week: int) -> dict[str, float]:
    """One neighbourhood's results over the weeks from ``first_week`` on."""
    weeks = [r for r in records if r["step"] >= first_week]
    years = len(weeks) / WEEKS_PER_YEAR

    def total(metric: str) -> float:
        return float(sum(r[f"{metric}@{hood.name}"] for r in weeks))

    def mean_wait(waits: str, admissions: str) -> float:
        count = total(admissions)
        return total(waits) / count if count else float("nan")

    return {
        "households": float(hood.households),
        "escalations_per_year": total("escalations_total") / years,
        "escalations_per_1000_per_year": total("escalations_total")
        / years
        / hood.households
        * 1000,
        "spending_per_year_eur": total("cost_total_eur") / years,
        "team_mean_intake_wait_weeks": mean_wait("team_intake_wait_weeks", "team_admissions"),
        "specialist_mean_wait_weeks": mean_wait("specialist_wait_weeks", "admissions_specialist"),
        "need_known_share": float(np.mean([r[f"need_known_share@{hood.name}"] for r in weeks])),
        "team_admissions": total("team_admissions"),
        "waits": total("team_intake_wait_weeks"),
        "specialist_waits": total("specialist_wait_weeks"),
        "specialist_admissions": total("admissions_specialist"),
    }


def _city_values(parts: dict[str, dict[str, float]]) -> dict[str, float]:
    """The city's results from its neighbourhoods', with the spread of need met."""
    frame = pd.DataFrame(parts).T
    households = frame["households"].sum()
    admissions = frame["team_admissions"].sum()
    specialist = frame["specialist_admissions"].sum()
    rates = frame["escalations_per_1000_per_year"]
    return {
        "households": float(households),
        "escalations_per_year": float(frame["escalations_per_year"].sum()),
        "escalations_per_1000_per_year": float(
            frame["escalations_per_year"].sum() / households * 1000
        ),
        "spending_per_year_eur": float(frame["spending_per_year_eur"].sum()),
        "team_mean_intake_wait_weeks": float(
            frame["waits"].sum() / admissions if admissions else np.nan
        ),
        "specialist_mean_wait_weeks": float(
            frame["specialist_waits"].sum() / specialist if specialist else np.nan
        ),
        "need_known_share": float(
            np.average(frame["need_known_share"], weights=frame["households"])
        ),
        # How evenly need is met: the gap between the best and the worst neighbourhood.
        "need_known_spread": float(
            frame["need_known_share"].max() - frame["need_known_share"].min()
        ),
        "escalations_per_1000_spread": float(rates.max() - rates.min()),
    }


REPORTED = (
    "households",
    "escalations_per_year",
    "escalations_per_1000_per_year",
    "spending_per_year_eur",
    "team_mean_intake_wait_weeks",
    "specialist_mean_wait_weeks",
    "need_known_share",
    "need_known_spread",
    "escalations_per_1000_spread",
)
"""The metrics of the tables (the sums behind the means stay internal)."""


def run_allocation(
    scenario: Scenario, allocation: str, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One run: the city divided by ``allocation`` on ``seed``.

    Returns:
        The tidy results (``condition, seed, neighbourhood, metric, value``; the city's
        rows under ``neighbourhood = "city"``), and the FTE per neighbourhood.
    """
    model = NeighbourhoodModel(scenario, seed=seed)
    fte = restaff(model, allocation)
    model.run(scenario.years * WEEKS_PER_YEAR)
    first_week = (scenario.transition.team_start_year - 1) * WEEKS_PER_YEAR + 1
    weeks = model.neighbourhood_records
    parts = {hood.name: _hood_values(weeks, hood, first_week) for hood in model.neighbourhoods}
    parts_and_city = {**parts, CITY: _city_values(parts)}
    rows = [
        {"condition": allocation, "seed": seed, "neighbourhood": name, "metric": m, "value": v}
        for name, values in parts_and_city.items()
        for m, v in values.items()
        if m in REPORTED
    ]
    fte.insert(0, "condition", allocation)
    return pd.DataFrame(rows), fte


@dataclass
class AllocationResult:
    """What ``compare-allocation`` found.

    Attributes:
        scenario: The city scenario's name.
        results: Every run's tidy results.
        fte: The FTE per allocation and neighbourhood (on the first seed).
    """

    scenario: str
    results: pd.DataFrame
    fte: pd.DataFrame

    def means(self) -> pd.DataFrame:
        """Mean over seeds per allocation, neighbourhood and metric."""
        keys = ["condition", "neighbourhood", "metric"]
        table = self.results.groupby(keys, sort=False)["value"]
        return table.agg(mean="mean", n="count").reset_index()

    def differences(self) -> pd.DataFrame:
        """Each allocation minus :data:`REFERENCE` on the same seed (90% t-interval)."""
        return paired_differences(self.results, REFERENCE, keys=("neighbourhood", "metric"))

    def markdown(self) -> str:
        """The headline: the city under each allocation, then need met per neighbourhood."""
        means = (
            self.means().set_index(["condition", "neighbourhood", "metric"])["mean"].sort_index()
        )
        seeds = self.results["seed"].nunique()
        lines = [
            f"# How to divide the team budget: {self.scenario} ({seeds} paired seeds)",
            "",
            "The same city total of team FTE, divided over the neighbourhoods in each way; "
            "means over the seeds, over the years the teams work.",
            "",
            "| allocation | spending per year (€ M) | escalations per year | team wait (weeks) "
            "| specialist wait (weeks) | need known (%) | spread of need known (points) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for allocation in pd.unique(self.results["condition"]):
            city = means.loc[allocation, CITY]
            lines.append(
                f"| {allocation} | {city['spending_per_year_eur'] / 1e6:.2f} | "
                f"{city['escalations_per_year']:.1f} | "
                f"{city['team_mean_intake_wait_weeks']:.1f} | "
                f"{city['specialist_mean_wait_weeks']:.1f} | "
                f"{100 * city['need_known_share']:.1f} | "
                f"{100 * city['need_known_spread']:.1f} |"
            )
        hoods = [n for n in pd.unique(self.results["neighbourhood"]) if n != CITY]
        lines += ["", "Need known (%) per neighbourhood, and its FTE:", ""]
        lines += ["| allocation | " + " | ".join(hoods) + " |"]
        lines += ["|---|" + "---:|" * len(hoods)]
        fte = self.fte.set_index(["condition", "neighbourhood"])
        staff = fte["team.frontline_fte"] + fte["team.overhead_fte"]
        for allocation in pd.unique(self.results["condition"]):
            cells = [
                f"{100 * means.loc[allocation, hood, 'need_known_share']:.1f} "
                f"({staff.loc[(allocation, hood)]:.1f} FTE)"
                for hood in hoods
            ]
            lines.append(f"| {allocation} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


def _run_task(task: tuple[Scenario, str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return run_allocation(*task)


def compare_allocation(
    scenario: Scenario,
    name: str,
    seeds: list[int],
    allocations: list[str] | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> AllocationResult:
    """Run every allocation on every seed.

    Raises:
        ScenarioError: For a scenario without a ``[city]`` and ``[team]``, or an unknown
            allocation.
    """
    if scenario.city is None or scenario.team is None:
        raise ScenarioError(name, "expected a city scenario with a [city] and a [team]")
    chosen = allocations or list(ALLOCATIONS)
    unknown = [a for a in chosen if a not in ALLOCATIONS]
    if unknown:
        raise ScenarioError(
            "<command line>",
            f"--allocations: expected names from {list(ALLOCATIONS)}, found {unknown}",
        )
    if REFERENCE not in chosen:
        chosen = [REFERENCE, *chosen]
    tasks = [(scenario, allocation, seed) for seed in seeds for allocation in chosen]
    outcomes = map_tasks(_run_task, tasks, workers, progress)
    results = pd.concat([o[0] for o in outcomes], ignore_index=True)
    first = [o[1] for o, task in zip(outcomes, tasks, strict=True) if task[2] == seeds[0]]
    return AllocationResult(name, results, pd.concat(first, ignore_index=True))


def write_allocation(result: AllocationResult, out: Path, provenance, language: str = "en") -> Path:
    """Write the tables and ``summary.md`` to ``out`` (atomically)."""
    from wijksim.experiments.reports.table_files import write_tables

    with atomic_folder(out) as staging:
        tables = {
            "allocation_fte": result.fte,
            "results": result.results,
            "means": result.means(),
            "differences": result.differences(),
        }
        write_tables(staging, tables, provenance, language)
        (staging / "summary.md").write_text(result.markdown(), encoding="utf-8")
        settings = {"scenario": result.scenario, "seeds": sorted(set(result.results["seed"]))}
        (staging / "allocation.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    return out
