"""Run a sweep serially, on local processes or on a Dask cluster, resumably.

Every run is executed by :func:`execute_run`, which never raises for a failing model: it
returns a :class:`RunOutcome` holding either the run's tidy table or the traceback. The
driver (this process) writes each outcome as soon as it arrives:

* ``runs/<run_id>.parquet``: the run's tidy per-step table with its id columns, written
  atomically (temporary file + rename); the run's metadata (fingerprint, seed, scenario,
  versions, wall time) sits in the Parquet schema metadata;
* ``failed/<run_id>.json``: the traceback of a run that raised;
* ``sweep.json``: the sweep manifest, rewritten atomically after every run.

Running the same sweep into the same folder again skips every run whose Parquet file
exists with the same fingerprint (scenario, seed, model revision and wijksim version),
and retries failed ones; runs made under another model revision are refused (or
discarded with ``restart``), never mixed. The backends differ only in where
:func:`execute_run` is called, so they give identical tables (``tests/test_sweep.py``).

Worker processes exit when their driver dies (:func:`exit_with_driver`; Dask's local
workers do so by themselves), and an interrupted driver (Ctrl-C, or SIGTERM, which the
command turns into the same) stops its workers at once (``tests/test_shutdown.py``).

One piece over 300 lines: execution on three backends, resume and the atomic run files all
keep one state, the sweep manifest, which must be written consistently.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import platform
import shutil
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import dask
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm
from wijksim.experiments.runner.atomic import write_bytes_atomically
from wijksim.experiments.runner.manifest import (
    command_line,
    git_commit,
    model_provenance,
    package_versions,
    utc_now,
)
from wijksim.experiments.runner.sweep_spec import RunTask, SweepSpec
from wijksim.model.inputs.scenario_io import ScenarioError

BACKENDS = ("serial", "processes", "dask")
RUN_METADATA_KEY = b"wijksim.run"
MANIFEST_NAME = "sweep.json"


@dataclass
class RunOutcome:
    """What a worker sends back for one run.

    Attributes:
        run_id: The task's id.
        table: The tidy per-step table with id columns, or ``None`` if the run failed.
        error: The traceback if the run raised.
        metadata: Fingerprint, seed, scenario, versions, commit, host and wall time.
    """

    run_id: str
    table: pd.DataFrame | None
    error: str | None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the run finished."""
        return self.error is None


def execute_run(task: RunTask) -> RunOutcome:
    """Run one task and return its table, or its traceback if anything in it raised."""
    from wijksim.experiments.runner.run import run_simulation

    started = time.perf_counter()
    metadata = {
        "run_id": task.run_id,
        "variant": task.variant,
        "condition": task.condition,
        "params": task.params,
        "seed": task.seed,
        "fingerprint": task.fingerprint,
        "scenario_name": task.scenario_name,
        "scaled": task.scaled,
        **model_provenance(),
        "host": f"{socket.gethostname()}:{os.getpid()}",
        "versions": package_versions(),
        "git_commit": git_commit(),
    }
    try:
        for module in task.plugins:
            importlib.import_module(module)
        result = run_simulation(task.scenario, seed=task.seed, scenario_name=task.scenario_name)
        table = result.steps
        identity = {
            "run_id": task.run_id,
            "variant": task.variant,
            "condition": task.condition,
            "seed": task.seed,
        }
        identity.update(task.params)
        table = table.assign(**identity)[[*identity, *result.steps.columns]]
        error = None
    except Exception:  # a failing run is recorded, and the sweep goes on
        table, error = None, traceback.format_exc()
    metadata["wall_seconds"] = round(time.perf_counter() - started, 3)
    return RunOutcome(task.run_id, table, error, metadata)


# ----------------------------------------------------------------------------- writing


def write_run_table(outcome: RunOutcome, folder: Path, task: RunTask) -> Path:
    """Write a finished run's table to ``folder/runs/<run_id>.parquet`` atomically."""
    target = folder / "runs" / f"{outcome.run_id}.parquet"
    metadata = {**outcome.metadata, "scenario": task.scenario.model_dump(mode="json")}
    table = pa.Table.from_pandas(outcome.table, preserve_index=False)
    schema_metadata = {**(table.schema.metadata or {}), RUN_METADATA_KEY: json.dumps(metadata)}
    table = table.replace_schema_metadata(schema_metadata)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    write_bytes_atomically(target, sink.getvalue().to_pybytes())
    (folder / "failed" / f"{outcome.run_id}.json").unlink(missing_ok=True)
    return target


def write_failure(outcome: RunOutcome, folder: Path) -> Path:
    """Record a failed run's traceback in ``folder/failed/<run_id>.json``."""
    target = folder / "failed" / f"{outcome.run_id}.json"
    record = {**outcome.metadata, "error": outcome.error}
    write_bytes_atomically(target, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    return target


class DamagedRunFile(ScenarioError):
    """A run file that cannot be read (cut short by a full disk or a copy)."""

    def __init__(self, path: Path, error: BaseException) -> None:
        super().__init__(
            path,
            f"damaged run file ({type(error).__name__}); run the sweep again into this "
            "folder to re-run it",
        )


def run_metadata(path: Path) -> dict[str, Any]:
    """The metadata a finished run's Parquet file carries.

    Raises:
        DamagedRunFile: The file is not a whole wijksim run file (issue 19, item 4).
    """
    try:
        schema = pq.read_schema(path)
        return json.loads(schema.metadata[RUN_METADATA_KEY])
    except (pa.ArrowException, OSError, KeyError, TypeError, ValueError) as error:
        raise DamagedRunFile(path, error) from None


# ----------------------------------------------------------------------------- the sweep


@dataclass
class SweepState:
    """Where every run of a sweep stands; written as ``sweep.json``."""

    folder: Path
    spec: SweepSpec
    source: str
    backend: str
    workers: int
    tasks: list[RunTask]
    status: dict[str, str] = field(default_factory=dict)
    wall_seconds: dict[str, float] = field(default_factory=dict)
    started: str = field(default_factory=utc_now)
    # What produced the sweep does not change while it runs: read it once, not per save.
    provenance: dict = field(
        default_factory=lambda: {
            **model_provenance(),
            "versions": package_versions(),
            "git_commit": git_commit(),
            "command": command_line(),
            "platform": platform.platform(),
        }
    )

    def count(self, status: str) -> int:
        """How many runs have ``status``."""
        return sum(1 for s in self.status.values() if s == status)

    def save(self) -> None:
        """Rewrite the manifest atomically."""
        manifest = {
            "sweep": self.spec.model_dump(mode="json"),
            "source": self.source,
            "backend": self.backend,
            "workers": self.workers,
            "started_utc": self.started,
            "updated_utc": utc_now(),
            **self.provenance,
            "counts": {s: self.count(s) for s in ("done", "failed", "pending")},
            "runs": [
                {
                    "run_id": t.run_id,
                    "variant": t.variant,
                    "condition": t.condition,
                    "params": t.params,
                    "seed": t.seed,
                    "scenario_name": t.scenario_name,
                    "fingerprint": t.fingerprint,
                    "households": t.scenario.population.households,
                    "years": t.scenario.years,
                    "scaled": t.scaled,
                    # Finished runs were checked to match (``_finished_runs``).
                    "model_revision": self.provenance["model_revision"],
                    "wijksim_version": self.provenance["wijksim_version"],
                    "status": self.status[t.run_id],
                    "wall_seconds": self.wall_seconds.get(t.run_id),
                    "file": f"runs/{t.run_id}.parquet"
                    if self.status[t.run_id] == "done"
                    else (f"failed/{t.run_id}.json" if self.status[t.run_id] == "failed" else None),
                }
                for t in self.tasks
            ],
        }
        text = json.dumps(manifest, indent=2, default=str) + "\n"
        write_bytes_atomically(self.folder / MANIFEST_NAME, text.encode("utf-8"))


def revision_of(metadata: dict[str, Any]) -> str:
    """``"revision R (wijksim V)"`` of a run; runs from before revisions say "unrecorded"."""
    found = metadata.get("model_revision")
    if found is None:
        return "an unrecorded revision (older wijksim)"
    return f"revision {found} (wijksim {metadata.get('wijksim_version', '?')})"


def _earlier_start(folder: Path) -> str | None:
    """When the sweep in ``folder`` first started, if an earlier manifest says so."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest.get("started_utc") if isinstance(manifest, dict) else None


def _finished_runs(folder: Path, tasks: list[RunTask]) -> dict[str, float | None]:
    """Tasks whose results are already on disk with the same fingerprint.

    Returns:
        Their ids with the wall time each took, as its file records it (so a resumed
        sweep's manifest keeps them, issue 19, item 5).

    Raises:
        ScenarioError: If a run file on disk was made under another model revision or
            wijksim version, or belongs to a different scenario or seed, so that a sweep
            never mixes two models or two experiments in one folder.
    """
    current = revision_of(model_provenance())
    finished = {}
    for task in tasks:
        path = folder / "runs" / f"{task.run_id}.parquet"
        if not path.exists():
            continue
        try:
            metadata = run_metadata(path)
        except DamagedRunFile:
            # A damaged run file (truncated by a full disk or a copy) is not a finished
            # run: it is run again (issue 19, item 4).
            path.unlink()
            continue
        made_under = revision_of(metadata)
        if made_under != current:
            raise ScenarioError(
                folder,
                f"holds runs of model {made_under}, this is {current}; choose another "
                "--out folder, or pass --restart to discard the old runs",
            )
        found = metadata.get("fingerprint")
        if found != task.fingerprint:
            raise ScenarioError(
                path,
                f"holds a run of a different scenario or seed (fingerprint {found}, "
                f"this sweep expects {task.fingerprint}); use another --out folder",
            )
        finished[task.run_id] = metadata.get("wall_seconds")
    return finished


def discard_runs(folder: Path) -> None:
    """Delete a sweep's own files in ``folder``: runs, failures, report and manifest.

    Nothing else in the folder is touched.
    """
    for sub in ("runs", "failed"):
        for path in (folder / sub).glob("*.parquet" if sub == "runs" else "*.json"):
            path.unlink()
    shutil.rmtree(folder / "report", ignore_errors=True)
    (folder / MANIFEST_NAME).unlink(missing_ok=True)


@dataclass
class SweepSummary:
    """What a call to :func:`run_sweep` did."""

    folder: Path
    total: int
    skipped: int
    done: int
    failed: int
    wall_seconds: float


def run_sweep(
    spec: SweepSpec,
    tasks: list[RunTask],
    folder: Path,
    backend: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    source: str = "",
    show_progress: bool = True,
    restart: bool = False,
) -> SweepSummary:
    """Run every unfinished task of a sweep and write results as they arrive.

    Args:
        spec: The sweep as read from its file (recorded in the manifest).
        tasks: The planned runs (:func:`~wijksim.experiments.runner.sweep_spec.plan_runs`).
        folder: The results folder; an interrupted sweep resumes in it.
        backend: ``serial``, ``processes`` or ``dask``.
        workers: Processes or Dask workers (default: the machine's cores).
        scheduler: Address of a running Dask scheduler (``tcp://host:8786``); without
            it, the ``dask`` backend starts a ``LocalCluster``.
        source: Where the sweep came from (recorded in the manifest).
        show_progress: Draw a progress bar on stderr.
        restart: Discard the folder's finished and failed runs (and its report) first;
            without it, they are kept and resumed, or refused if made under another
            model revision.
    """
    if backend not in BACKENDS:
        raise ScenarioError("<command line>", f"expected backend in {BACKENDS}, found '{backend}'")
    folder = Path(folder)
    if restart:
        discard_runs(folder)
    for sub in ("runs", "failed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for leftover in (folder / sub).glob(".*.tmp"):  # from a run killed mid-write
            leftover.unlink()
    for leftover in folder.glob(f".{MANIFEST_NAME}.*.tmp"):
        leftover.unlink()
    workers = 1 if backend == "serial" else workers or os.cpu_count() or 1
    earlier = _earlier_start(folder)
    finished = _finished_runs(folder, tasks)
    state = SweepState(folder, spec, source, backend, workers, tasks)
    state.status = {t.run_id: "done" if t.run_id in finished else "pending" for t in tasks}
    state.wall_seconds = dict(finished)
    state.started = earlier or state.started
    state.save()
    pending = [t for t in tasks if t.run_id not in finished]
    by_id = {t.run_id: t for t in tasks}
    started = time.perf_counter()
    done = failed = 0
    bar = tqdm(
        total=len(tasks),
        initial=len(finished),
        desc=f"sweep {spec.name} ({backend})",
        unit="run",
        disable=not show_progress,
        smoothing=0.1,
    )
    # closing(): an interrupt while a finished run is written (SIGTERM lands here more
    # often than in the pool's code) must stop the workers now, not when the abandoned
    # generator is collected (tests/test_shutdown.py).
    outcomes = _outcomes(backend, pending, workers, scheduler, bar, lambda: failed)
    with bar, closing(outcomes):
        for outcome in outcomes:
            task = by_id[outcome.run_id]
            if outcome.ok:
                write_run_table(outcome, folder, task)
                state.status[task.run_id] = "done"
                done += 1
            else:
                write_failure(outcome, folder)
                state.status[task.run_id] = "failed"
                failed += 1
            state.wall_seconds[task.run_id] = outcome.metadata.get("wall_seconds")
            state.save()
            bar.update(1)
    return SweepSummary(
        folder, len(tasks), len(finished), done, failed, round(time.perf_counter() - started, 2)
    )


def _show(bar: tqdm, running: int, failed: int) -> None:
    bar.set_postfix_str(f"running {running}, failed {failed}", refresh=True)


def _outcomes(
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
