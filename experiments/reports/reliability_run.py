"""``wijksim reliability``: its settings, checked before any work, the run and the folder.

The analysis itself is in :mod:`wijksim.experiments.analysis.reliability_power` (S1 App. VI's
table) and :mod:`wijksim.experiments.analysis.reliability` (misranking, raw and shrunken); the
summary in :mod:`wijksim.experiments.reports.reliability_report`, the figure in
:mod:`wijksim.experiments.plots.reliability_plots`.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd
from wijksim.experiments.analysis.reliability import INDICATORS, misranking, simulate_counts
from wijksim.experiments.analysis.reliability_power import reproduce_table, rule_fits
from wijksim.experiments.runner.atomic import atomic_folder
from wijksim.experiments.runner.reliability_input import load_sweep
from wijksim.model.inputs.scenario_io import ScenarioError, read_toml_file

COMMAND_LINE = "<command line>"
DEFAULT_HOUSEHOLDS = (3000, 6000, 10000)
"""Utrecht's weak, vulnerable and strong neighbourhoods (S1 App. IV)."""
DEFAULT_PER_SIZE = 6
"""Neighbourhoods of each size: 18 in all (assumption: a city of ~110,000 households)."""
POWER_FACTOR = 8
"""The App. VI table simulates this many times ``replications`` providers per threshold:
a yes/no outcome needs more draws than a rate for the same precision."""
LIMITS = {"years": 50, "replications": 100_000, "households": 10_000_000, "units": 2_000}
"""Largest values accepted: beyond them the command would take hours or the memory."""
MAX_DRAWS = 50_000_000
"""replications × neighbourhoods × years: about 1.2 GB of tables beyond this."""


@dataclass
class ReliabilitySettings:
    """What ``wijksim reliability`` simulates.

    Attributes:
        households: Households of each neighbourhood size.
        per_size: Neighbourhoods of each size.
        indicator: ``escalations`` or ``self_reliant`` (:data:`INDICATORS`).
        mean: The city's mean rate (``None``: the indicator's default).
        spread: Between-neighbourhood sd relative to the mean (``None``: default).
        target: Settle against this rate instead of the city's observed mean.
        years: Years observed; settlements pool the first 1, 2, ... of them (with a
            source folder: at most this many of its years).
        replications: Simulated cities.
        seed: Seed of the random generator.
        households_file: The TOML file the sizes came from, if any.
        source_folder: A sweep's results folder whose conditions are the units and
            whose seeds the replications, instead of the simulated city.
    """

    households: tuple[int, ...] = DEFAULT_HOUSEHOLDS
    per_size: int = DEFAULT_PER_SIZE
    indicator: str = "escalations"
    mean: float | None = None
    spread: float | None = None
    target: float | None = None
    years: int = 5
    replications: int = 500
    seed: int = 0
    households_file: str | None = None
    source_folder: str | None = None

    @property
    def units(self) -> list[int]:
        """Every neighbourhood's households, sizes repeated ``per_size`` times."""
        return [n for n in self.households for _ in range(self.per_size)]

    def resolved(self) -> tuple[float, float]:
        """The mean and spread used: given, or the indicator's defaults."""
        chosen = INDICATORS[self.indicator]
        mean = chosen.mean if self.mean is None else self.mean
        return mean, chosen.spread if self.spread is None else self.spread

    def check(self) -> None:
        """Every value in range, before any work.

        Raises:
            ScenarioError: One line naming the option.
        """
        if self.source_folder is None:
            self._check_city()
        _whole(self.years, "--years", 1, LIMITS["years"])
        _whole(self.replications, "--replications", 1, LIMITS["replications"])
        if self.seed < 0:
            raise ScenarioError(COMMAND_LINE, f"expected a seed ≥ 0, found {self.seed}", "--seed")
        if self.target is not None:
            _share(self.target, "--target")

    def _check_city(self) -> None:
        """The simulated city's sizes, counts, mean and spread."""
        where = self.households_file or COMMAND_LINE
        for size in self.households:
            if not 1 <= size <= LIMITS["households"]:
                raise ScenarioError(
                    where,
                    f"expected 1 to {LIMITS['households']:,} households, found {size}",
                    "--households" if where == COMMAND_LINE else "households",
                )
        _whole(self.per_size, "--per-size", 1, LIMITS["units"])
        if not 3 <= len(self.units) <= LIMITS["units"]:
            raise ScenarioError(
                COMMAND_LINE,
                f"expected 3 to {LIMITS['units']:,} neighbourhoods (sizes × --per-size) to "
                f"fit the spread between them, found {len(self.units)}",
                "--per-size",
            )
        if self.replications * len(self.units) * self.years > MAX_DRAWS:
            raise ScenarioError(
                COMMAND_LINE,
                f"replications × neighbourhoods × years is more than {MAX_DRAWS:,}; ask for fewer",
                "--replications",
            )
        mean, spread = self.resolved()
        _share(mean, "--mean")
        if not (math.isfinite(spread) and spread >= 0):
            raise ScenarioError(COMMAND_LINE, f"expected a number ≥ 0, found {spread}", "--spread")
        widest = math.sqrt((1 - mean) / mean)  # the beta's a + b must stay above 0
        if spread >= widest:
            raise ScenarioError(
                COMMAND_LINE,
                f"expected a spread below {widest:.3g} for a mean of {mean:g}, found {spread:g}",
                "--spread",
            )


def _whole(value: int, option: str, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ScenarioError(
            COMMAND_LINE, f"expected a whole number from {low} to {high:,}, found {value}", option
        )


def _share(value: float, option: str) -> None:
    if not (math.isfinite(value) and 0 < value < 1):
        raise ScenarioError(COMMAND_LINE, f"expected a rate between 0 and 1, found {value}", option)


def parse_households(text: str) -> tuple[tuple[int, ...], str | None]:
    """``--households``: ``3000,6000,10000`` or a TOML file with ``households = [...]``.

    Returns:
        The sizes and the file they came from (``None``: the command line).

    Raises:
        ScenarioError: Not whole numbers, or a file without a valid ``households``.
    """
    if text.strip().lower().endswith(".toml"):
        path = Path(text)
        data = read_toml_file(path)
        unknown = sorted(set(data) - {"households"})
        if unknown:
            raise ScenarioError(path, "unknown field; expected only 'households'", unknown[0])
        sizes = data.get("households")
        if not isinstance(sizes, list) or not sizes:
            raise ScenarioError(path, "expected a list of whole numbers", "households")
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes):
            raise ScenarioError(path, f"expected whole numbers, found {sizes}", "households")
        return tuple(sizes), str(path)
    try:
        sizes = tuple(int(part.strip().replace("_", "")) for part in text.split(","))
    except ValueError:
        raise ScenarioError(
            COMMAND_LINE,
            f"expected whole numbers separated by commas (or a .toml file), found '{text}'",
            "--households",
        ) from None
    return sizes, None


@dataclass
class ReliabilityResult:
    """The tables of one ``wijksim reliability``."""

    settings: ReliabilitySettings
    power: pd.DataFrame
    rules: pd.DataFrame
    misranking: pd.DataFrame
    by_size: pd.DataFrame


def run_reliability(settings: ReliabilitySettings) -> ReliabilityResult:
    """The App. VI table and the misranking of a simulated city (settings checked)."""
    mean, spread = settings.resolved()
    indicator = replace(INDICATORS[settings.indicator], mean=mean, spread=spread)
    if settings.source_folder is not None:
        counts = load_sweep(settings.source_folder, settings.indicator)
        counts = counts[counts["period"] <= counts["period"].min() + settings.years - 1]
    else:
        counts = simulate_counts(
            settings.units, indicator, settings.years, settings.replications, settings.seed
        )
    better = indicator.lower_is_better
    return ReliabilityResult(
        settings=settings,
        power=reproduce_table(POWER_FACTOR * settings.replications, settings.seed),
        rules=rule_fits(),
        misranking=misranking(counts, better, settings.target),
        by_size=misranking(
            counts, better, settings.target, by=("households", "window", "estimator")
        ),
    )


def write_reliability(result: ReliabilityResult, out: Path, language: str = "en") -> Path:
    """Tables (Parquet, CSV, Excel), ``reliability.json``, ``summary.md`` and the figure."""
    from wijksim.experiments.plots.figure_tools import save_figure
    from wijksim.experiments.plots.reliability_plots import settlement_figure
    from wijksim.experiments.reports.reliability_report import summary_markdown
    from wijksim.experiments.reports.table_files import Provenance, write_tables

    settings = result.settings
    with atomic_folder(out) as staging:
        provenance = Provenance(
            command="reliability",
            scenario=settings.indicator,
            households=", ".join(f"{n:,}" for n in settings.households),
            years=settings.years,
            seeds=[settings.seed],
        )
        tables = {
            "app_vi_table": result.power,
            "app_vi_rules": result.rules,
            "misranking": result.misranking,
            "misranking_by_size": result.by_size,
        }
        write_tables(staging, tables, provenance, language)
        (staging / "reliability.json").write_text(
            json.dumps(asdict(settings), indent=1), encoding="utf-8"
        )
        (staging / "summary.md").write_text(summary_markdown(result, language), encoding="utf-8")
        figure = settlement_figure(result.by_size, settings.indicator, language)
        save_figure(figure, staging / "figures" / "settlement.png")
    return out
