"""A killed sweep leaves no workers behind and its folder whole (issue 19, item 5).

The driver of a small sweep on two worker processes is sent SIGKILL (no chance to clean
up: an out-of-memory kill) or SIGTERM (``kill``, a batch system's time limit) while its
workers run, and again after its first run was written. Its workers must be gone within
a few seconds, the results folder must hold only whole files, and running the command
again must finish the sweep. A resumed sweep's manifest keeps when it started and how
long the finished runs took.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest
from wijksim.experiments.runner.results import load_manifest, load_results
from wijksim.experiments.runner.sweep import run_sweep
from wijksim.experiments.runner.sweep_spec import load_sweep, plan_runs

SWEEP = """
name = "shutdown"
scenario = "integral_team"
seeds = 4
[set]
years = 2
"population.households" = 1000
burn_in_years = 0
"""
WORKERS_GONE_WITHIN = 8.0
"""Seconds: workers poll their driver every 0.5 s; the rest is a loaded test machine."""


def start_sweep(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    path = tmp_path / "shutdown.toml"
    path.write_text(SWEEP)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "wijksim", "sweep", str(path), "--backend", "processes"]
    driver = subprocess.Popen(
        [*command, "--workers", "2", "--out", str(out), "--quiet"],
        cwd=tmp_path,
        start_new_session=True,  # the signal goes to the driver alone, not to a group
        stderr=subprocess.PIPE,
        text=True,
    )
    return driver, out


def workers_of(driver: subprocess.Popen, at_least: int, timeout: float = 90) -> list:
    """The driver's worker processes, once at least ``at_least`` of them run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process(driver.pid).children(recursive=True)
        workers = [c for c in children if "spawn_main" in " ".join(_cmdline(c))]
        if len(workers) >= at_least:
            return children
        time.sleep(0.1)
    raise AssertionError("the sweep's workers did not start")


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def running(processes: list) -> list:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


def assert_whole(out: Path) -> None:
    """Every file the sweep left can be read in full; the manifest is valid JSON."""
    manifest = json.loads((out / "sweep.json").read_text())
    assert len(manifest["runs"]) == 4
    for run in (out / "runs").glob("*.parquet"):
        assert pq.read_table(run).num_rows > 0


@pytest.mark.parametrize("when", ["running", "after_first_run"])
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_killed_driver_leaves_no_workers_and_a_whole_folder(tmp_path, signum, when):
    driver, out = start_sweep(tmp_path)
    children = []
    try:
        children = workers_of(driver, at_least=2)
        if when == "after_first_run":
            deadline = time.monotonic() + 120
            while not list((out / "runs").glob("*.parquet")) and time.monotonic() < deadline:
                time.sleep(0.05)
        else:
            time.sleep(1.0)  # the workers are importing or running
        children = psutil.Process(driver.pid).children(recursive=True)
        os.kill(driver.pid, signum)
        deadline = time.monotonic() + WORKERS_GONE_WITHIN
        while running(children) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = running(children)
        assert not left, f"orphaned workers after {WORKERS_GONE_WITHIN} s: {left}"
        code = driver.wait(timeout=WORKERS_GONE_WITHIN)
        if signum == signal.SIGTERM:
            assert code == 130, driver.stderr.read()
    finally:
        if driver.poll() is None:
            driver.kill()
        for process in running(children):
            process.kill()  # only what this test started
        driver.wait()
    assert_whole(out)
    if (signum, when) != (signal.SIGKILL, "after_first_run"):
        return  # resuming is checked once: the folders are alike
    again = ["sweep", str(tmp_path / "shutdown.toml"), "--backend", "processes", "--workers", "2"]
    resumed = subprocess.run(
        [sys.executable, "-m", "wijksim", *again, "--out", str(out), "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert load_manifest(out)["counts"] == {"done": 4, "failed": 0, "pending": 0}


def test_resumed_sweep_keeps_its_start_and_the_wall_times(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(SWEEP.replace("seeds = 4", "seeds = 2").replace("1000", "300"))
    spec, source = load_sweep(path)
    tasks = plan_runs(spec, source)
    out = tmp_path / "out"
    run_sweep(spec, tasks[:1], out, backend="serial", show_progress=False)
    first = load_manifest(out)
    time.sleep(1.1)  # the manifest's times are in whole seconds
    run_sweep(spec, tasks, out, backend="serial", show_progress=False)
    resumed = load_manifest(out)
    assert resumed["started_utc"] == first["started_utc"]
    wall = {run["run_id"]: run["wall_seconds"] for run in resumed["runs"]}
    assert wall[tasks[0].run_id] == first["runs"][0]["wall_seconds"] is not None
    assert all(seconds is not None for seconds in wall.values())
    assert load_results(out)["run_id"].nunique() == 2


def test_an_interrupt_while_a_run_is_written_stops_the_workers_at_once(tmp_path, monkeypatch):
    """SIGTERM often lands while the driver writes a finished run, outside the pool's code.

    The interrupt must stop the workers before it leaves ``run_sweep``, not when the
    garbage collector gets to the abandoned generator: the caller here still holds the
    exception (and with it every frame), as an error report or a debugger would. CI
    once found a worker alive 8 s after SIGTERM on ``a7bb510``'s successor ``e245a18``.
    """
    import wijksim.experiments.runner.sweep as sweep_module

    path = tmp_path / "slow.toml"
    path.write_text(SWEEP.replace("seeds = 4", "seeds = 6").replace("years = 2", "years = 6"))
    spec, source = load_sweep(path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_module, "write_run_table", interrupted)
    me = psutil.Process()
    try:
        run_sweep(
            spec, plan_runs(spec, source), tmp_path / "out", "processes", 2, show_progress=False
        )
    except KeyboardInterrupt as held:  # noqa: F841 (held on purpose: it keeps the frames)
        workers = [c for c in me.children(recursive=True) if "spawn_main" in " ".join(_cmdline(c))]
        left = running(workers)
        for process in left:
            process.kill()
        assert not left, f"workers still running after the interrupt left run_sweep: {left}"
    else:
        raise AssertionError("the interrupt did not reach the caller")
