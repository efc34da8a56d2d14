"""``wijksim bench`` and ``reliability``: the benchmark and the settlement-reliability study."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wijksim.experiments.cli.common import COMMAND_LINE, check_out_folder
from wijksim.experiments.cli.options import add_language
from wijksim.model.inputs.scenario_io import (
    ScenarioError,
)


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
    check_out_folder(out, kind="bench")
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
    check_out_folder(out, kind="bench")
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
    check_out_folder(out, kind="reliability")  # before any work
    write_reliability(run_reliability(settings), out, args.lang)
    if not args.quiet:
        print((out / "summary.md").read_text(encoding="utf-8"))
        print(f"wrote {out}/ (summary.md; tables .parquet, .csv and tables.xlsx; figures/)")
    return 0


def add_reliability(commands) -> None:
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
    add_language(reliability)
    reliability.set_defaults(handler=command_reliability)
