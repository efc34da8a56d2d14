"""``wijksim targets SCENARIO``: run a scenario on several seeds, compare with the targets.

:func:`simulate` runs the seeds and keeps what the target metrics read;
:func:`write_targets_report` writes the comparison
(:func:`wijksim.experiments.analysis.targets.compare`) as tables and markdown.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.target_metrics import RunOutputs
from wijksim.experiments.analysis.targets import Target, evaluate


def format_table(table: pd.DataFrame) -> str:
    """The comparison as a plain-text table for the terminal and the markdown file."""
    lines = [
        "| target | unit | band | simulated median | 90% band | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        simulated = _number(row.median)
        spread = f"{_number(row.q05)} – {_number(row.q95)}" if row.runs else "—"
        verdict = f"{row.verdict} ({row.note})" if row.note else row.verdict
        lines.append(
            f"| {row.target} | {row.unit} | {_number(row.low)} – {_number(row.high)} "
            f"| {simulated} | {spread} | {verdict} |"
        )
    return "\n".join(lines)


def _number(value: float) -> str:
    """Three significant figures, thousands separated; a dash for a missing value."""
    if value is None or np.isnan(value):
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def simulate(
    scenario,
    seeds: list[int],
    scenario_name: str,
    scenario_files: list[str] | None = None,
    log=None,
) -> list[RunOutputs]:
    """Run ``scenario`` once per seed and keep what the target metrics read.

    Args:
        scenario: The validated scenario (overrides applied).
        seeds: The seeds, one run each.
        scenario_name: Recorded in each run's manifest.
        scenario_files: The scenario's files, base first.
        log: Called with a line of progress per run (``None``: quiet).
    """
    from wijksim.experiments.runner.run import run_simulation

    runs = []
    for seed in seeds:
        result = run_simulation(
            scenario, seed=seed, scenario_name=scenario_name, scenario_files=scenario_files
        )
        runs.append(RunOutputs.from_result(result))
        if log is not None:
            log(f"seed {seed}: {result.manifest['wall_time_seconds']:.1f} s")
    return runs


def per_seed_table(
    targets: dict[str, Target], runs: list[RunOutputs], seeds: list[int]
) -> pd.DataFrame:
    """Each run's simulated value of each measurable target (``seed, target, value``)."""
    rows = [
        {"seed": seed, "target": name, "value": value}
        for seed, run in zip(seeds, runs, strict=True)
        for name, value in evaluate(targets, run).items()
    ]
    return pd.DataFrame(rows, columns=["seed", "target", "value"])


def write_targets_report(
    out: Path, table: pd.DataFrame, per_seed: pd.DataFrame, manifest: dict, language: str = "en"
) -> Path:
    """Write the comparison (markdown and tables), the per-seed values and a manifest.

    The tables are Parquet, CSV and one Excel workbook (``language``: their headers,
    :func:`~wijksim.experiments.reports.table_files.write_tables`). The folder appears complete
    or not at all (:func:`atomic_folder`).
    """
    from wijksim.experiments.reports.table_files import TARGETS_FILE, Provenance, write_tables
    from wijksim.experiments.runner.atomic import atomic_folder

    with atomic_folder(Path(out)) as staging:
        header = (
            f"# Targets: {manifest['scenario_name']}\n\n"
            f"{manifest['households']:,} households, {manifest['years']} years, "
            f"seeds {manifest['seeds']}; targets file {manifest['targets_file']}; "
            f"commit {manifest['git_commit']}.\n\n"
        )
        (staging / "targets.md").write_text(header + format_table(table) + "\n")
        provenance = Provenance(
            command="targets",
            scenario=manifest["scenario_name"],
            overrides=manifest.get("overrides", {}),
            households=manifest["households"],
            years=manifest["years"],
            seeds=manifest["seeds"],
            git_commit=manifest["git_commit"],
            details={TARGETS_FILE: manifest["targets_file"]},
        )
        tables = {"comparison": table, "per_seed": per_seed}
        write_tables(staging, tables, provenance, language)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return Path(out)
