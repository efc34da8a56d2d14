"""Sweeps: the same tables on every backend, resumable after a kill, failures recorded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from wijksim.experiments.cli import main
from wijksim.experiments.runner.results import load_manifest, load_results
from wijksim.experiments.runner.run_files import RUN_METADATA_KEY, run_metadata
from wijksim.experiments.runner.sweep import run_sweep
from wijksim.experiments.runner.sweep_spec import load_sweep, plan_runs
from wijksim.model import revision
from wijksim.model.rules.schedule import DEFAULT_SCHEDULE

PLUGINS = Path(__file__).parent / "plugins"

TINY = """
name = "tiny"
scenario = "integral_team"
seeds = 2
reference = "old"
{extra}
[set]
years = 1
"population.households" = 500
{set_extra}
[[variants]]
name = "old"
without = ["team"]
[[variants]]
name = "team"
[grid]
"team.frontline_fte" = [2.0, 4.0]
"""


def write_sweep(folder: Path, extra: str = "", set_extra: str = "") -> Path:
    path = folder / "tiny.toml"
    path.write_text(TINY.format(extra=extra, set_extra=set_extra))
    return path


def planned(path: Path):
    spec, source = load_sweep(path)
    return spec, plan_runs(spec, source)


@pytest.mark.smoke
def test_plan_expands_variants_grid_and_seeds(tmp_path):
    _spec, tasks = planned(write_sweep(tmp_path))
    # "old" removes [team], so the team grid does not multiply it: 1×2 + 2×2 runs.
    assert [t.condition for t in tasks] == ["old"] * 2 + ["team [team.frontline_fte=2.0]"] * 2 + [
        "team [team.frontline_fte=4.0]"
    ] * 2
    assert tasks[0].scenario.team is None
    assert tasks[-1].scenario.team.frontline_fte == 4.0
    assert len({t.run_id for t in tasks}) == len(tasks)
    assert len({t.fingerprint for t in tasks}) == len(tasks)


def test_backends_give_identical_tables(tmp_path):
    """Serial, local processes and a real Dask LocalCluster: the same table, value for value."""
    spec, tasks = planned(write_sweep(tmp_path))
    tables = {}
    for backend in ("serial", "processes", "dask"):
        out = tmp_path / backend
        summary = run_sweep(spec, tasks, out, backend=backend, workers=2, show_progress=False)
        assert (summary.done, summary.failed) == (len(tasks), 0)
        tables[backend] = load_results(out)
        assert load_manifest(out)["backend"] == backend
    assert len(tables["serial"]) > 0
    pd.testing.assert_frame_equal(tables["serial"], tables["processes"])
    pd.testing.assert_frame_equal(tables["serial"], tables["dask"])


CITY_SWEEP = """
name = "tiny_city"
scenario = "utrecht_two_providers"
seeds = 1
[set]
years = 3
"population.households" = 1400
"transition.team_start_year" = 2
[[variants]]
name = "as_shipped"
[[variants]]
name = "bigger_teams"
[variants.set]
"team.frontline_fte" = 10.0
"""


def test_a_sweep_of_a_city_with_two_providers_runs_unchanged_on_dask(tmp_path):
    """Issue 18, item 6: a city scenario sweeps as any other, the same on Dask as serially."""
    path = tmp_path / "tiny_city.toml"
    path.write_text(CITY_SWEEP)
    spec, tasks = planned(path)
    tables = {}
    for backend in ("serial", "dask"):
        out = tmp_path / backend
        summary = run_sweep(spec, tasks, out, backend=backend, workers=2, show_progress=False)
        assert (summary.done, summary.failed) == (len(tasks), 0)
        tables[backend] = load_results(out)
    assert len(tables["serial"]) > 0
    pd.testing.assert_frame_equal(tables["serial"], tables["dask"])


def wijksim(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijksim", *args], cwd=cwd, capture_output=True, text=True, **kwargs
    )


def test_killed_sweep_resumes_and_loses_nothing(tmp_path):
    path = write_sweep(tmp_path)
    out = tmp_path / "interrupted"
    command = [sys.executable, "-m", "wijksim", "sweep", str(path), "--backend", "serial"]
    process = subprocess.Popen(
        [*command, "--out", str(out), "--quiet"], cwd=tmp_path, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "runs").glob("*.parquet"))) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # no chance to clean up: a power cut
    process.wait()
    survivors = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert 2 <= len(survivors) < 6, "the kill should land mid-sweep"
    assert load_manifest(out)["counts"]["pending"] > 0

    resumed = wijksim("sweep", str(path), "--backend", "serial", "--out", str(out), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(survivors)} already finished" in resumed.stdout
    for name, mtime in survivors.items():  # finished runs are skipped, not redone
        assert (out / "runs" / name).stat().st_mtime_ns == mtime
    assert not list((out / "runs").glob(".*.tmp"))

    fresh = tmp_path / "fresh"
    spec, tasks = planned(path)
    run_sweep(spec, tasks, fresh, backend="serial", show_progress=False)
    pd.testing.assert_frame_equal(load_results(out), load_results(fresh))
    assert (out / "report" / "summary.md").is_file()


def test_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    """A partner's rule raises for seed 2 on a worker process; every other run finishes."""
    monkeypatch.syspath_prepend(str(PLUGINS))  # spawned workers inherit sys.path
    schedule = json.dumps([*DEFAULT_SCHEDULE, "fail_on_one_seed"])
    path = write_sweep(
        tmp_path, extra='plugins = ["wijksim_test_rules"]', set_extra=f"schedule = {schedule}"
    )
    spec, tasks = planned(path)
    out = tmp_path / "with_failures"
    summary = run_sweep(spec, tasks, out, backend="processes", workers=2, show_progress=False)
    failing = [t.run_id for t in tasks if t.seed == 2]
    assert (summary.done, summary.failed) == (len(tasks) - len(failing), len(failing))
    for run_id in failing:
        record = json.loads((out / "failed" / f"{run_id}.json").read_text())
        assert "RuntimeError: deliberate failure for seed 2" in record["error"]
        assert "Traceback" in record["error"]
    manifest = load_manifest(out)
    assert manifest["counts"] == {"done": 3, "failed": 3, "pending": 0}
    assert set(load_results(out)["seed"]) == {1}

    # Running again retries the failed runs only (they fail again, deterministically).
    again = run_sweep(spec, tasks, out, backend="serial", show_progress=False)
    assert (again.skipped, again.done, again.failed) == (3, 0, 3)


def test_sweep_refuses_a_folder_of_another_experiment(tmp_path):
    path = write_sweep(tmp_path)
    out = tmp_path / "shared"
    first = wijksim("sweep", str(path), "--backend", "serial", "--out", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    changed = write_sweep(tmp_path, set_extra='"population.initial_severity" = 0.3')
    second = wijksim("sweep", str(changed), "--backend", "serial", "--out", str(out), cwd=tmp_path)
    assert second.returncode == 2
    assert "holds a run of a different scenario or seed" in second.stderr
    assert "Traceback" not in second.stderr


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ('name = "x"\nseeds = 0\n', "seeds", "greater than or equal to 1"),
        ('name = "x"\nsedes = 3\n', "sedes", "Extra inputs"),
        ('name = "x"\n[grid]\n"team.frontline_ftee" = [1.0]\n', "grid", "frontline_ftee"),
        ('name = "x"\nplugins = ["no_such_module_x"]\n', "plugins[0]", "cannot import"),
        ('name = "x"\nreference = "nope"\n', "reference", "found 'nope'"),
        ('name = "x"\n[[variants]]\nname = "a"\nwithout = ["population"]\n', "variants.a", "only"),
        ('name = "x"\nscenario = "no_such_scenario"\n', None, "no_such_scenario"),
        ("name = \n", None, "not valid TOML"),
    ],
)
def test_bad_sweep_file_is_one_clear_line(tmp_path, text, field, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    result = wijksim("sweep", str(path), "--backend", "serial", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    if field:
        assert f"'{field}" in result.stderr
    assert not out.exists()


def sweep_args(path: Path, out: Path, *extra: str) -> list[str]:
    return ["sweep", str(path), "--seeds", "1", "--backend", "serial", "--out", str(out), *extra]


def test_resumed_sweep_refuses_runs_of_another_model_revision(tmp_path, monkeypatch, capsys):
    """Issue 15, item 17: after a model change, finished runs are neither kept nor deleted."""
    path = write_sweep(tmp_path)
    out = tmp_path / "sweep"
    assert main(sweep_args(path, out, "--quiet")) == 0
    runs = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert len(runs) == 3
    manifest = load_manifest(out)
    assert manifest["model_revision"] == revision.MODEL_REVISION
    assert {r["model_revision"] for r in manifest["runs"]} == {revision.MODEL_REVISION}
    first = next(iter(runs))
    assert run_metadata(out / "runs" / first)["model_revision"] == revision.MODEL_REVISION

    monkeypatch.setattr(revision, "MODEL_REVISION", revision.MODEL_REVISION + 1)
    capsys.readouterr()
    assert main(sweep_args(path, out, "--quiet")) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert f"holds runs of model revision {revision.MODEL_REVISION - 1}" in error
    assert "--restart" in error and "another --out" in error
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")} == runs

    assert main(sweep_args(path, out, "--quiet", "--restart")) == 0
    for name in runs:
        metadata = run_metadata(out / "runs" / name)
        assert metadata["model_revision"] == revision.MODEL_REVISION
    assert load_manifest(out)["model_revision"] == revision.MODEL_REVISION


def test_report_refuses_a_folder_mixing_model_revisions(tmp_path, capsys):
    path = write_sweep(tmp_path)
    out = tmp_path / "sweep"
    assert main(sweep_args(path, out, "--quiet")) == 0
    one = next((out / "runs").glob("*.parquet"))
    table = pq.read_table(one)
    metadata = {**run_metadata(one), "model_revision": 0}
    schema = {**table.schema.metadata, RUN_METADATA_KEY: json.dumps(metadata)}
    pq.write_table(table.replace_schema_metadata(schema), one)
    capsys.readouterr()
    assert main(["report", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "mixes runs of model revision 0" in error and error.count("\n") == 1


def test_local_dask_workers_run_without_the_malloc_trim_threshold():
    """Dask's MALLOC_TRIM_THRESHOLD_=65536 made every run ~1.5× slower in its workers.

    The sweep's local cluster is made under :func:`local_cluster_config`: its workers
    must not have the variable (Dask's thread limits stay).
    """
    import os

    import dask
    from distributed import Client, LocalCluster
    from wijksim.experiments.runner.backends import local_cluster_config

    with dask.config.set(local_cluster_config()):
        cluster = LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        )
    with cluster, Client(cluster) as client:
        trim = client.submit(os.environ.get, "MALLOC_TRIM_THRESHOLD_", pure=False).result()
        threads = client.submit(os.environ.get, "OMP_NUM_THREADS", pure=False).result()
    assert trim is None
    assert threads == "1"


@pytest.mark.parametrize("backend", ["processes", "processes-together", "dask"])
def test_the_driver_keeps_no_outcome_it_has_handed_on(tmp_path, backend, monkeypatch):
    """A finished run's tables leave the driver once written (issue 16, item 6).

    The pool's futures held every outcome to the end: a Morris screening of 1,050 runs
    reached ~10 GB in the driver and was killed by the kernel at run 806 (`85595ab`).
    Here every outcome but the newest must be collectable while the sweep still runs.
    The process pool failed this before the fix; Dask's ``as_completed`` passed it before
    too, and stays checked because the sweep's Dask path was changed the same way.

    ``processes-together``: the pool's wait returns only when every run has finished, as
    it may return several on a loaded machine. The set of finished futures held the
    outcomes already handed on until the last of them was (CI failed on it once, 14:38
    UTC, 2026-11-26); this case fails on that code every time.
    """
    import gc
    import weakref
    from concurrent.futures import ALL_COMPLETED
    from concurrent.futures import wait as wait_for

    from tqdm import tqdm
    from wijksim.experiments.runner import backends
    from wijksim.experiments.runner.backends import outcomes

    if backend == "processes-together":
        backend = "processes"
        monkeypatch.setattr(
            backends,
            "wait",
            lambda futures, return_when: wait_for(futures, return_when=ALL_COMPLETED),
        )

    _, tasks = planned(write_sweep(tmp_path))
    handed_on = []
    with tqdm(disable=True) as bar:
        arriving = outcomes(backend, tasks, 1, None, bar, lambda: 0)
        for outcome in arriving:
            handed_on.append(weakref.ref(outcome))
            del outcome
            gc.collect()
            kept = [ref for ref in handed_on[:-1] if ref() is not None]
            assert not kept, f"{len(kept)} earlier outcomes still held by the driver"
    assert len(handed_on) == len(tasks)
