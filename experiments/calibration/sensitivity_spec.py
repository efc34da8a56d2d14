"""What a global sensitivity analysis runs: parameters with ranges, a method, seeds, outputs.

A sensitivity file (TOML) names a base scenario, the uncertain parameters as dotted
scenario fields (as a sweep's grid names them) with their ranges, the method (Morris
screening or Sobol indices, both sampled by SALib), the seeds per sample point, the
households and years of every run, and the outputs to analyse. :func:`load_sensitivity`
validates it; :func:`sample_design` draws the sample points; :func:`plan_sensitivity`
turns every point and seed into :class:`~wijksim.experiments.runner.sweep_spec.RunTask` objects
of an ordinary sweep, so the sweep machinery runs them (serial, processes or Dask),
resumably, with the same fingerprints.

Example sensitivity file::

    name = "sensitivity_small"
    scenario = "transition"
    analysis = "transition"          # counterfactual runs too: the BCR outputs
    households = 3000
    years = 10
    seeds = 3                        # replicates per sample point, averaged
    outputs = ["escalations_per_1000_households_year", "bcr_society"]

    [method]
    name = "morris"                  # or "sobol" with n = 256
    trajectories = 10
    levels = 4

    [parameters]                     # uniform over [low, high]
    "escalations.eviction.hazard_per_week" = [0.002, 0.02]
    "team.support_effect_per_hour" = [0.03, 0.09]
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from wijksim.experiments.runner.sweep_spec import (
    SHIPPED_SWEEPS,
    RunTask,
    Scalar,
    SweepSpec,
    VariantSpec,
    plan_runs,
)
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, with_overrides

PER_RUN_OUTPUTS: tuple[str, ...] = (
    "escalations_per_1000_households_year",
    "spending_per_household_year_eur",
    "spending_per_household_year_eur_municipality_wmo",
    "spending_per_household_year_eur_municipality_youth",
    "spending_per_household_year_eur_insurer",
    "spending_per_household_year_eur_other",
    "team_intake_wait_weeks",
    "specialist_wait_weeks",
)
"""Outputs of one run (of the switch, for a transition base), over all simulated years."""
TRANSITION_OUTPUTS: tuple[str, ...] = ("bcr_society", "bcr_municipality")
"""Outputs of a pair of runs (switch and counterfactual on one seed): the transition's
benefit–cost ratio in the society (MKBA) and municipality (GKBA) views."""
OUTPUTS: tuple[str, ...] = (*PER_RUN_OUTPUTS, *TRANSITION_OUTPUTS)

POINT = "point"
"""The column of the sample point's number in every table."""
SWITCH, COUNTERFACTUAL = "transition", "counterfactual"
"""The two roles of a point's runs: its own run (the switch, for a transition base) and
the counterfactual (as ``wijksim transition`` names them)."""


class MorrisMethod(BaseModel):
    """Morris elementary-effects screening: ``trajectories × (k + 1)`` points."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["morris"]
    trajectories: Annotated[int, Field(ge=2)] = 10
    levels: Annotated[int, Field(ge=2)] = 4
    """Grid levels per parameter; 4 is the usual choice (Saltelli et al. 2008, ch. 3),
    with a step of ``levels / (2 (levels − 1))`` of the range."""


class SobolMethod(BaseModel):
    """Sobol indices from Saltelli's sample: ``n × (k + 2)`` points (no second order)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal["sobol"]
    n: Annotated[int, Field(ge=2)] = 256
    """Base sample size; a power of two keeps the Sobol sequence balanced."""

    @model_validator(mode="after")
    def _power_of_two(self) -> SobolMethod:
        if self.n & (self.n - 1):
            raise ValueError(f"expected a power of two, found {self.n}")
        return self


class SensitivitySpec(BaseModel):
    """A sensitivity file, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    scenario: str = "transition"
    analysis: Literal["transition"] | None = None
    """``"transition"``: every point also runs the counterfactual (the base without its
    team and funding) on the same seeds, for the benefit–cost ratios."""
    households: Annotated[int, Field(ge=1)] = 3000
    years: Annotated[int, Field(ge=1)] = 10
    seeds: Annotated[int, Field(ge=1)] = 3
    first_seed: Annotated[int, Field(ge=0)] = 1
    sample_seed: Annotated[int, Field(ge=0)] = 1
    """Seed of SALib's sampler and of its bootstrap confidence intervals."""
    outputs: list[Literal[OUTPUTS]] = []  # type: ignore[valid-type]
    """Outputs to analyse; all that apply when empty."""
    method: Annotated[MorrisMethod | SobolMethod, Field(discriminator="name")]
    set: dict[str, Scalar | list[Scalar] | dict[str, Any]] = {}
    """Fixed dotted-field overrides of every run, as in a sweep file."""
    parameters: dict[str, tuple[float, float]]
    """Dotted field → ``[low, high]``, sampled uniformly."""

    @field_validator("parameters")
    @classmethod
    def _ranges(cls, parameters: dict[str, tuple[float, float]]) -> dict:
        if len(parameters) < 2:
            raise ValueError("expected at least two parameters")
        for name, (low, high) in parameters.items():
            if not low < high:
                raise ValueError(f"{name}: expected low < high, found [{low}, {high}]")
        return parameters

    @field_validator("outputs")
    @classmethod
    def _transition_outputs(cls, outputs: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("analysis") is None and set(outputs) & set(TRANSITION_OUTPUTS):
            raise ValueError('the BCR outputs need analysis = "transition"')
        return outputs

    def output_names(self) -> list[str]:
        """The outputs analysed, in the order of :data:`OUTPUTS`."""
        wanted = self.outputs or (OUTPUTS if self.analysis else PER_RUN_OUTPUTS)
        return [name for name in OUTPUTS if name in wanted]

    def problem(self) -> dict[str, Any]:
        """The SALib problem dictionary."""
        return {
            "num_vars": len(self.parameters),
            "names": list(self.parameters),
            "bounds": [list(bounds) for bounds in self.parameters.values()],
        }

    def seed_list(self) -> list[int]:
        """The seeds of every sample point."""
        return list(range(self.first_seed, self.first_seed + self.seeds))


def load_sensitivity(name_or_path: str | Path) -> tuple[SensitivitySpec, Path]:
    """Read and validate a sensitivity file (a path, or the name of a shipped one).

    Raises:
        ScenarioError: Malformed TOML, an unknown key, a bad range, or a parameter that
            is not a numeric field of the base scenario.
    """
    path = Path(name_or_path)
    if path.suffix != ".toml" and not path.exists():
        path = SHIPPED_SWEEPS / f"{name_or_path}.toml"
    if not path.is_file():
        raise ScenarioError(name_or_path, "sensitivity file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, f"not valid TOML: {error}") from None
    try:
        spec = SensitivitySpec.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise ScenarioError(path, message, field=where or None) from None
    _check_parameters(spec, path)
    return spec, path


def _check_parameters(spec: SensitivitySpec, path: Path) -> None:
    """Each parameter must be a field of the base scenario that takes its range's ends."""
    base = load_scenario(spec.scenario).scenario
    base = with_overrides(base, spec.set) if spec.set else base
    for name, bounds in spec.parameters.items():
        for value in bounds:
            try:
                with_overrides(base, {name: value})
            except ScenarioError as error:
                raise ScenarioError(path, error.message, f"parameters.{name}") from None


def sample_design(spec: SensitivitySpec) -> pd.DataFrame:
    """The sample points: one row per point, ``point`` and one column per parameter.

    Morris: ``trajectories`` one-at-a-time trajectories of ``k + 1`` points on a grid of
    ``levels`` levels (SALib ``morris.sample``); Sobol: Saltelli's extension of a
    scrambled Sobol sequence, ``n (k + 2)`` points without second-order terms (SALib
    ``sobol.sample``). Both are seeded with ``sample_seed``: the same file always gives
    the same points.
    """
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = spec.problem()
    if spec.method.name == "morris":
        values = morris_sample.sample(
            problem,
            N=spec.method.trajectories,
            num_levels=spec.method.levels,
            seed=spec.sample_seed,
        )
    else:
        values = sobol_sample.sample(
            problem, spec.method.n, calc_second_order=False, seed=spec.sample_seed
        )
    design = pd.DataFrame(values, columns=problem["names"])
    design.insert(0, POINT, np.arange(len(design)))
    return design


def _optional_sections(spec: SensitivitySpec) -> list[str]:
    """What the counterfactual drops: the team, and the funding that pays it."""
    base = load_scenario(spec.scenario).scenario
    base = with_overrides(base, spec.set) if spec.set else base
    return [name for name in ("team", "funding") if getattr(base, name) is not None]


def point_variant(point: int, role: str | None = None) -> str:
    """The variant name of a sample point's runs: ``p0007`` or ``p0007.counterfactual``."""
    return f"p{point:04d}" + (f".{role}" if role == COUNTERFACTUAL else "")


def sweep_of(spec: SensitivitySpec, design: pd.DataFrame) -> SweepSpec:
    """The sensitivity analysis as a sweep: one variant per sample point (and role)."""
    removed = _optional_sections(spec) if spec.analysis == "transition" else []
    variants = []
    for row in design.itertuples(index=False):
        values = {name: float(row[i + 1]) for i, name in enumerate(spec.parameters)}
        variants.append(VariantSpec(name=point_variant(row[0]), set=values))
        if spec.analysis == "transition":
            variants.append(
                VariantSpec(name=point_variant(row[0], COUNTERFACTUAL), set=values, without=removed)
            )
    return SweepSpec(
        name=spec.name,
        scenario=spec.scenario,
        seeds=spec.seeds,
        first_seed=spec.first_seed,
        set={**spec.set, "population.households": spec.households, "years": spec.years},
        variants=variants,
    )


def plan_sensitivity(
    spec: SensitivitySpec, path: Path, design: pd.DataFrame
) -> tuple[SweepSpec, list[RunTask], pd.DataFrame]:
    """The runs of every sample point and seed, each identical scenario run only once.

    Points that differ only in fields of a section a counterfactual drops (the team's)
    have identical counterfactual runs: a Morris step in a team parameter leaves the
    counterfactual as it was. Such runs share one fingerprint and are run once.

    Returns:
        The sweep (for the manifest), its distinct tasks, and the run map: one row per
        ``point, role, seed`` with the ``run_id`` whose results it uses.
    """
    sweep = sweep_of(spec, design)
    tasks = plan_runs(sweep, path)
    distinct: dict[str, RunTask] = {}
    rows = []
    for task in tasks:
        kept = distinct.setdefault(task.fingerprint, task)
        point, _, role = task.variant.partition(".")
        rows.append(
            {
                POINT: int(point.removeprefix("p")),
                "role": role or SWITCH,
                "seed": task.seed,
                "run_id": kept.run_id,
            }
        )
    return sweep, list(distinct.values()), pd.DataFrame(rows)
