"""Run a sweep serially, on local processes or on a Dask cluster, resumably.

The driver (this process) runs every unfinished task on a backend
(:mod:`~wijksim.experiments.runner.backends`) and writes each outcome as soon as it
arrives (:mod:`~wijksim.experiments.runner.run_files`):

* ``runs/<run_id>.parquet``: the run's tidy per-step table with its id columns, written
  atomically (temporary file + rename); the run's metadata (fingerprint, seed, scenario,
  versions, wall time) sits in the Parquet schema metadata;
* ``failed/<run_id>.json``: the traceback of a run that raised;
* ``sweep.json``: the sweep manifest, rewritten atomically after every run (here).

Running the same sweep into the same folder again skips every run whose Parquet file
exists with the same fingerprint (scenario, seed, model revision and wijksim version),
and retries failed ones; runs made under another model revision are refused (or
discarded with ``restart``), never mixed.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm
from wijksim.experiments.runner.atomic import write_bytes_atomically
from wijksim.experiments.runner.backends import BACKENDS, outcomes
from wijksim.experiments.runner.manifest import (
    command_line,
    git_commit,
    model_provenance,
    package_versions,
    utc_now,
)
from wijksim.experiments.runner.run_files import (
    DamagedRunFile,
    revision_of,
    run_metadata,
    write_failure,
    write_run_table,
)
from wijksim.experiments.runner.sweep_spec import RunTask, SweepSpec
from wijksim.model.inputs.scenario_io import ScenarioError

MANIFEST_NAME = "sweep.json"


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
    arriving = outcomes(backend, pending, workers, scheduler, bar, lambda: failed)
    with bar, closing(arriving):
        for outcome in arriving:
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
