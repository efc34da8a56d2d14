"""Observed targets as data, and how a scenario's runs compare with them (issue 16, item 1).

The targets live in ``data/targets.toml`` (installed as ``wijksim.data``): Dutch figures
the old system must reproduce, each with its band in the model's unit, the population
and years it refers to, its source in ``docs/sources.md`` and how a national figure is
scaled to the model's neighbourhood. :func:`load_targets` reads and validates the file
(one-line errors, as for scenarios); :func:`evaluate` computes every target's metric
(:mod:`wijksim.experiments.analysis.target_metrics`) on one run; :func:`compare` summarises
several seeds (median and 90% band) against the targets' bands.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from wijksim.experiments.analysis.target_metrics import METRICS, RunOutputs, Window
from wijksim.model.inputs.scenario_io import ScenarioError

SOURCE_ID = r"^S[0-9]+$"
"""Keys of docs/sources.md: S1, S2, ..."""


class TargetsError(ScenarioError):
    """The targets file cannot be read; the message is one line meant for the user."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ObservedFigure(_Strict):
    """The figure as its source gives it, in the source's unit."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str
    years: str
    population: str

    @model_validator(mode="after")
    def _some_figure(self) -> ObservedFigure:
        if self.value is None and self.low is None and self.high is None:
            raise ValueError("expected a value or a low/high, found none")
        return self


class SourceRef(_Strict):
    """Where the figure comes from: a key of docs/sources.md and a locator in it."""

    id: Annotated[str, Field(pattern=SOURCE_ID)]
    locator: str
    verified: bool = True
    note: str = ""


class Target(_Strict):
    """One observed target and the model metric it is compared with."""

    label: str
    metric: str | None = None
    of: str | None = None
    years: tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]] | None = None
    value: float | None = None
    low: float
    high: float
    unit: str
    scaling: str
    observed: ObservedFigure
    source: SourceRef
    comparable: bool = True
    caveat: str = ""
    scheme: str | None = None
    requires_team: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if self.low > self.high:
            raise ValueError(f"expected low ≤ high, found low {self.low} > high {self.high}")
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"years: expected [first, last] ascending, found {list(self.years)}")
        if self.metric is None and self.comparable:
            raise ValueError("a target without a metric must say comparable = false")
        if not self.comparable and not self.caveat:
            raise ValueError("a target with comparable = false must give the reason in caveat")
        if self.metric is not None:
            self._check_metric()
        return self

    def _check_metric(self) -> None:
        spec = METRICS.get(self.metric)
        if spec is None:
            raise ValueError(
                f"metric: expected one of {', '.join(sorted(METRICS))}, found '{self.metric}'"
            )
        if spec.needs_of and not self.of:
            raise ValueError(f"of: metric '{self.metric}' needs an argument, found none")


class TargetsFile(_Strict):
    """The whole targets file."""

    version: Literal[1]
    targets: dict[str, Target]


def shipped_targets_path() -> Path:
    """The targets file that ships with wijksim (``data/targets.toml``)."""
    return Path(str(resources.files("wijksim.data") / "targets.toml"))


def load_targets(path: Path | str | None = None) -> dict[str, Target]:
    """Read and validate a targets file (default: the shipped one).

    Raises:
        TargetsError: For a missing or malformed file, an unknown field, a wrong type,
            a band with low > high, or an unknown metric; one line naming the field.
    """
    path = Path(path) if path is not None else shipped_targets_path()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise TargetsError(path, f"malformed TOML: {error}") from None
    except OSError as error:
        raise TargetsError(path, f"cannot be read: {error.strerror}") from None
    try:
        # Through JSON, as scenarios are read: TOML arrays become tuples where declared.
        return TargetsFile.model_validate_json(json.dumps(data)).targets
    except ValidationError as error:
        raise _one_line(error, path) from None


def _one_line(error: ValidationError, path: Path) -> TargetsError:
    """The first validation error as one line: file, dotted field, what was expected."""
    first = error.errors()[0]
    dotted = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "expected a value, found none"
    elif "input" in first and not message.startswith("expected"):
        found = repr(first["input"])
        message = f"{message[0].lower()}{message[1:]}, found {found[:60]}"
    # A check of a whole target names its own field first ("of: metric ... needs ...").
    named, sep, rest = message.partition(": ")
    if sep and named.isidentifier() and named in Target.model_fields:
        return TargetsError(path, rest, f"{dotted}.{named}")
    return TargetsError(path, message, dotted or None)


@dataclass(frozen=True)
class Applicability:
    """Why a target is or is not compared with a run."""

    applies: bool
    reason: str = ""


def applicability(target: Target, run: RunOutputs) -> Applicability:
    """Whether ``target`` concerns this run (its scheme, whether it has a team)."""
    scheme = run.scenario["classification"]["scheme"]
    if target.scheme is not None and target.scheme != scheme:
        return Applicability(False, f"scheme {target.scheme} only")
    if target.requires_team and run.scenario.get("team") is None:
        return Applicability(False, "needs a team")
    return Applicability(True)


def window_for(target: Target, run_years: list[int]) -> tuple[Window, bool]:
    """The target's window clipped to the run; ``True`` if the run missed it entirely.

    A run that ends before the target's window begins (a short test run) is measured
    over all its years instead, and the caller says so.
    """
    first, last = run_years[0], run_years[-1]
    if target.years is None:
        return (first, last), False
    start, end = max(target.years[0], first), min(target.years[1], last)
    if start > end:
        return (first, last), True
    return (start, end), False


def evaluate(targets: dict[str, Target], run: RunOutputs) -> dict[str, float | None]:
    """Every applicable target's simulated value on one run (``None``: not measurable)."""
    values: dict[str, float | None] = {}
    for name, target in targets.items():
        if target.metric is None or not applicability(target, run).applies:
            continue
        window, _ = window_for(target, run.years)
        spec = METRICS[target.metric]
        values[name] = spec.function(run, window, target.of)
    return values


BAND_QUANTILES = (0.05, 0.95)
"""The simulated band over seeds: the central 90%."""


def compare(targets: dict[str, Target], runs: list[RunOutputs]) -> pd.DataFrame:
    """One row per target: band, simulated median and 90% band over runs, and verdict.

    ``verdict`` is ``inside`` or ``outside`` (the median against the band) for
    comparable targets, ``not comparable`` (shown for information), ``n/a`` when the
    target does not concern these runs, and ``no data`` when no run could measure it.
    """
    values = [evaluate(targets, run) for run in runs]
    rows = []
    for name, target in targets.items():
        reason = applicability(target, runs[0])
        measured = [v[name] for v in values if v.get(name) is not None]
        row = {
            "target": name,
            "label": target.label,
            "unit": target.unit,
            "low": target.low,
            "high": target.high,
            "median": np.nan,
            "q05": np.nan,
            "q95": np.nan,
            "runs": len(measured),
            "verdict": "",
            "note": "",
        }
        if measured:
            row["median"] = float(np.median(measured))
            row["q05"], row["q95"] = (float(q) for q in np.quantile(measured, BAND_QUANTILES))
        row["verdict"], row["note"] = _verdict(target, reason, row["median"], runs)
        rows.append(row)
    return pd.DataFrame(rows)


def _verdict(
    target: Target, reason: Applicability, median: float, runs: list[RunOutputs]
) -> tuple[str, str]:
    if not reason.applies:
        return "n/a", reason.reason
    if target.metric is None:
        return "not comparable", "no model metric"
    if np.isnan(median):
        return "no data", "nothing to measure in these runs"
    _, missed = window_for(target, runs[0].years)
    note = "run ends before the target's years: all years used" if missed else ""
    if not target.comparable:
        return "not comparable", note
    inside = target.low <= median <= target.high
    return ("inside" if inside else "outside"), note
