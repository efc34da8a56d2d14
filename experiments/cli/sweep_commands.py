"""``wijksim sweep``, ``transition`` and ``report``: running a sweep and reporting on it.

The sweep execution here (backend, scheduler check, outcome, exit status) is shared by
every subcommand that runs a sweep.
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
from pathlib import Path

from wijksim.experiments.cli.common import (
    COMMAND_LINE,
    check_out_folder,
    default_folder,
    overrides_from_options,
)
from wijksim.experiments.cli.options import with_parameter_sets
from wijksim.model.inputs.scaling import describe_scaling
from wijksim.model.inputs.scenario_io import (
    ScenarioError,
    check_size,
    load_scenario,
)

SCHEDULER_TIMEOUT_SECONDS = 5.0
"""How long to try reaching a Dask scheduler before saying it cannot be reached."""


def execute_sweep(spec, tasks, out: Path, args: argparse.Namespace, source: str) -> int:
    """Run a planned sweep, print what happened, and write its report."""
    from wijksim.experiments.reports.sweep_report import write_report
    from wijksim.experiments.runner.sweep import run_sweep

    check_out_folder(out, kind="sweep")  # before any run, not after
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
    return exit_status(summary, out)


def _print_sweep_outcome(summary, tasks, out: Path, report: Path | None, language: str) -> None:
    """A comparison's headline, or for other sweeps the runs and where the report is.

    The headline of ``transition``, ``compare-funding`` and ``compare-teams`` goes to
    stdout; the note on what was scaled with the households goes to stderr (it is also
    in the report), so that stdout is the headline alone.
    """
    from wijksim.experiments.reports.headline import sweep_headline
    from wijksim.experiments.reports.sweep_context import sweep_facts
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


def exit_status(summary, out: Path) -> int:
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
    spec = with_parameter_sets(spec, args)
    tasks = plan_runs(spec, path, allow_large=args.allow_large)
    out = Path(args.out) if args.out else Path("results") / "sweeps" / spec.name
    return execute_sweep(spec, tasks, out, args, source=str(path))


def command_transition(args: argparse.Namespace) -> int:
    """The switch to a team against the old system continued, on paired seeds."""
    from wijksim.experiments.runner.sweep_spec import SweepSpec, VariantSpec, plan_runs

    resolved = load_scenario(args.scenario)  # fails early, naming the file, if invalid
    overrides = overrides_from_options(args.households, args.years, args.set)
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
    spec = with_parameter_sets(spec, args)
    tasks = plan_runs(spec, resolved.path, allow_large=args.allow_large)
    out = Path(args.out) if args.out else default_folder(spec.name, overrides)
    return execute_sweep(spec, tasks, out, args, source=str(resolved.path))


def command_report(args: argparse.Namespace) -> int:
    """Turn a sweep's results folder into tables, figures and a markdown summary."""
    from wijksim.experiments.reports.sweep_report import write_report

    check_out_folder(Path(args.results) / "report", kind="report")
    report = write_report(Path(args.results), discount_rate=args.discount_rate, language=args.lang)
    if not args.quiet:
        print((report / "summary.md").read_text(encoding="utf-8"))
        print(f"wrote {report}/ (summary.md, tables .parquet, figures/)")
    return 0


def _named(
    texts: list[str] | None, option: str, what: str, blocks: dict | None = None
) -> list[tuple[str, str]]:
    """``NAME=VALUE`` options as pairs; with ``blocks``, NAME must name one of them.

    Raises:
        ScenarioError: A text without a name or a value, or naming no ``--block``.
    """
    pairs = []
    for text in texts or []:
        name, _, value = (part.strip() for part in text.partition("="))
        if not name or not value or (blocks is not None and name not in blocks):
            for_block = " for a --block" if blocks is not None else ""
            raise ScenarioError(
                COMMAND_LINE, f"expected {option} NAME={what}{for_block}, found '{text}'"
            )
        pairs.append((name, value))
    return pairs


def command_results_doc(args: argparse.Namespace) -> int:
    """Regenerate the blocks of a results document from results folders."""
    from wijksim.experiments.reports.results_docs import regenerate_document

    blocks = {name: Path(folder) for name, folder in _named(args.block, "--block", "FOLDER")}
    commands = dict(_named(args.command, "--command", "COMMAND", blocks))
    sections = {
        name: [t.strip() for t in titles.split("|") if t.strip()]
        for name, titles in _named(args.sections, "--sections", "TITLE|TITLE", blocks)
    }
    names = regenerate_document(Path(args.document), blocks, commands, args.allow_dirty, sections)
    print(f"{args.document}: regenerated {', '.join(names)}")
    return 0
