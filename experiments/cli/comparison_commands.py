"""``wijksim compare-funding``, ``compare-teams`` and ``compare-allocation``: the comparisons."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from tqdm import tqdm
from wijksim.experiments.cli import sweep_commands
from wijksim.experiments.cli.common import (
    COMMAND_LINE,
    check_out_folder,
    comma_list,
    default_folder,
    overrides_from_options,
    positive_count,
    resolve_scenario,
)
from wijksim.experiments.cli.options import (
    add_allow_large,
    add_language,
    add_replicate_options,
    with_parameter_sets,
)
from wijksim.model.inputs.scenario_io import (
    ScenarioError,
    check_size,
    load_scenario,
)


def command_compare_funding(args: argparse.Namespace) -> int:
    """Every funding form on the same neighbourhood and seeds, against a cost centre."""
    from wijksim.experiments.runner.sweep_spec import load_sweep, plan_runs

    resolved = load_scenario(args.scenario)  # fails early, naming the file, if invalid
    if resolved.scenario.team is None:
        raise ScenarioError(resolved.path, "expected a scenario with a [team] to fund")
    spec, path = load_sweep("compare_funding")
    overrides = overrides_from_options(args.households, args.years, args.set)
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
    spec = with_parameter_sets(spec, args)
    tasks = plan_runs(spec, path, allow_large=args.allow_large)
    out = Path(args.out) if args.out else default_folder(spec.name, label)
    return sweep_commands.execute_sweep(spec, tasks, out, args, source=str(path))


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
    for part in comma_list(text) or [text]:
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
    overrides = overrides_from_options(args.households, args.years, args.set)
    spec, path = teams_sweep(
        str(resolved.path),
        configurations=comma_list(args.configurations),
        forms=comma_list(args.forms) if args.forms else None,
        neighbourhoods=comma_list(args.neighbourhoods),
        seeds=args.seeds,
        first_seed=args.first_seed,
        overrides=overrides,
    )
    spec = with_parameter_sets(spec, args)
    tasks = plan_runs(spec, path, allow_large=args.allow_large)
    out = Path(args.out) if args.out else default_folder(spec.name, overrides)
    return sweep_commands.execute_sweep(spec, tasks, out, args, source=str(path))


def command_compare_allocation(args: argparse.Namespace) -> int:
    """One city's team budget divided by each key on paired seeds (issue 18, item 2)."""
    from wijksim.experiments.reports.compare_allocation import compare_allocation, write_allocation
    from wijksim.experiments.reports.table_files import Provenance

    overrides = overrides_from_options(args.households, args.years, args.set)
    resolved, _scaled = resolve_scenario(args.scenario, overrides)
    scenario = resolved.scenario
    if scenario.city is None or scenario.team is None:
        raise ScenarioError(resolved.path, "expected a city scenario with a [city] and a [team]")
    check_size(scenario, COMMAND_LINE if overrides else resolved.path, args.allow_large)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    allocations = comma_list(args.allocations) if args.allocations else None
    out = Path(args.out) if args.out else default_folder(f"allocation-{resolved.name}", overrides)
    check_out_folder(out, kind="allocation")
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


def add_compare_allocation(commands) -> None:
    """The ``compare-allocation`` subcommand (issue 18, item 2)."""
    allocation = commands.add_parser(
        "compare-allocation",
        help="one city's team budget divided bottom-up or by a key (S1 App. IV) on paired seeds",
    )
    allocation.add_argument(
        "scenario", nargs="?", default="utrecht_like", help="a city scenario (default utrecht_like)"
    )
    add_replicate_options(
        allocation, seeds=3, years_help="override the years", households_help="the whole city's"
    )
    allocation.add_argument(
        "--allocations",
        help="comma-separated, of as_scenario, households, vulnerability, need_zrm, caseload "
        "(default all; households, the reference, always runs)",
    )
    allocation.add_argument(
        "--workers", type=positive_count, default=1, help="processes (default 1)"
    )
    allocation.add_argument("--out", help="output folder (default results/allocation-SCENARIO)")
    allocation.add_argument("--quiet", action="store_true", help="no progress or summary")
    add_language(allocation)
    add_allow_large(allocation)
    allocation.set_defaults(handler=command_compare_allocation)


def command_compare_providers(args: argparse.Namespace) -> int:
    """A city's providers side by side on several seeds (issue 18, item 5)."""
    from wijksim.experiments.reports.compare_providers import (
        check_providers,
        compare_providers,
        write_providers,
    )
    from wijksim.experiments.reports.table_files import Provenance

    overrides = overrides_from_options(args.households, args.years, args.set)
    resolved, _scaled = resolve_scenario(args.scenario, overrides)
    scenario = resolved.scenario
    check_providers(scenario, resolved.path)
    check_size(scenario, COMMAND_LINE if overrides else resolved.path, args.allow_large)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    out = Path(args.out) if args.out else default_folder(f"providers-{resolved.name}", overrides)
    check_out_folder(out, kind="providers")
    with tqdm(total=len(seeds), desc="seeds", unit="run", disable=args.quiet) as bar:
        result = compare_providers(scenario, resolved.name, seeds, args.workers, bar.update)
    provenance = Provenance(
        command="compare-providers",
        scenario=resolved.name,
        overrides=overrides,
        households=f"{scenario.total_households:,}",
        years=scenario.years,
        seeds=seeds,
    )
    write_providers(result, out, provenance, args.lang)
    if not args.quiet:
        print(result.markdown())
        print(f"wrote {out}/ (summary.md; tables .parquet, .csv and tables.xlsx)")
    return 0


def add_compare_providers(commands) -> None:
    """The ``compare-providers`` subcommand (issue 18, item 5)."""
    providers = commands.add_parser(
        "compare-providers",
        help="a city's providers side by side: raw and shrunk indicators, rank, and whether "
        "each differs from the city mean (S1 App. VI)",
    )
    providers.add_argument(
        "scenario",
        nargs="?",
        default="utrecht_two_providers",
        help="a city scenario of two or more providers (default utrecht_two_providers)",
    )
    add_replicate_options(
        providers, seeds=3, years_help="override the years", households_help="the whole city's"
    )
    providers.add_argument(
        "--workers", type=positive_count, default=1, help="processes (default 1)"
    )
    providers.add_argument("--out", help="output folder (default results/providers-SCENARIO)")
    providers.add_argument("--quiet", action="store_true", help="no progress or summary")
    add_language(providers)
    add_allow_large(providers)
    providers.set_defaults(handler=command_compare_providers)
