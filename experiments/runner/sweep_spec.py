"""What a sweep runs: a base scenario × variants × a grid of overrides × seeds.

A sweep file (TOML) names a base scenario, optionally some named variants (each its own
scenario and overrides), optionally a grid (every combination of the listed values), and
the seeds. :func:`load_sweep` validates it, and :func:`plan_runs` expands it into
:class:`RunTask` objects, each a fully validated scenario with a seed and a stable id, so
a run means the same thing in every process, on every worker, and after a restart.

Example sweep file::

    name = "team_size"
    scenario = "integral_team"
    seeds = 10                      # seeds first_seed .. first_seed + 9
    reference = "old_system"        # paired differences are taken against this variant

    [set]                           # applies to every run
    years = 10

    [[variants]]
    name = "old_system"
    without = ["team"]              # drop an optional section: the counterfactual

    [[variants]]
    name = "team"

    [grid]                          # every combination, within each variant
    "team.frontline_fte" = [8, 16]

One piece over 300 lines: the sweep file's schema, its validation and the plan of runs (ids,
fingerprints) must agree, and are read together.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from wijksim.model import revision
from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.plugins import import_plugins, imported_plugins
from wijksim.model.inputs.scaling import scale_to_households, sets_households
from wijksim.model.inputs.scenario_io import (
    OPTIONAL_SECTIONS,
    ScenarioError,
    check_schedule,
    did_you_mean,
    first_error,
    load_scenario,
    read_toml_file,
    reject_dates,
    user_location,
    valid_fields,
    with_overrides,
)

import wijksim

SHIPPED_SWEEPS = Path(__file__).resolve().parents[1] / "sweeps"

Scalar = bool | int | float | str
MAX_RUNS = 100_000
"""Sweeps with more runs need ``--allow-large`` (assumption: 100,000 runs of the default
scenario are days of a cluster and ~20 GB of run files; ``seeds = 10**7`` was a typo)."""
SWEEP_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
"""Strict like the scenario schema: ``seeds = "2"`` is an error, not 2 (issue 19, item 3)."""


class VariantSpec(BaseModel):
    """One named variant of the base scenario."""

    model_config = SWEEP_CONFIG

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    """Used in run ids and tables: letters, digits, ``_ . -``."""
    scenario: str | None = None
    """Scenario name or file; the sweep's ``scenario`` when omitted."""
    set: dict[str, Scalar | list[Scalar] | dict[str, Any]] = {}
    """Dotted-field overrides for this variant (a table replaces a section's fields:
    ``"team.split" = {configuration = "focus", …}``)."""
    without: list[str] = []
    """Optional sections to remove (``["team"]``: the old system as counterfactual).
    Grid fields inside a removed section do not apply to this variant."""


class SweepSpec(BaseModel):
    """A sweep file, validated."""

    model_config = SWEEP_CONFIG

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    scenario: str = "old_system"
    seeds: Annotated[int, Field(ge=1)] | list[Annotated[int, Field(ge=0)]] = 10
    """A count (seeds ``first_seed, first_seed + 1, …``) or an explicit list."""
    first_seed: Annotated[int, Field(ge=0)] = 1
    scale_with_households: bool = True
    """Whether a run that overrides ``population.households`` scales the team's FTE and
    the other per-neighbourhood sums with it (:mod:`wijksim.model.inputs.scaling`), except the
    ones its overrides set; ``false`` holds them fixed (a grid over neighbourhood sizes
    with one team)."""
    analysis: Literal["transition", "funding", "teams"] | None = None
    """An analysis the report adds: ``"transition"`` needs variants ``transition`` and
    ``counterfactual``; ``"funding"`` adds the incentive table of App. III.4 against the
    reference variant; ``"teams"`` compares team splits with the integral team (variants
    named ``configuration__form__neighbourhood``, as ``wijksim compare-teams`` makes them)."""
    reference: str | None = None
    """Variant that paired differences are taken against; the first variant by default."""
    plugins: list[str] = []
    """Modules imported before every run (for rules that partners register). They are
    Python code and run with the user's permissions: imported only after the sweep file
    and its scenarios have validated (issue 19, item 6)."""
    set: dict[str, Scalar | list[Scalar] | dict[str, Any]] = {}
    parameter_sets: list[dict[str, Scalar]] = []
    """Parameter sets (dotted-field overrides, e.g. drawn from a calibrated ensemble by
    ``--parameter-sets N``): every variant and grid condition runs on every set, each set
    on its own seeds (:func:`replicates`), so paired differences stay paired within a
    set and the spread over runs combines parameter and stochastic uncertainty."""
    variants: list[VariantSpec] = []
    grid: dict[str, list[Scalar | list[Scalar]]] = {}

    def run_count(self) -> int:
        """How many runs the sweep plans (before any grid field is left out)."""
        seeds = self.seeds if isinstance(self.seeds, int) else len(self.seeds)
        combinations = 1
        for values in self.grid.values():
            combinations *= len(values)
        sets = max(1, len(self.parameter_sets))
        return max(1, len(self.variants)) * combinations * seeds * sets

    def seed_list(self) -> list[int]:
        """The seeds, in order."""
        if isinstance(self.seeds, int):
            return list(range(self.first_seed, self.first_seed + self.seeds))
        return list(self.seeds)


@dataclass(frozen=True)
class RunTask:
    """One run of a sweep: everything a worker needs, and nothing it must look up.

    Attributes:
        run_id: Stable, readable and unique within the sweep (used as file name).
        variant: The variant's name.
        condition: The variant with its grid values (``team [team.frontline_fte=8]``):
            what a run is a replicate of.
        params: The grid values of this run (``{"team.frontline_fte": 8}``).
        seed: The run's seed.
        scenario: The validated scenario, with every override applied.
        scenario_name: The scenario the variant started from.
        fingerprint: Hash of the scenario, seed, model revision and wijksim version: a
            finished run is only reused if its fingerprint matches.
        plugins: Modules to import before running.
        scaled: Per-neighbourhood amounts scaled with the households,
            ``{field: [from, to]}`` (:mod:`wijksim.model.inputs.scaling`).
    """

    run_id: str
    variant: str
    condition: str
    params: dict[str, Any]
    seed: int
    scenario: Scenario = field(repr=False)
    scenario_name: str
    fingerprint: str
    plugins: tuple[str, ...] = ()
    scaled: dict[str, list[float]] = field(default_factory=dict)


def find_sweep(name_or_path: str | Path) -> Path:
    """A sweep file by path, or by the name of a shipped sweep."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ScenarioError(path, "sweep file not found")
        return path
    shipped = SHIPPED_SWEEPS / f"{name_or_path}.toml"
    if shipped.is_file():
        return shipped
    names = ", ".join(sorted(p.stem for p in SHIPPED_SWEEPS.glob("*.toml")))
    raise ScenarioError(name_or_path, f"no such sweep file or shipped sweep (shipped: {names})")


def load_sweep(name_or_path: str | Path) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep file.

    Raises:
        ScenarioError: Malformed TOML, an unknown key, or a value of the wrong type.
    """
    path = find_sweep(name_or_path)
    try:
        raw = read_toml_file(path)
    except ScenarioError as error:
        message = error.message.replace("malformed TOML", "not valid TOML")
        raise ScenarioError(path, message, error.field) from None
    reject_dates(raw, path, "")
    try:
        return SweepSpec.model_validate(raw), path
    except ValidationError as error:
        first = first_error(error)
        where = ".".join(user_location(first["loc"]))
        found = repr(first.get("input"))[:80]
        hint = ""
        if first["type"] == "extra_forbidden":  # sedes = 3: the nearest key (issue 17, item 6)
            location = user_location(first["loc"])
            hint = did_you_mean(location[-1], valid_fields(SweepSpec, location[:-1]))
        raise ScenarioError(path, f"{first['msg']} (found {found}){hint}", field=where) from None


MAX_READABLE_ID = 80
"""Longest readable part of a run id; with the hash and seed an id stays far below the
255 bytes a file name may have (issue 19, item 2)."""


SET_SEED_STRIDE = 1_000_000
"""With parameter sets, set k runs seed s as seed ``s + k × SET_SEED_STRIDE``: every
replicate has its own seed, and ``seed // SET_SEED_STRIDE`` names its set."""


def replicates(spec: SweepSpec, path: Path) -> list[tuple[int | None, int]]:
    """Every replicate of a condition: ``(parameter set, seed)``.

    Without parameter sets, the seeds (set ``None``); with them, the seeds once per set,
    moved by :data:`SET_SEED_STRIDE` so that no two replicates share a seed.
    """
    seeds = spec.seed_list()
    if not spec.parameter_sets:
        return [(None, seed) for seed in seeds]
    if max(seeds) >= SET_SEED_STRIDE:
        raise ScenarioError(
            path, f"expected seeds below {SET_SEED_STRIDE:,} with parameter sets", "seeds"
        )
    return [
        (index, seed + index * SET_SEED_STRIDE)
        for index in range(len(spec.parameter_sets))
        for seed in seeds
    ]


def parameter_set_of(seed: int) -> int:
    """The parameter set a replicate's seed belongs to (0 without parameter sets)."""
    return seed // SET_SEED_STRIDE


def _slug(value: Any) -> str:
    text = "-".join(map(str, value)) if isinstance(value, list) else str(value)
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text)


def _canonical(value: Any) -> str:
    """A value as JSON: ``2``, ``2.0`` and ``"2"`` stay apart, as do ``"a b"`` and ``"a-b"``."""
    return json.dumps(value, sort_keys=True)


def run_id_for(variant: str, params: dict[str, Any], seed: int) -> str:
    """A run's id and file name: readable, unique within the sweep, and short.

    ``team__team.frontline_fte=8__seed3`` while every grid value reads back exactly from
    its slug and the id is short (so folders of earlier versions resume); otherwise
    the readable part is cut to :data:`MAX_READABLE_ID` characters and followed by
    ``~`` and a hash of the variant and the exact values (``~`` appears in no slug and
    no variant name, so a hashed id never equals a readable one).
    """
    label = "__".join(f"{key}={_slug(value)}" for key, value in params.items())
    readable = "__".join(filter(None, [variant, label]))
    exact = all(
        isinstance(value, int | float | str) and _slug(value) == str(value)
        for value in params.values()
    )
    if exact and len(readable) <= MAX_READABLE_ID:
        return f"{readable}__seed{seed}"
    text = _canonical([variant, [[key, value] for key, value in params.items()]])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return f"{readable[:MAX_READABLE_ID].rstrip('-._=')}~{digest}__seed{seed}"


def _refuse_duplicates(spec: SweepSpec, path: Path) -> None:
    """A seed or a grid value listed twice would run twice and count twice.

    Raises:
        ScenarioError: Naming the field and the repeated value.
    """
    if not isinstance(spec.seeds, int):
        seed = _first_repeat(spec.seed_list())
        if seed is not None:
            raise ScenarioError(path, f"seed {seed} is listed twice; list each seed once", "seeds")
    for key, values in spec.grid.items():
        text = _first_repeat(_canonical(value) for value in values)
        if text is not None:
            message = f"value {text} is listed twice; list each value once"
            raise ScenarioError(path, message, f"grid.{key}")


def _first_repeat(items) -> Any:
    """The first item seen before, or ``None``."""
    seen = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    return None


def fingerprint(scenario: Scenario, seed: int) -> str:
    """A short hash that changes when anything about the run changes.

    Scenario, seed, the model's revision and wijksim's version: after a change of the
    model a finished run no longer matches, so a resumed sweep cannot keep runs of the
    old code (issue 15, item 17).
    """
    # The [calibrated] record says how values were fitted; it changes no result.
    text = (
        scenario.model_dump_json(exclude={"calibrated"})
        + f"|seed={seed}|revision={revision.MODEL_REVISION}|wijksim={wijksim.__version__}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _scenario_for(
    spec: SweepSpec, variant: VariantSpec, path: Path
) -> tuple[Scenario, str, dict[str, Any], int]:
    """The variant's scenario, its name, its overrides and the file's households.

    Rule names are checked later, once the plugins that register them are imported.
    """
    name = variant.scenario or spec.scenario
    where = f"variants.{variant.name}"
    resolved = load_scenario(name, check_rules=False)
    for section in variant.without:
        if section not in OPTIONAL_SECTIONS:
            known = ", ".join(OPTIONAL_SECTIONS)
            raise ScenarioError(path, f"cannot remove '{section}'; only: {known}", where)
    overrides = {**spec.set, **variant.set, **dict.fromkeys(variant.without)}
    scenario = _apply(resolved.scenario, overrides, path, where)
    return scenario, resolved.name, overrides, resolved.scenario.population.households


def _scaled(
    spec: SweepSpec, scenario: Scenario, overrides: dict[str, Any], households: int
) -> tuple[Scenario, dict[str, list[float]]]:
    """The run's scenario with its per-neighbourhood amounts scaled to its households."""
    if not spec.scale_with_households or not sets_households(overrides):
        return scenario, {}
    return scale_to_households(scenario, households, explicit=overrides)


def _apply(scenario: Scenario, overrides: dict[str, Any], path: Path, where: str) -> Scenario:
    if not overrides:
        return scenario
    try:
        return with_overrides(scenario, overrides)
    except ScenarioError as error:
        raise ScenarioError(path, error.message, f"{where}.{error.field or '?'}") from None


def _import_plugins(spec: SweepSpec, path: Path) -> None:
    """Import the sweep's plugin modules here too, so their rules validate before running.

    Called only after everything else in the sweep has validated: a plugin is code, and
    an invalid sweep file must not run it (issue 19, item 6).
    """
    import_plugins(spec.plugins, path, "plugins")


def _worker_plugins(spec: SweepSpec, scenario: Scenario) -> tuple[str, ...]:
    """What a worker imports before a run: the command line's, sweep's, scenario's.

    Each once, in that order.
    """
    return tuple(dict.fromkeys((*imported_plugins(), *spec.plugins, *scenario.plugins)))


def _with_parameter_set(
    spec: SweepSpec,
    index: int | None,
    scenario: Scenario,
    explicit: dict[str, Any],
    path: Path,
    removed: list[str],
) -> Scenario:
    """The run's scenario with parameter set ``index`` applied (none: as it is).

    A field the variant, the grid or the sweep's ``set`` gives explicitly keeps that
    value: the set describes the world, the sweep what is compared in it. A field of a
    section the variant removes (``without``) is left out, as the grid's are: the team's
    parameters must not bring back the team a counterfactual has dropped.
    """
    if index is None:
        return scenario
    values = {
        k: v
        for k, v in spec.parameter_sets[index].items()
        if k not in explicit and k.split(".")[0] not in removed
    }
    return _apply(scenario, values, path, f"parameter_sets[{index}]")


def _check_before_planning(spec: SweepSpec, path: Path, allow_large: bool) -> None:
    """The sweep file's own consistency, and its size, before any scenario is built."""
    names = [v.name for v in spec.variants or [VariantSpec(name="base")]]
    if len(set(names)) != len(names):
        raise ScenarioError(path, f"variant names must be unique, found {names}", "variants")
    if spec.analysis == "transition" and not {"transition", "counterfactual"} <= set(names):
        raise ScenarioError(
            path, f"expected variants 'transition' and 'counterfactual', found {names}", "variants"
        )
    if spec.reference is not None and spec.reference not in names:
        raise ScenarioError(path, f"expected one of {names}, found '{spec.reference}'", "reference")
    count = spec.run_count()
    if count > MAX_RUNS and not allow_large:
        raise ScenarioError(
            path,
            f"plans {count:,} runs (variants × grid × seeds), more than {MAX_RUNS:,}; "
            "pass --allow-large to run them anyway",
            "seeds",
        )


def _check_rules_after_plugins(spec: SweepSpec, tasks: list[RunTask], path: Path) -> list[RunTask]:
    """Import the plugins, check every schedule and ``[rules]`` table.

    Returns:
        The tasks, each with the plugins its worker must import (a scenario's plugins
        are known only now).
    """
    _import_plugins(spec, path)
    for variant in spec.variants or [VariantSpec(name="base")]:
        load_scenario(variant.scenario or spec.scenario)  # an unknown rule: names its file
    for task in {t.fingerprint: t for t in tasks}.values():
        check_schedule(task.scenario, {}, path, f"variants.{task.variant}.schedule")
    return [replace(t, plugins=_worker_plugins(spec, t.scenario)) for t in tasks]


def _combinations(grid: dict[str, list], removed: list[str]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, leaving out fields of removed sections."""
    keys = [k for k in grid if k.split(".")[0] not in removed]
    return [
        dict(zip(keys, values, strict=True))
        for values in itertools.product(*(grid[k] for k in keys))
    ]


def plan_runs(spec: SweepSpec, path: Path, allow_large: bool = False) -> list[RunTask]:
    """Expand a sweep into its runs: variants × grid combinations × seeds.

    Every scenario is validated here, before anything runs, so a mistake in a sweep
    file stops it at once with the file and field named. Plugins are imported last,
    only for a sweep that is otherwise valid.

    Args:
        spec: The validated sweep file.
        path: The sweep file (named in errors).
        allow_large: Plan more than :data:`MAX_RUNS` runs.
    """
    _check_before_planning(spec, path, allow_large)
    variants = spec.variants or [VariantSpec(name="base")]
    _refuse_duplicates(spec, path)
    tasks: list[RunTask] = []
    for variant in variants:
        scenario, scenario_name, overrides, households = _scenario_for(spec, variant, path)
        same_scenario: dict[str, dict[str, Any]] = {}
        for params in _combinations(spec.grid, removed=variant.without):
            run_scenario = _apply(scenario, params, path, "grid")
            run_scenario, scaled = _scaled(spec, run_scenario, {**overrides, **params}, households)
            _refuse_same_scenario(same_scenario, run_scenario, params, variant.name, path)
            condition = variant.name
            if params:
                condition += " [" + ", ".join(f"{k}={v}" for k, v in params.items()) + "]"
            for parameter_set, seed in replicates(spec, path):
                replicate = _with_parameter_set(
                    spec,
                    parameter_set,
                    run_scenario,
                    {**overrides, **params},
                    path,
                    variant.without,
                )
                tasks.append(
                    RunTask(
                        run_id=run_id_for(variant.name, params, seed),
                        variant=variant.name,
                        condition=condition,
                        params=params,
                        seed=seed,
                        scenario=replicate,
                        scenario_name=scenario_name,
                        fingerprint=fingerprint(replicate, seed),
                        plugins=tuple(spec.plugins),
                        scaled=scaled,
                    )
                )
    _refuse_shared_ids(tasks, path)
    return _check_rules_after_plugins(spec, tasks, path)


def _refuse_same_scenario(
    seen: dict[str, dict[str, Any]],
    scenario: Scenario,
    params: dict[str, Any],
    variant: str,
    path: Path,
) -> None:
    """Refuse two grid combinations of one variant that give the same scenario.

    ``2`` and ``2.0`` for a number are one condition, which would be counted twice.

    Raises:
        ScenarioError: Naming the grid field whose values coincide.
    """
    key = fingerprint(scenario, 0)
    if key not in seen:
        seen[key] = params
        return
    earlier = seen[key]
    fields = [k for k in params if _canonical(params[k]) != _canonical(earlier.get(k))]
    where = f"grid.{fields[0]}" if fields else "grid"
    shown = ", ".join(f"{_canonical(earlier.get(k))} and {_canonical(params[k])}" for k in fields)
    raise ScenarioError(
        path, f"values {shown} give the same scenario in variant '{variant}'; list it once", where
    )


def _refuse_shared_ids(tasks: list[RunTask], path: Path) -> None:
    """Every run needs its own file; a shared id would lose one (never expected)."""
    shared = _first_repeat(t.run_id for t in tasks)
    if shared is not None:
        raise ScenarioError(path, f"two runs would share the id '{shared}'", "grid")
