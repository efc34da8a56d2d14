"""The ``wijksim`` command: a thin layer over the experiment functions.

Every user mistake (a bad scenario file, an unknown field, a wrong value on the command
line) is printed as one line naming the file and field, with exit code 2 and nothing
written.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import math
import os
import re
import signal
import socket
import sys
import threading
import tomllib
from pathlib import Path

from tqdm import tqdm
from wijksim.experiments.runner.manifest import SHORT_NAMES
from wijksim.model.model import WEEKS_PER_YEAR
from wijksim.model.plugins import import_plugins
from wijksim.model.scaling import describe_scaling, with_overrides_scaled
from wijksim.model.scenario_io import (
    DECIMAL_COMMA_VALUE,
    ResolvedScenario,
    ScenarioError,
    check_schedule,
    check_size,
    decimal_comma_advice,
    load_scenario,
    one_line,
    shipped_scenario_names,
)

EXIT_USAGE = 2
DEFAULT_SCENARIO = "old_system"
CALIBRATED_SUFFIX = ".calibrated.toml"
COMMAND_LINE = "<command line>"
SCHEDULER_TIMEOUT_SECONDS = 5.0
"""How long to try reaching a Dask scheduler before saying it cannot be reached."""
ENVIRONMENT_ERRORS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENAMETOOLONG,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EFBIG,
        errno.EIO,
        errno.EEXIST,
    }
)
"""Failures of the file system (disk full, read-only, no permission) that are printed as
one line rather than a traceback: the user's to fix, not a bug (issue 19, item 4)."""
PLUGINS_RUN_CODE = (
    "A sweep or scenario file that lists plugins = [...] runs those Python modules with "
    "your permissions: run only files you trust."
)


class _OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line, exit 2, like every other mistake (no usage block)."""

    def error(self, message: str) -> None:
        print(f"wijksim: {COMMAND_LINE}: {one_line(message)} (see --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _parse_setting(text: str) -> tuple[str, object]:
    """``key=value`` from ``--set``; the value is read as TOML (``40``, ``0.2``, ``"x"``).

    A value that is not TOML is taken as text only if it is a bare word
    (``--set team.label=Zuid``); anything else that does not parse is an error, never
    silently dropped or kept as text (issue 19, item 4).
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError(COMMAND_LINE, f"expected --set KEY=VALUE, found '{text}'")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        comma = DECIMAL_COMMA_VALUE.fullmatch(raw.strip())
        if comma is not None:  # --set hazards.drift_scale=2,8
            advice = decimal_comma_advice(comma["whole"], comma["part"])
            raise ScenarioError(COMMAND_LINE, advice, key.strip()) from None
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ .-]*", raw.strip()):
            raise ScenarioError(
                COMMAND_LINE,
                f"expected a TOML value (40, 0.2, \"text\", [1, 2]), found '{raw.strip()}'",
                key.strip(),
            ) from None
        value = raw.strip()  # a bare word is a string
    return key.strip(), value


def _count(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found '{text}'")
    return value


def _resolve(
    name: str, overrides: dict[str, object]
) -> tuple[ResolvedScenario, dict[str, list[float]]]:
    """The scenario with the command line's overrides, scaled if they set the households.

    Returns:
        The resolved scenario and what was scaled (``{field: [from, to]}``).
    """
    resolved = load_scenario(name)
    try:
        resolved.scenario, scaled = with_overrides_scaled(resolved.scenario, overrides)
        check_schedule(resolved.scenario, {}, Path(COMMAND_LINE))
    except ScenarioError as error:  # the overrides came from the command line: say so
        raise ScenarioError(COMMAND_LINE, error.message, error.field) from None
    return resolved, scaled


def _overrides(
    households: int | None, years: int | None, settings: list[str] | None
) -> dict[str, object]:
    """Dotted-field overrides from ``--households``, ``--years`` and ``--set``.

    Raises:
        ScenarioError: A field set twice, by two ``--set`` or by ``--set`` and an option
            (``--set years=ten --years 1`` must not quietly drop one of them).
    """
    overrides: dict[str, object] = {}
    options = {"population.households": households, "years": years}
    given = [_parse_setting(text) for text in settings or []]
    given += [(key, value) for key, value in options.items() if value is not None]
    for key, value in given:
        if key in overrides:
            raise ScenarioError(COMMAND_LINE, "set twice on the command line", key)
        overrides[key] = value
    return overrides


MAX_LABEL = 60
"""Longer override labels are cut and end in a hash, to keep folder names bounded."""


def overrides_label(overrides: dict[str, object]) -> str:
    """The overrides in a folder name: ``households=3000-team.frontline_fte=12``.

    Sorted, so the same overrides in any order name the same folder; characters other
    than letters, digits and ``. _ = +`` become ``-`` (safe on every filesystem); longer
    than :data:`MAX_LABEL`, the label is cut and ends in a hash of all the overrides, so
    different overrides never share a folder.
    """
    parts = sorted(
        f"{SHORT_NAMES.get(key, key)}={_value_text(value)}" for key, value in overrides.items()
    )
    label = re.sub(r"[^A-Za-z0-9._=+]+", "-", "-".join(parts)).strip("-")
    if len(label) <= MAX_LABEL:
        return label
    digest = hashlib.sha256(json.dumps(overrides, sort_keys=True).encode()).hexdigest()[:8]
    return f"{label[: MAX_LABEL - 9].rstrip('-._=')}-{digest}"


def _value_text(value: object) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value).lower() if isinstance(value, bool) else str(value)


def default_folder(name: str, overrides: dict[str, object]) -> Path:
    """``results/NAME`` or, with overrides, ``results/NAME-<overrides label>``."""
    label = overrides_label(overrides) if overrides else ""
    return Path("results") / "-".join(filter(None, [name, label]))


def _check_out_folder(out: Path, overwrite: bool = False, kind: str = "run") -> bool:
    """Check ``--out`` before any simulation (:mod:`wijksim.experiments.runner.out_folder`).

    Args:
        out: The folder the command writes.
        overwrite: Whether ``--overwrite`` allows replacing what wijksim did not write.
        kind: ``"run"`` or ``"bench"`` (replaced as a whole), ``"sweep"`` (written into
            and resumed) or ``"report"`` (a sweep's ``report/``, replaced as a whole).

    Returns:
        Whether an earlier result will be replaced.

    Raises:
        ScenarioError: ``out`` may not or cannot be written; one line naming it.
    """
    from wijksim.experiments.runner.out_folder import check_replaceable, check_sweep_folder

    if kind == "sweep":
        check_sweep_folder(out)
        return False
    return check_replaceable(out, kind, overwrite)


def command_run(args: argparse.Namespace) -> int:
    """Run one simulation and write its results."""
    from wijksim.experiments.reports.headline import run_headline
    from wijksim.experiments.reports.run_report import write_run
    from wijksim.experiments.runner.run import run_simulation

    if args.seed < 0:
        raise ScenarioError(COMMAND_LINE, f"expected a seed ≥ 0, found {args.seed}", "--seed")
    overrides = _overrides(args.households, args.years, args.set)
    resolved, scaled = _resolve(args.scenario, overrides)
    scenario = resolved.scenario
    check_size(scenario, COMMAND_LINE if overrides else resolved.path, args.allow_large)
    name = f"{resolved.name}-seed{args.seed}"
    out = Path(args.out) if args.out else default_folder(name, overrides)
    replaces = _check_out_folder(out, args.overwrite)  # before the run, not after
    weeks = scenario.years * WEEKS_PER_YEAR
    label = f"{resolved.name} ({scenario.total_households:,} households, seed {args.seed})"
    with tqdm(total=weeks, desc=label, unit="week", disable=args.quiet, mininterval=0.5) as bar:
        result = run_simulation(
            scenario,
            seed=args.seed,
            scenario_name=resolved.name,
            scenario_files=[str(p) for p in resolved.chain],
            progress=bar.update,
            scaled=scaled,
            overrides=overrides,
        )
    write_run(result, out, figures=not args.no_figures, language=args.lang)
    if replaces:
        print(f"wijksim: replaced earlier result in {out}/", file=sys.stderr)
    if not args.quiet:
        # The headline; the wide table per year is in the run's summary.md.
        scaling = describe_scaling(scaled, scenario.population.households) if scaled else None
        headline = run_headline(result, out, args.lang, scaling, figures=not args.no_figures)
        print("\n".join(headline))
    return 0


def command_list(args: argparse.Namespace) -> int:
    """List the shipped scenarios with their labels."""
    for name in shipped_scenario_names():
        try:
            label = load_scenario(name).scenario.label
        except ScenarioError as error:
            label = f"(invalid: {error})"
        print(f"{name:<28} {label}")
    return 0


def command_validate(args: argparse.Namespace) -> int:
    """Check a scenario file and say what it resolves to."""
    resolved = load_scenario(args.scenario)
    check_size(resolved.scenario, resolved.path, args.allow_large)
    chain = " <- ".join(str(p) for p in resolved.chain)
    print(f"{resolved.path}: valid ({resolved.scenario.label}); files: {chain}")
    return 0


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
    overrides = _overrides(args.households, args.years, args.set)
    resolved, scaled = _resolve(args.scenario, overrides)
    scenario = resolved.scenario
    out = Path(args.out) if args.out else default_folder(f"targets-{resolved.name}", overrides)
    _check_out_folder(out, args.overwrite)
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


def _execute_sweep(spec, tasks, out: Path, args: argparse.Namespace, source: str) -> int:
    """Run a planned sweep, print what happened, and write its report."""
    from wijksim.experiments.reports.sweep_report import write_report
    from wijksim.experiments.runner.sweep import run_sweep

    _check_out_folder(out, kind="sweep")  # before any run, not after
    for task in {t.fingerprint: t for t in tasks}.values():
        check_size(task.scenario, source, args.allow_large)
    if args.backend == "dask" and args.scheduler:
        _check_scheduler(args.scheduler)  # before anything is written
    summary = run_sweep(
        spec,
        tasks,
        out,
        backend=args.backend,
        workers=args.workers,
        scheduler=args.scheduler,
        source=source,
        show_progress=not args.quiet,
        restart=args.restart,
    )
    report = None
    if summary.done + summary.skipped > 0:
        report = write_report(
            out,
            discount_rate=getattr(args, "discount_rate", None),
            language=getattr(args, "lang", "en"),
        )
    if not args.quiet:
        _print_sweep_outcome(summary, tasks, out, report, getattr(args, "lang", "en"))
    return _exit_status(summary, out)


def _print_sweep_outcome(summary, tasks, out: Path, report: Path | None, language: str) -> None:
    """A comparison's headline, or for other sweeps the runs and where the report is.

    The headline of ``transition``, ``compare-funding`` and ``compare-teams`` goes to
    stdout; the note on what was scaled with the households goes to stderr (it is also
    in the report), so that stdout is the headline alone.
    """
    from wijksim.experiments.reports.headline import sweep_headline
    from wijksim.experiments.reports.sweep_report import sweep_facts
    from wijksim.experiments.runner.results import load_manifest

    scaling = _scaling_line(tasks)
    headline = None
    if report is not None:
        manifest = load_manifest(out)
        burn_in = sweep_facts(out, manifest).burn_in_years
        headline = sweep_headline(report, manifest, summary, language, burn_in)
    if headline is not None:
        if scaling:
            print(scaling, file=sys.stderr)
        print("\n".join(headline))
        return
    if scaling:
        print(scaling)
    print(
        f"{summary.done} runs done, {summary.skipped} already finished, "
        f"{summary.failed} failed, in {summary.wall_seconds:.1f} s; results in {out}/"
    )
    if report is not None:
        print(f"report: {report}/summary.md")


def _exit_status(summary, out: Path) -> int:
    """0, or 1 after saying on stderr where the failed runs' tracebacks are."""
    if not summary.failed:
        return 0
    print(
        f"wijksim: {summary.failed} runs failed; tracebacks in {out}/failed/; "
        "run the same command again to retry them",
        file=sys.stderr,
    )
    return 1


def _check_scheduler(address: str) -> None:
    """Refuse, within seconds, a Dask scheduler that cannot be reached.

    Raises:
        ScenarioError: The address is not ``[tcp://]host:port`` or nothing answers there.
    """
    match = re.fullmatch(r"(?:tcp://)?\[?([^\s\[\]/]+?)\]?:(\d+)/?", address.strip())
    if match is None:
        raise ScenarioError(address, "expected a Dask scheduler address like tcp://host:8786")
    host, port = match.group(1), int(match.group(2))
    try:
        with socket.create_connection((host, port), timeout=SCHEDULER_TIMEOUT_SECONDS):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ScenarioError(address, f"cannot reach the Dask scheduler: {reason}") from None


def _scaling_line(tasks) -> str | None:
    """What the sweep scaled with the households, in one line (``None``: nothing)."""
    lines = {
        describe_scaling(t.scaled, t.scenario.population.households) for t in tasks if t.scaled
    }
    if len(lines) == 1:
        return lines.pop()
    if lines:
        scaled_runs = sum(1 for t in tasks if t.scaled)
        return (
            f"per-neighbourhood amounts scaled with households in {scaled_runs} of "
            f"{len(tasks)} runs ('scaled' in sweep.json)"
        )
    return None


def command_sweep(args: argparse.Namespace) -> int:
    """Run a sweep file (scenario × variants × grid × seeds) and report on it."""
    from wijksim.experiments.runner.sweep_spec import load_sweep, plan_runs

    spec, path = load_sweep(args.sweep)
    if args.seeds is not None:
        spec = spec.model_copy(update={"seeds": args.seeds})
    spec = _with_parameter_sets(spec, args)
    tasks = plan_runs(spec, path, allow_large=args.allow_large)
    out = Path(args.out) if args.out else Path("results") / "sweeps" / spec.name
    return _execute_sweep(spec, tasks, out, args, source=str(path))


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
    return _exit_status(summary, out)


def command_transition(args: argparse.Namespace) -> int:
    """The switch to a team against the old system continued, on paired seeds."""
    from wijksim.experiments.runner.sweep_spec import SweepSpec, VariantSpec, plan_runs

    resolved = load_scenario(args.scenario)  # fails early, naming the file, if invalid
    overrides = _overrides(args.households, args.years, args.set)
    spec = SweepSpec(
        name=f"transition-{resolved.name}",
        scenario=str(resolved.path),
        analysis="transition",
        seeds=args.seeds,
        first_seed=args.first_seed,
        reference="counterfactual",
        set=overrides,
        variants=[
            VariantSpec(name="counterfactual", without=["team"]),
            VariantSpec(name="transition"),
        ],
    )
    if resolved.scenario.team is None:
        raise ScenarioError(resolved.path, "expected a scenario with a [team] to switch to")
    spec = _with_parameter_sets(spec, args)
    tasks = plan_runs(spec, resolved.path, allow_large=args.allow_large)
    out = Path(args.out) if args.out else default_folder(spec.name, overrides)
    return _execute_sweep(spec, tasks, out, args, source=str(resolved.path))


def command_compare_funding(args: argparse.Namespace) -> int:
    """Every funding form on the same neighbourhood and seeds, against a cost centre."""
    from wijksim.experiments.runner.sweep_spec import load_sweep, plan_runs

    resolved = load_scenario(args.scenario)  # fails early, naming the file, if invalid
    if resolved.scenario.team is None:
        raise ScenarioError(resolved.path, "expected a scenario with a [team] to fund")
    spec, path = load_sweep("compare_funding")
    overrides = _overrides(args.households, args.years, args.set)
    grid, label = _funding_families(args, overrides)
    spec = spec.model_copy(
        update={
            "name": f"compare-funding-{resolved.name}",
            "scenario": str(resolved.path),
            "seeds": args.seeds,
            "first_seed": args.first_seed,
            "set": {**spec.set, **overrides},
            "grid": {**spec.grid, **grid},
        }
    )
    spec = _with_parameter_sets(spec, args)
    tasks = plan_runs(spec, path, allow_large=args.allow_large)
    out = Path(args.out) if args.out else default_folder(spec.name, label)
    return _execute_sweep(spec, tasks, out, args, source=str(path))


def _funding_families(
    args: argparse.Namespace, overrides: dict[str, object]
) -> tuple[dict[str, list], dict[str, object]]:
    """The grid of ``--ethos`` and ``--fixed-operator``, and the default folder's label.

    One ``--ethos`` value is an override (added to ``overrides``); several are a grid, so
    each value is a family of forms on the same seeds. ``--fixed-operator`` adds
    ``funding.operator.adapts = [true, false]`` to the grid.

    Raises:
        ScenarioError: A bad ``--ethos`` or a field also given with ``--set``.
    """
    ethos = _ethos_values(args.ethos, overrides)
    grid: dict[str, list] = {ETHOS_FIELD: ethos} if len(ethos) > 1 else {}
    if len(ethos) == 1:
        overrides[ETHOS_FIELD] = ethos[0]
    label = dict(overrides)
    if grid:
        label[ETHOS_FIELD] = "+".join(map(str, ethos))
    if args.fixed_operator:
        if ADAPTS_FIELD in overrides:
            message = "set by both --fixed-operator and --set"
            raise ScenarioError(COMMAND_LINE, message, ADAPTS_FIELD)
        grid[ADAPTS_FIELD] = [True, False]
        label["fixed-operator"] = "yes"
    return grid, label


ETHOS_FIELD = "funding.operator.ethos"
"""The operator's weight on households against money (0: profit-seeking, as S1 App. III.4
assumes; the compare_funding sweep's own is 0.3, a non-profit that must break even)."""


ADAPTS_FIELD = "funding.operator.adapts"
"""Whether the operator changes the team's policy: ``--fixed-operator`` runs every form both
ways, so that the report can tell the arrows the payment rule gives by itself (they hold
without adaptation: by construction) from those that come from the operator (emerge)."""


def _ethos_values(text: str | None, overrides: dict[str, object]) -> list[float]:
    """``--ethos 0,0.3`` → ``[0.0, 0.3]``; nothing given → ``[]`` (the sweep's own).

    Raises:
        ScenarioError: A value that is not a number from 0 to 1, one listed twice, or
            ``--ethos`` beside ``--set funding.operator.ethos=…``.
    """
    if text is None:
        return []
    if ETHOS_FIELD in overrides:
        raise ScenarioError(COMMAND_LINE, "set by both --ethos and --set", ETHOS_FIELD)
    values = []
    for part in _names(text) or [text]:
        try:
            value = float(part)
        except ValueError:
            value = math.nan
        if not 0.0 <= value <= 1.0:
            message = f"expected numbers from 0 to 1 separated by commas, found '{part}'"
            raise ScenarioError(COMMAND_LINE, message, "--ethos")
        if value in values:
            raise ScenarioError(COMMAND_LINE, f"lists {part} twice", "--ethos")
        values.append(value)
    return values


def command_compare_teams(args: argparse.Namespace) -> int:
    """Team configurations × funding forms × neighbourhood types on paired seeds."""
    from wijksim.experiments.runner.sweep_spec import plan_runs
    from wijksim.experiments.runner.teams_sweep import teams_sweep

    resolved = load_scenario(args.scenario)  # fails early, naming the file, if invalid
    if resolved.scenario.team is None:
        raise ScenarioError(resolved.path, "expected a scenario with a [team] to split")
    overrides = _overrides(args.households, args.years, args.set)
    spec, path = teams_sweep(
        str(resolved.path),
        configurations=_names(args.configurations),
        forms=_names(args.forms) if args.forms else None,
        neighbourhoods=_names(args.neighbourhoods),
        seeds=args.seeds,
        first_seed=args.first_seed,
        overrides=overrides,
    )
    spec = _with_parameter_sets(spec, args)
    tasks = plan_runs(spec, path, allow_large=args.allow_large)
    out = Path(args.out) if args.out else default_folder(spec.name, overrides)
    return _execute_sweep(spec, tasks, out, args, source=str(path))


def command_compare_allocation(args: argparse.Namespace) -> int:
    """One city's team budget divided by each key on paired seeds (issue 18, item 2)."""
    from wijksim.experiments.reports.compare_allocation import compare_allocation, write_allocation
    from wijksim.experiments.reports.table_files import Provenance

    overrides = _overrides(args.households, args.years, args.set)
    resolved, _scaled = _resolve(args.scenario, overrides)
    scenario = resolved.scenario
    if scenario.city is None or scenario.team is None:
        raise ScenarioError(resolved.path, "expected a city scenario with a [city] and a [team]")
    check_size(scenario, COMMAND_LINE if overrides else resolved.path, args.allow_large)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    allocations = _names(args.allocations) if args.allocations else None
    out = Path(args.out) if args.out else default_folder(f"allocation-{resolved.name}", overrides)
    _check_out_folder(out, kind="allocation")
    runs = args.seeds * (len(allocations) if allocations else 5)
    with tqdm(total=runs, desc="allocations", unit="run", disable=args.quiet) as bar:
        result = compare_allocation(
            scenario, resolved.name, seeds, allocations, args.workers, bar.update
        )
    provenance = Provenance(
        command="compare-allocation",
        scenario=resolved.name,
        overrides=overrides,
        households=f"{scenario.total_households:,}",
        years=scenario.years,
        seeds=seeds,
    )
    write_allocation(result, out, provenance, args.lang)
    if not args.quiet:
        print(result.markdown())
        print(f"wrote {out}/ (summary.md; tables .parquet, .csv and tables.xlsx)")
    return 0


def _names(text: str) -> list[str]:
    """A comma-separated list: ``"a, b"`` → ``["a", "b"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def command_report(args: argparse.Namespace) -> int:
    """Turn a sweep's results folder into tables, figures and a markdown summary."""
    from wijksim.experiments.reports.sweep_report import write_report

    _check_out_folder(Path(args.results) / "report", kind="report")
    report = write_report(Path(args.results), discount_rate=args.discount_rate, language=args.lang)
    if not args.quiet:
        print((report / "summary.md").read_text(encoding="utf-8"))
        print(f"wrote {report}/ (summary.md, tables .parquet, figures/)")
    return 0


def command_bench(args: argparse.Namespace) -> int:
    """Time the array core, the idiomatic-Mesa reference, the floor and the full model."""
    if args.city:
        return _command_bench_city(args)
    from wijksim.experiments.benchmarks.bench import (
        BenchSettings,
        parse_sizes,
        run_bench,
        write_bench,
    )

    settings = BenchSettings(
        households=parse_sizes(args.households),
        years=args.years,
        reference_weeks=args.reference_weeks,
        memory_years=args.memory_years,
        seed=args.seed,
        full_scenario=args.full_scenario,
        repeats=args.repeats,
    )
    settings.check()
    out = Path(args.out or "results/bench")
    _check_out_folder(out, kind="bench")
    say = None if args.quiet else (lambda text: print(f"bench: {text}", file=sys.stderr))
    result = run_bench(settings, progress=say)
    write_bench(result, out)
    if not args.quiet:
        print((out / "bench.md").read_text(encoding="utf-8"))
        print(f"wrote {out}/ (bench.md; tables .parquet, .csv and tables.xlsx; figures/)")
    return 0


def _command_bench_city(args: argparse.Namespace) -> int:
    """``bench --city``: a city against one neighbourhood of its size, and its peak memory."""
    from wijksim.experiments.benchmarks.bench_city import run_city_bench, write_city_bench

    if args.years < 1:
        raise ScenarioError(
            COMMAND_LINE, f"--years: expected a whole number >= 1, found {args.years}"
        )
    out = Path(args.out or "results/bench_city")
    _check_out_folder(out, kind="bench")
    say = None if args.quiet else (lambda text: print(f"bench: {text}", file=sys.stderr))
    result = run_city_bench(
        args.city, years=args.years, seed=args.seed, memory=args.memory_years > 0, progress=say
    )
    write_city_bench(result, out)
    if not args.quiet:
        print(result.markdown())
        print(f"wrote {out}/ (bench.md; tables .parquet, .csv and tables.xlsx)")
    return 0


def command_reliability(args: argparse.Namespace) -> int:
    """S1 App. VI's table by simulation, and how often a bonus–malus is on the wrong side."""
    from wijksim.experiments.reports.reliability_run import (
        ReliabilitySettings,
        parse_households,
        run_reliability,
        write_reliability,
    )

    simulated = ("households", "per_size", "mean", "spread", "replications")
    if args.source_folder is not None:
        given = [name for name in simulated if getattr(args, name) is not None]
        if given:
            option = "--" + given[0].replace("_", "-")
            raise ScenarioError(COMMAND_LINE, "does not apply with --from", option)
    households, households_file = parse_households(args.households or "3000,6000,10000")
    settings = ReliabilitySettings(
        households=households,
        per_size=6 if args.per_size is None else args.per_size,
        indicator=args.indicator,
        mean=args.mean,
        spread=args.spread,
        target=args.target,
        years=args.years,
        replications=500 if args.replications is None else args.replications,
        seed=args.seed,
        households_file=households_file,
        source_folder=args.source_folder,
    )
    settings.check()
    out = Path(args.out or f"results/reliability-{args.indicator}")
    _check_out_folder(out, kind="reliability")  # before any work
    write_reliability(run_reliability(settings), out, args.lang)
    if not args.quiet:
        print((out / "summary.md").read_text(encoding="utf-8"))
        print(f"wrote {out}/ (summary.md; tables .parquet, .csv and tables.xlsx; figures/)")
    return 0


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_DASHBOARD_PORT = 8501
"""Streamlit's own default port."""


def dashboard_command(host: str, port: int) -> list[str]:
    """The ``streamlit run`` command line that serves the dashboard.

    Offline and private by default: no browser is opened (the server may run where there
    is none), no usage statistics are sent, the file watcher is off (nothing to reload
    for a user), the toolbar shows no developer options, and bare strings in the script
    are not shown ("magic" off).
    """
    from wijksim.dashboard import __file__ as package_init

    app = Path(package_init).with_name("app.py")
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--runner.magicEnabled",
        "false",
    ]


def command_params(args: argparse.Namespace) -> int:
    """Print the parameter reference: every scenario field, or one section's."""
    from wijksim.model.parameters import (
        UnknownSection,
        format_markdown,
        format_text,
        scenario_values,
        select,
    )

    if args.odd:
        return _regenerate_odd(args.odd)
    try:
        chosen = select(args.section)
    except UnknownSection as error:
        raise ScenarioError(COMMAND_LINE, str(error)) from None
    if args.markdown and args.scenario:
        raise ScenarioError(COMMAND_LINE, "expected --markdown or --scenario, found both")
    if args.scenario:
        resolved = load_scenario(args.scenario)
        values = scenario_values(resolved.scenario)
        text = format_text(chosen, values=values, scenario_name=resolved.name)
    else:
        text = format_markdown(chosen) if args.markdown else format_text(chosen)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `wijksim params | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _regenerate_odd(path: str) -> int:
    """Render the generated tables of the model description at ``path`` in place."""
    from wijksim.experiments.reports.odd_tables import UnknownBlock, regenerate_file

    try:
        changed = regenerate_file(Path(path))
    except OSError as error:
        raise ScenarioError(path, f"expected a readable Markdown file, found {error}") from None
    except UnknownBlock as error:
        raise ScenarioError(path, str(error)) from None
    print(f"{path}: {'tables regenerated' if changed else 'tables up to date'}")
    return 0


def command_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard in the browser (replaces this process with Streamlit)."""
    if not 0 < args.port < 65536:
        raise ScenarioError("<command line>", f"expected --port 1..65535, found {args.port}")
    if args.host not in LOOPBACK_HOSTS:
        print(
            f"wijksim: warning: serving on {args.host}, reachable from other machines; the "
            "dashboard has no login. Use --host 127.0.0.1 to keep it on this machine.",
            file=sys.stderr,
        )
    print(f"wijksim dashboard: http://{args.host}:{args.port}/ (Ctrl-C stops it)", file=sys.stderr)
    sys.stderr.flush()
    command = dashboard_command(args.host, args.port)
    os.execv(command[0], command)  # signals reach Streamlit itself; never returns
    return 0  # pragma: no cover


def _add_replicate_options(
    parser: argparse.ArgumentParser,
    seeds: int,
    years_help: str = "override the years (default 8)",
    households_help: str = "override the number of households",
) -> None:
    """Seeds, first seed, years, households and ``--set``: the options of a paired experiment."""
    parser.add_argument("--seeds", type=_count, default=seeds, help=f"replicates (default {seeds})")
    parser.add_argument("--first-seed", type=_count, default=1, help="first seed (default 1)")
    parser.add_argument("--years", type=int, help=years_help)
    parser.add_argument("--households", type=int, help=households_help)
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", help="any field")


def _add_parameter_set_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--parameter-sets",
        type=_count,
        help="run every condition on N parameter sets drawn from the calibrated ensemble, "
        "each on its own seeds: bands then combine parameter and stochastic uncertainty",
    )
    parser.add_argument(
        "--ensemble",
        default="old_system",
        help="ensemble to draw from: a shipped one's name (default old_system) or a "
        ".parquet file written by `wijksim calibrate --spec`",
    )


def _with_parameter_sets(spec, args: argparse.Namespace):
    """The sweep with ``--parameter-sets N`` from ``--ensemble``, or as it was.

    The sets are drawn at random, seeded by the sweep's first seed.
    """
    from wijksim.experiments.calibration.ensemble import draw_parameter_sets, load_ensemble

    if not args.parameter_sets:
        return spec
    ensemble = load_ensemble(args.ensemble)
    sets = draw_parameter_sets(ensemble, args.parameter_sets, seed=spec.first_seed)
    return spec.model_copy(update={"parameter_sets": sets})


def _add_backend_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=("serial", "processes", "dask"),
        default="processes",
        help="where runs execute (default processes; dask starts a LocalCluster)",
    )
    parser.add_argument("--workers", type=_count, help="processes or Dask workers (default: cores)")
    parser.add_argument(
        "--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    parser.add_argument("--out", help="results folder (an interrupted sweep resumes there)")
    parser.add_argument(
        "--restart",
        action="store_true",
        help="discard the runs already in the results folder and start again "
        "(needed after a model change: runs of another model revision are never mixed)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    _add_allow_large(parser)


def _add_language(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=("en", "nl"),
        default="en",
        help="language of the summary printed at the end and of the summary.md, figures and "
        "table headers written: en (default) or nl (Dutch)",
    )


def _add_allow_large(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-large",
        action="store_true",
        help="run even if a run needs an estimated 8 GB of memory or more, or a sweep "
        "has more than 100,000 runs",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``wijksim`` command."""
    parser = _OneLineParser(
        prog="wijksim",
        description="Simulate a Dutch neighbourhood, its social neighbourhood team and its costs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run one simulation and write tables and figures")
    run.add_argument(
        "scenario", nargs="?", default=DEFAULT_SCENARIO, help="scenario name or .toml file"
    )
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--years", type=int, help="override the scenario's years")
    run.add_argument("--households", type=int, help="override the number of households")
    run.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override any scenario field, e.g. --set team.frontline_fte=40 (repeatable)",
    )
    run.add_argument(
        "--out",
        help="output folder (default results/SCENARIO-seedN, followed by the overrides, "
        "e.g. results/integral_team-seed0-households=3000; long ones end in a hash)",
    )
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out even if it is not a wijksim result (an earlier result is "
        "always replaced, with a note on stderr)",
    )
    run.add_argument("--no-figures", action="store_true", help="write tables only")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    _add_allow_large(run)
    _add_language(run)
    run.set_defaults(handler=command_run)

    listing = commands.add_parser("list", help="list the shipped scenarios")
    listing.set_defaults(handler=command_list)

    params = commands.add_parser(
        "params",
        help="every scenario field with its unit, default, allowed values and source",
        description="The parameter reference, from the scenario schema. SECTION is a "
        "section (team, specialists, funding, ...), a nested table (team.policy) or a field.",
    )
    params.add_argument("section", nargs="?", help="one section, table or field (default: all)")
    params.add_argument(
        "--markdown", action="store_true", help="as Markdown (docs/parameters.md is this)"
    )
    params.add_argument(
        "--scenario",
        help="also show where this scenario (a shipped name or a .toml file) differs from "
        "the defaults",
    )
    params.add_argument(
        "--odd",
        metavar="PATH",
        help="regenerate the tables of the model description in place (docs/ODD.md)",
    )
    params.set_defaults(handler=command_params)

    validate = commands.add_parser("validate", help="check a scenario file")
    validate.add_argument("scenario", help="scenario name or .toml file")
    _add_allow_large(validate)
    validate.set_defaults(handler=command_validate)

    calibrate = commands.add_parser(
        "calibrate",
        help="fit the model to the target group shares, or with --spec to every observed target",
    )
    calibrate.add_argument("scenario", help="scenario name or .toml file")
    calibrate.add_argument(
        "--spec",
        help="calibration file (data/calibration/NAME.toml, or a path): fit every target it "
        "names by history matching, instead of the group shares alone",
    )
    calibrate.add_argument(
        "--seeds", type=int, help="seeds per evaluation (default 3, or the spec's)"
    )
    calibrate.add_argument(
        "--households", type=int, help="households per run (default 3000, or the spec's)"
    )
    calibrate.add_argument(
        "--results",
        help="with --spec: folder for the waves' runs and tables (default "
        "results/calibration-SCENARIO-SPEC; an interrupted calibration resumes in it)",
    )
    calibrate.add_argument("--backend", choices=("serial", "processes", "dask"), default="serial")
    calibrate.add_argument("--workers", type=int, help="processes or Dask workers")
    calibrate.add_argument("--scheduler", help="address of a running Dask scheduler")
    calibrate.add_argument(
        "--restart", action="store_true", help="with --spec: discard earlier runs first"
    )
    calibrate.add_argument("--max-evaluations", type=int, default=80, help="optimiser budget")
    calibrate.add_argument(
        "--out",
        help=f"file to write (default SCENARIO{CALIBRATED_SUFFIX} in the current folder)",
    )
    calibrate.add_argument(
        "--in-place",
        action="store_true",
        help="overwrite the scenario file itself (and so every scenario that extends it)",
    )
    calibrate.add_argument(
        "--overwrite", action="store_true", help="replace the --out file if it exists"
    )
    calibrate.add_argument("--quiet", action="store_true")
    calibrate.set_defaults(handler=command_calibrate)

    targets = commands.add_parser(
        "targets", help="compare a scenario's runs with the observed Dutch targets"
    )
    targets.add_argument(
        "scenario", nargs="?", default=DEFAULT_SCENARIO, help="scenario name or .toml file"
    )
    _add_replicate_options(targets, seeds=3, years_help="override the scenario's years")
    targets.add_argument("--targets", help="targets file (default: the shipped data/targets.toml)")
    targets.add_argument(
        "--out", help="output folder (default results/targets-SCENARIO, with the overrides)"
    )
    targets.add_argument(
        "--overwrite", action="store_true", help="replace --out even if it is not a wijksim result"
    )
    targets.add_argument("--quiet", action="store_true", help="no progress or table")
    targets.set_defaults(handler=command_targets)

    sweep = commands.add_parser(
        "sweep",
        help="run a sweep: scenarios × grid × seeds",
        description=f"Run a sweep: scenarios × grid × seeds. {PLUGINS_RUN_CODE}",
    )
    sweep.add_argument("sweep", help="sweep file (.toml) or name of a shipped sweep")
    sweep.add_argument("--seeds", type=_count, help="override the number of seeds")
    _add_parameter_set_options(sweep)
    _add_backend_options(sweep)
    sweep.set_defaults(handler=command_sweep)

    sensitivity = commands.add_parser(
        "sensitivity",
        help="global sensitivity analysis (Morris or Sobol, SALib) over a sensitivity file",
    )
    sensitivity.add_argument(
        "spec", help="sensitivity file (.toml) or name of a shipped one (sensitivity_*)"
    )
    _add_backend_options(sensitivity)
    sensitivity.set_defaults(handler=command_sensitivity)

    transition = commands.add_parser(
        "transition", help="the switch to a team against the old system continued"
    )
    transition.add_argument(
        "scenario", nargs="?", default="transition", help="a scenario with a [team]"
    )
    _add_replicate_options(transition, seeds=10, years_help="override the scenario's years")
    transition.add_argument(
        "--discount-rate", type=float, help="for present values (default 0.0225)"
    )
    _add_parameter_set_options(transition)
    _add_backend_options(transition)
    _add_language(transition)
    transition.set_defaults(handler=command_transition)

    compare = commands.add_parser(
        "compare-funding", help="every funding form on paired seeds: the incentive table"
    )
    compare.add_argument(
        "scenario",
        nargs="?",
        default="funding_function_budget",
        help="a scenario with a [team] (default funding_function_budget)",
    )
    _add_replicate_options(compare, seeds=10)
    compare.add_argument(
        "--ethos",
        metavar="X[,Y...]",
        help="the operator's ethos, 0 (profit-seeking, as the source's table assumes) to 1; "
        "several values run each as its own family of forms on the same seeds, with an "
        "incentive table per value (default: the sweep's own, 0.3)",
    )
    compare.add_argument(
        "--fixed-operator",
        action="store_true",
        help="also run every form with an operator that does not adapt (funding.operator."
        "adapts=false), to tell the arrows that hold by construction from those that emerge",
    )
    _add_parameter_set_options(compare)
    _add_backend_options(compare)
    _add_language(compare)
    compare.set_defaults(handler=command_compare_funding)
    teams = commands.add_parser(
        "compare-teams",
        help="team splits × funding forms × neighbourhood types on paired seeds",
    )
    teams.add_argument(
        "scenario", nargs="?", default="integral_team", help="a scenario with a [team]"
    )
    _add_replicate_options(teams, seeds=5, households_help="override every neighbourhood's size")
    teams.add_argument(
        "--configurations",
        default="integral,team_focus_life_phase,team_front_back",
        help="'integral' and scenarios whose [team.split] to use; the first is the reference",
    )
    teams.add_argument(
        "--forms", help="funding forms of the compare_funding sweep (default: all seven)"
    )
    teams.add_argument(
        "--neighbourhoods",
        default="weak,vulnerable,strong",
        help="neighbourhood types (default weak,vulnerable,strong)",
    )
    _add_parameter_set_options(teams)
    _add_backend_options(teams)
    _add_language(teams)
    teams.set_defaults(handler=command_compare_teams)
    bench = commands.add_parser(
        "bench", help="time the array core against idiomatic Mesa, and the full model"
    )
    bench.add_argument(
        "--households",
        default="1000,10000,100000",
        help="population sizes, comma-separated (default 1000,10000,100000)",
    )
    bench.add_argument("--years", type=int, default=1, help="years timed (default 1)")
    bench.add_argument(
        "--reference-weeks",
        type=int,
        default=13,
        help="weeks timed for the slow idiomatic-Mesa reference (default 13)",
    )
    bench.add_argument(
        "--memory-years",
        type=int,
        default=10,
        help="years of the memory run at the largest size; 0 skips it (default 10)",
    )
    bench.add_argument("--seed", type=int, default=1, help="seed of every run (default 1)")
    bench.add_argument(
        "--repeats", type=int, default=1, help="measure each cell this often, keep the fastest"
    )
    bench.add_argument(
        "--full-scenario",
        default="funding_population",
        help="scenario of the full model, with a [team] and [funding] (default funding_population)",
    )
    bench.add_argument(
        "--city",
        metavar="SCENARIO",
        help="instead: a city scenario (eindhoven_like) against one neighbourhood of its "
        "size, cost per household-step over --years, and its shipped run's peak memory "
        "(skipped with --memory-years 0)",
    )
    bench.add_argument("--out", help="output folder (default results/bench)")
    bench.add_argument("--quiet", action="store_true", help="no progress or summary")
    bench.set_defaults(handler=command_bench)
    _add_reliability(commands)
    _add_compare_allocation(commands)
    dashboard = commands.add_parser(
        "dashboard", help="the dashboard in the browser: knobs, runs, comparisons, downloads"
    )
    dashboard.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1, this machine only; others warn)",
    )
    dashboard.add_argument(
        "--port", type=int, default=DEFAULT_DASHBOARD_PORT, help="port (default 8501)"
    )
    dashboard.set_defaults(handler=command_dashboard)
    report = commands.add_parser("report", help="figures and a summary from a results folder")
    report.add_argument("results", help="a sweep's results folder")
    report.add_argument("--discount-rate", type=float, help="for the transition curve")
    report.add_argument("--quiet", action="store_true")
    _add_language(report)
    report.set_defaults(handler=command_report)
    _add_plugin_option(commands)
    return parser


WITHOUT_PLUGINS: frozenset[str] = frozenset({"dashboard"})
"""Commands without ``--plugin``: the dashboard builds its scenarios from its own knobs
and runs in another process (streamlit), where nothing would import the plugin."""


def _add_plugin_option(commands) -> None:
    """``--plugin MODULE`` (repeatable) on every command that runs or reads a model."""
    for name, command in commands.choices.items():
        if name in WITHOUT_PLUGINS:
            continue
        command.add_argument(
            "--plugin",
            action="append",
            default=[],
            metavar="MODULE",
            help="import MODULE first: a partner's rules (repeatable; Python code that runs "
            "with your permissions; docs/extending.md)",
        )


def _add_compare_allocation(commands) -> None:
    """The ``compare-allocation`` subcommand (issue 18, item 2)."""
    allocation = commands.add_parser(
        "compare-allocation",
        help="one city's team budget divided bottom-up or by a key (S1 App. IV) on paired seeds",
    )
    allocation.add_argument(
        "scenario", nargs="?", default="utrecht_like", help="a city scenario (default utrecht_like)"
    )
    _add_replicate_options(
        allocation, seeds=3, years_help="override the years", households_help="the whole city's"
    )
    allocation.add_argument(
        "--allocations",
        help="comma-separated, of as_scenario, households, vulnerability, need_zrm, caseload "
        "(default all; households, the reference, always runs)",
    )
    allocation.add_argument("--workers", type=_count, default=1, help="processes (default 1)")
    allocation.add_argument("--out", help="output folder (default results/allocation-SCENARIO)")
    allocation.add_argument("--quiet", action="store_true", help="no progress or summary")
    _add_language(allocation)
    _add_allow_large(allocation)
    allocation.set_defaults(handler=command_compare_allocation)


def _add_reliability(commands) -> None:
    """The ``reliability`` subcommand (issue 18, item 4)."""
    reliability = commands.add_parser(
        "reliability",
        help="S1 App. VI by simulation: observations needed, and how often a bonus–malus "
        "on results rewards the wrong neighbourhood (raw and empirical Bayes)",
    )
    reliability.add_argument(
        "--households",
        help="households of each neighbourhood size, comma-separated, or a .toml file with "
        "households = [...] (default 3000,6000,10000: S1 App. IV)",
    )
    reliability.add_argument("--per-size", type=int, help="neighbourhoods of each size (default 6)")
    reliability.add_argument(
        "--indicator",
        choices=("escalations", "self_reliant"),
        default="escalations",
        help="what is settled on (default escalations: lower is better)",
    )
    reliability.add_argument(
        "--mean", type=float, help="city mean rate (default 0.0076 escalations, 0.785 self-reliant)"
    )
    reliability.add_argument(
        "--spread",
        type=float,
        help="between-neighbourhood sd of the true rate relative to the mean "
        "(default 0.2 escalations, 0.025 self-reliant; assumptions)",
    )
    reliability.add_argument(
        "--target", type=float, help="settle against this rate instead of the city mean"
    )
    reliability.add_argument("--years", type=int, default=5, help="years pooled, up to (default 5)")
    reliability.add_argument("--replications", type=int, help="simulated cities (default 500)")
    reliability.add_argument(
        "--from",
        dest="source_folder",
        metavar="RESULTS_DIR",
        help="settle on a sweep's results instead of a simulated city: its conditions are "
        "the neighbourhoods, its seeds the replications, a condition's mean over seeds and "
        "years its true rate",
    )
    reliability.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    reliability.add_argument("--out", help="output folder (default results/reliability-INDICATOR)")
    reliability.add_argument("--quiet", action="store_true", help="no summary printed")
    _add_language(reliability)
    reliability.set_defaults(handler=command_reliability)


def _interrupt_on_sigterm(signum, frame) -> None:
    """End the command on SIGTERM as on Ctrl-C (issue 19, item 5).

    ``kill`` or a batch system's time limit then stops the workers and keeps the
    finished runs, instead of leaving the workers running.
    """
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``wijksim`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt_on_sigterm) if on_main_thread else None
    try:
        # The one place the command line's plugins are imported; a sweep's workers
        # import them again (wijksim.model.plugins.imported_plugins).
        import_plugins(getattr(args, "plugin", []), COMMAND_LINE, "--plugin")
        return args.handler(args)
    except ScenarioError as error:
        print(f"wijksim: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        if error.errno not in ENVIRONMENT_ERRORS:
            raise
        where = one_line(error.filename or "<output>", 200)
        print(f"wijksim: {where}: cannot write or read: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("wijksim: interrupted; nothing was written for the unfinished run", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
