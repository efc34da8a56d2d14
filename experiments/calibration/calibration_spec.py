"""What a multi-target calibration fits, against which targets, and with how many runs.

A calibration file (TOML, shipped in ``data/calibration/``) names the uncertain
parameters as dotted scenario fields with their plausible ranges and the reason for each
range, the targets of ``data/targets.toml`` to fit, and the design of the history
matching (:mod:`~.history_matching`): points per wave, waves, replicate
seeds, households and years of every run, the implausibility cut-off and the model
discrepancy. ``wijksim calibrate SCENARIO --spec FILE`` fits any scenario with it.

Example::

    households = 3000
    years = 10
    seeds = 2
    points_per_wave = 120
    waves = 2
    targets = ["share_complex", "evictions"]

    [parameters."escalations.eviction.hazard_per_week"]
    low = 0.0005
    high = 0.02
    log = true
    why = "the shipped 0.01 gave ~25 times the Dutch eviction rate"
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from wijksim.experiments.analysis.target_metrics import METRICS
from wijksim.experiments.analysis.targets import Target
from wijksim.experiments.calibration.calibrate import CALIBRATION_SEED_BASE
from wijksim.experiments.calibration.history_matching import Band, Parameter
from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.scenario_io import ScenarioError, with_overrides

SHIPPED_SPECS = Path(str(resources.files("wijksim.data") / "calibration"))
"""The calibration files shipped with wijksim (``data/calibration/*.toml``)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ParameterRange(_Strict):
    """One uncertain parameter's plausible range."""

    low: float
    high: float
    log: bool = False
    """Sample uniformly in log(value): for rates and sizes uncertain by orders of
    magnitude."""
    why: str
    """Where the range comes from (a source, or "assumption" and the reasoning)."""

    @model_validator(mode="after")
    def _ordered(self) -> ParameterRange:
        if not self.low < self.high:
            raise ValueError(f"expected low < high, found {self.low} and {self.high}")
        if self.log and self.low <= 0:
            raise ValueError(f"expected low > 0 for a log range, found {self.low}")
        return self


class CalibrationSpec(_Strict):
    """A calibration file (see the module docstring)."""

    name: str = ""
    description: str = ""
    households: Annotated[int, Field(ge=100)] = 3000
    years: Annotated[int, Field(ge=1)] = 10
    seeds: Annotated[int, Field(ge=2)] = 2
    """Replicates per parameter set: at least 2, for the seed variance in the
    implausibility."""
    first_seed: Annotated[int, Field(ge=0)] = CALIBRATION_SEED_BASE
    points_per_wave: Annotated[int, Field(ge=10)] = 100
    waves: Annotated[int, Field(ge=1)] = 2
    design_seed: Annotated[int, Field(ge=0)] = 0
    cutoff: Annotated[float, Field(gt=0)] = 3.0
    """Implausibility cut-off (three sigma, Pukelsheim 1994)."""
    discrepancy_share: Annotated[float, Field(ge=0)] = 0.0
    """Model discrepancy's standard deviation as a share of each band's middle."""
    minimum_kept: Annotated[int, Field(ge=2)] = 10
    accept: Literal["implausibility", "every_band"] = "implausibility"
    """Which sets the ensemble keeps: those not ruled out (``"implausibility"``), or
    only those whose mean over seeds also lies inside every band (``"every_band"``;
    the waves then draw around those once there are ``minimum_kept``)."""
    polish_generations: Annotated[int, Field(ge=0)] = 0
    """Generations of CMA-ES after the waves, from the best point towards every band
    (:mod:`wijksim.experiments.calibration.calibration_polish`); 0: none."""
    polish_population: Annotated[int, Field(ge=4)] = 16
    """Parameter sets per polishing generation."""
    polish_sigma: Annotated[float, Field(gt=0, le=0.5)] = 0.1
    """The polish's first step, as a share of each parameter's (unit-scaled) range."""
    targets: list[str]
    parameters: dict[str, ParameterRange]
    set: dict[str, Any] = {}
    """Overrides applied to the scenario before any parameter (as in a sweep)."""

    def parameter_list(self) -> list[Parameter]:
        """The parameters, in the file's order."""
        return [Parameter(n, r.low, r.high, r.log) for n, r in self.parameters.items()]


def find_spec(name_or_path: str | Path) -> Path:
    """A calibration file by path, or by the name of a shipped one."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ScenarioError(path, "calibration file not found")
        return path
    shipped = SHIPPED_SPECS / f"{name_or_path}.toml"
    if not shipped.is_file():
        known = ", ".join(sorted(p.stem for p in SHIPPED_SPECS.glob("*.toml"))) or "none"
        raise ScenarioError(
            "<command line>", f"expected a calibration file or one of: {known}", "--spec"
        )
    return shipped


def load_spec(name_or_path: str | Path) -> tuple[CalibrationSpec, Path]:
    """Read and validate a calibration file; errors are one line naming file and field."""
    path = find_spec(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScenarioError(path, f"is not valid TOML ({error})") from None
    data.setdefault("name", path.stem)
    try:
        return CalibrationSpec.model_validate(data), path
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ScenarioError(path, first["msg"], where) from None


STEP_METRICS_ONLY = frozenset(
    {
        "complex_with_children_share",
        "cost_per_complex_household_with_children_year",
        "share_of_households_with_half_the_cost",
        "share_of_households_with_half_the_year_cost",
    }
)
"""Metrics read from the final household table, which sweep runs do not keep: checked
after the fit with ``wijksim targets``, not fitted."""


def check_spec(
    spec: CalibrationSpec, path: Path, targets: dict[str, Target], scenario: Scenario
) -> list[Band]:
    """The spec's targets as bands, after checking they can be fitted on ``scenario``.

    Each target must exist, be comparable, concern the scenario's classification scheme
    and read the per-step table; each parameter must be a field of the scenario that
    takes both ends of its range.
    """
    bands = []
    scheme = scenario.classification.scheme
    for index, name in enumerate(spec.targets):
        where = f"targets[{index}]"
        if name not in targets:
            raise ScenarioError(
                path, f"expected a target of data/targets.toml, found '{name}'", where
            )
        target = targets[name]
        if not target.comparable or target.metric is None:
            raise ScenarioError(path, f"target '{name}' is not comparable with the model", where)
        if target.metric in STEP_METRICS_ONLY or target.metric not in METRICS:
            raise ScenarioError(
                path,
                f"target '{name}' reads the household table; check it with `wijksim targets`",
                where,
            )
        if target.scheme is not None and target.scheme != scheme:
            raise ScenarioError(
                path, f"target '{name}' is for scheme {target.scheme}, not {scheme}", where
            )
        if target.requires_team and scenario.team is None:
            raise ScenarioError(path, f"target '{name}' needs a team; the scenario has none", where)
        bands.append(Band(name, target.low, target.high))
    base = with_overrides(scenario, spec.set) if spec.set else scenario
    for name, bounds in spec.parameters.items():
        for value in (bounds.low, bounds.high):
            try:
                with_overrides(base, {name: value})
            except ScenarioError as error:
                raise ScenarioError(path, error.message, f"parameters.{name}") from None
    return bands
