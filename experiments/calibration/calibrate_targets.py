"""Calibrate a scenario to every observed target at once, by history matching on sweeps.

``wijksim calibrate SCENARIO --spec FILE``: each wave of
:func:`~wijksim.experiments.calibration.history_matching.history_match` becomes an ordinary sweep
(one variant per parameter set, the spec's seeds as paired replicates), run by the sweep
machinery on any backend, resumable, with the usual fingerprints; each run's targets are
measured with the metrics of ``wijksim targets``. The results folder then holds the
designs, the targets per run, the implausibility per point, the accepted ensemble (the
points not ruled out), which targets inform which parameter, figures and a summary; the
best point becomes a calibrated scenario file.

One piece over 300 lines: the command's pipeline (waves as sweeps, measurement, best values,
calibrated scenario, figures, folder), whose parts serve only it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import tomlkit
from matplotlib.figure import Figure
from wijksim.experiments.analysis.target_metrics import RunOutputs
from wijksim.experiments.analysis.targets import Target, evaluate
from wijksim.experiments.calibration.calibration_polish import fit_order, polish
from wijksim.experiments.calibration.calibration_spec import CalibrationSpec
from wijksim.experiments.calibration.history_matching import (
    POINT,
    WAVE,
    Band,
    WaveResult,
    accepted,
    history_match,
    identifiability,
)
from wijksim.experiments.calibration.sensitivity_spec import point_variant
from wijksim.experiments.reports.table_files import SPEC_FILE, Provenance, write_tables
from wijksim.experiments.runner.atomic import write_bytes_atomically
from wijksim.experiments.runner.manifest import git_commit, model_provenance, utc_now
from wijksim.experiments.runner.run_files import RUN_METADATA_KEY
from wijksim.experiments.runner.sweep import run_sweep
from wijksim.experiments.runner.sweep_spec import SweepSpec, VariantSpec, plan_runs
from wijksim.model.inputs.scenario_io import ResolvedScenario


@dataclass
class SweepOptions:
    """How the waves' runs are executed (as for ``wijksim sweep``)."""

    backend: str = "serial"
    workers: int | None = None
    scheduler: str | None = None
    show_progress: bool = False
    restart: bool = False


def wave_sweep(
    spec: CalibrationSpec, scenario_ref: str, design: pd.DataFrame, wave: int
) -> SweepSpec:
    """A wave as a sweep: one variant per parameter set, the spec's seeds each."""
    names = [p.name for p in spec.parameter_list()]
    variants = [
        VariantSpec(name=point_variant(int(row[POINT])), set={n: float(row[n]) for n in names})
        for row in design.to_dict("records")
    ]
    return SweepSpec(
        name=f"{spec.name}-wave{wave}",
        scenario=scenario_ref,
        seeds=spec.seeds,
        first_seed=spec.first_seed,
        set={**spec.set, "population.households": spec.households, "years": spec.years},
        variants=variants,
    )


def measure_wave(folder: Path, tasks, targets: dict[str, Target]) -> pd.DataFrame:
    """Each finished run's simulated targets: ``point, seed, run_id`` and a column per target.

    A failed run is absent (its point has fewer replicates; a point with none is ruled
    out, and the summary counts the failures).
    """
    rows = []
    for task in tasks:
        path = folder / "runs" / f"{task.run_id}.parquet"
        if not path.exists():
            continue
        table = pq.read_table(path)
        metadata = json.loads(table.schema.metadata[RUN_METADATA_KEY])
        steps = table.select(["step", "year", "metric", "value"]).to_pandas()
        run = RunOutputs(steps, pd.DataFrame(), metadata["scenario"])
        values = evaluate(targets, run)
        point = int(task.variant.removeprefix("p"))
        rows.append({POINT: point, "seed": task.seed, "run_id": task.run_id, **values})
    return pd.DataFrame(rows)


def calibrate_to_targets(
    spec: CalibrationSpec,
    spec_path: Path,
    resolved: ResolvedScenario,
    bands: list[Band],
    targets: dict[str, Target],
    out: Path,
    options: SweepOptions,
    log=None,
) -> list[WaveResult]:
    """History-match ``resolved`` to ``bands``, running every wave as a sweep under ``out``."""
    chosen = {band.name: targets[band.name] for band in bands}

    def simulate(design: pd.DataFrame, wave: int) -> pd.DataFrame:
        sweep = wave_sweep(spec, str(resolved.path), design, wave)
        tasks = plan_runs(sweep, spec_path)
        folder = out / f"wave-{wave}"
        summary = run_sweep(
            sweep,
            tasks,
            folder,
            backend=options.backend,
            workers=options.workers,
            scheduler=options.scheduler,
            source=str(spec_path),
            show_progress=options.show_progress,
            restart=options.restart,
        )
        if log is not None:
            log(
                f"wave {wave}: {len(design)} parameter sets × {spec.seeds} seeds; "
                f"{summary.done} run, {summary.skipped} already finished, "
                f"{summary.failed} failed"
            )
        return measure_wave(folder, tasks, chosen)

    waves = history_match(
        spec.parameter_list(),
        bands,
        simulate,
        points_per_wave=spec.points_per_wave,
        waves=spec.waves,
        seed=spec.design_seed,
        cutoff=spec.cutoff,
        discrepancy_share=spec.discrepancy_share,
        minimum_kept=spec.minimum_kept,
        accept=spec.accept,
    )
    if not spec.polish_generations:
        return waves
    points = _points(waves)
    start = points.loc[fit_order(points, bands).idxmin()]
    return waves + polish(
        spec.parameter_list(),
        bands,
        simulate,
        start,
        generations=spec.polish_generations,
        population=spec.polish_population,
        sigma=spec.polish_sigma,
        seed=spec.design_seed,
        discrepancy_share=spec.discrepancy_share,
        first_point=int(points[POINT].max()) + 1,
        first_wave=len(waves) + 1,
    )


def _points(waves: list[WaveResult]) -> pd.DataFrame:
    """Every wave's parameter sets beside their implausibilities."""
    design = pd.concat([w.design for w in waves], ignore_index=True)
    implausible = pd.concat([w.table for w in waves], ignore_index=True)
    return design.merge(implausible, on=POINT)


@dataclass
class CalibrationTables:
    """Everything a calibration found, as tables."""

    design: pd.DataFrame
    runs: pd.DataFrame
    points: pd.DataFrame
    ensemble: pd.DataFrame
    identifiability: pd.DataFrame
    fit: pd.DataFrame
    best: int


def tables_of(
    waves: list[WaveResult], spec: CalibrationSpec, bands: list[Band]
) -> CalibrationTables:
    """Design, runs, per-point implausibility, the ensemble, identifiability and the fit.

    The ensemble is every evaluated point accepted in any wave: not ruled out (``I_max``
    ≤ the cut-off), and with the spec's ``accept = "every_band"`` also with its mean
    inside every band (:func:`~wijksim.experiments.calibration.history_matching.accepted`);
    the best point is the one among them inside most of the bands, then with the
    smallest sum of squared implausibilities (:func:`fit_order`; among all points if none
    is left, and the summary says so).
    """
    parameters = spec.parameter_list()
    design = pd.concat([w.design for w in waves], ignore_index=True)
    runs = pd.concat([w.outputs for w in waves], ignore_index=True)
    implausible = pd.concat([w.table for w in waves], ignore_index=True)
    points = _points(waves)
    kept_sets = points[accepted(points, bands, spec.cutoff, spec.accept)]
    candidates = kept_sets if len(kept_sets) else points
    best = int(candidates.loc[fit_order(candidates, bands).idxmin(), POINT])
    ensemble = kept_sets[[POINT, WAVE, *[p.name for p in parameters]]].reset_index(drop=True)
    ranges = identifiability(design, implausible, parameters, bands, spec.cutoff)
    best_row = points.set_index(POINT).loc[best]
    fit_rows = []
    for band in bands:
        column = f"mean_{band.name}"
        kept = kept_sets[column] if len(kept_sets) else pd.Series(dtype=float)
        fit_rows.append(
            {
                "target": band.name,
                "low": band.low,
                "high": band.high,
                "best": float(best_row[column]),
                "best_I": float(best_row[f"I_{band.name}"]),
                "ensemble_q05": float(kept.quantile(0.05)) if len(kept) else np.nan,
                "ensemble_median": float(kept.median()) if len(kept) else np.nan,
                "ensemble_q95": float(kept.quantile(0.95)) if len(kept) else np.nan,
                "points_meeting": int((points[f"I_{band.name}"] <= spec.cutoff).sum()),
            }
        )
    return CalibrationTables(design, runs, points, ensemble, ranges, pd.DataFrame(fit_rows), best)


def best_values(tables: CalibrationTables, spec: CalibrationSpec) -> dict[str, float]:
    """The best point's parameter values (5 significant digits)."""
    row = tables.points.set_index(POINT).loc[tables.best]
    return {p.name: float(f"{row[p.name]:.5g}") for p in spec.parameter_list()}


def write_calibrated_scenario(
    source: Path, target: Path, values: dict[str, float], record: dict
) -> None:
    """Write the best point's values into a copy of the scenario file, keeping comments.

    Dotted fields become nested tables (``escalations.eviction.hazard_per_week``); the
    ``[calibrated]`` table records method, spec, targets and design.
    """
    from wijksim.experiments.calibration.calibrate import keep_extends_resolvable

    document = tomlkit.parse(Path(source).read_text(encoding="utf-8"))
    for dotted, value in values.items():
        *sections, key = dotted.split(".")
        table = document
        for section in sections:
            if section not in table:
                table[section] = tomlkit.table()
            table = table[section]
        table[key] = value
    calibrated = tomlkit.table()
    for key, value in record.items():
        calibrated[key] = value
    document["calibrated"] = calibrated
    keep_extends_resolvable(document, Path(source), Path(target))
    write_bytes_atomically(Path(target), tomlkit.dumps(document).encode("utf-8"))


def calibration_record(spec: CalibrationSpec, spec_path: Path, tables: CalibrationTables) -> dict:
    """The ``[calibrated]`` table of a history-matched scenario."""
    return {
        "method": "history matching, then CMA-ES"
        if spec.polish_generations
        else "history matching",
        "spec": spec_path.name,
        "fitted": [p.name for p in spec.parameter_list()],
        "targets": list(spec.targets),
        "waves": spec.waves,
        "points": len(tables.points),
        "not_ruled_out": len(tables.ensemble),
        "achieved": {row.target: float(f"{row.best:.5g}") for row in tables.fit.itertuples()},
        "seeds": spec.seeds,
        "households": spec.households,
        "date": date.today().isoformat(),
    }


def write_calibration_results(
    out: Path,
    tables: CalibrationTables,
    spec: CalibrationSpec,
    spec_path: Path,
    resolved: ResolvedScenario,
    waves: list[WaveResult],
    language: str = "en",
) -> None:
    """Tables, figures (PNG), ``summary.md`` and a manifest into ``out``.

    The tables are Parquet, CSV and one Excel workbook (``language``: their headers,
    :func:`~wijksim.experiments.reports.table_files.write_tables`), each file written whole or
    not at all: ``out`` also holds the waves' runs, so it is not replaced as a whole.
    """
    out.mkdir(parents=True, exist_ok=True)
    names = ("design", "runs", "points", "ensemble", "identifiability", "fit")
    provenance = Provenance(
        command="calibrate",
        scenario=resolved.name,
        overrides=spec.set,
        households=spec.households,
        years=spec.years,
        seeds=f"{spec.seeds} per point, from {spec.first_seed}",
        details={SPEC_FILE: str(spec_path)},
    )
    write_tables(out, {name: getattr(tables, name) for name in names}, provenance, language)
    figure = ranges_figure(tables, spec, resolved.name)
    figure.savefig(out / "parameter_ranges.png", dpi=110, bbox_inches="tight")
    figure = fit_figure(tables, resolved.name)
    figure.savefig(out / "target_fit.png", dpi=110, bbox_inches="tight")
    text = summary_markdown(tables, spec, spec_path, resolved, waves)
    write_bytes_atomically(out / "summary.md", text.encode("utf-8"))
    manifest = {
        "scenario": resolved.name,
        "scenario_files": [str(p) for p in resolved.chain],
        "spec": str(spec_path),
        "spec_contents": spec.model_dump(mode="json"),
        **model_provenance(),
        "git_commit": git_commit(),
        "created_utc": utc_now(),
    }
    write_bytes_atomically(out / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())


def ranges_figure(tables: CalibrationTables, spec: CalibrationSpec, scenario: str) -> Figure:
    """Per parameter: its plausible range, the NROY range and the best point (unit scale)."""
    parameters = spec.parameter_list()
    figure = Figure(figsize=(8, 0.45 * len(parameters) + 1.5))
    axis = figure.subplots()
    best = tables.points.set_index(POINT).loc[tables.best]
    for i, p in enumerate(parameters):
        axis.plot([0, 1], [i, i], color="lightgrey", linewidth=6, solid_capstyle="butt")
        if len(tables.ensemble):
            unit = p.to_unit(tables.ensemble[p.name].to_numpy(dtype=float))
            axis.scatter(unit, np.full(unit.size, i), s=8, color="tab:blue", alpha=0.5)
        axis.scatter(p.to_unit(np.array([best[p.name]])), [i], marker="D", color="black", s=25)
    axis.set_yticks(range(len(parameters)))
    axis.set_yticklabels(
        [f"{p.name} [{p.low:g}–{p.high:g}{', log' if p.log else ''}]" for p in parameters]
    )
    axis.set_xlim(0, 1)
    axis.set_xlabel("position in the plausible range (0 = low, 1 = high)")
    axis.set_title(
        f"{scenario}: parameter sets not ruled out (dots) and best (diamond)\n"
        f"{spec.households:,} households, {spec.years} years, {spec.seeds} seeds per set"
    )
    axis.invert_yaxis()
    return figure


def fit_figure(tables: CalibrationTables, scenario: str) -> Figure:
    """Per target: the band, the ensemble's 90% range and the best point, band-scaled."""
    fit = tables.fit
    figure = Figure(figsize=(8, 0.45 * len(fit) + 1.5))
    axis = figure.subplots()
    for i, row in enumerate(fit.itertuples()):
        middle, half = (row.low + row.high) / 2, (row.high - row.low) / 2

        def scaled(value: float, middle: float = middle, half: float = half) -> float:
            return (value - middle) / half

        axis.plot([-1, 1], [i, i], color="lightgreen", linewidth=8, solid_capstyle="butt")
        if not np.isnan(row.ensemble_q05):
            axis.plot(
                [scaled(row.ensemble_q05), scaled(row.ensemble_q95)], [i, i], color="tab:blue"
            )
        axis.scatter([scaled(row.best)], [i], marker="D", color="black", s=25, zorder=3)
    axis.set_yticks(range(len(fit)))
    axis.set_yticklabels(fit["target"])
    axis.set_xlabel("simulated mean, in half-band widths from the band's middle (band: −1 to 1)")
    axis.set_title(f"{scenario}: targets (green bands), ensemble 90% (blue), best point (diamond)")
    axis.invert_yaxis()
    return figure


def summary_markdown(
    tables: CalibrationTables,
    spec: CalibrationSpec,
    spec_path: Path,
    resolved: ResolvedScenario,
    waves: list[WaveResult],
) -> str:
    """What was fitted, how, and what came out (markdown)."""
    lines = [
        f"# Calibration of {resolved.name} by history matching",
        "",
        f"Spec `{spec_path.name}`: {len(spec.parameters)} parameters, {len(spec.targets)} "
        f"targets, {spec.waves} waves of {spec.points_per_wave} parameter sets, {spec.seeds} "
        f"paired seeds from {spec.first_seed}, {spec.households:,} households, {spec.years} "
        f"years; cut-off {spec.cutoff:g}, model discrepancy {spec.discrepancy_share:.0%} of "
        "each band's middle"
        + (
            f"; then {spec.polish_generations} generations of CMA-ES of "
            f"{spec.polish_population} sets each towards every band."
            if spec.polish_generations
            else "."
        ),
        "",
        "The ensemble keeps the sets "
        + (
            "not ruled out whose mean over seeds also lies inside every band."
            if spec.accept == "every_band"
            else "not ruled out (a set's mean may lie outside a band by less than the "
            "seed noise and model discrepancy allow)."
        ),
        "",
        "| wave | parameter sets | runs measured | not ruled out | inside every band "
        "| next wave drawn around |",
        "|---|---|---|---|---|---|",
    ]
    bands = [Band(row.target, row.low, row.high) for row in tables.fit.itertuples()]
    strict_so_far = 0
    for w in waves:
        kept = int((w.table["I_max"] <= spec.cutoff).sum())
        strict = int(accepted(w.table, bands, spec.cutoff, "every_band").sum())
        strict_so_far += strict
        around = (
            "CMA-ES, from the ranking of the last generation"
            if w.method == "polish"
            else "those inside every band so far"
            if spec.accept == "every_band" and strict_so_far >= spec.minimum_kept
            else f"the best so far (fewer than {spec.minimum_kept} left)"
            if w.refocused
            else "those not ruled out so far"
        )
        lines.append(
            f"| {w.wave} | {len(w.design)} | {len(w.outputs)} | {kept} | {strict} | {around} |"
        )
    lines += [
        "",
        f"Best point: {tables.best} (inside the most bands, then the smallest sum of squared "
        "implausibilities"
        + (", among those not ruled out)." if len(tables.ensemble) else "; none is left)."),
    ]
    lines += ["", "## Targets", "", "| target | band | best | ensemble 5–95% | sets meeting it |"]
    lines.append("|---|---|---|---|---|")
    for row in tables.fit.itertuples():
        spread = (
            f"{row.ensemble_q05:.3g} – {row.ensemble_q95:.3g}"
            if not np.isnan(row.ensemble_q05)
            else "—"
        )
        lines.append(
            f"| {row.target} | {row.low:g} – {row.high:g} | {row.best:.3g} (I = {row.best_I:.1f}) "
            f"| {spread} | {row.points_meeting} of {len(tables.points)} |"
        )
    lines += [
        "",
        "## Parameters",
        "",
        "NROY share: the width of the range not ruled out, as a share of the plausible range "
        "(on the sampled scale); near 1 the targets do not identify the parameter. "
        "Informed by: targets whose simulated mean correlates with the parameter "
        "(|Spearman ρ| ≥ 0.3 over the first, uniform wave).",
        "",
        "| parameter | plausible range | best | not ruled out | NROY share | informed by |",
        "|---|---|---|---|---|---|",
    ]
    best = best_values(tables, spec)
    for row in tables.identifiability.itertuples():
        kept = f"{row.nroy_low:.3g} – {row.nroy_high:.3g}" if not np.isnan(row.nroy_low) else "—"
        share = f"{row.nroy_share_of_range:.2f}" if not np.isnan(row.nroy_share_of_range) else "—"
        lines.append(
            f"| `{row.parameter}` | {row.low:g} – {row.high:g} | {best[row.parameter]:.4g} "
            f"| {kept} | {share} | {row.informed_by} |"
        )
    unidentified = tables.identifiability.query("nroy_share_of_range > 0.8")["parameter"]
    if len(unidentified):
        lines += [
            "",
            "Not identified by these targets (NROY share > 0.8): "
            + ", ".join(f"`{p}`" for p in unidentified)
            + ". Their calibrated value is one of many that fit; the ensemble carries "
            "their uncertainty into results (`--parameter-sets`).",
        ]
    return "\n".join(lines) + "\n"
