"""Calibration: fit the drift hazards so that the old system settles at target shares.

Which parameters: shares alone identify only the *ratio* of drift to recovery, so the
level is fitted through ``hazards.drift_scale`` (recovery keeps its scale), and the split
between basic and complex households through ``hazards.vulnerability_effect`` (how
unevenly drift falls on vulnerable households). The initial state is then fitted
separately (``population.initial_severity``) so that year 0 starts near the targets.

How: Nelder–Mead (scipy) on the squared distance, in percentage points, between the
target shares and the mean simulated shares over the calibration window, with the same
seeds at every evaluation (common random numbers make the objective deterministic).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import tomlkit
from scipy import optimize
from wijksim.model.config.classification import NeedClassifier
from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.scaling import with_overrides_scaled
from wijksim.model.inputs.scenario_io import ScenarioError, find_scenario, with_overrides
from wijksim.model.model import WEEKS_PER_YEAR, NeighbourhoodModel
from wijksim.model.state.population import initialise_population
from wijksim.model.state.streams import RandomStreams

CALIBRATION_SEED_BASE = 10_000
"""Calibration seeds are 10000, 10001, …: apart from the seeds users pick for runs."""


@dataclass
class CalibrationFit:
    """The outcome of a calibration."""

    drift_scale: float
    vulnerability_effect: float
    initial_severity: float
    target: dict[str, float]
    achieved: dict[str, float]
    seeds: int
    households: int
    evaluations: int

    def report(self) -> str:
        """A short table of target against achieved shares."""
        lines = [f"{'group':<30}{'target %':>10}{'achieved %':>12}"]
        for name, share in self.target.items():
            lines.append(f"{name:<30}{share * 100:>10.1f}{self.achieved[name] * 100:>12.1f}")
        lines.append(
            f"drift_scale = {self.drift_scale:.4f}, vulnerability_effect = "
            f"{self.vulnerability_effect:.4f}, initial_severity = {self.initial_severity:.4f} "
            f"({self.evaluations} evaluations, {self.seeds} seeds × {self.households} households)"
        )
        return "\n".join(lines)


def window_shares(model: NeighbourhoodModel, window: tuple[int, int]) -> dict[str, float]:
    """Mean share of each need group over the years ``window`` (inclusive) of a run."""
    first, last = window
    records = [r for r in model.records if first <= r["year"] <= last]
    return {
        name: float(np.mean([r[f"share_{name}"] for r in records]))
        for name in model.classifier.names
    }


def simulated_shares(scenario: Scenario, seeds: list[int]) -> dict[str, float]:
    """Mean need-group shares over the calibration window and the given seeds."""
    window = scenario.classification.calibration_window_years
    runs = []
    for seed in seeds:
        model = NeighbourhoodModel(scenario, seed=seed)
        model.run(window[1] * WEEKS_PER_YEAR)
        runs.append(window_shares(model, window))
    return {name: float(np.mean([r[name] for r in runs])) for name in runs[0]}


def _distance(shares: dict[str, float], target: dict[str, float]) -> float:
    return sum(((shares[g] - t) * 100) ** 2 for g, t in target.items())


def fit_initial_severity(scenario: Scenario, seeds: list[int]) -> float:
    """The initial severity at which year 0's self-reliant share meets its target."""
    classifier = NeedClassifier(scenario.classification.group_definitions())
    target_first = scenario.classification.target_shares[classifier.names[0]]

    def gap(severity: float) -> float:
        params = scenario.population.model_copy(update={"initial_severity": severity})
        shares = []
        for seed in seeds:
            population = initialise_population(params, RandomStreams(seed).get("population"))
            shares.append(np.mean(classifier.classify(population.zrm) == 0))
        return float(np.mean(shares)) - target_first

    low, high = 0.0, 1.0
    if gap(high) > 0 or gap(low) < 0:
        return scenario.population.initial_severity
    return float(optimize.brentq(gap, low, high, xtol=1e-4))


def calibrate(
    scenario: Scenario,
    seeds: int = 3,
    households: int | None = None,
    max_evaluations: int = 80,
    log: Callable[[str], None] | None = None,
) -> CalibrationFit:
    """Fit ``drift_scale``, ``vulnerability_effect`` and ``initial_severity``.

    Args:
        scenario: The scenario to calibrate (its ``classification.target_shares``).
        seeds: Replicates per evaluation.
        households: Households per run (default: the scenario's).
        max_evaluations: Budget of the optimiser.
        log: Called with a line per evaluation, if given.
    """
    n = households or scenario.population.households
    # A team, if any, shrinks with the households, as for every --households.
    base, _scaled = with_overrides_scaled(scenario, {"population.households": n})
    seed_list = [CALIBRATION_SEED_BASE + i for i in range(seeds)]
    target = scenario.classification.target_shares
    evaluations = 0

    def candidate(x: np.ndarray) -> Scenario:
        return with_overrides(
            base,
            {"hazards.drift_scale": math.exp(x[0]), "hazards.vulnerability_effect": max(x[1], 0.0)},
        )

    def objective(x: np.ndarray) -> float:
        nonlocal evaluations
        evaluations += 1
        shares = simulated_shares(candidate(x), seed_list)
        distance = _distance(shares, target)
        if log:
            shown = ", ".join(f"{g} {s * 100:.1f}%" for g, s in shares.items())
            log(
                f"[{evaluations:3d}] drift_scale {math.exp(x[0]):.3f} vulnerability_effect "
                f"{max(x[1], 0.0):.3f}: {shown} (distance {distance:.2f})"
            )
        return distance

    start = np.array(
        [math.log(scenario.hazards.drift_scale), scenario.hazards.vulnerability_effect]
    )
    steps = np.array([[0.25, 0.0], [0.0, 0.5]])  # ×1.28 drift; +0.5 vulnerability effect
    simplex = np.vstack([start, start + steps[0], start + steps[1]])
    result = optimize.minimize(
        objective,
        start,
        method="Nelder-Mead",
        options={
            "maxfev": max_evaluations,
            "initial_simplex": simplex,
            "xatol": 0.005,
            "fatol": 0.01,
        },
    )
    fitted = candidate(result.x)
    severity = fit_initial_severity(fitted, seed_list)
    # Report the shares of exactly what is written: hazards and initial state together.
    fitted = with_overrides(fitted, {"population.initial_severity": severity})
    achieved = simulated_shares(fitted, seed_list)
    return CalibrationFit(
        drift_scale=fitted.hazards.drift_scale,
        vulnerability_effect=fitted.hazards.vulnerability_effect,
        initial_severity=severity,
        target=dict(target),
        achieved=achieved,
        seeds=seeds,
        households=n,
        evaluations=evaluations,
    )


def write_calibration(source: Path, target: Path, fit: CalibrationFit) -> None:
    """Write the fitted values into a scenario file, keeping its comments.

    Args:
        source: The scenario file that was calibrated.
        target: Where to write (``source`` itself to update it in place).
        fit: The calibration's outcome.
    """
    document = tomlkit.parse(Path(source).read_text())
    values = {
        ("hazards", "drift_scale"): round(fit.drift_scale, 5),
        ("hazards", "vulnerability_effect"): round(fit.vulnerability_effect, 5),
        ("population", "initial_severity"): round(fit.initial_severity, 5),
    }
    for (section, key), value in values.items():
        if section not in document:
            document[section] = tomlkit.table()
        document[section][key] = value
    record = tomlkit.table()
    record["fitted"] = [f"{s}.{k}" for s, k in values]
    record["achieved_shares"] = {g: round(s, 5) for g, s in fit.achieved.items()}
    record["seeds"] = fit.seeds
    record["households"] = fit.households
    record["evaluations"] = fit.evaluations
    record["date"] = date.today().isoformat()
    document["calibrated"] = record
    keep_extends_resolvable(document, Path(source), Path(target))
    staging = Path(target).with_suffix(".toml.tmp")
    staging.write_text(tomlkit.dumps(document))
    staging.replace(target)


def keep_extends_resolvable(document, source: Path, target: Path) -> None:
    """Point ``extends`` at the same base file from the target's folder.

    A relative ``extends`` is read against the file's own folder, so a calibrated copy
    written elsewhere would lose its base; then the base's absolute path is written.
    A shipped scenario's name resolves from anywhere and is kept as it is.
    """
    parent = document.get("extends")
    if not isinstance(parent, str):
        return
    intended = find_scenario(parent, referenced_from=source).resolve()
    try:
        found = find_scenario(parent, referenced_from=target).resolve()
    except ScenarioError:
        found = None
    if found != intended:
        document["extends"] = str(intended)
