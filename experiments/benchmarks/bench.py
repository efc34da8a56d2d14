"""``wijksim bench``: the array core against idiomatic Mesa, and the model against the machine.

For every population size it builds four implementations in this process and then
steps them in turn, week by week (so that the numbers are side by side on the same
machine at the same moment, and a ratio between two of them is not the noise of a shared
machine):

* ``floor``: a trivial vectorised pass over the same (households × 11) arrays, one
  uniform draw and one comparison per domain per week: the practical floor of this
  machine for anything that touches every domain of every household;
* ``core``: wijksim's household rules on arrays (:mod:`.benchmarks.core`);
* ``reference``: the same rules as idiomatic Mesa agents, one Python object per household
  stepping itself (:mod:`.benchmarks.mesa_reference`), for fewer weeks (it is slow);
* ``full``: the full model: teams, specialists, the operator and the metrics, with the
  team's staff scaled with the population so that the caseload grows with it.

The peak memory of the full model at the largest size over ``memory_years`` is measured
in a fresh process (a clean peak). Times are wall-clock seconds of the weekly steps only
(building the population and network is reported separately). The targets of issue 7
are reported as met or not; nothing here asserts a time.

One piece over 300 lines: the benchmark's settings, timings, memory measure and written
folder are one command.
"""

from __future__ import annotations

import gc
import math
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
from wijksim.experiments.benchmarks.core import household_core
from wijksim.experiments.benchmarks.mesa_reference import ReferenceModel
from wijksim.experiments.runner.atomic import atomic_folder
from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, with_overrides
from wijksim.model.model import WEEKS_PER_YEAR, NeighbourhoodModel
from wijksim.model.state.population import initialise_population
from wijksim.model.state.streams import RandomStreams

IMPLEMENTATIONS = ("floor", "core", "reference", "full")
CORE_SCENARIO = "old_system"
FULL_SCENARIO = "funding_population"
STAFF_REFERENCE_HOUSEHOLDS = 6000
"""The shipped team (8 + 2 FTE) serves this many households; ``full`` scales it."""

# The targets of issue 7 (reported, not asserted).
CORE_SPEEDUP_TARGET = 50.0
FLOOR_SHARE_TARGET = 0.1
SLOPE_TARGET = 1.1
MEMORY_TARGET_MB = 1024.0


@dataclass(frozen=True)
class BenchSettings:
    """What ``wijksim bench`` measures.

    Attributes:
        households: Population sizes, ascending.
        years: Years timed for floor, core and full.
        reference_weeks: Weeks timed for the reference (and the core over the same weeks,
            for the ratio).
        memory_years: Years of the full model at the largest size in the memory run;
            0 skips it.
        seed: Seed of every run.
        full_scenario: Scenario of the full model (needs a ``[team]`` and ``[funding]``).
        repeats: Measurements of each cell; the fastest is kept.
    """

    households: tuple[int, ...] = (1_000, 10_000, 100_000)
    years: int = 1
    reference_weeks: int = 13
    memory_years: int = 10
    seed: int = 1
    full_scenario: str = FULL_SCENARIO
    repeats: int = 1

    def check(self) -> None:
        """Refuse settings that cannot be measured, naming the option.

        Raises:
            ScenarioError: For a size below 100, no sizes, or non-positive periods.
        """
        where = "<command line>"
        if not self.households:
            raise ScenarioError(where, "--households: expected at least one size, found none")
        if min(self.households) < 100:
            raise ScenarioError(
                where, f"--households: expected sizes >= 100, found {min(self.households)}"
            )
        for name, value in (
            ("--years", self.years),
            ("--reference-weeks", self.reference_weeks),
            ("--repeats", self.repeats),
        ):
            if value < 1:
                raise ScenarioError(where, f"{name}: expected a whole number >= 1, found {value}")
        if self.memory_years < 0:
            raise ScenarioError(
                where, f"--memory-years: expected a whole number >= 0, found {self.memory_years}"
            )
        full_scenario(self.full_scenario, min(self.households))  # refused before any timing

    @property
    def weeks(self) -> int:
        """Weeks timed for floor, core and full."""
        return self.years * WEEKS_PER_YEAR


@dataclass
class Timing:
    """One implementation at one size.

    Attributes:
        implementation: One of :data:`IMPLEMENTATIONS`.
        households: Population size.
        weeks: Weeks stepped.
        seconds: Wall-clock seconds of those steps.
        setup_seconds: Building the model (population, network, agents).
        step_seconds: Cumulative seconds after each week (for like-for-like windows).
        rules: Seconds spent in each rule (the full model only; the rest is metrics).
    """

    implementation: str
    households: int
    weeks: int
    seconds: float
    setup_seconds: float
    step_seconds: list[float] = field(default_factory=list, repr=False)
    rules: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def household_steps_per_second(self) -> float:
        """Households × weeks per second: the rate the targets are stated in."""
        return self.households * self.weeks / self.seconds

    def row(self) -> dict:
        """A row of the benchmark table."""
        return {
            "implementation": self.implementation,
            "households": self.households,
            "weeks": self.weeks,
            "seconds": self.seconds,
            "seconds_per_step": self.seconds / self.weeks,
            "household_steps_per_second": self.household_steps_per_second,
            "setup_seconds": self.setup_seconds,
        }


def core_scenario(households: int) -> Scenario:
    """The household core at ``households`` (the old system's rules, no care)."""
    return household_core(load_scenario(CORE_SCENARIO).scenario, households)


def full_scenario(name: str, households: int) -> Scenario:
    """The full model at ``households``: the team's FTE scaled, the operator adapting.

    Raises:
        ScenarioError: If the scenario has no team or no funding (no operator).
    """
    resolved = load_scenario(name)
    scenario = resolved.scenario
    if scenario.team is None or scenario.funding is None:
        raise ScenarioError(
            resolved.path, "expected a scenario with a [team] and [funding] for the full model"
        )
    scale = households / STAFF_REFERENCE_HOUSEHOLDS
    return with_overrides(
        scenario,
        {
            "population.households": households,
            "team.frontline_fte": scenario.team.frontline_fte * scale,
            "team.overhead_fte": scenario.team.overhead_fte * scale,
            "funding.operator.adapts": True,
        },
    )


class FloorPass:
    """The floor: one float32 uniform and one comparison per household and domain a week.

    It acts on a ZRM array of the population (as the rules do) and lowers a domain whose
    draw falls under a fixed hazard, so it is a real pass over real state, with nothing
    else; row-major, its fastest layout.
    """

    def __init__(self, households: int, seed: int) -> None:
        params = core_scenario(households)
        streams = RandomStreams(seed)
        population = initialise_population(params.population, streams.get("population"))
        self.zrm = np.ascontiguousarray(population.zrm)
        self.hazard = np.float32(params.hazards.drift_per_week * params.hazards.drift_scale)
        self.rng = streams.get("floor")
        self.lower = np.empty(self.zrm.shape, dtype=bool)

    def step(self) -> None:
        """One week of the floor pass."""
        np.less(self.rng.random(self.zrm.shape, dtype=np.float32), self.hazard, out=self.lower)
        np.logical_and(self.lower, self.zrm > 1, out=self.lower)
        np.subtract(self.zrm, self.lower.view(np.int8), out=self.zrm)


def measure_size(households: int, settings: BenchSettings) -> dict[str, Timing]:
    """Time the four implementations at one size, interleaved week by week.

    All four are built first; then every week each takes its step in turn (the
    reference only for its first ``reference_weeks``), so that the ratios between them
    compare steps taken under the same conditions of a shared, noisy machine.
    """
    weeks = settings.weeks
    planned = {
        "floor": weeks,
        "core": weeks,
        "reference": min(settings.reference_weeks, weeks),
        "full": weeks,
    }
    builders = {
        "floor": lambda: FloorPass(households, settings.seed),
        "core": lambda: NeighbourhoodModel(core_scenario(households), seed=settings.seed),
        "reference": lambda: ReferenceModel(core_scenario(households), seed=settings.seed),
        "full": lambda: NeighbourhoodModel(
            full_scenario(settings.full_scenario, households), seed=settings.seed
        ),
    }
    setup, steps = {}, {}
    for name, build in builders.items():
        start = time.perf_counter()
        steps[name] = build()
        setup[name] = time.perf_counter() - start
    spent: dict[str, float] = defaultdict(float)
    for rule in steps["full"].rules:
        rule.step = _timed(rule.step, rule.name, spent)
    cumulative: dict[str, list[float]] = {name: [] for name in builders}
    # Built objects are frozen out of the garbage collector's passes, for all alike.
    gc.collect()
    gc.freeze()
    try:
        for week in range(weeks):
            for name, model in steps.items():
                if week >= planned[name]:
                    continue
                start = time.perf_counter()
                model.step()
                elapsed = time.perf_counter() - start
                so_far = cumulative[name]
                so_far.append(elapsed + (so_far[-1] if so_far else 0.0))
    finally:
        gc.unfreeze()
    timings = {
        name: Timing(
            name, households, planned[name], cumulative[name][-1], setup[name], cumulative[name]
        )
        for name in builders
    }
    full = timings["full"]
    spent["metrics and bookkeeping"] = full.seconds - sum(spent.values())
    full.rules = dict(spent)
    return timings


def _timed(step: Callable, name: str, spent: dict[str, float]) -> Callable:
    """``step`` that adds its wall time to ``spent[name]``."""

    def timed(model: NeighbourhoodModel) -> None:
        start = time.perf_counter()
        step(model)
        spent[name] += time.perf_counter() - start

    return timed


def peak_memory_of_full_run(scenario_name: str, households: int, weeks: int, seed: int) -> dict:
    """Run the full model and return its peak resident memory (call in a fresh process)."""
    start = time.perf_counter()
    model = NeighbourhoodModel(full_scenario(scenario_name, households), seed=seed)
    model.run(weeks)
    from wijksim.model.observation.metrics import to_long

    table = to_long(model.records)  # the per-step table a run writes
    return {
        "households": households,
        "weeks": weeks,
        "seconds": time.perf_counter() - start,
        "peak_memory_mb": peak_resident_mb(),
        "table_rows": len(table),
    }


def peak_resident_mb() -> float:
    """This process's peak resident memory in MB.

    On Linux the high-water mark of this process's own memory (``VmHWM``): ``ru_maxrss``
    survives ``exec`` and would report the parent's peak in a freshly spawned process.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


def measure_memory(settings: BenchSettings) -> dict | None:
    """The memory run in a fresh process (``None`` when ``memory_years`` is 0)."""
    if settings.memory_years == 0:
        return None
    households = max(settings.households)
    weeks = settings.memory_years * WEEKS_PER_YEAR
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        future = pool.submit(
            peak_memory_of_full_run, settings.full_scenario, households, weeks, settings.seed
        )
        return future.result()


@dataclass
class BenchResult:
    """Everything ``wijksim bench`` measured."""

    settings: BenchSettings
    timings: list[Timing]
    memory: dict | None

    def table(self) -> pd.DataFrame:
        """One row per implementation and size."""
        return pd.DataFrame([t.row() for t in self.timings])

    def rules_table(self) -> pd.DataFrame:
        """Milliseconds per step of each rule of the full model, per size."""
        weeks = self.settings.weeks
        rows = [
            {"households": t.households, "rule": rule, "ms_per_step": seconds / weeks * 1000}
            for t in self.timings
            if t.implementation == "full"
            for rule, seconds in t.rules.items()
        ]
        return pd.DataFrame(rows)

    def timing(self, implementation: str, households: int) -> Timing:
        """The timing of one implementation at one size."""
        return next(
            t
            for t in self.timings
            if t.implementation == implementation and t.households == households
        )

    def core_speedups(self) -> pd.DataFrame:
        """Core against reference, over the reference's weeks at every size."""
        rows = []
        for n in self.settings.households:
            reference = self.timing("reference", n)
            core = self.timing("core", n)
            weeks = reference.weeks
            core_rate = n * weeks / core.step_seconds[weeks - 1]
            rows.append(
                {
                    "households": n,
                    "weeks": weeks,
                    "core_household_steps_per_second": core_rate,
                    "reference_household_steps_per_second": reference.household_steps_per_second,
                    "speedup": core_rate / reference.household_steps_per_second,
                }
            )
        return pd.DataFrame(rows)

    def slope(self, implementation: str) -> float | None:
        """Log–log slope of seconds per step between the two largest sizes.

        1 is linear in households; the issue's target is stated between 10,000 and
        100,000.
        """
        sizes = sorted(self.settings.households)
        if len(sizes) < 2:
            return None
        small, large = (self.timing(implementation, n) for n in sizes[-2:])
        t_small = small.seconds / small.weeks
        t_large = large.seconds / large.weeks
        large, small = sizes[-1], sizes[-2]
        return math.log(t_large / t_small) / math.log(large / small)

    def targets(self) -> pd.DataFrame:
        """The targets of issue 7: the measured value, the target and whether it is met."""
        largest = max(self.settings.households)
        speedup = self.core_speedups().set_index("households").loc[largest, "speedup"]
        floor = self.timing("floor", largest).household_steps_per_second
        full = self.timing("full", largest).household_steps_per_second
        rows = [
            (
                f"core ≥ {CORE_SPEEDUP_TARGET:.0f}× the idiomatic-Mesa reference at "
                f"{largest:,} households",
                f"{speedup:.0f}×",
                speedup >= CORE_SPEEDUP_TARGET,
            ),
            (
                f"full model ≥ 1/{1 / FLOOR_SHARE_TARGET:.0f} of the floor at {largest:,} "
                "households (household-steps/s)",
                f"1/{floor / full:.1f} ({full:,.0f} against {floor:,.0f})",
                full >= FLOOR_SHARE_TARGET * floor,
            ),
        ]
        slope = self.slope("full")
        if slope is not None:
            sizes = sorted(self.settings.households)
            rows.append(
                (
                    f"full model: log–log slope of time per step ≤ {SLOPE_TARGET} between "
                    f"{sizes[-2]:,} and {sizes[-1]:,} households",
                    f"{slope:.2f}",
                    slope <= SLOPE_TARGET,
                )
            )
        if self.memory is not None:
            years = self.memory["weeks"] // WEEKS_PER_YEAR
            rows.append(
                (
                    f"peak memory < {MEMORY_TARGET_MB:.0f} MB for {self.memory['households']:,} "
                    f"households over {years} years (full model)",
                    f"{self.memory['peak_memory_mb']:.0f} MB",
                    self.memory["peak_memory_mb"] < MEMORY_TARGET_MB,
                )
            )
        frame = pd.DataFrame(rows, columns=["target", "measured", "met"])
        frame["met"] = frame["met"].astype(bool)
        return frame


def run_bench(
    settings: BenchSettings, progress: Callable[[str], None] | None = None
) -> BenchResult:
    """Measure every implementation at every size, then the memory run.

    Args:
        settings: What to measure (checked first).
        progress: Called with a line of text before each measurement.
    """
    settings.check()
    say = progress or (lambda _text: None)
    timings: list[Timing] = []
    for n in sorted(settings.households):
        say(f"{n:,} households: floor, core, idiomatic Mesa reference and full model")
        repeats = [measure_size(n, settings) for _ in range(settings.repeats)]
        # Per implementation the fastest repeat: interference only ever adds time.
        for name in IMPLEMENTATIONS:
            timings.append(min((run[name] for run in repeats), key=_seconds))
    memory = None
    if settings.memory_years:
        say(
            f"{max(settings.households):,} households: full model for "
            f"{settings.memory_years} years in a fresh process (peak memory)"
        )
        memory = measure_memory(settings)
    return BenchResult(settings, timings, memory)


def _seconds(timing: Timing) -> float:
    return timing.seconds


def write_bench(result: BenchResult, out: Path, language: str = "en") -> Path:
    """Write the tables, the summary and the figures to ``out`` (atomically).

    The tables are Parquet, CSV and one Excel workbook (``language``: their headers,
    :func:`~wijksim.experiments.reports.table_files.write_tables`).
    """
    from wijksim.experiments.benchmarks.bench_report import (
        bench_figure,
        rules_figure,
        summary_markdown,
    )
    from wijksim.experiments.reports.table_files import Provenance, write_tables

    with atomic_folder(out) as staging:
        tables = {
            "bench": result.table(),
            "speedups": result.core_speedups(),
            "rules": result.rules_table(),
            "targets": result.targets(),
        }
        if result.memory is not None:
            tables["memory"] = pd.DataFrame([result.memory])
        settings = result.settings
        provenance = Provenance(
            command="bench",
            scenario=settings.full_scenario,
            households=", ".join(f"{n:,}" for n in settings.households),
            years=settings.years,
            seeds=[settings.seed],
        )
        write_tables(staging, tables, provenance, language)
        (staging / "settings.json").write_text(
            pd.Series(asdict(result.settings)).to_json(indent=1), encoding="utf-8"
        )
        (staging / "bench.md").write_text(summary_markdown(result), encoding="utf-8")
        figures = staging / "figures"
        figures.mkdir()
        for name, figure in (("bench", bench_figure(result)), ("rules", rules_figure(result))):
            figure.savefig(figures / f"{name}.png", dpi=120)
    return out


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"1000,10k,100_000"`` → ``(1000, 10000, 100000)``.

    Raises:
        ScenarioError: For anything that is not a list of whole numbers.
    """
    sizes = []
    for part in text.split(","):
        token = part.strip().lower().replace("_", "")
        factor = 1000 if token.endswith("k") else 1
        try:
            sizes.append(int(token.removesuffix("k")) * factor)
        except ValueError:
            raise ScenarioError(
                "<command line>",
                f"--households: expected whole numbers separated by commas, found '{text}'",
            ) from None
    return tuple(sorted(set(sizes)))
