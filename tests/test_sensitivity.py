"""Global sensitivity analysis (issue 16, item 3): the analysis on known functions, the
plan on the sweep machinery, and ``wijksim sensitivity`` end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.calibration.sensitivity import sobol_figure, summary_markdown
from wijksim.experiments.calibration.sensitivity_analysis import analyse_indices, drivers
from wijksim.experiments.calibration.sensitivity_spec import (
    SensitivitySpec,
    load_sensitivity,
    plan_sensitivity,
    sample_design,
)
from wijksim.experiments.cli import main

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    return (
        np.sin(x[:, 0])
        + ISHIGAMI_A * np.sin(x[:, 1]) ** 2
        + ISHIGAMI_B * x[:, 2] ** 4 * np.sin(x[:, 0])
    )


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    """Analytic first-order and total indices (Ishigami & Homma 1990; Saltelli et al.
    2008, ch. 4): 0.314, 0.442, 0 and 0.558, 0.442, 0.244 for a = 7, b = 0.1."""
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, np.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total


def _outputs(design: pd.DataFrame, values: np.ndarray, seed: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"point": design["point"], "seed": seed, "output": "y", "value": values})


def _spec(method: dict, parameters: dict) -> SensitivitySpec:
    return SensitivitySpec(name="synthetic", method=method, parameters=parameters)


def test_sobol_analysis_recovers_the_ishigami_indices():
    # The command's own sampler and analysis, with the Ishigami function for the model.
    # Tolerance: twice SALib's 95% bootstrap half-width at N = 1024 (about 4 standard
    # errors; the half-widths are 0.03–0.09 here), and the half-widths themselves must
    # be below 0.1 so that the check cannot pass by being vague.
    bounds = {name: (-np.pi, np.pi) for name in ("x1", "x2", "x3")}
    spec = _spec({"name": "sobol", "n": 1024}, bounds)
    design = sample_design(spec)
    values = ishigami(design[["x1", "x2", "x3"]].to_numpy())
    found = analyse_indices(design, _outputs(design, values), bounds, "sobol").set_index(
        "parameter"
    )
    first, total = ishigami_indices()
    np.testing.assert_allclose(first, [0.3139, 0.4424, 0.0], atol=5e-4)
    np.testing.assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=5e-4)
    assert (found["S1_conf"] < 0.1).all() and (found["ST_conf"] < 0.1).all()
    assert (np.abs(found["S1"].to_numpy() - first) <= 2 * found["S1_conf"].to_numpy()).all()
    assert (np.abs(found["ST"].to_numpy() - total) <= 2 * found["ST_conf"].to_numpy()).all()


def test_sobol_figure_and_drivers_of_the_ishigami_indices(tmp_path):
    bounds = {name: (-np.pi, np.pi) for name in ("x1", "x2", "x3")}
    spec = _spec({"name": "sobol", "n": 256}, bounds)
    design = sample_design(spec)
    values = ishigami(design[list(bounds)].to_numpy())
    indices = analyse_indices(design, _outputs(design, values), bounds, "sobol")
    # ST ranks x1 (0.56), x2 (0.44), x3 (0.24), each clearly above zero.
    assert drivers(indices, "sobol")["y"] == ["x1", "x2", "x3"]
    figure = sobol_figure(indices, "y", "Ishigami, N = 256")
    figure.savefig(tmp_path / "sobol.png")
    assert (tmp_path / "sobol.png").stat().st_size > 0


def test_a_sobol_summary_explains_its_own_indices_and_shows_their_seed_noise():
    bounds = {"x1": [-np.pi, np.pi], "x2": [-np.pi, np.pi], "x3": [-np.pi, np.pi]}
    spec = _spec({"name": "sobol", "n": 64}, bounds)
    design = sample_design(spec)
    x = design[["x1", "x2", "x3"]].to_numpy()
    noisy = [_outputs(design, ishigami(x) + 0.1 * s, seed=s) for s in (1, 2)]
    outputs = pd.concat(noisy, ignore_index=True)
    outputs["output"] = "escalations_per_1000_households_year"  # a name the report knows
    indices = analyse_indices(design, outputs, bounds, "sobol")
    manifest = {"counts": {"done": 1, "failed": 0, "pending": 0}, "git_commit": "abc"}
    text = summary_markdown(spec, indices, outputs, manifest, [])
    assert "μ*" not in text  # Morris's words do not describe Sobol indices
    assert "S1 (first order) and ST (total)" in text
    header = next(line for line in text.splitlines() if line.startswith("| parameter"))
    assert "noise_share" in header
    spread = text.split("## Each output over the sample")[1].split("##")[0]
    means = outputs.groupby("point")["value"].mean()
    assert f"{means.median():.4g}" in spread  # the median of the point means


def test_morris_ranks_an_inert_parameter_last():
    bounds = {"a": (0.0, 1.0), "inert": (0.0, 1.0), "b": (0.0, 2.0), "c": (-1.0, 1.0)}
    spec = _spec({"name": "morris", "trajectories": 10, "levels": 4}, bounds)
    design = sample_design(spec)
    x = design[list(bounds)].to_numpy()
    values = 4 * x[:, 0] + 0 * x[:, 1] + x[:, 2] ** 2 + np.sin(3 * x[:, 3])
    found = analyse_indices(design, _outputs(design, values), bounds, "morris")
    ranked = found.sort_values("mu_star", ascending=False)["parameter"].tolist()
    assert ranked[-1] == "inert"
    assert found.set_index("parameter").loc["inert", "mu_star"] == 0.0


def test_morris_seed_noise_matches_the_mu_star_of_pure_noise():
    # An output that is seed noise only (independent N(0, 1) per point and seed): every
    # parameter is inert, so its mu_star is what noise gives, and noise_mu_star must
    # predict it. Expected ratio 1; with 50 trajectories the ratio's spread is about
    # 0.13 (mu_star: 0.76/sqrt(50); pooled variance over 100 seed-pairs), so [0.7, 1.4]
    # is about 2.5 standard deviations each side. Seeded: the draw is fixed.
    bounds = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    spec = _spec({"name": "morris", "trajectories": 50, "levels": 4}, bounds)
    design = sample_design(spec)
    rng = np.random.default_rng(7)
    outputs = pd.concat(
        _outputs(design, rng.normal(size=len(design)), seed=seed) for seed in (1, 2, 3)
    )
    found = analyse_indices(design, outputs, bounds, "morris")
    ratio = found["mu_star"] / found["noise_mu_star"]
    assert ratio.between(0.7, 1.4).all(), ratio.tolist()


def test_seeds_are_averaged_before_the_analysis():
    bounds = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    spec = _spec({"name": "morris", "trajectories": 4, "levels": 4}, bounds)
    design = sample_design(spec)
    x = design[list(bounds)].to_numpy()
    mean = 3 * x[:, 0]
    # Two seeds at ±1 around the mean: their average is the mean exactly.
    outputs = pd.concat([_outputs(design, mean + 1, seed=1), _outputs(design, mean - 1, seed=2)])
    found = analyse_indices(design, outputs, bounds, "morris").set_index("parameter")
    alone = analyse_indices(design, _outputs(design, mean), bounds, "morris")
    np.testing.assert_allclose(found["mu_star"], alone.set_index("parameter")["mu_star"])
    assert found.loc["b", "mu_star"] == 0.0


TINY = """
name = "tiny"
scenario = "transition"
analysis = "transition"
households = 300
years = 2
seeds = 1

[set]
"transition.team_start_year" = 2

[method]
name = "morris"
trajectories = 2
levels = 4

[parameters]
"escalations.eviction.hazard_per_week" = [0.002, 0.02]
"team.support_effect_per_hour" = [0.03, 0.09]
"""


def test_counterfactual_runs_of_points_differing_only_in_team_fields_are_shared(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    spec, path = load_sensitivity(path)
    design = sample_design(spec)
    _, tasks, run_map = plan_sensitivity(spec, path, design)
    assert len(run_map) == 2 * len(design)  # every point: its run and its counterfactual
    counterfactual = run_map[run_map["role"] == "counterfactual"]
    # A step in the team parameter leaves the counterfactual as it was: 2 trajectories
    # of 3 points, each with one such step, share 2 of their 6 counterfactual runs.
    assert counterfactual["run_id"].nunique() == 4
    assert len(tasks) == len(design) + 4


def test_sensitivity_command_writes_tables_and_figures_and_resumes(tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "out"
    argv = ["sensitivity", str(path), "--out", str(out), "--backend", "serial"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert "10 distinct runs; 10 done, 0 already finished" in first
    report = out / "report"
    indices = pd.read_parquet(report / "indices.parquet")
    assert {"mu_star", "mu_star_conf", "sigma", "noise_mu_star"} <= set(indices.columns)
    assert set(indices["parameter"]) == {
        "escalations.eviction.hazard_per_week",
        "team.support_effect_per_hour",
    }
    assert {"bcr_society", "escalations_per_1000_households_year"} <= set(indices["output"])
    assert (report / "figures" / "morris_escalations_per_1000_households_year.png").is_file()
    assert "What drives each output" in (report / "summary.md").read_text()
    written = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert len(written) == 10

    assert main(argv) == 0
    assert "0 done, 10 already finished" in capsys.readouterr().out
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")} == written


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (TINY.replace("team.support_effect_per_hour", "team.no_such_field"), "no_such_field"),
        (TINY.replace("[0.03, 0.09]", "[0.09, 0.03]"), "parameters"),
        (TINY.replace('name = "morris"', 'name = "fast"'), "method"),
    ],
)
def test_a_bad_sensitivity_file_is_one_line_and_writes_nothing(tmp_path, capsys, text, field):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "bad.toml" in error and field in error
    assert not out.exists()


def test_the_shipped_screening_covers_at_least_fifteen_assumptions():
    spec, _ = load_sensitivity("sensitivity_assumptions")
    assert spec.method.name == "morris" and len(spec.parameters) >= 15
    design = sample_design(spec)
    assert len(design) == (len(spec.parameters) + 1) * spec.method.trajectories
