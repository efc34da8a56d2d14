"""Run ids are unique and bounded; a run is never counted twice (issue 19, item 2)."""

from __future__ import annotations

import json

import pytest
from wijksim.experiments.cli import main
from wijksim.experiments.runner.results import load_results
from wijksim.experiments.runner.sweep import run_sweep
from wijksim.experiments.runner.sweep_spec import load_sweep, plan_runs

SWEEP = """
name = "ids"
scenario = "integral_team"
seeds = {seeds}
[set]
years = 1
"population.households" = 300
burn_in_years = 0
[grid]
{grid}
"""


def write(folder, grid: str, seeds: str = "1"):
    path = folder / "ids.toml"
    path.write_text(SWEEP.format(grid=grid, seeds=seeds))
    return path


@pytest.mark.parametrize(
    ("grid", "seeds", "field", "says"),
    [
        ('"team.frontline_fte" = [2.0, 3.0]', "[1, 2, 1]", "seeds", "seed 1 is listed twice"),
        ('"team.frontline_fte" = [2.0, 2.0]', "1", "grid.team.frontline_fte", "listed twice"),
        ('"team.frontline_fte" = [2, 2.0]', "1", "grid.team.frontline_fte", "same scenario"),
        ('label = ["a", "b", "a"]', "2", "grid.label", 'value "a" is listed twice'),
    ],
)
def test_a_seed_or_grid_value_given_twice_is_refused(tmp_path, capsys, grid, seeds, field, says):
    """Today's sweeps run it once and count it twice (€1,899,499 for a €949,750 run)."""
    path = write(tmp_path, grid, seeds)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--backend", "serial", "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert f"{path}: field '{field}'" in error and says in error
    assert not out.exists()


def test_values_with_one_slug_and_a_very_long_value_get_their_own_short_ids(tmp_path):
    """``"a b"`` and ``"a-b"`` once shared a file; a 300-character value crashed."""
    long = "x" * 300
    path = write(tmp_path, f'label = ["a b", "a-b", "{long}"]')
    spec, source = load_sweep(path)
    tasks = plan_runs(spec, source)
    ids = [t.run_id for t in tasks]
    assert len(set(ids)) == 3
    assert ids[1] == "base__label=a-b__seed1"  # readable ids as before, so folders resume
    assert all(len(i) <= 120 for i in ids)  # far below the 255 bytes of a file name
    out = tmp_path / "out"
    summary = run_sweep(spec, tasks, out, backend="serial", show_progress=False)
    assert (summary.done, summary.failed) == (3, 0)
    table = load_results(out)
    assert sorted(table.groupby("run_id")["label"].first()) == sorted(["a b", "a-b", long])


def test_load_results_reads_a_run_listed_twice_once(tmp_path):
    """A manifest of an older wijksim that lists a run twice does not double its rows."""
    path = write(tmp_path, '"team.frontline_fte" = [2.0]')
    spec, source = load_sweep(path)
    out = tmp_path / "out"
    run_sweep(spec, plan_runs(spec, source), out, backend="serial", show_progress=False)
    once = load_results(out)
    manifest = json.loads((out / "sweep.json").read_text())
    manifest["runs"] = manifest["runs"] * 2
    (out / "sweep.json").write_text(json.dumps(manifest))
    assert len(load_results(out)) == len(once)
