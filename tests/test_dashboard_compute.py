"""The dashboard's computations without a browser (issue 17, item 1)."""

from __future__ import annotations

import io
import itertools
import threading

import openpyxl
import pandas as pd
import pytest
from wijksim.dashboard import compute, knobs
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario

SMALL = {"households": 300, "years": 2, "team_start_year": 2, "seeds": 2}
"""A transition small enough for a test: the team from year 2 of 2, two seeds."""


@pytest.fixture(scope="module")
def transition():
    return load_scenario("transition").scenario


def test_knobs_left_at_their_defaults_override_nothing(transition):
    values = {
        key: knobs.current_value(transition, knob.field)
        for key, knob in knobs.KNOBS_BY_KEY.items()
        if knob.field and knobs.current_value(transition, knob.field) is not None
    }
    config = compute.configure(transition, "transition", values | {"seeds": 3})
    assert config.overrides == {}
    assert config.scenario == transition


def test_households_scale_the_team_as_the_command_line_does(transition):
    config = compute.configure(transition, "transition", {"households": 300})
    assert config.scenario.team.frontline_fte == pytest.approx(8.0 * 300 / 6000)
    assert config.overrides == {"population.households": 300}
    assert "team.frontline_fte" in config.scaled
    # A team size set explicitly is kept, not scaled.
    chosen = compute.configure(transition, "transition", {"households": 300, "frontline_fte": 3})
    assert chosen.scenario.team.frontline_fte == 3.0
    assert "team.frontline_fte" not in chosen.scaled


def test_choices_set_funding_form_split_and_access_option(transition):
    values = {"funding": "per_hour", "split": "front_back", "access": "B", "tariff_hour": 70}
    scenario = compute.configure(transition, "transition", values).scenario
    assert scenario.funding.label == "production per hour"
    assert scenario.funding.tariff_per_hour_eur == 70.0  # the tariff knob over the form's 58
    assert scenario.team.split.configuration == "front_back"
    access = scenario.funding.specialist_access
    assert (access.quota_per_1000_year, access.quota_released_at_start) == (35.0, 0.6)


def test_options_a_to_e_come_from_the_shipped_sweep():
    options = knobs.access_options()
    assert list(options) == ["free", "A", "B", "C", "D", "E"]
    assert options["C"] == {"intervention_per_1000_year": 35.0}
    assert options["E"]["charge_rise_per_100_referrals"] == 0.25


def test_knob_help_names_unit_range_default_and_source():
    from wijksim.experiments.i18n import translator

    text = knobs.knob_help(knobs.KNOBS_BY_KEY["frontline_fte"], 8.0, translator("nl"), "nl")
    assert "fte" in text and "0,10 – 200,00" in text and "8,00" in text
    assert "Leeuwarden" in text  # the schema's description, which cites the source


def test_invalid_values_name_the_field(transition):
    with pytest.raises(ScenarioError, match=r"transition\.team_start_year"):
        compute.configure(transition, "transition", {"years": 2, "team_start_year": 3})


def test_scenario_file_reproduces_the_configuration(transition, tmp_path):
    values = SMALL | {"funding": "population", "access": "D", "seconded_share": 0.3}
    config = compute.configure(transition, "transition", values)
    path = tmp_path / "run.toml"
    path.write_text(compute.scenario_toml(config), encoding="utf-8")
    assert load_scenario(path).scenario == config.scenario


def test_a_small_transition_gives_curves_indicators_and_downloads(transition):
    config = compute.configure(transition, "transition", SMALL)
    reports = []
    table = compute.run_jobs(compute.jobs_of(config), report=lambda *a: reports.append(a))
    assert set(table["variant"]) == {compute.TRANSITION, compute.COUNTERFACTUAL}
    assert set(table["seed"]) == {1, 2}
    assert reports[-1] == (1.0, 4)
    headline = compute.headline(table, compute.TRANSITION)
    assert headline["metric"].tolist() == [kpi for kpi, _, _ in compute.KPIS]
    assert headline["median"].notna().all()
    results = compute.transition_results(table, config)
    assert {"society", "municipality"} <= set(results.summary["view"])
    assert "bcr" in set(results.summary["indicator"])
    _check_downloads(table, config, results)


def _check_downloads(table, config, results):
    """The downloads are what the command line writes: headers, about sheet, CSV format."""
    headline = compute.headline(table, compute.TRANSITION)
    wide = compute.wide_by_seed(table)
    metrics = compute.metric_columns(wide)
    as_a_and_b = {compute.TRANSITION: "A", compute.COUNTERFACTUAL: "B"}
    comparison = compute.compare(table.assign(variant=table["variant"].map(as_a_and_b)))
    tables = {
        "headline": headline,
        "yearly_by_seed": wide,
        "transition_indicators": results.summary,
        "transition_curves": results.curves,
        "transition_spending": results.spending,
        "comparison_totals": comparison.totals,
        "comparison_by_year": comparison.by_year,
    }
    # Every column has a readable header (the tests run with WIJKSIM_STRICT_LABELS=1).
    about = compute.provenance(config)
    workbook = openpyxl.load_workbook(io.BytesIO(compute.excel_bytes(tables, about, "nl", metrics)))
    assert workbook.sheetnames == ["toelichting", *tables]
    rows = {row[0]: row[1] for row in workbook["toelichting"].iter_rows(values_only=True)}
    assert rows["Opdracht"] == "wijksim dashboard" and rows["Seeds"] == "1, 2"
    assert "team.frontline_fte 8 → 0.4" in rows["Meegeschaald met het aantal huishoudens"]
    header = [cell.value for cell in workbook["yearly_by_seed"][1]]
    assert header[:3] == ["Variant", "Seed", "Jaar van de run"]
    assert "Meetwaarde cost_total_eur (per jaar: stromen opgeteld, toestanden gemiddeld) (EUR)" in (
        header
    )
    csv = compute.csv_bytes(headline, "nl").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Maatstaf;Mediaan;5e percentiel;95e percentiel;")


def test_downloads_are_the_files_the_command_line_writes(transition, tmp_path):
    from wijksim.experiments.reports.table_files import Provenance, write_tables

    config = compute.configure(transition, "transition", SMALL)
    table = compute.run_jobs(compute.jobs_of(config))
    headline = compute.headline(table, compute.TRANSITION)
    for language in ("nl", "en"):
        write_tables(tmp_path, {"headline": headline}, Provenance("x", "transition"), language)
        assert compute.csv_bytes(headline, language) == (tmp_path / "headline.csv").read_bytes()


def _fake_run(value: float, weeks: int = 3, hang: bool = False):
    def run_one(scenario_json, seed, progress):
        for _ in itertools.count() if hang else range(weeks):
            progress(1)
        return pd.DataFrame(
            {"year": [1, 1], "metric": ["cost_total_eur", "escalations_total"],
             "value": [value + seed, 2.0 * seed]}
        )  # fmt: skip

    return run_one


def test_time_cap_stops_a_run_and_says_how_far_it_got():
    jobs = [compute.Job("A", "{}", seed, 3) for seed in (1, 2)]
    ticks = itertools.count()
    clock = lambda: next(ticks) * 1.0  # noqa: E731 (one second per look at the clock)
    with pytest.raises(compute.TimeCapExceeded) as stop:
        compute.run_jobs(jobs, _fake_run(0.0, hang=True), cap_seconds=5, clock=clock)
    assert (stop.value.done, stop.value.total, stop.value.cap_seconds) == (0, 2, 5)


def test_paired_differences_are_taken_seed_by_seed():
    jobs_a = [compute.Job("A", "{}", seed, 1) for seed in (1, 2, 3)]
    jobs_b = [compute.Job("B", "{}", seed, 1) for seed in (1, 2, 3)]
    table = pd.concat(
        [
            compute.run_jobs(jobs_a, _fake_run(100.0)),
            compute.run_jobs(jobs_b, _fake_run(110.0)),
        ]
    )
    totals = compute.compare(table).totals.set_index("metric")
    # B − A is exactly 10 on every seed, so the interval has no width, although the
    # seeds differ among themselves (an unpaired comparison would see their spread).
    row = totals.loc["cost_total_eur"]
    assert (row["mean_difference"], row["ci_low"], row["ci_high"]) == (10.0, 10.0, 10.0)
    assert totals.loc["escalations_total", "mean_difference"] == 0.0


def test_dashboard_command_warns_off_loopback_and_checks_the_port(monkeypatch, capsys):
    from wijksim.experiments.cli import dashboard_command, main
    from wijksim.experiments.cli.common import EXIT_USAGE

    started = []
    monkeypatch.setattr(dashboard_command.os, "execv", lambda path, argv: started.append(argv))
    assert main(["dashboard", "--port", "8600"]) == 0
    command = started[-1]
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    assert "warning" not in capsys.readouterr().err
    assert main(["dashboard", "--host", "0.0.0.0"]) == 0
    assert "warning: serving on 0.0.0.0" in capsys.readouterr().err
    assert main(["dashboard", "--port", "0"]) == EXIT_USAGE
    assert "expected --port 1..65535, found 0" in capsys.readouterr().err
    assert len(started) == 2  # nothing started for the bad port


def test_a_stopped_caller_stops_its_run():
    jobs = [compute.Job("A", "{}", 1, 3)]
    runs = []

    def hanging(scenario_json, seed, progress):
        runs.append(threading.current_thread())
        for _ in itertools.count():
            progress(1)

    def stop_caller(share, done):
        raise KeyboardInterrupt  # as Streamlit's rerun stops the script

    with pytest.raises(KeyboardInterrupt):
        compute.run_jobs(jobs, hanging, report=stop_caller)
    runs[0].join(timeout=5)
    assert not runs[0].is_alive()
