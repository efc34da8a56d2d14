"""Where a sweep's runs execute: serially, on local processes, or on a Dask cluster.

The backends differ only in where
:func:`~wijksim.experiments.runner.run_files.execute_run` is called, so they give
identical tables (``tests/test_sweep.py``); :func:`outcomes` yields each run's outcome
as it finishes, and the driver (:mod:`~wijksim.experiments.runner.sweep`) writes it.

Worker processes exit when their driver dies (:func:`exit_with_driver`; Dask's local
workers do so by themselves), and an interrupted driver (Ctrl-C, or SIGTERM, which the
command turns into the same) stops its workers at once (``tests/test_shutdown.py``).
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any

import dask
from tqdm import tqdm
from wijksim.experiments.runner.run_files import RunOutcome, execute_run
from wijksim.experiments.runner.sweep_spec import RunTask

BACKENDS = ("serial", "processes", "dask")


def _show(bar: tqdm, running: int, failed: int) -> None:
    bar.set_postfix_str(f"running {running}, failed {failed}", refresh=True)


def outcomes(
    backend: str,
    tasks: list[RunTask],
    workers: int,
    scheduler: str | None,
    bar: tqdm,
    failed: Callable[[], int],
) -> Iterator[RunOutcome]:
    """Yield outcomes as runs finish, on the chosen backend."""
    if not tasks:
        return
    if backend == "serial":
        for task in tasks:
            _show(bar, 1, failed())
            yield execute_run(task)
    elif backend == "processes":
        yield from _on_processes(tasks, workers, bar, failed)
    else:
        yield from _on_dask(tasks, workers, scheduler, bar, failed)


def _lost(task: RunTask, error: BaseException) -> RunOutcome:
    """The outcome of a run whose worker died (the run's own errors are caught inside)."""
    text = "".join(traceback.format_exception(error))
    message = f"the worker running this task was lost: {text}"
    return RunOutcome(task.run_id, None, message, {"seed": task.seed, "variant": task.variant})


DRIVER_POLL_SECONDS = 0.5
"""How often a worker checks that its driver still runs: a killed driver's workers
exit within about this long (issue 19, item 5)."""


def exit_with_driver(driver_pid: int) -> None:
    """In a worker process: exit as soon as the driver (its parent) is gone.

    A killed driver (SIGKILL, an out-of-memory kill) cannot stop its workers, and they
    would otherwise compute for minutes with nobody to receive the result. A daemon
    thread polls the parent's id, which becomes another process's (init's or a
    subreaper's) when the parent dies; this works on every POSIX system, unlike
    Linux's ``PR_SET_PDEATHSIG``.
    """
    import threading

    def watch() -> None:
        while os.getppid() == driver_pid:
            time.sleep(DRIVER_POLL_SECONDS)
        os._exit(1)  # nothing to save: the driver writes every result

    if os.getppid() != driver_pid:
        os._exit(1)
    threading.Thread(target=watch, name="wijksim-exit-with-driver", daemon=True).start()


SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
"""Set for worker processes, as Dask's nanny does: one run per core, so numerical
libraries must not start threads of their own that compete for the same cores."""


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables for processes started inside the block."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _on_processes(
    tasks: list[RunTask], workers: int, bar: tqdm, failed: Callable[[], int]
) -> Iterator[RunOutcome]:
    # "spawn": a fresh interpreter per worker, as on a Dask worker, so no state of the
    # driver (threads, registered rules) leaks into the runs; plugins are imported anew.
    context = get_context("spawn")
    with _environment(SINGLE_THREADED):
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=exit_with_driver,
            initargs=(os.getpid(),),
        )
        try:
            futures = {pool.submit(execute_run, task): task for task in tasks}
            waiting = set(futures)
            while waiting:
                _show(bar, min(workers, len(waiting)), failed())
                finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                finished = list(finished)
                while finished:
                    # Forget the future once its outcome is handed on: it holds the run's
                    # tables, and a Morris screening's 1,050 runs kept ~10 GB in the driver
                    # until the kernel killed it (tests/test_sweep.py). Popped, so that
                    # the runs that finished together do not keep it either.
                    future = finished.pop()
                    task = futures.pop(future)
                    error = future.exception()
                    outcome = future.result() if error is None else _lost(task, error)
                    del future
                    yield outcome
        except BaseException:
            # Ctrl-C, SIGTERM (cli.py makes it a KeyboardInterrupt) or an error in the
            # driver: stop the workers now rather than wait for their runs to finish.
            _stop_pool(pool)
            raise
        pool.shutdown(wait=True)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the worker processes at once."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def local_cluster_config() -> dict[str, Any]:
    """Dask settings for the local cluster's workers: without the malloc trim threshold.

    Dask's nanny starts every worker with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes
    glibc hand freed memory back to the system at once. The model allocates and frees
    arrays every week, so a run took ~1.5× as long in a Dask worker as in a plain
    process (2.14 s against 1.37 s at 3,000 households and 10 years; ~1.07× without the
    threshold, ``experiments/benchmarks/dask_overhead.py``, docs/performance.md). The
    thread limits Dask sets are kept. Workers of a remote scheduler are started by
    their owner: unset the variable there too.
    """
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return {"distributed.nanny.pre-spawn-environ": environ}


def _on_dask(
    tasks: list[RunTask],
    workers: int,
    scheduler: str | None,
    bar: tqdm,
    failed: Callable[[], int],
) -> Iterator[RunOutcome]:
    from distributed import Client, LocalCluster, as_completed

    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        with dask.config.set(local_cluster_config()):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,  # the model is pure Python + numpy: one run per process
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        client = Client(cluster)
    try:
        slots = sum(client.nthreads().values()) or workers
        futures = {
            client.submit(execute_run, task, key=f"wijksim-{task.run_id}-{task.fingerprint}"): task
            for task in tasks
        }
        remaining = len(futures)
        for future in as_completed(futures):
            _show(bar, min(slots, remaining), failed())
            remaining -= 1
            task = futures.pop(future)  # as on processes: the outcome is not kept here
            try:
                outcome = future.result()
            except Exception as error:  # a lost worker (KilledWorker), not a model error
                outcome = _lost(task, error)
            future.release()
            del future
            yield outcome
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
