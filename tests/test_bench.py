"""`wijksim bench` end to end, on tiny sizes: tables, figures, targets, and bad input.

Nothing here asserts a time or a speedup (the machines are shared and noisy): the tests
check that every measurement is made and that the derived figures (rates, speedups,
slope, targets) are computed from the measured times as documented.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from wijksim.experiments.cli import main


def wijksim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijksim", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.smoke
def test_bench_measures_every_implementation_and_reports_the_targets(tmp_path):
    out = tmp_path / "bench"
    result = wijksim(
        "bench", "--households", "300,600", "--years", "1", "--reference-weeks", "2",
        "--memory-years", "1", "--out", str(out), "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    table = pd.read_parquet(out / "bench.parquet")
    assert sorted(zip(table["implementation"], table["households"], strict=True)) == sorted(
        (implementation, n)
        for implementation in ("floor", "core", "reference", "full")
        for n in (300, 600)
    )
    assert set(table.loc[table["implementation"] == "reference", "weeks"]) == {2}
    assert set(table.loc[table["implementation"] != "reference", "weeks"]) == {52}
    assert (table["seconds"] > 0).all()
    rate = table["households"] * table["weeks"] / table["seconds"]
    assert table["household_steps_per_second"].to_numpy() == pytest.approx(rate.to_numpy())

    speedups = pd.read_parquet(out / "speedups.parquet").set_index("households")
    reference = table[table["implementation"] == "reference"].set_index("households")
    assert speedups["reference_household_steps_per_second"].to_numpy() == pytest.approx(
        reference.loc[speedups.index, "household_steps_per_second"].to_numpy()
    )
    assert speedups["speedup"].to_numpy() == pytest.approx(
        (
            speedups["core_household_steps_per_second"]
            / speedups["reference_household_steps_per_second"]
        ).to_numpy()
    )

    targets = pd.read_parquet(out / "targets.parquet")
    assert len(targets) == 4  # speedup, floor share, slope, memory
    assert targets["met"].dtype == bool
    full = table[table["implementation"] == "full"].set_index("households")["seconds_per_step"]
    slope = math.log(full[600] / full[300]) / math.log(2)
    assert targets.loc[2, "measured"] == f"{slope:.2f}"
    assert targets.loc[2, "met"] == (slope <= 1.1)

    memory = pd.read_parquet(out / "memory.parquet")
    assert memory.loc[0, "households"] == 600
    assert memory.loc[0, "weeks"] == 52
    assert 0 < memory.loc[0, "peak_memory_mb"] < 24 * 1024

    rules = pd.read_parquet(out / "rules.parquet")
    assert {"drift", "team_casework", "funding", "metrics and bookkeeping"} <= set(rules["rule"])
    # The rules' times add up to the full model's time per step.
    for n, group in rules.groupby("households"):
        assert group["ms_per_step"].sum() == pytest.approx(full[n] * 1000, rel=1e-6)

    summary = (out / "bench.md").read_text(encoding="utf-8")
    assert "## Targets" in summary and "idiomatic-Mesa reference" in summary
    for figure in ("bench.png", "rules.png"):
        assert (out / "figures" / figure).stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--households", "50"), "--households: expected sizes >= 100, found 50"),
        (("--households", "1000,lots"), "--households: expected whole numbers"),
        (("--years", "0"), "--years: expected a whole number >= 1, found 0"),
        (("--memory-years", "-1"), "--memory-years: expected a whole number >= 0"),
        (("--full-scenario", "old_system"), "expected a scenario with a [team] and [funding]"),
        (("--full-scenario", "no_such_scenario"), "no_such_scenario"),
    ],
)
def test_bench_refuses_bad_input_clearly(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)  # in process: the command line itself is tested above
    assert main(["bench", *args]) == 2
    stderr = capsys.readouterr().err
    assert message in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "results").exists()
