"""One run of a sweep: executing its task into an outcome, and the files it leaves.

:func:`execute_run` never raises for a failing model: it returns a :class:`RunOutcome`
holding either the run's tidy table or the traceback. The driver writes a finished run
as ``runs/<run_id>.parquet`` (:func:`write_run_table`, atomically, its metadata in the
Parquet schema) and a failed one as ``failed/<run_id>.json`` (:func:`write_failure`);
:func:`run_metadata` reads a run file's metadata back.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from wijksim.experiments.runner.atomic import write_bytes_atomically
from wijksim.experiments.runner.manifest import git_commit, model_provenance, package_versions
from wijksim.experiments.runner.sweep_spec import RunTask
from wijksim.model.inputs.scenario_io import ScenarioError

RUN_METADATA_KEY = b"wijksim.run"


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


def revision_of(metadata: dict[str, Any]) -> str:
    """``"revision R (wijksim V)"`` of a run; runs from before revisions say "unrecorded"."""
    found = metadata.get("model_revision")
    if found is None:
        return "an unrecorded revision (older wijksim)"
    return f"revision {found} (wijksim {metadata.get('wijksim_version', '?')})"
