"""The ``wijksim`` command: its grammar (:func:`build_parser`) and :func:`main`.

A thin layer over the experiment functions: each subcommand's work is in the
``*_commands`` module of its group. Every user mistake (a bad scenario file, an unknown
field, a wrong value on the command line) is printed as one line naming the file and
field, with exit code 2 and nothing written.

Over 300 lines because :func:`build_parser` declares every subcommand and option in one
place, in the order ``wijksim --help`` lists them: one function a reader scans for a flag.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading

from wijksim.experiments.cli.calibration_commands import (
    CALIBRATED_SUFFIX,
    command_calibrate,
    command_sensitivity,
    command_targets,
)
from wijksim.experiments.cli.common import (
    COMMAND_LINE,
    DEFAULT_SCENARIO,
    EXIT_USAGE,
    OneLineParser,
    positive_count,
)
from wijksim.experiments.cli.comparison_commands import (
    add_compare_allocation,
    add_compare_providers,
    command_compare_funding,
    command_compare_teams,
)
from wijksim.experiments.cli.dashboard_command import DEFAULT_DASHBOARD_PORT, command_dashboard
from wijksim.experiments.cli.options import (
    add_allow_large,
    add_backend_options,
    add_language,
    add_parameter_set_options,
    add_plugin_option,
    add_replicate_options,
)
from wijksim.experiments.cli.scenario_commands import (
    command_list,
    command_params,
    command_run,
    command_validate,
)
from wijksim.experiments.cli.study_commands import add_reliability, command_bench
from wijksim.experiments.cli.sweep_commands import (
    command_report,
    command_results_doc,
    command_sweep,
    command_transition,
)
from wijksim.model.inputs.plugins import import_plugins
from wijksim.model.inputs.scenario_io import (
    ScenarioError,
    one_line,
)

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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``wijksim`` command."""
    parser = OneLineParser(
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
    add_allow_large(run)
    add_language(run)
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
    add_allow_large(validate)
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
    add_replicate_options(targets, seeds=3, years_help="override the scenario's years")
    targets.add_argument("--targets", help="targets file (default: the shipped data/targets.toml)")
    targets.add_argument(
        "--out", help="output folder (default results/targets-SCENARIO, with the overrides)"
    )
    targets.add_argument(
        "--overwrite", action="store_true", help="replace --out even if it is not a wijksim result"
    )
    targets.add_argument("--quiet", action="store_true", help="no progress or table")
    targets.set_defaults(handler=command_targets)

    results_doc = commands.add_parser(
        "results-doc",
        help="regenerate the figures of a results document (docs/results_*.md) from results "
        "folders",
        description="Replace what lies between '<!-- results:begin NAME -->' and "
        "'<!-- results:end NAME -->' in DOCUMENT with the report of a results folder, headed "
        "by its command, commit, seeds and parameter sets; its figures are copied to "
        "docs/figures/DOCUMENT/NAME/.",
    )
    results_doc.add_argument(
        "document", help="the Markdown document (e.g. docs/results_funding.md)"
    )
    results_doc.add_argument(
        "--block",
        action="append",
        required=True,
        metavar="NAME=FOLDER",
        help="a block and the results folder it shows (repeatable)",
    )
    results_doc.add_argument(
        "--command",
        action="append",
        metavar="NAME=COMMAND",
        help="the command that produced a block's folder, for folders whose manifest "
        "predates the recorded command",
    )
    results_doc.add_argument(
        "--sections",
        action="append",
        metavar="NAME=TITLE|TITLE",
        help="keep only the report's sections whose headings start with these titles (with "
        "their subsections) in a block (default: the whole report)",
    )
    results_doc.add_argument(
        "--allow-dirty",
        action="store_true",
        help="accept results of a checkout with uncommitted changes (marked as a draft)",
    )
    results_doc.set_defaults(handler=command_results_doc)

    sweep = commands.add_parser(
        "sweep",
        help="run a sweep: scenarios × grid × seeds",
        description=f"Run a sweep: scenarios × grid × seeds. {PLUGINS_RUN_CODE}",
    )
    sweep.add_argument("sweep", help="sweep file (.toml) or name of a shipped sweep")
    sweep.add_argument("--seeds", type=positive_count, help="override the number of seeds")
    add_parameter_set_options(sweep)
    add_backend_options(sweep)
    sweep.set_defaults(handler=command_sweep)

    sensitivity = commands.add_parser(
        "sensitivity",
        help="global sensitivity analysis (Morris or Sobol, SALib) over a sensitivity file",
    )
    sensitivity.add_argument(
        "spec", help="sensitivity file (.toml) or name of a shipped one (sensitivity_*)"
    )
    add_backend_options(sensitivity)
    sensitivity.set_defaults(handler=command_sensitivity)

    transition = commands.add_parser(
        "transition", help="the switch to a team against the old system continued"
    )
    transition.add_argument(
        "scenario", nargs="?", default="transition", help="a scenario with a [team]"
    )
    add_replicate_options(transition, seeds=10, years_help="override the scenario's years")
    transition.add_argument(
        "--discount-rate", type=float, help="for present values (default 0.0225)"
    )
    add_parameter_set_options(transition)
    add_backend_options(transition)
    add_language(transition)
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
    add_replicate_options(compare, seeds=10)
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
    add_parameter_set_options(compare)
    add_backend_options(compare)
    add_language(compare)
    compare.set_defaults(handler=command_compare_funding)
    teams = commands.add_parser(
        "compare-teams",
        help="team splits × funding forms × neighbourhood types on paired seeds",
    )
    teams.add_argument(
        "scenario", nargs="?", default="integral_team", help="a scenario with a [team]"
    )
    add_replicate_options(teams, seeds=5, households_help="override every neighbourhood's size")
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
    add_parameter_set_options(teams)
    add_backend_options(teams)
    add_language(teams)
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
    add_reliability(commands)
    add_compare_allocation(commands)
    add_compare_providers(commands)
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
    add_language(report)
    report.set_defaults(handler=command_report)
    add_plugin_option(commands)
    return parser


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
        # import them again (wijksim.model.inputs.plugins.imported_plugins).
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
