"""The extension route (issue 20, items 3 and 4): plugins, rule parameters, placement
and declared metrics, through every door a partner uses.

Plugins are written into ``tmp_path`` under names unique to each test and put on the
import path with ``monkeypatch``; the worked example in ``examples/debt_counselling``
has its own tests (``wijksim run --plugin`` and a sweep as subprocesses).
"""

from __future__ import annotations

import textwrap

import pytest
from conftest import small
from wijksim.experiments.analysis.statistics import yearly
from wijksim.experiments.cli import main
from wijksim.experiments.cli.options import WITHOUT_PLUGINS
from wijksim.experiments.cli.parser import build_parser
from wijksim.experiments.runner.run import run_simulation
from wijksim.experiments.runner.sweep_spec import load_sweep, plan_runs
from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel
from wijksim.model.observation import metrics
from wijksim.model.observation.counters import MetricKind, kind_of
from wijksim.model.observation.metrics import UndeclaredMetricError
from wijksim.model.observation.outcomes import OUTCOME_FLOWS
from wijksim.model.rules.schedule import DEFAULT_SCHEDULE, PlacementError, resolved_schedule

RULE = '''
from pydantic import Field
from wijksim.model.rules import Metric, Rule, RuleParams, register_rule


class Params(RuleParams):
    per_week: int = Field(default=2, ge=0)
    """Events counted each week (a test's parameter)."""


@register_rule
class Counting(Rule):
    name = "{name}"
    Params = Params
    metrics = (Metric("{name}_events", "flow"), Metric("{name}_level", "state"))

    def step(self, model):
        model.counters["{name}_events"] += self.params.per_week

    def record(self, model):
        return {{"{name}_level": 10.0 * self.params.per_week}}
'''


@pytest.fixture
def plugin(tmp_path, monkeypatch, request):
    """A plugin module registering a counting rule; its name is the module's name."""
    name = "plugin_" + request.node.name.removeprefix("test_")[:40].replace("[", "_")
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    (tmp_path / f"{name}.py").write_text(RULE.format(name=name))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def scenario_file(tmp_path, text: str, name: str = "s.toml"):
    path = tmp_path / name
    top = 'extends = "old_system"\nburn_in_years = 0\nyears = 1\n'
    path.write_text(top + textwrap.dedent(text) + "\n[population]\nhouseholds = 200\n")
    return path


# ----------------------------------------------------------------------------- --plugin


def test_every_command_but_the_dashboard_takes_plugin():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        options = {o for action in command._actions for o in action.option_strings}
        assert ("--plugin" in options) == (name not in WITHOUT_PLUGINS), name


def test_a_plugin_that_cannot_be_imported_is_one_line_exit_2(capsys, tmp_path):
    assert main(["validate", "--plugin", "no_such_plugin_xyz", "old_system"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "field '--plugin': cannot import 'no_such_plugin_xyz'" in err[0]


def test_validate_and_run_take_a_rule_from_plugin(plugin, tmp_path, capsys):
    path = scenario_file(tmp_path, f'[rules.{plugin}]\nafter = "recovery"\nper_week = 3\n')
    assert main(["validate", str(path)]) == 2  # the rule is unknown without its plugin
    assert f"field 'rules.{plugin}'" in capsys.readouterr().err
    assert main(["validate", "--plugin", plugin, str(path)]) == 0
    out = tmp_path / "out"
    args = ["run", "--plugin", plugin, str(path), "--quiet", "--no-figures", "--out", str(out)]
    assert main(args) == 0
    assert f"{plugin}_events" in (out / "summary.md").read_text()


def test_plugins_listed_in_the_scenario_are_imported(plugin, tmp_path):
    path = scenario_file(
        tmp_path, f'plugins = ["{plugin}"]\n[rules.{plugin}]\nbefore = "classification"\n'
    )
    schedule = resolved_schedule(*_schedule_and_rules(load_scenario(path).scenario))
    assert schedule[-2:] == (plugin, "classification")


def _schedule_and_rules(scenario):
    return scenario.schedule, scenario.rules


def test_a_sweep_hands_the_command_lines_and_scenarios_plugins_to_its_workers(
    plugin, tmp_path, monkeypatch
):
    other = plugin + "_b"
    (tmp_path / f"{other}.py").write_text(RULE.format(name=other))
    path = scenario_file(
        tmp_path,
        f'plugins = ["{other}"]\n[rules.{plugin}]\nafter = "recovery"\n'
        f'[rules.{other}]\nafter = "{plugin}"\n',
    )
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(
        f'name = "x"\nscenario = "{path}"\nseeds = 1\n[grid]\n"rules.{plugin}.per_week" = [1, 4]\n'
    )
    main(["validate", "--plugin", plugin, "old_system"])  # imports it, as the CLI does
    spec, _ = load_sweep(sweep)
    tasks = plan_runs(spec, sweep)
    assert all({plugin, other} <= set(task.plugins) for task in tasks)
    assert [t.scenario.rules[plugin]["per_week"] for t in tasks] == [1, 4]


# ----------------------------------------------------------------------------- [rules]


@pytest.mark.parametrize(
    ("table", "field", "said"),
    [
        ("per_week = -1\n", "rules.{p}.per_week", "greater than or equal to 0, found -1"),
        ('per_week = "two"\n', "rules.{p}.per_week", "expected a valid integer"),
        ("per_wek = 1\n", "rules.{p}.per_wek", "did you mean 'per_week'"),
        ('after = "recovry"\n', "rules.{p}.after", "expected a scheduled rule"),
        ('after = "recovery"\nbefore = "drift"\n', "rules.{p}", "found both"),
        ("per_week = 1\n", "rules.{p}", "expected after = or before = a scheduled rule"),
    ],
)
def test_a_bad_rules_table_is_one_line_naming_file_and_field(
    plugin, tmp_path, capsys, table, field, said
):
    placed = (
        ""
        if "after" in table or "before" in table or "per_week = 1" in table
        else ('after = "recovery"\n')
    )
    path = scenario_file(tmp_path, f"[rules.{plugin}]\n{placed}{table}")
    assert main(["validate", "--plugin", plugin, str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"wijksim: {path}: field '{field.format(p=plugin)}'"), err[0]
    assert said in err[0]


def test_an_unknown_rule_name_suggests_the_registered_one(tmp_path, capsys):
    path = scenario_file(tmp_path, '[rules.recovry]\nafter = "drift"\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "field 'rules.recovry'" in err and "did you mean 'recovery'" in err


def test_a_built_in_rule_takes_no_parameters(tmp_path, capsys):
    path = scenario_file(tmp_path, "[rules.recovery]\nspeed = 2\n")
    assert main(["validate", str(path)]) == 2
    assert "field 'rules.recovery.speed': unknown field" in capsys.readouterr().err


def test_a_command_line_set_of_a_rule_parameter_is_checked(plugin, tmp_path, capsys):
    path = scenario_file(tmp_path, f'[rules.{plugin}]\nafter = "recovery"\n')
    args = ["run", "--plugin", plugin, str(path), "--set", f"rules.{plugin}.per_week=-5"]
    assert main([*args, "--quiet", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"<command line>: field 'rules.{plugin}.per_week'" in err
    assert not (tmp_path / "o").exists()


def test_placement_inserts_after_and_before_without_restating_the_schedule():
    rules = {"a": {"after": "recovery"}, "b": {"before": "recovery"}, "c": {"after": "a"}}
    order = resolved_schedule(None, rules)
    at = order.index("recovery")
    assert order[at - 1 : at + 3] == ("b", "recovery", "a", "c")
    assert [n for n in order if n not in rules] == list(DEFAULT_SCHEDULE)
    with pytest.raises(PlacementError, match="not yet scheduled"):
        resolved_schedule(None, {"recovery": {"after": "drift"}})


def test_the_rule_gets_its_validated_parameters(plugin):
    __import__(plugin)
    scenario = small(households=200, **{f"rules.{plugin}": {"after": "drift", "per_week": 7}})
    model = NeighbourhoodModel(scenario, seed=1)
    assert model.rule(plugin).params.per_week == 7
    assert model.schedule.index(plugin) == model.schedule.index("drift") + 1


# ----------------------------------------------------------------------------- metrics


def test_declared_flows_are_summed_and_states_averaged_by_year(plugin):
    __import__(plugin)
    scenario = small(households=200, years=2, **{f"rules.{plugin}": {"after": "drift"}})
    by_year = yearly(run_simulation(scenario, seed=1).steps)
    values = by_year.set_index(["year", "metric"])["value"]
    assert values[(1, f"{plugin}_events")] == 2 * 52  # a flow: two a week, summed
    assert values[(1, f"{plugin}_level")] == 20.0  # a state: averaged


def test_a_counter_nobody_declared_fails_the_run(tmp_path, monkeypatch):
    (tmp_path / "plugin_undeclared.py").write_text(
        "from wijksim.model.rules import Rule, register_rule\n\n"
        "@register_rule\nclass Quiet(Rule):\n    name = 'plugin_undeclared'\n\n"
        "    def step(self, model):\n        model.counters['plugin_undeclared_n'] += 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("plugin_undeclared")
    scenario = small(households=200, **{"rules.plugin_undeclared": {"after": "drift"}})
    model = NeighbourhoodModel(scenario, seed=1)
    with pytest.raises(UndeclaredMetricError, match="plugin_undeclared_n"):
        model.step()


def old_is_flow(metric: str) -> bool:
    """The rule by name prefixes that the declarations replace (model revision 4)."""
    prefixes = ("cost_", "escalations_", "life_events_", "admissions_", "referrals_", "found_")
    base, _, team = metric.partition("__")
    return (
        metric.startswith((*prefixes, "left_waiting_list_"))
        or metric in metrics.FLOW_COUNTERS
        or metric in OUTCOME_FLOWS
        or (bool(team) and base in metrics.PER_TEAM_FLOWS)
        or metric in ("households_found", "desk_not_indicated")
    )


def test_built_in_metrics_keep_their_kind_in_a_split_team_with_funding():
    scenario = small("team_front_back", households=300, years=1)
    funding = load_scenario("funding_per_hour").scenario.funding.model_dump(mode="json")
    scenario = with_overrides(scenario, {"funding": funding})
    model = NeighbourhoodModel(scenario, seed=2)
    model.run(10)
    recorded = set(model.records[-1]) - {"step", "year"}
    assert any("__" in name for name in recorded)
    for name in recorded:
        assert (kind_of(name) is MetricKind.FLOW) == old_is_flow(name), name


def test_a_report_without_the_sweeps_plugin_is_one_line(plugin, tmp_path, capsys, monkeypatch):
    from wijksim.model.rules import RULES

    path = scenario_file(tmp_path, f'[rules.{plugin}]\nafter = "recovery"\n')
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'name = "x"\nscenario = "{path}"\nseeds = 1\n')
    out = tmp_path / "out"
    args = ["sweep", "--plugin", plugin, str(sweep), "--backend", "serial", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    assert main(["report", "--plugin", plugin, str(out), "--quiet"]) == 0
    monkeypatch.delitem(RULES, plugin)  # a new process that did not import the plugin
    assert main(["report", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"used rule(s) ['{plugin}']" in err[0] and "--plugin" in err[0]


def test_params_lists_a_plugin_rules_parameters(plugin, capsys):
    assert main(["params", "--plugin", plugin, f"rules.{plugin}"]) == 0
    out = capsys.readouterr().out
    assert f"rules.{plugin}.per_week" in out and "Events counted each week" in out
    assert main(["params", f"rules.{plugin}.per_wek"]) == 2
    assert f"did you mean 'rules.{plugin}.per_week'" in capsys.readouterr().err
