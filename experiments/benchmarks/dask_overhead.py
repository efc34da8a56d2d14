"""Why a run took ~1.5× as long in a Dask worker, side by side in one run.

Six runs (3,000 households, 10 years after the old system's burn-in, seeds 1–6) on two
workers: a process pool, a Dask ``LocalCluster`` with Dask's default worker
environment, and one made as the sweep makes it (:func:`local_cluster_config`, without
``MALLOC_TRIM_THRESHOLD_``). Prints each one's mean wall time per run and its ratio to
the process pool (docs/performance.md)::

    python experiments/benchmarks/dask_overhead.py
"""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import dask
from distributed import Client, LocalCluster
from wijksim.experiments.runner.backends import local_cluster_config
from wijksim.experiments.runner.run_files import execute_run
from wijksim.experiments.runner.sweep_spec import SweepSpec, plan_runs

SPEC = SweepSpec(name="dask_overhead", seeds=6, set={"population.households": 3000, "years": 10})


def mean_run_seconds(mode: str) -> float:
    """Mean wall time of one run (as the run measures itself) under ``mode``."""
    tasks = plan_runs(SPEC, Path("dask_overhead.toml"))
    if mode == "processes":
        with ProcessPoolExecutor(2) as pool:
            outcomes = list(pool.map(execute_run, tasks))
    else:
        settings = dask.config.set(local_cluster_config()) if mode == "dask (sweep)" else None
        with settings or nullcontext():
            cluster = LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        with cluster, Client(cluster) as client:
            outcomes = client.gather(client.map(execute_run, tasks, pure=False))
    walls = [outcome.metadata["wall_seconds"] for outcome in outcomes]
    return sum(walls) / len(walls)


if __name__ == "__main__":
    base = mean_run_seconds("processes")
    print(f"processes: {base:.2f} s per run")
    # The sweep's cluster first: Dask's nanny leaves its variables in this process's
    # environment, where a later cluster's workers would inherit them.
    for mode in ("dask (sweep)", "dask (default environment)"):
        seconds = mean_run_seconds(mode)
        print(f"{mode}: {seconds:.2f} s per run, {seconds / base:.2f}× the process pool")
