"""``wijksim run``, ``list``, ``validate`` and ``params``: one scenario, its runs and its fields."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm
from wijksim.experiments.cli.common import (
    COMMAND_LINE,
    check_out_folder,
    default_folder,
    overrides_from_options,
    resolve_scenario,
)
from wijksim.model.inputs.scaling import describe_scaling
from wijksim.model.inputs.scenario_io import (
    ScenarioError,
    check_size,
    load_scenario,
    shipped_scenario_names,
)
from wijksim.model.model import WEEKS_PER_YEAR


def command_run(args: argparse.Namespace) -> int:
    """Run one simulation and write its results."""
    from wijksim.experiments.reports.headline import run_headline
    from wijksim.experiments.reports.run_report import write_run
    from wijksim.experiments.runner.run import run_simulation

    if args.seed < 0:
        raise ScenarioError(COMMAND_LINE, f"expected a seed ≥ 0, found {args.seed}", "--seed")
    overrides = overrides_from_options(args.households, args.years, args.set)
    resolved, scaled = resolve_scenario(args.scenario, overrides)
    scenario = resolved.scenario
    check_size(scenario, COMMAND_LINE if overrides else resolved.path, args.allow_large)
    name = f"{resolved.name}-seed{args.seed}"
    out = Path(args.out) if args.out else default_folder(name, overrides)
    replaces = check_out_folder(out, args.overwrite)  # before the run, not after
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


def command_params(args: argparse.Namespace) -> int:
    """Print the parameter reference: every scenario field, or one section's."""
    from wijksim.model.inputs.parameters import (
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
