"""The ``wijksim`` command: a thin layer over the experiment functions.

Every user mistake (a bad scenario file, an unknown field, a wrong value on the command
line) is printed as one line naming the file and field, with exit code 2 and nothing
written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tomllib
from pathlib import Path

from tqdm import tqdm
from wijksim.experiments.manifest import SHORT_NAMES
from wijksim.model.model import WEEKS_PER_YEAR
from wijksim.model.scaling import describe_scaling, with_overrides_scaled
from wijksim.model.scenario_io import (
    ResolvedScenario,
    ScenarioError,
    load_scenario,
    shipped_scenario_names,
)

EXIT_USAGE = 2
DEFAULT_SCENARIO = "old_system"
CALIBRATED_SUFFIX = ".calibrated.toml"


def _parse_setting(text: str) -> tuple[str, object]:
    """``key=value`` from ``--set``; the value is read as TOML (``40``, ``0.2``, ``"x"``)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError("<command line>", f"expected --set KEY=VALUE, found '{text}'")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
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
    resolved.scenario, scaled = with_overrides_scaled(resolved.scenario, overrides)
    return resolved, scaled


def _overrides(
    households: int | None, years: int | None, settings: list[str] | None
) -> dict[str, object]:
    """Dotted-field overrides from ``--households``, ``--years`` and ``--set``."""
    overrides = dict(_parse_setting(text) for text in settings or [])
    if households is not None:
        overrides["population.households"] = households
    if years is not None:
        overrides["years"] = years
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


def _check_out_folder(out: Path, overwrite: bool) -> bool:
    """Whether ``out`` holds an earlier wijksim result that the run will replace.

    Raises:
        ScenarioError: ``out`` exists and is not a wijksim result (no ``manifest.json``):
            a user's folder or file is never replaced without ``--overwrite``.
    """
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return False
    if (out / "manifest.json").is_file():
        return True
    if not overwrite:
        raise ScenarioError(
            out,
            "exists and is not a wijksim result (no manifest.json); "
            "choose another --out or pass --overwrite",
        )
    return True


def command_run(args: argparse.Namespace) -> int:
    """Run one simulation and write its results."""
    from wijksim.experiments.run import run_simulation, write_run, yearly_summary

    overrides = _overrides(args.households, args.years, args.set)
    resolved, scaled = _resolve(args.scenario, overrides)
    scenario = resolved.scenario
    name = f"{resolved.name}-seed{args.seed}"
    out = Path(args.out) if args.out else default_folder(name, overrides)
    replaces = _check_out_folder(out, args.overwrite)  # before the run, not after
    weeks = scenario.years * WEEKS_PER_YEAR
    label = f"{resolved.name} ({scenario.population.households:,} households, seed {args.seed})"
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
    write_run(result, out, figures=not args.no_figures)
    if replaces:
        print(f"wijksim: replaced earlier result in {out}/", file=sys.stderr)
    if not args.quiet:
        print(yearly_summary(result.steps).round(1).to_string())
        if scaled:
            print(describe_scaling(scaled, scenario.population.households))
        print(f"\nwrote {out}/ (steps, households, ledger .parquet; manifest.json; figures/)")
        print(f"wall time {result.manifest['wall_time_seconds']:.1f} s")
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
    chain = " <- ".join(str(p) for p in resolved.chain)
    print(f"{resolved.path}: valid ({resolved.scenario.label}); files: {chain}")
    return 0


def command_calibrate(args: argparse.Namespace) -> int:
    """Fit the drift hazards so that the old system settles at the target shares."""
    from wijksim.experiments.calibrate import calibrate, write_calibration

    resolved = load_scenario(args.scenario)
    target = _calibration_target(resolved, args)  # checked before hours of fitting
    fit = calibrate(
        resolved.scenario,
        seeds=args.seeds,
        households=args.households,
        max_evaluations=args.max_evaluations,
        log=None if args.quiet else print,
    )
    write_calibration(resolved.path, target, fit)
    if not args.quiet:
        print(fit.report())
        print(f"wrote fitted values to {target}")
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
    from wijksim.experiments.report import write_report
    from wijksim.experiments.sweep import run_sweep

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
    if not args.quiet:
        scaling = _scaling_line(tasks)
        if scaling:
            print(scaling)
        print(
            f"{summary.done} runs done, {summary.skipped} already finished, "
            f"{summary.failed} failed, in {summary.wall_seconds:.1f} s; results in {out}/"
        )
    if summary.done + summary.skipped > 0:
        report = write_report(out, discount_rate=getattr(args, "discount_rate", None))
        if not args.quiet:
            print(f"report: {report}/summary.md")
    if summary.failed:
        print(
            f"wijksim: {summary.failed} runs failed; tracebacks in {out}/failed/; "
            "run the same command again to retry them",
            file=sys.stderr,
        )
        return 1
    return 0


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
    from wijksim.experiments.sweep_spec import load_sweep, plan_runs

    spec, path = load_sweep(args.sweep)
    if args.seeds is not None:
        spec = spec.model_copy(update={"seeds": args.seeds})
    tasks = plan_runs(spec, path)
    out = Path(args.out) if args.out else Path("results") / "sweeps" / spec.name
    return _execute_sweep(spec, tasks, out, args, source=str(path))


def command_transition(args: argparse.Namespace) -> int:
    """The switch to a team against the old system continued, on paired seeds."""
    from wijksim.experiments.sweep_spec import SweepSpec, VariantSpec, plan_runs

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
    tasks = plan_runs(spec, resolved.path)
    out = Path(args.out) if args.out else default_folder(spec.name, overrides)
    return _execute_sweep(spec, tasks, out, args, source=str(resolved.path))


def command_compare_funding(args: argparse.Namespace) -> int:
    """Every funding form on the same neighbourhood and seeds, against a cost centre."""
    from wijksim.experiments.sweep_spec import load_sweep, plan_runs

    resolved = load_scenario(args.scenario)  # fails early, naming the file, if invalid
    if resolved.scenario.team is None:
        raise ScenarioError(resolved.path, "expected a scenario with a [team] to fund")
    spec, path = load_sweep("compare_funding")
    overrides = _overrides(args.households, args.years, args.set)
    spec = spec.model_copy(
        update={
            "name": f"compare-funding-{resolved.name}",
            "scenario": str(resolved.path),
            "seeds": args.seeds,
            "first_seed": args.first_seed,
            "set": {**spec.set, **overrides},
        }
    )
    tasks = plan_runs(spec, path)
    out = Path(args.out) if args.out else default_folder(spec.name, overrides)
    return _execute_sweep(spec, tasks, out, args, source=str(path))


def command_compare_teams(args: argparse.Namespace) -> int:
    """Team configurations × funding forms × neighbourhood types on paired seeds."""
    from wijksim.experiments.compare_teams import teams_sweep
    from wijksim.experiments.sweep_spec import plan_runs

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
    tasks = plan_runs(spec, path)
    out = Path(args.out) if args.out else default_folder(spec.name, overrides)
    return _execute_sweep(spec, tasks, out, args, source=str(path))


def _names(text: str) -> list[str]:
    """A comma-separated list: ``"a, b"`` → ``["a", "b"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def command_report(args: argparse.Namespace) -> int:
    """Turn a sweep's results folder into tables, figures and a markdown summary."""
    from wijksim.experiments.report import write_report

    report = write_report(Path(args.results), discount_rate=args.discount_rate)
    if not args.quiet:
        print((report / "summary.md").read_text(encoding="utf-8"))
        print(f"wrote {report}/ (summary.md, tables .parquet, figures/)")
    return 0


def command_bench(args: argparse.Namespace) -> int:
    """Time the array core, the idiomatic-Mesa reference, the floor and the full model."""
    from wijksim.experiments.bench import (
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
    say = None if args.quiet else (lambda text: print(f"bench: {text}", file=sys.stderr))
    result = run_bench(settings, progress=say)
    write_bench(result, out)
    if not args.quiet:
        print((out / "bench.md").read_text(encoding="utf-8"))
        print(f"wrote {out}/ (bench.md, tables .parquet, figures/)")
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``wijksim`` command."""
    parser = argparse.ArgumentParser(
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
    run.set_defaults(handler=command_run)

    listing = commands.add_parser("list", help="list the shipped scenarios")
    listing.set_defaults(handler=command_list)

    validate = commands.add_parser("validate", help="check a scenario file")
    validate.add_argument("scenario", help="scenario name or .toml file")
    validate.set_defaults(handler=command_validate)

    calibrate = commands.add_parser("calibrate", help="fit hazards to the target group shares")
    calibrate.add_argument("scenario", help="scenario name or .toml file")
    calibrate.add_argument("--seeds", type=int, default=3, help="seeds per evaluation (default 3)")
    calibrate.add_argument("--households", type=int, default=3000, help="households per run")
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

    sweep = commands.add_parser("sweep", help="run a sweep: scenarios × grid × seeds")
    sweep.add_argument("sweep", help="sweep file (.toml) or name of a shipped sweep")
    sweep.add_argument("--seeds", type=_count, help="override the number of seeds")
    _add_backend_options(sweep)
    sweep.set_defaults(handler=command_sweep)

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
    _add_backend_options(transition)
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
    _add_backend_options(compare)
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
    _add_backend_options(teams)
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
    bench.add_argument("--out", help="output folder (default results/bench)")
    bench.add_argument("--quiet", action="store_true", help="no progress or summary")
    bench.set_defaults(handler=command_bench)
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
    report.set_defaults(handler=command_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``wijksim`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ScenarioError as error:
        print(f"wijksim: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("wijksim: interrupted; nothing was written for the unfinished run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
