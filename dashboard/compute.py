"""What the dashboard computes, free of Streamlit: configurations, runs, tables, files.

Every function here is a pure function of its arguments (the runs are seeded), so the
app can cache them and the tests can call them without a browser. Runs go through
:func:`wijksim.experiments.runner.run.run_simulation`, the transition curve through
:mod:`wijksim.experiments.analysis.transition_analysis` and paired differences through
:func:`wijksim.experiments.analysis.statistics.paired_differences`: the dashboard computes nothing
the commands do not.

Why one module of over 300 lines: it is the one namespace the app caches and the tests
call, in four sections (configurations, runs, tables, files), each short; the runs and
tables it builds on live in ``experiments/``.
"""

from __future__ import annotations

import copy
import io
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import tomlkit
from wijksim.dashboard.knobs import (
    ACCESS_FIELD,
    AS_SCENARIO,
    NO_FUNDING,
    NUMBER_KNOBS,
    access_options,
    current_value,
    funding_of,
    neighbourhood_alpha,
    split_of,
)
from wijksim.experiments.analysis.statistics import paired_differences, summarise, yearly
from wijksim.experiments.analysis.transition_analysis import DEFAULT_DISCOUNT_RATE
from wijksim.experiments.analysis.transition_spending import required_metrics
from wijksim.experiments.i18n import N_, Translate
from wijksim.experiments.reports import table_files
from wijksim.experiments.reports.table_files import Provenance, readable_tables
from wijksim.experiments.reports.transition_report import TransitionResults, analyse
from wijksim.experiments.runner.manifest import overrides_text
from wijksim.experiments.runner.run import run_simulation
from wijksim.model.config.scenario import Scenario
from wijksim.model.contracts.funding import SpecialistAccess
from wijksim.model.inputs.scaling import with_overrides_scaled
from wijksim.model.inputs.scenario_io import ScenarioError, with_overrides
from wijksim.model.model import WEEKS_PER_YEAR
from wijksim.model.observation.metrics import is_flow

TRANSITION, COUNTERFACTUAL = "transition", "counterfactual"
"""Variant names of the switch and of the old system continued (as ``wijksim transition``)."""
DEFAULT_TIME_CAP_SECONDS = 180
"""Assumption: three minutes, about 30 runs of the default neighbourhood on this
machine's one free core; longer runs belong to ``wijksim sweep``."""
NUMBER_TOLERANCE = 1e-9


class TimeCapExceeded(Exception):
    """The runs took longer than the time cap; finished runs stay cached."""

    def __init__(self, cap_seconds: float, done: int, total: int) -> None:
        self.cap_seconds = cap_seconds
        self.done = done
        self.total = total
        super().__init__(f"time cap of {cap_seconds:g} s reached after {done} of {total} runs")


@dataclass(frozen=True)
class Configuration:
    """A scenario with the dashboard's knobs applied.

    Attributes:
        scenario: The validated scenario that runs.
        name: The scenario's name (file stem, or the uploaded file's name).
        overrides: The dotted fields the knobs changed (as ``wijksim run --set``).
        scaled: What was scaled with the households (:mod:`wijksim.model.inputs.scaling`).
        seeds: The seeds run: ``1..seeds``.
    """

    scenario: Scenario
    name: str
    overrides: dict[str, Any] = field(default_factory=dict)
    scaled: dict[str, list[float]] = field(default_factory=dict)
    seeds: int = 1

    @property
    def is_transition(self) -> bool:
        """Whether the run switches from the old system to a team after year 1."""
        return self.scenario.team is not None and self.scenario.transition.team_start_year > 1

    def seed_list(self) -> list[int]:
        """The seeds run (from 1, as the experiment commands)."""
        return list(range(1, self.seeds + 1))


def _structural_overrides(base: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """Overrides of the choices that set whole tables: funding form, split, access, type."""
    out: dict[str, Any] = {}
    funding = values.get("funding", AS_SCENARIO)
    if funding == NO_FUNDING:
        out["funding"] = None
    elif funding != AS_SCENARIO:
        out["funding"] = funding_of(funding)
    has_team = base.team is not None
    has_funding = has_team and (
        funding not in (AS_SCENARIO, NO_FUNDING) or (funding == AS_SCENARIO and base.funding)
    )
    split = values.get("split", AS_SCENARIO)
    if has_team and split != AS_SCENARIO:
        out["team.split"] = split_of(split)
    access = values.get("access", AS_SCENARIO)
    if has_funding and access != AS_SCENARIO:
        table = SpecialistAccess().model_dump(mode="json")
        table.update(access_options()[access])
        out[ACCESS_FIELD] = table
    alpha = neighbourhood_alpha(values.get("neighbourhood", AS_SCENARIO))
    if alpha is not None:
        out["population.vulnerability_alpha"] = alpha
    return out


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return not math.isclose(a, b, rel_tol=NUMBER_TOLERANCE, abs_tol=NUMBER_TOLERANCE)
    return a != b


def knob_overrides(base: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """The dotted-field overrides that the knob values make of ``base``.

    Only values that differ from the scenario (after the funding form, split, access
    option and neighbourhood type are applied) become overrides, so a knob left at its
    default leaves the field to the scenario and to scaling with the households.

    Raises:
        ScenarioError: If a value is not valid for the scenario (the field is named).
    """
    overrides = _structural_overrides(base, values)
    shaped = with_overrides(base, overrides) if overrides else base
    for knob in NUMBER_KNOBS:
        if knob.field is None or values.get(knob.key) is None:
            continue
        if knob.needs and getattr(shaped, knob.needs) is None:
            continue  # the knob's section is absent: nothing to set
        value = int(values[knob.key]) if knob.whole else float(values[knob.key])
        if _differs(value, current_value(shaped, knob.field)):
            overrides[knob.field] = value
    return overrides


def sized(base: Scenario, households: int | None) -> tuple[Scenario, dict[str, list[float]]]:
    """The scenario at ``households``, its per-neighbourhood amounts scaled as the CLI does.

    The knobs then start from the scaled values (a team of 0.4 FTE for 300 households of
    a 6,000-household scenario with 8 FTE), so that what a knob shows is what runs.
    """
    if households is None or households == base.total_households:  # a city: all of it
        return base, {}
    return with_overrides_scaled(base, {"population.households": int(households)})


def configure(base: Scenario, name: str, values: dict[str, Any]) -> Configuration:
    """The configuration of ``base`` with the knob ``values``.

    The households are applied first, scaling what grows with the neighbourhood
    (:func:`sized`); the other knobs then override what differs from that
    (:func:`knob_overrides`).

    Raises:
        ScenarioError: If a value is not valid for the scenario (the field is named).
    """
    scenario, scaled = sized(base, values.get("households"))
    rest = {key: value for key, value in values.items() if key != "households"}
    overrides = knob_overrides(scenario, rest)
    if overrides:
        scenario = with_overrides(scenario, copy.deepcopy(overrides))
    if scaled:
        overrides = {"population.households": int(values["households"]), **overrides}
    scaled = {k: v for k, v in scaled.items() if k not in overrides}
    return Configuration(scenario, name, overrides, scaled, int(values.get("seeds", 1)))


def counterfactual(scenario: Scenario) -> Scenario:
    """The old system continued: the same scenario without the team (and its contract)."""
    return with_overrides(scenario, {"team": None, "funding": None})


# ------------------------------------------------------------------------------- runs


def run_yearly(scenario_json: str, seed: int, progress: Callable[[int], None] | None = None):
    """One run of a scenario (as JSON, so it can be a cache key), aggregated by year.

    Returns:
        Columns ``year, metric, value``: flows summed, states averaged over the weeks
        (:func:`wijksim.experiments.analysis.statistics.yearly`), with the derived metrics of
        :func:`add_derived`.
    """
    scenario = Scenario.model_validate_json(scenario_json)
    result = run_simulation(scenario, seed=seed, progress=progress)
    return add_derived(yearly(result.steps))


def add_derived(table: pd.DataFrame) -> pd.DataFrame:
    """Add the sums shown: all waiting for specialists, and the municipality's costs."""
    keys = [c for c in table.columns if c not in ("metric", "value")]
    waiting = table[table["metric"].str.startswith("waiting_")]
    municipal = table[
        table["metric"].isin(
            ["cost_paid_by_municipality_wmo_eur", "cost_paid_by_municipality_youth_eur"]
        )
    ]
    extra = [
        waiting.groupby(keys, as_index=False)["value"].sum().assign(metric="waiting_specialist"),
        municipal.groupby(keys, as_index=False)["value"]
        .sum()
        .assign(metric="cost_municipality_eur"),
    ]
    return pd.concat([table, *extra], ignore_index=True)


@dataclass(frozen=True)
class Job:
    """One run to do: a variant of a configuration on one seed."""

    label: str
    scenario_json: str
    seed: int
    weeks: int


def jobs_of(config: Configuration, label: str = TRANSITION, old_system: bool = True) -> list[Job]:
    """The runs a configuration needs: every seed, and the old system for a transition.

    Args:
        config: The configuration.
        label: The variant name of its runs.
        old_system: Whether a transition also runs the old system continued.
    """
    scenarios = {label: config.scenario}
    if config.is_transition and old_system:
        scenarios[COUNTERFACTUAL] = counterfactual(config.scenario)
    weeks = config.scenario.years * WEEKS_PER_YEAR
    return [
        Job(variant, scenario.model_dump_json(), seed, weeks)
        for variant, scenario in scenarios.items()
        for seed in config.seed_list()
    ]


RunOne = Callable[[str, int, Callable[[int], None] | None], pd.DataFrame]
POLL_SECONDS = 0.2
"""How often the caller's thread reports progress and checks the time cap."""


def run_jobs(
    jobs: Sequence[Job],
    run_one: RunOne = run_yearly,
    cap_seconds: float = DEFAULT_TIME_CAP_SECONDS,
    report: Callable[[float, int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    prepare_thread: Callable[[threading.Thread], None] | None = None,
) -> pd.DataFrame:
    """Run the jobs in turn, reporting progress, and stop at the time cap.

    Each run goes on a worker thread while the calling thread reports progress and
    watches the clock: the app's progress bar is then only ever touched by the script's
    own thread, never from inside the cached run (where Streamlit would record it).

    Args:
        jobs: The runs.
        run_one: ``run_one(scenario_json, seed, progress)`` (a cached :func:`run_yearly`).
        cap_seconds: Stop once the runs together took longer than this.
        report: Called with the share of weeks done (0..1) and the runs finished.
        clock: Seconds (a parameter for tests).
        prepare_thread: Called with each worker thread before it starts (the app
            attaches its script context).

    Returns:
        Columns ``variant, seed, year, metric, value``.

    Raises:
        TimeCapExceeded: If the time cap is reached; the runs finished so far are kept
            by ``run_one``'s cache, so running again resumes.
    """
    total_weeks = sum(job.weeks for job in jobs) or 1
    started = clock()
    stop = threading.Event()
    weeks_before = 0
    frames = []
    for done, job in enumerate(jobs):
        outcome = _run_on_thread(job, run_one, stop, prepare_thread)
        try:
            while outcome.thread.is_alive():
                outcome.thread.join(POLL_SECONDS)
                if report is not None:
                    report(min((weeks_before + outcome.weeks) / total_weeks, 1.0), done)
                if clock() - started > cap_seconds:
                    stop.set()
        except BaseException:
            # The caller stopped (Streamlit stops a script this way when a widget changes):
            # stop the run too, rather than leave it computing beside the next one.
            stop.set()
            raise
        if outcome.error is not None:
            if isinstance(outcome.error, _Stopped):
                raise TimeCapExceeded(cap_seconds, done, len(jobs))
            raise outcome.error
        weeks_before += job.weeks
        if report is not None:
            report(weeks_before / total_weeks, done + 1)
        frames.append(outcome.table.assign(variant=job.label, seed=job.seed))
    table = pd.concat(frames, ignore_index=True)
    return table[["variant", "seed", "year", "metric", "value"]]


class _Stopped(Exception):
    """Raised inside a run at the time cap (so that the unfinished run is not cached)."""


@dataclass
class _Outcome:
    thread: threading.Thread | None = None
    weeks: int = 0
    table: pd.DataFrame | None = None
    error: BaseException | None = None


def _run_on_thread(job: Job, run_one: RunOne, stop: threading.Event, prepare) -> _Outcome:
    outcome = _Outcome()

    def tick(weeks: int = 1) -> None:
        outcome.weeks += weeks
        if stop.is_set():
            raise _Stopped

    def work() -> None:
        try:
            outcome.table = run_one(job.scenario_json, job.seed, tick)
        except BaseException as error:  # handed to the calling thread, raised there
            outcome.error = error

    outcome.thread = threading.Thread(target=work, name=f"wijksim-run-{job.seed}", daemon=True)
    if prepare is not None:
        prepare(outcome.thread)
    outcome.thread.start()
    return outcome


# ----------------------------------------------------------------------------- tables

KPIS: tuple[tuple[str, str, str], ...] = (
    ("share_self_reliant", N_("Self-reliant (zelfredzaam), share of households"), "share"),
    ("waiting_specialist", N_("Waiting for specialist care, households"), "count"),
    ("team_intake_queue", N_("Waiting for the team's intake, households"), "count"),
    ("escalations_total", N_("Escalations, per year"), "count"),
    ("cost_total_eur", N_("Spending, all payers, per year"), "eur"),
    ("cost_municipality_eur", N_("Spending by the municipality (Wmo and youth), per year"), "eur"),
)
"""The headline figures: metric, label and kind. Averaged over the years of each run (a
flow is then a yearly amount), then summarised over seeds."""


def run_means(table: pd.DataFrame) -> pd.DataFrame:
    """Each run's mean over its years: a state's level, a flow's amount per year.

    Args:
        table: Columns ``variant, seed, year, metric, value``.

    Returns:
        Columns ``variant, seed, metric, value``.
    """
    return table.groupby(["variant", "seed", "metric"], as_index=False, sort=False)["value"].mean()


def headline(table: pd.DataFrame, variant: str) -> pd.DataFrame:
    """Median and 90% band over seeds of the :data:`KPIS` of one variant."""
    means = run_means(table[table["variant"] == variant])
    means = means[means["metric"].isin([kpi for kpi, _, _ in KPIS])]
    summary = summarise(means, by=("metric",)).set_index("metric")
    return summary.reindex([kpi for kpi, _, _ in KPIS]).reset_index()


def bands(table: pd.DataFrame, variant: str, metrics: Sequence[str]) -> pd.DataFrame:
    """Median and 90% band over seeds per year of some metrics of one variant."""
    rows = table[(table["variant"] == variant) & table["metric"].isin(metrics)]
    return summarise(rows, by=("year", "metric"))


def transition_results(table: pd.DataFrame, config: Configuration) -> TransitionResults | None:
    """The transition curve, humps, break-even, payback and MKBA/GKBA of a transition run."""
    if not config.is_transition:
        return None
    # The yearly cost metrics, as the sweep report passes them (its payer table needs
    # ``cost_paid_by_*`` besides :func:`required_metrics`).
    wanted = table["metric"].str.startswith("cost_") | table["metric"].isin(required_metrics())
    costs = table[wanted & (table["metric"] != "cost_municipality_eur")]
    return analyse(
        costs,
        config.scenario.transition.team_start_year,
        DEFAULT_DISCOUNT_RATE,
        config.name,
        scenario=TRANSITION,
        reference=COUNTERFACTUAL,
    )


@dataclass(frozen=True)
class Comparison:
    """Two configurations on the same seeds, and their paired differences (B − A)."""

    totals: pd.DataFrame
    """Per KPI: ``metric, mean_difference, ci_low, ci_high, p05, p95, n`` (90% t-interval)."""
    by_year: pd.DataFrame
    """The same per ``year`` and metric."""


COMPARED = ("A", "B")
"""The variant names of the two configurations compared."""


def compare(table: pd.DataFrame) -> Comparison:
    """Paired differences B − A of the :data:`KPIS`, over the run and per year.

    Args:
        table: Runs of both configurations on the same seeds (columns of
            :func:`run_jobs`), variants ``A`` and ``B``; other variants are ignored.
    """
    kpis = [kpi for kpi, _, _ in KPIS]
    both = table[table["variant"].isin(COMPARED) & table["metric"].isin(kpis)]
    both = both.rename(columns={"variant": "condition"})
    totals = paired_differences(
        run_means(both.rename(columns={"condition": "variant"})).rename(
            columns={"variant": "condition"}
        ),
        "A",
        keys=("metric",),
    )
    by_year = paired_differences(both, "A", keys=("year", "metric"))
    return Comparison(totals.drop(columns="condition"), by_year.drop(columns="condition"))


def wide_by_seed(table: pd.DataFrame) -> pd.DataFrame:
    """The yearly metrics with one column per metric: what an analyst opens in Excel."""
    wide = table.pivot_table(
        index=["variant", "seed", "year"], columns="metric", values="value", sort=False
    )
    return wide.reset_index().rename_axis(columns=None)


def flow_or_state(metric: str) -> str:
    """``flow`` (summed over a year's weeks) or ``state`` (averaged)."""
    return "flow" if is_flow(metric) else "state"


# ------------------------------------------------------------------------------ files

# The downloads are written as the command line writes its tables
# (:mod:`wijksim.experiments.reports.table_files`): one code path decides the headers and their
# units, the about sheet, and the CSV format of each language.

WIDE_INDEX: tuple[str, ...] = ("variant", "seed", "year")
"""The columns of :func:`wide_by_seed` that are not metrics."""


def metric_columns(table: pd.DataFrame) -> tuple[str, ...]:
    """The columns of a :func:`wide_by_seed` table that hold model metrics."""
    return tuple(str(c) for c in table.columns if c not in WIDE_INDEX)


def csv_bytes(table: pd.DataFrame, language: str, metrics: Sequence[str] = ()) -> bytes:
    """A table as the command line writes its CSV: readable headers, the language's format.

    Args:
        table: The table, with raw column names.
        language: ``nl`` (``;``-separated, decimal comma) or ``en``.
        metrics: Its columns that hold model metrics (:func:`metric_columns`).
    """
    readable = readable_tables({"table": table}, language, metrics=metrics)["table"]
    return table_files.csv_bytes(readable, language)


def excel_bytes(
    tables: dict[str, pd.DataFrame],
    provenance: Provenance,
    language: str,
    metrics: Sequence[str] = (),
) -> bytes:
    """The tables as the command line writes its workbook: the about sheet, a sheet each."""
    unlabelled: list[str] = []
    readable = readable_tables(tables, language, unlabelled, metrics)
    return table_files.workbook_bytes(readable, provenance, language, unlabelled)


def provenance(config: Configuration, other: Configuration | None = None) -> Provenance:
    """The about sheet of a configuration's tables (and of ``other``'s, compared with it)."""
    seeds = config.seed_list()
    households = config.scenario.total_households
    years = config.scenario.years
    scaled = ", ".join(f"{k} {old:g} → {new:g}" for k, (old, new) in config.scaled.items())
    details: dict[str, object] = {table_files.SCALED: scaled or "–"}
    if other is not None:
        if other.scenario.total_households != households:
            households = f"{households} (A), {other.scenario.total_households} (B)"
        if other.scenario.years != years:
            years = f"{years} (A), {other.scenario.years} (B)"
        shown = ", ".join(overrides_text(other.overrides)) or "–"
        details[table_files.OVERRIDES_B] = shown
    return Provenance(
        command="dashboard",
        scenario=config.name,
        overrides=config.overrides,
        households=households,
        years=years,
        seeds=seeds,
        details=details,
    )


def figure_png(figure) -> bytes:
    """A matplotlib figure as PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def scenario_toml(config: Configuration, _: Translate | None = None) -> str:
    """A scenario file that reproduces the configuration: every field, written out.

    Written in full rather than as ``extends`` plus overrides, so that it reproduces the
    run even where the base file (an upload) is not at hand; run it with
    ``wijksim run FILE --seed N`` for each seed.
    """
    seeds = config.seed_list()
    document = tomlkit.document()
    document.add(tomlkit.comment(f"wijksim dashboard: {config.name}"))
    shown = ", ".join(f"{k}={v}" for k, v in config.overrides.items() if not isinstance(v, dict))
    document.add(tomlkit.comment(f"overrides: {shown or 'none'}"))
    document.add(tomlkit.comment(f"seeds {seeds[0]}..{seeds[-1]}: wijksim run THIS_FILE --seed N"))
    for key, value in _without_none(config.scenario.model_dump(mode="json")).items():
        document[key] = value
    return tomlkit.dumps(document)


def check_time_cap(cap: Any) -> float:
    """A positive time cap in seconds.

    Raises:
        ScenarioError: Naming the setting, for anything else.
    """
    try:
        value = float(cap)
    except (TypeError, ValueError):
        value = -1.0
    if not value > 0:
        raise ScenarioError("<dashboard>", f"expected a time cap > 0 s, found {cap!r}")
    return value
