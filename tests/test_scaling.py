"""--households scales the team and the per-neighbourhood sums with it (issue 15, item 14)."""

from __future__ import annotations

import json

import pytest
from wijksim.experiments.cli import main, sweep_commands
from wijksim.experiments.runner.sweep_spec import load_sweep, plan_runs
from wijksim.model.inputs.scaling import scale_to_households
from wijksim.model.inputs.scenario_io import load_scenario


def run_manifest(tmp_path, *args: str) -> dict:
    out = tmp_path / "run"
    assert main(["run", "integral_team", "--years", "1", "--out", str(out), *args]) == 0
    return json.loads((out / "manifest.json").read_text())


def test_households_scale_the_team_and_the_manifest_says_so(tmp_path, capsys):
    manifest = run_manifest(tmp_path, "--households", "3000")
    team = manifest["scenario"]["team"]
    assert (team["frontline_fte"], team["overhead_fte"]) == (4.0, 1.0)  # half of 8 + 2
    assert manifest["scaled"] == {
        "team.frontline_fte": [8.0, 4.0],
        "team.overhead_fte": [2.0, 1.0],
    }
    printed = capsys.readouterr().out
    assert "scaled to 3,000 households: team.frontline_fte 8 → 4, team.overhead_fte 2 → 1" in (
        printed
    )


def test_an_fte_set_on_the_command_line_is_kept(tmp_path):
    manifest = run_manifest(
        tmp_path, "--quiet", "--set", "team.frontline_fte=8", "--households", "3000"
    )
    team = manifest["scenario"]["team"]
    assert (team["frontline_fte"], team["overhead_fte"]) == (8.0, 1.0)
    assert manifest["scaled"] == {"team.overhead_fte": [2.0, 1.0]}


def test_the_scenarios_own_size_scales_nothing(tmp_path):
    manifest = run_manifest(tmp_path, "--quiet", "--households", "6000")
    assert manifest["scaled"] == {}
    assert manifest["scenario"]["team"]["frontline_fte"] == 8.0


@pytest.mark.parametrize(
    ("name", "field", "before"),
    [
        ("funding_population", "funding.population_results.bonus_per_point_eur", 7320.0),
        ("transition", "transition.friction_cost_eur", 500_000.0),
    ],
)
def test_per_neighbourhood_sums_scale_per_household_amounts_do_not(name, field, before):
    scenario = load_scenario(name).scenario.model_copy(deep=True)
    smaller = scenario.model_copy(
        update={"population": scenario.population.model_copy(update={"households": 1500})}
    )
    scaled, changes = scale_to_households(smaller, 6000)
    assert changes[field] == [before, before / 4]
    if scaled.funding is not None:
        assert scaled.funding.lump_sum_per_household_year_eur == (
            scenario.funding.lump_sum_per_household_year_eur
        )


def planned_by(command: list[str], monkeypatch) -> list:
    """The runs a sweep command plans, without running them."""
    captured = []
    # Every sweep command runs its sweep through this function (cli/sweep_commands.py).
    monkeypatch.setattr(
        sweep_commands,
        "execute_sweep",
        lambda spec, tasks, *rest, **kw: captured.extend(tasks) or 0,
    )
    assert main(command) == 0
    return captured


def test_transition_scales_the_team_and_its_friction(monkeypatch):
    tasks = planned_by(["transition", "--households", "3000", "--seeds", "1"], monkeypatch)
    switch = next(t for t in tasks if t.variant == "transition")
    assert switch.scenario.team.frontline_fte == 4.0
    assert switch.scaled["transition.friction_cost_eur"] == [500_000.0, 250_000.0]
    counterfactual = next(t for t in tasks if t.variant == "counterfactual")
    assert counterfactual.scaled == {}  # no team, so nothing to scale


def test_compare_funding_scales_every_form(monkeypatch):
    tasks = planned_by(["compare-funding", "--households", "3000", "--seeds", "1"], monkeypatch)
    assert {t.scenario.team.frontline_fte for t in tasks} == {4.0}


def test_a_split_scales_every_team_alike(monkeypatch):
    command = ["compare-teams", "--households", "3000", "--seeds", "1", "--forms", "cost_centre"]
    tasks = planned_by(command, monkeypatch)
    assert {t.scenario.team.frontline_fte for t in tasks} == {4.0}
    split = next(t for t in tasks if t.variant.startswith("front_back")).scenario.team
    assert [team.frontline_fte for _, team in split.split_params()] == [2.0, 2.0]


def test_compare_teams_neighbourhood_types_keep_one_team_size(monkeypatch):
    """Without --households, the types' own sizes are served by the scenario's team."""
    command = ["compare-teams", "--seeds", "1", "--forms", "cost_centre"]
    tasks = planned_by(command, monkeypatch)
    assert {t.scenario.population.households for t in tasks} == {3000, 6000, 10000}
    assert {t.scenario.team.frontline_fte for t in tasks} == {8.0}


def test_a_sweep_grid_over_households_scales_each_run(tmp_path):
    path = tmp_path / "sizes.toml"
    text = 'name = "sizes"\nscenario = "integral_team"\nseeds = 1\n{}\n[grid]\n'
    text += '"population.households" = [3000, 12000]\n'
    path.write_text(text.format(""))
    spec, source = load_sweep(path)
    assert [t.scenario.team.frontline_fte for t in plan_runs(spec, source)] == [4.0, 16.0]
    path.write_text(text.format("scale_with_households = false"))
    spec, source = load_sweep(path)
    assert [t.scenario.team.frontline_fte for t in plan_runs(spec, source)] == [8.0, 8.0]


def test_calibration_households_scale_a_team_too(monkeypatch):
    from wijksim.experiments.calibration import calibrate

    seen = []

    def shares(scenario, seeds):
        seen.append(scenario.team.frontline_fte)
        return dict(scenario.classification.target_shares)

    monkeypatch.setattr(calibrate, "simulated_shares", shares)
    calibrate.calibrate(
        load_scenario("integral_team").scenario, seeds=1, households=3000, max_evaluations=1
    )
    assert seen and set(seen) == {4.0}
