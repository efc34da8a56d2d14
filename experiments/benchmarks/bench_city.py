"""``wijksim bench --city``: a city against one neighbourhood of its size (issue 18, item 6).

Two models are built in this process from the same scenario: the city as shipped, and
the same scenario without ``[city]`` for one neighbourhood of the city's households, its
team scaled to them (the rule of ``--households``, model/inputs/scaling.py), so that both have
the same staff per household and differ only in being one neighbourhood or several. They
are stepped in turn, week by week, so that a ratio between them is not the noise of a
shared machine. Both run without burn-in and with their teams open from week 1, so the
weeks timed include the teams' work. Then the city runs as shipped (its burn-in and its
years) in a fresh process, for its peak memory. The targets are reported as met or not;
nothing here asserts a time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import pandas as pd
from wijksim.experiments.benchmarks.bench import MEMORY_TARGET_MB, peak_resident_mb
from wijksim.experiments.runner.atomic import atomic_folder
from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.scaling import scale_to_households
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, with_overrides
from wijksim.model.model import WEEKS_PER_YEAR, NeighbourhoodModel

CITY_RATIO_TARGET = 1.5
"""Issue 18, item 6: a city's cost per household-step within 1.5× a single neighbourhood's."""
TIMED = {"burn_in_years": 0, "transition.team_start_year": 1}
"""The timed runs: no burn-in, teams open from week 1."""


def city_scenarios(name: str) -> tuple[Scenario, Scenario]:
    """The city, and one neighbourhood of its households with the same staff per household.

    Raises:
        ScenarioError: If the scenario has no ``[city]``.
    """
    resolved = load_scenario(name)
    city = resolved.scenario
    if city.city is None:
        raise ScenarioError(resolved.path, "--city: expected a scenario with a [city], found none")
    single = with_overrides(city, {"city": None, "population.households": city.total_households})
    single, _ = scale_to_households(single, city.population.households)
    return with_overrides(city, TIMED), with_overrides(single, TIMED)


@dataclass
class CityBenchResult:
    """What ``wijksim bench --city`` measured.

    Attributes:
        scenario: The city scenario's name.
        seed: The seed of every run.
        timings: One row per model (``city``, ``single``): households, weeks, times.
        memory: The shipped run's peak memory (``None`` if skipped).
    """

    scenario: str
    seed: int
    timings: pd.DataFrame
    memory: dict | None

    @property
    def ratio(self) -> float:
        """The city's seconds per household-step over the single neighbourhood's."""
        speed = self.timings.set_index("implementation")["household_steps_per_second"]
        return float(speed["single"] / speed["city"])

    def targets(self) -> pd.DataFrame:
        """The targets of issue 18, item 6: measured, target, met."""
        households = int(self.timings["households"].iloc[0])
        rows = [
            (
                f"city's cost per household-step ≤ {CITY_RATIO_TARGET}× one neighbourhood of "
                f"{households:,} households",
                f"{self.ratio:.2f}×",
                self.ratio <= CITY_RATIO_TARGET,
            )
        ]
        if self.memory is not None:
            years = self.memory["weeks"] // WEEKS_PER_YEAR
            rows.append(
                (
                    f"peak memory < {MEMORY_TARGET_MB:.0f} MB for {self.scenario} over "
                    f"{years} years (its burn-in included)",
                    f"{self.memory['peak_memory_mb']:.0f} MB",
                    self.memory["peak_memory_mb"] < MEMORY_TARGET_MB,
                )
            )
        frame = pd.DataFrame(rows, columns=["target", "measured", "met"])
        frame["met"] = frame["met"].astype(bool)
        return frame

    def markdown(self) -> str:
        """The summary: the timings and the targets."""
        lines = [f"# wijksim bench --city {self.scenario}", ""]
        lines += ["| model | households | weeks | set-up (s) | steps (s) | household-steps/s |"]
        lines += ["|---|---:|---:|---:|---:|---:|"]
        for row in self.timings.itertuples():
            lines.append(
                f"| {row.implementation} | {row.households:,} | {row.weeks} | "
                f"{row.setup_seconds:.1f} | {row.seconds:.1f} | "
                f"{row.household_steps_per_second:,.0f} |"
            )
        lines += ["", "| target | measured | met |", "|---|---|---|"]
        for row in self.targets().itertuples():
            lines.append(f"| {row.target} | {row.measured} | {'yes' if row.met else 'no'} |")
        return "\n".join(lines) + "\n"


def time_models(scenarios: dict[str, Scenario], weeks: int, seed: int) -> pd.DataFrame:
    """Build each model, then step them in turn week by week; one row of times each."""
    models, setup = {}, {}
    for name, scenario in scenarios.items():
        start = time.perf_counter()
        models[name] = NeighbourhoodModel(scenario, seed=seed)
        setup[name] = time.perf_counter() - start
    spent = dict.fromkeys(models, 0.0)
    for _ in range(weeks):
        for name, model in models.items():
            start = time.perf_counter()
            model.step()
            spent[name] += time.perf_counter() - start
    return pd.DataFrame(
        [
            {
                "implementation": name,
                "households": model.population.size,
                "weeks": weeks,
                "seconds": spent[name],
                "seconds_per_step": spent[name] / weeks,
                "household_steps_per_second": model.population.size * weeks / spent[name],
                "setup_seconds": setup[name],
            }
            for name, model in models.items()
        ]
    )


def peak_memory_of_city_run(name: str, seed: int) -> dict:
    """Run the city as shipped (burn-in and years); its peak memory (in a fresh process)."""
    from wijksim.model.observation.metrics import to_long

    scenario = load_scenario(name).scenario
    start = time.perf_counter()
    model = NeighbourhoodModel(scenario, seed=seed)
    weeks = scenario.years * WEEKS_PER_YEAR
    model.run(weeks)
    table = to_long(model.records)  # the per-step table a run writes
    return {
        "households": model.population.size,
        "weeks": weeks + scenario.burn_in_years * WEEKS_PER_YEAR,
        "seconds": time.perf_counter() - start,
        "peak_memory_mb": peak_resident_mb(),
        "table_rows": len(table),
    }


def run_city_bench(
    name: str,
    years: int = 1,
    seed: int = 1,
    memory: bool = True,
    progress: Callable[[str], None] | None = None,
) -> CityBenchResult:
    """Time the city beside one neighbourhood of its size; then its shipped run's memory."""
    say = progress or (lambda _text: None)
    city, single = city_scenarios(name)
    say(f"{name}: the city and one neighbourhood of {city.total_households:,} households")
    timings = time_models({"city": city, "single": single}, years * WEEKS_PER_YEAR, seed)
    peak = None
    if memory:
        say(f"{name} as shipped in a fresh process (peak memory)")
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            peak = pool.submit(peak_memory_of_city_run, name, seed).result()
    return CityBenchResult(name, seed, timings, peak)


def write_city_bench(result: CityBenchResult, out: Path, language: str = "en") -> Path:
    """Write the tables and ``bench.md`` to ``out`` (atomically)."""
    from wijksim.experiments.reports.table_files import Provenance, write_tables

    with atomic_folder(out) as staging:
        tables = {"bench_city": result.timings, "targets": result.targets()}
        if result.memory is not None:
            tables["memory"] = pd.DataFrame([result.memory])
        provenance = Provenance(
            command="bench --city",
            scenario=result.scenario,
            households=f"{int(result.timings['households'].iloc[0]):,}",
            years=int(result.timings["weeks"].iloc[0]) // WEEKS_PER_YEAR,
            seeds=[result.seed],
        )
        write_tables(staging, tables, provenance, language)
        # bench.md and settings.json: the folder is a benchmark (experiments/runner/out_folder.py).
        (staging / "bench.md").write_text(result.markdown(), encoding="utf-8")
        settings = {"city": result.scenario, "seed": result.seed}
        (staging / "settings.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    return out
