"""Options that several subcommands share: replicates, parameter sets, backends, language."""

from __future__ import annotations

import argparse

from wijksim.experiments.cli.common import positive_count


def add_replicate_options(
    parser: argparse.ArgumentParser,
    seeds: int,
    years_help: str = "override the years (default 8)",
    households_help: str = "override the number of households",
) -> None:
    """Seeds, first seed, years, households and ``--set``: the options of a paired experiment."""
    parser.add_argument(
        "--seeds", type=positive_count, default=seeds, help=f"replicates (default {seeds})"
    )
    parser.add_argument(
        "--first-seed", type=positive_count, default=1, help="first seed (default 1)"
    )
    parser.add_argument("--years", type=int, help=years_help)
    parser.add_argument("--households", type=int, help=households_help)
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", help="any field")


def add_parameter_set_options(parser: argparse.ArgumentParser) -> None:
    """``--parameter-sets`` and ``--ensemble``: run on parameter sets of an ensemble."""
    parser.add_argument(
        "--parameter-sets",
        type=positive_count,
        help="run every condition on N parameter sets drawn from the calibrated ensemble, "
        "each on its own seeds: bands then combine parameter and stochastic uncertainty",
    )
    parser.add_argument(
        "--ensemble",
        default="old_system",
        help="ensemble to draw from: a shipped one's name (default old_system) or a "
        ".parquet file written by `wijksim calibrate --spec`",
    )


def with_parameter_sets(spec, args: argparse.Namespace):
    """The sweep with ``--parameter-sets N`` from ``--ensemble``, or as it was.

    The sets are drawn at random, seeded by the sweep's first seed.
    """
    from wijksim.experiments.calibration.ensemble import draw_parameter_sets, load_ensemble

    if not args.parameter_sets:
        return spec
    ensemble = load_ensemble(args.ensemble)
    sets = draw_parameter_sets(ensemble, args.parameter_sets, seed=spec.first_seed)
    return spec.model_copy(update={"parameter_sets": sets})


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """Where a sweep's runs execute (``--backend``, ``--workers``, ...) and ``--out``."""
    parser.add_argument(
        "--backend",
        choices=("serial", "processes", "dask"),
        default="processes",
        help="where runs execute (default processes; dask starts a LocalCluster)",
    )
    parser.add_argument(
        "--workers", type=positive_count, help="processes or Dask workers (default: cores)"
    )
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
    add_allow_large(parser)


def add_language(parser: argparse.ArgumentParser) -> None:
    """``--lang``: the language of what a command prints and writes."""
    parser.add_argument(
        "--lang",
        choices=("en", "nl"),
        default="en",
        help="language of the summary printed at the end and of the summary.md, figures and "
        "table headers written: en (default) or nl (Dutch)",
    )


def add_allow_large(parser: argparse.ArgumentParser) -> None:
    """``--allow-large``: run even a run or sweep above the size guards."""
    parser.add_argument(
        "--allow-large",
        action="store_true",
        help="run even if a run needs an estimated 8 GB of memory or more, or a sweep "
        "has more than 100,000 runs",
    )


WITHOUT_PLUGINS: frozenset[str] = frozenset({"dashboard"})
"""Commands without ``--plugin``: the dashboard builds its scenarios from its own knobs
and runs in another process (streamlit), where nothing would import the plugin."""


def add_plugin_option(commands) -> None:
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
