"""Load a sweep's results back: its manifest and its finished runs as one tidy table.

* :func:`load_manifest`: the sweep manifest of a results folder;
* :func:`load_results`: all finished runs of a results folder as one tidy DataFrame
  (``run_id, variant, seed, <grid fields>, step, year, metric, value``), in the order
  of the sweep manifest.

Their statistics (by year, summaries, paired differences) are in
:mod:`wijksim.experiments.analysis.statistics`.

Example:
    >>> from wijksim.experiments.runner.results import load_results
    >>> table = load_results("results/sweeps/team_size")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from wijksim.experiments.runner.run_files import DamagedRunFile
from wijksim.experiments.runner.sweep import MANIFEST_NAME
from wijksim.model.inputs.scenario_io import ScenarioError

ID_COLUMNS = ("run_id", "variant", "condition", "seed")


def load_manifest(folder: str | Path) -> dict:
    """The sweep manifest of a results folder.

    Raises:
        ScenarioError: If the folder holds no sweep manifest or it is unreadable.
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        raise ScenarioError(folder, f"no {MANIFEST_NAME} here; expected a sweep results folder")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ScenarioError(path, f"not valid JSON: {error}") from None


def grid_fields(manifest: dict) -> list[str]:
    """The overridden fields that vary over the sweep's grid."""
    return list(manifest["sweep"].get("grid", {}))


def load_results(folder: str | Path, metrics: list[str] | None = None) -> pd.DataFrame:
    """All finished runs of a sweep as one tidy DataFrame.

    Args:
        folder: A sweep results folder (with ``sweep.json`` and ``runs/``).
        metrics: Only these metrics (read with a Parquet filter, much faster).

    Returns:
        Columns ``run_id, variant, condition`` (variant and grid values in one label),
        ``seed``, the grid fields, ``step, year, metric, value``. Runs that failed or
        have not run yet are absent; the manifest says which.
    """
    folder = Path(folder)
    manifest = load_manifest(folder)
    fields = grid_fields(manifest)
    frames = []
    read = set()
    for run in manifest["runs"]:
        # A manifest of an older wijksim may list a run twice (a seed or grid value
        # given twice, issue 19, item 2): its rows are counted once.
        if run["status"] != "done" or run["file"] in read:
            continue
        read.add(run["file"])
        filters = [("metric", "in", list(metrics))] if metrics else None
        try:
            table = pq.read_table(folder / run["file"], filters=filters).to_pandas()
        except (pa.ArrowException, OSError) as error:  # issue 19, item 4: one line
            raise DamagedRunFile(folder / run["file"], error) from None
        frames.append(table)
    if not frames:
        raise ScenarioError(folder, "no finished runs in this results folder")
    table = pd.concat(frames, ignore_index=True)
    for name in fields:  # a variant that removed a grid field's section lacks the column
        if name not in table:
            table[name] = np.nan
    columns = [*ID_COLUMNS, *fields, "step", "year", "metric", "value"]
    return table[columns]
