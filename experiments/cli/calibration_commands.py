"""``wijksim calibrate``, ``targets`` and ``sensitivity``: fitting and probing the parameters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wijksim.experiments.cli.common import (
    check_out_folder,
    default_folder,
    overrides_from_options,
    resolve_scenario,
)
from wijksim.experiments.cli.sweep_commands import exit_status
from wijksim.model.inputs.scenario_io import (
    ResolvedScenario,
    ScenarioError,
    load_scenario,
)

CALIBRATED_SUFFIX = ".calibrated.toml"


def command_calibrate(args: argparse.Namespace) -> int:
    """Fit the drift hazards to the target shares, or with ``--spec`` every target at once."""
    from wijksim.experiments.calibration.calibrate import calibrate, write_calibration

    resolved = load_scenario(args.scenario)
    target = _calibration_target(resolved, args)  # checked before hours of fitting
    if args.spec:
        return _calibrate_to_targets(resolved, target, args)
    fit = calibrate(
        resolved.scenario,
        seeds=args.seeds or 3,
        households=args.households or 3000,
        max_evaluations=args.max_evaluations,
        log=None if args.quiet else print,
    )
    write_calibration(resolved.path, target, fit)
    if not args.quiet:
        print(fit.report())
        print(f"wrote fitted values to {target}")
    return 0


def _calibrate_to_targets(
    resolved: ResolvedScenario, target: Path, args: argparse.Namespace
) -> int:
    """History matching on every target of a calibration spec (``--spec``)."""
    from wijksim.experiments.analysis.targets import load_targets
    from wijksim.experiments.calibration.calibrate_targets import (
        SweepOptions,
        best_values,
        calibrate_to_targets,
        calibration_record,
        tables_of,
        write_calibrated_scenario,
        write_calibration_results,
    )
    from wijksim.experiments.calibration.calibration_spec import check_spec, load_spec

    spec, spec_path = load_spec(args.spec)
    updates = {"seeds": args.seeds, "households": args.households}
    spec = spec.model_copy(update={k: v for k, v in updates.items() if v is not None})
    targets = load_targets()
    bands = check_spec(spec, spec_path, targets, resolved.scenario)
    results = Path(args.results or Path("results") / f"calibration-{resolved.name}-{spec.name}")
    _check_calibration_folder(results, args.overwrite)
    say = None if args.quiet else (lambda text: print(f"calibrate: {text}", file=sys.stderr))
    options = SweepOptions(args.backend, args.workers, args.scheduler, not args.quiet, args.restart)
    waves = calibrate_to_targets(
        spec, spec_path, resolved, bands, targets, results, options, log=say
    )
    tables = tables_of(waves, spec, bands)
    write_calibration_results(results, tables, spec, spec_path, resolved, waves)
    values = best_values(tables, spec)
    write_calibrated_scenario(
        resolved.path, target, values, calibration_record(spec, spec_path, tables)
    )
    if not args.quiet:
        print((results / "summary.md").read_text(encoding="utf-8"))
        print(f"wrote {results}/ and the best point to {target}")
    return 0


def _check_calibration_folder(folder: Path, overwrite: bool) -> None:
    """A calibration resumes in its own folder; any other non-empty folder is refused."""
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return
    ours = (folder / "manifest.json").is_file() or (folder / "wave-1" / "sweep.json").is_file()
    if not ours and not overwrite:
        raise ScenarioError(
            folder, "exists and is not a calibration's folder; choose another --results"
        )


def command_targets(args: argparse.Namespace) -> int:
    """Run a scenario on several seeds and compare it with the observed targets."""
    from wijksim.experiments.analysis.targets import compare, load_targets, shipped_targets_path
    from wijksim.experiments.calibration.targets_report import (
        format_table,
        per_seed_table,
        simulate,
        write_targets_report,
    )
    from wijksim.experiments.runner.manifest import git_commit, model_provenance, utc_now

    targets_file = Path(args.targets) if args.targets else shipped_targets_path()
    targets = load_targets(targets_file)  # fails before any run, naming file and field
    overrides = overrides_from_options(args.households, args.years, args.set)
    resolved, scaled = resolve_scenario(args.scenario, overrides)
    scenario = resolved.scenario
    out = Path(args.out) if args.out else default_folder(f"targets-{resolved.name}", overrides)
    check_out_folder(out, args.overwrite)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    say = None if args.quiet else (lambda text: print(f"targets: {text}", file=sys.stderr))
    runs = simulate(scenario, seeds, resolved.name, [str(p) for p in resolved.chain], log=say)
    table = compare(targets, runs)
    manifest = {
        "scenario_name": resolved.name,
        "scenario_files": [str(p) for p in resolved.chain],
        "targets_file": str(targets_file),
        "seeds": seeds,
        "households": scenario.population.households,
        "years": scenario.years,
        "overrides": overrides,
        "scaled": scaled,
        **model_provenance(),
        "git_commit": git_commit(),
        "created_utc": utc_now(),
    }
    write_targets_report(out, table, per_seed_table(targets, runs, seeds), manifest)
    if not args.quiet:
        print(format_table(table))
        print(f"\nwrote {out}/ (targets.md; comparison, per_seed .parquet and .csv; tables.xlsx)")
    return 0


def calibrated_file_name(name: str) -> str:
    """The default file ``wijksim calibrate`` writes: ``<name>.calibrated.toml``."""
    return f"{name}{CALIBRATED_SUFFIX}"


def _calibration_target(resolved: ResolvedScenario, args: argparse.Namespace) -> Path:
    """Where ``calibrate`` writes: never the source, nor an existing file, unless told.

    The shipped scenarios are what other scenarios ``extends``; rewriting one in place
    changes all of them, so that needs ``--in-place`` (issue 15, item 13).
    """
    if args.in_place:
        if args.out:
            raise ScenarioError("<command line>", "expected --in-place or --out, found both")
        return resolved.path
    target = Path(args.out) if args.out else Path(calibrated_file_name(resolved.name))
    if target.resolve() == resolved.path.resolve():
        raise ScenarioError(target, "is the scenario itself; pass --in-place to overwrite it")
    if target.exists() and not args.overwrite:
        raise ScenarioError(target, "exists; choose another --out or pass --overwrite")
    return target


def command_sensitivity(args: argparse.Namespace) -> int:
    """Global sensitivity analysis: sample with SALib, run as a sweep, analyse, report."""
    from wijksim.experiments.calibration.sensitivity import write_sensitivity_report
    from wijksim.experiments.calibration.sensitivity_spec import (
        load_sensitivity,
        plan_sensitivity,
        sample_design,
    )
    from wijksim.experiments.runner.sweep import run_sweep

    spec, path = load_sensitivity(args.spec)
    design = sample_design(spec)
    sweep, tasks, run_map = plan_sensitivity(spec, path, design)
    out = Path(args.out) if args.out else Path("results") / "sensitivity" / spec.name
    summary = run_sweep(
        sweep,
        tasks,
        out,
        backend=args.backend,
        workers=args.workers,
        scheduler=args.scheduler,
        source=str(path),
        show_progress=not args.quiet,
        restart=args.restart,
    )
    if not args.quiet:
        print(
            f"{len(design)} sample points × {spec.seeds} seeds: {len(tasks)} distinct runs; "
            f"{summary.done} done, {summary.skipped} already finished, {summary.failed} "
            f"failed, in {summary.wall_seconds:.1f} s; results in {out}/"
        )
    if summary.done + summary.skipped > 0:
        report = write_sensitivity_report(out, spec, design, run_map)
        if not args.quiet:
            print(f"report: {report}/summary.md")
    return exit_status(summary, out)
