"""`wijksim calibrate SCENARIO --spec FILE`: history matching on sweeps (issue 16, item 2).

How well history matching recovers parameters is tested on a synthetic model in
``tests/test_history_matching.py``; here, that the command runs the waves as resumable
sweeps, writes every table, figure and the calibrated scenario, and refuses bad specs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from wijksim.experiments.analysis.targets import load_targets
from wijksim.experiments.calibration.calibration_spec import load_spec
from wijksim.model.inputs.scenario_io import load_scenario

TINY = """
households = 200
years = 2
seeds = 2
points_per_wave = 10
waves = 2
minimum_kept = 3
targets = ["share_complex", "evictions"]
set = {burn_in_years = 0}

[parameters."escalations.eviction.hazard_per_week"]
low = 0.0005
high = 0.02
log = true
why = "test"

[parameters."hazards.drift_scale"]
low = 1.5
high = 5.0
why = "test"
"""


def wijksim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wijksim", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibration")
    (folder / "tiny.toml").write_text(TINY)
    args = ("calibrate", "old_system", "--spec", "tiny.toml", "--results", "out", "--quiet")
    first = wijksim(*args, cwd=folder)
    assert first.returncode == 0, first.stderr
    return folder, args


def test_calibration_writes_tables_figures_and_a_calibrated_scenario(calibrated):
    folder, _ = calibrated
    out = folder / "out"
    for name in ("design", "runs", "points", "ensemble", "identifiability", "fit"):
        assert (out / f"{name}.parquet").is_file(), name
    for name in ("summary.md", "parameter_ranges.png", "target_fit.png", "manifest.json"):
        assert (out / name).is_file(), name
    design = pd.read_parquet(out / "design.parquet")
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(design) == 20 and len(runs) == 40  # 2 waves × 10 sets × 2 seeds
    assert set(runs.columns) >= {"point", "seed", "share_complex", "evictions"}
    record = load_scenario(folder / "old_system.calibrated.toml").scenario
    assert record.calibrated.method == "history matching"
    assert record.calibrated.points == 20
    best = pd.read_parquet(out / "points.parquet").set_index("point")
    fitted = record.escalations["eviction"].hazard_per_week
    assert (
        best["escalations.eviction.hazard_per_week"] - fitted
    ).abs().min() < 1e-4 * fitted  # 5 significant digits
    assert "## Parameters" in (out / "summary.md").read_text()


def test_calibration_resumes_without_running_again(calibrated):
    folder, args = calibrated
    runs = sorted((folder / "out" / "wave-1" / "runs").glob("*.parquet"))
    before = {p: p.stat().st_mtime_ns for p in runs}
    again = wijksim(*args, "--overwrite", cwd=folder)
    assert again.returncode == 0, again.stderr
    assert {p: p.stat().st_mtime_ns for p in runs} == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ('targets = ["share_complex", "no_such_target"]', "targets[1]"),
        ('targets = ["youth_care_with_stay"]', "targets[0]"),  # not comparable
        ('targets = ["cost_concentration"]', "targets[0]"),  # reads households
        ('targets = ["team_caseload"]', "targets[0]"),  # needs a team
    ],
)
def test_a_bad_spec_is_one_line_naming_file_and_field(tmp_path, change, field):
    text = "\n".join(change if line.startswith("targets =") else line for line in TINY.splitlines())
    (tmp_path / "bad.toml").write_text(text)
    result = wijksim("calibrate", "old_system", "--spec", "bad.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and field in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_reversed_range_and_unknown_parameter_are_refused(tmp_path):
    (tmp_path / "reversed.toml").write_text(TINY.replace("low = 1.5", "low = 9.0"))
    result = wijksim("calibrate", "old_system", "--spec", "reversed.toml", cwd=tmp_path)
    assert result.returncode == 2 and "hazards.drift_scale" in result.stderr
    (tmp_path / "unknown.toml").write_text(TINY.replace("hazards.drift_scale", "hazards.nope"))
    result = wijksim("calibrate", "old_system", "--spec", "unknown.toml", cwd=tmp_path)
    assert result.returncode == 2 and "hazards.nope" in result.stderr, result.stderr


def test_the_shipped_spec_fits_comparable_step_targets_of_the_old_system():
    spec, path = load_spec("old_system")
    from wijksim.experiments.calibration.calibration_spec import check_spec

    bands = check_spec(spec, path, load_targets(), load_scenario("old_system").scenario)
    assert len(bands) == len(spec.targets) >= 10
    assert all(r.why for r in spec.parameters.values())


def test_the_calibration_record_does_not_change_a_runs_fingerprint():
    """A resumed calibration keeps its runs when only the provenance record changed."""
    from wijksim.experiments.runner.sweep_spec import fingerprint
    from wijksim.model.inputs.scenario_io import with_overrides

    scenario = load_scenario("old_system").scenario
    record = scenario.calibrated.model_copy(update={"date": "2000-01-01", "seeds": 9})
    relabelled = scenario.model_copy(update={"calibrated": record})
    assert fingerprint(relabelled, 1) == fingerprint(scenario, 1)
    changed = with_overrides(scenario, {"hazards.drift_scale": 3.0})
    assert fingerprint(changed, 1) != fingerprint(scenario, 1)


def test_every_band_acceptance_ships_only_sets_inside_every_band(tmp_path):
    (tmp_path / "tiny.toml").write_text('accept = "every_band"\n' + TINY)
    args = ("calibrate", "old_system", "--spec", "tiny.toml", "--results", "out", "--quiet")
    done = wijksim(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    points = pd.read_parquet(tmp_path / "out" / "points.parquet").set_index("point")
    ensemble = pd.read_parquet(tmp_path / "out" / "ensemble.parquet")
    bands = load_targets()
    inside = pd.Series(True, index=points.index)
    for name in ("share_complex", "evictions"):
        mean = points[f"mean_{name}"]
        inside &= mean.between(bands[name].low, bands[name].high)
    not_ruled_out = points["I_max"] <= 3.0
    assert set(ensemble["point"]) == set(points.index[inside & not_ruled_out])
    assert 0 < len(ensemble) < not_ruled_out.sum()  # the stricter rule left some out
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "inside every band" in summary
