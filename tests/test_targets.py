"""Observed targets (issue 16, item 1): the file, the metric functions and the command."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.analysis.target_metrics import METRICS, RunOutputs
from wijksim.experiments.analysis.targets import (
    TargetsError,
    compare,
    evaluate,
    load_targets,
    shipped_targets_path,
    window_for,
)
from wijksim.experiments.cli import main
from wijksim.model.config.scenario import Scenario

DOCS_SOURCES = Path(__file__).parent.parent / "docs" / "sources.md"

# --- The file --------------------------------------------------------------------------

GOOD = """
version = 1
[targets.evictions]
label = "Evictions"
metric = "escalations_per_1000_households_year"
of = "eviction"
years = [1, 2]
low = 0.4
high = 2.0
unit = "per 1,000 households a year"
scaling = "test"
[targets.evictions.observed]
value = 3000
unit = "evictions a year"
years = "2018"
population = "tenants"
[targets.evictions.source]
id = "S9"
locator = "press"
"""

BAD = {
    "unknown_field": (GOOD.replace('unit = "per', 'colour = "red"\nunit = "per'), "colour"),
    "low_above_high": (GOOD.replace("low = 0.4", "low = 4.0"), "low ≤ high"),
    "unknown_metric": (GOOD.replace('"escalations_per_1000', '"evictions_per_1000'), "metric"),
    "metric_without_of": (GOOD.replace('of = "eviction"\n', ""), "'targets.evictions.of'"),
    "wrong_type": (GOOD.replace("high = 2.0", 'high = "two"'), "'targets.evictions.high'"),
    "bad_source_id": (GOOD.replace('id = "S9"', 'id = "Aedes"'), "source.id"),
    "years_descending": (GOOD.replace("years = [1, 2]", "years = [5, 2]"), "ascending"),
    "missing_band": (GOOD.replace("low = 0.4\n", ""), "'targets.evictions.low'"),
    "uncomparable_without_reason": (
        GOOD.replace("scaling =", "comparable = false\nscaling ="),
        "caveat",
    ),
    "malformed_toml": (GOOD.replace("[targets.evictions]", "[targets.evictions"), "malformed"),
}


def test_the_good_example_loads(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(GOOD)
    targets = load_targets(path)
    assert targets["evictions"].low == 0.4
    assert targets["evictions"].years == (1, 2)


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_targets_file_is_one_line_and_exit_2(case, tmp_path, capsys):
    text, expected = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    tiny = ["--households", "300", "--years", "1", "--seeds", "1", "--out", str(out), "--quiet"]
    code = main(["targets", "old_system", "--targets", str(path), *tiny])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert str(path) in err and expected in err, err
    assert not out.exists()


def test_a_missing_targets_file_is_one_line(tmp_path):
    with pytest.raises(TargetsError, match="cannot be read"):
        load_targets(tmp_path / "nowhere.toml")


def test_the_shipped_file_loads_and_cites_known_sources():
    targets = load_targets()
    sources = DOCS_SOURCES.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| \*{0,2}\[(S\d+)\]", sources, flags=re.MULTILINE))
    assert {t.source.id for t in targets.values()} <= listed
    for name, target in targets.items():
        assert target.metric is None or target.metric in METRICS, name
        # A figure we could not check is flagged in docs/sources.md as well.
        if not target.source.verified:
            assert "not verified" in sources, name
    # The list (item 1): every kind of figure is there.
    for name in ("share_complex", "eindhoven_top", "evictions", "child_protection"):
        assert name in targets
    for name in ("acute_admissions", "wmo_households", "youth_spending", "stacking"):
        assert name in targets
    for name in ("cost_concentration", "youth_care_wait", "mental_health_wait"):
        assert name in targets


def test_the_shipped_file_is_packaged():
    assert shipped_targets_path().is_file()


# --- The metric functions on a hand-built run --------------------------------------------

HOUSEHOLDS = 100
WEEKS = 104


def _weekly(values: dict[str, dict[int, float]]) -> pd.DataFrame:
    """A tidy per-step table of two years; unlisted weeks of a metric are 0."""
    rows = []
    for metric, by_week in values.items():
        for step in range(1, WEEKS + 1):
            year = (step - 1) // 52 + 1
            value = by_week(step, year) if callable(by_week) else by_week.get(step, 0.0)
            rows.append((step, year, metric, float(value)))
    return pd.DataFrame(rows, columns=["step", "year", "metric", "value"])


def hand_built_run(team: bool = False) -> RunOutputs:
    """Two years of 100 households with known flows, stocks and costs."""
    steps = _weekly(
        {
            # Year 1: 10% basic; year 2: 30%.
            "share_basic": lambda step, year: 0.1 if year == 1 else 0.3,
            # 3 evictions in year 1, 5 in year 2.
            "escalations_eviction": {1: 3, 60: 5},
            # €1,000 a week for the youth payer: €52,000 a year.
            "cost_paid_by_municipality_youth_eur": lambda step, year: 1000.0,
            # Youth care: 4 clients at the end of week 1, of whom 1 admitted that week,
            # and 2 more admitted in week 10: 3 + 1 + 2 = 6 episodes in year 1; none
            # in year 2 (and no one in care then).
            "clients_youth_care": lambda step, year: 4.0 if year == 1 else 0.0,
            "admissions_youth_care": {1: 1, 10: 2},
            # Waits: 1 admitted after 4 weeks, 2 after 10 weeks on average: mean 8.
            "mean_wait_weeks_youth_care": lambda step, year: {1: 4.0, 10: 10.0}.get(step, np.nan),
            # Sheltered housing: 2 clients throughout, no admissions: 2 episodes a year.
            "clients_sheltered_housing": lambda step, year: 2.0,
            "team_admissions": {5: 3, 70: 1},
            "team_intake_wait_weeks": {5: 6, 70: 4},
            # A team of 2 FTE from year 2, holding 80 households: 40 per FTE.
            "team_frontline_fte": lambda step, year: 2.0 if (team and year == 2) else 0.0,
            "team_caseload_households": lambda step, year: 80.0 if year == 2 else 0.0,
        }
    )
    groups = ["self_reliant"] * 90 + ["basic"] * 6 + ["complex"] * 4
    children = [False] * 96 + [True, True, False, False]
    costs = np.zeros(HOUSEHOLDS)
    costs[[96, 97, 98, 99]] = [50.0, 30.0, 10.0, 10.0]
    households = pd.DataFrame(
        {
            "need_group": pd.Categorical(groups, categories=["self_reliant", "basic", "complex"]),
            "has_children": children,
            "cost_eur": costs,
        }
    )
    scenario = Scenario().model_dump(mode="json")
    if team:
        scenario["team"] = {}
    return RunOutputs(steps, households, scenario)


def value(name: str, run: RunOutputs, window=(1, 2), of: str | None = None):
    return METRICS[name].function(run, window, of)


def test_need_group_share_is_the_mean_over_the_window():
    run = hand_built_run()
    assert value("need_group_share", run, (2, 2), "basic") == pytest.approx(0.3)
    assert value("need_group_share", run, (1, 2), "basic") == pytest.approx(0.2)
    assert value("need_group_share", run, (1, 2), "nobody") is None


def test_escalations_are_per_1000_households_a_year():
    run = hand_built_run()
    # (3 + 5) / 2 years per 100 households = 40 per 1,000 a year.
    assert value("escalations_per_1000_households_year", run, of="eviction") == pytest.approx(40)
    assert value("escalations_per_1000_households_year", run, (1, 1), "eviction") == 30


def test_cost_is_per_household_a_year():
    run = hand_built_run()
    got = value("cost_per_household_year", run, of="paid_by_municipality_youth")
    assert got == pytest.approx(52_000 / HOUSEHOLDS)


def test_reach_counts_the_stock_at_the_start_and_the_admissions():
    run = hand_built_run()
    # Year 1: 6 episodes; year 2: 0; mean 3 per 100 households = 30 per 1,000.
    assert value("specialist_reach_per_1000_households_year", run, (1, 1), "youth_care") == 60
    assert value("specialist_reach_per_1000_households_year", run, of="youth_care") == 30
    # The Wmo payer's kinds: debt counselling (none) and sheltered housing (2 a year).
    got = value("payer_reach_per_1000_households_year", run, of="municipality_wmo")
    assert got == pytest.approx(20)
    # Every care kind: (3 + 2) episodes a year on average over 100 households.
    assert value("specialist_reach_share_any", run) == pytest.approx(0.05)


def test_mean_wait_is_weighted_by_admissions():
    run = hand_built_run()
    assert value("mean_specialist_wait_weeks", run, of="youth_care") == pytest.approx(8.0)
    assert value("mean_specialist_wait_weeks", run, (2, 2), "youth_care") is None


def test_team_metrics():
    run = hand_built_run(team=True)
    assert value("team_intake_wait_weeks", run) == pytest.approx(10 / 4)
    assert value("team_caseload_per_fte", run) == pytest.approx(40.0)
    assert value("team_caseload_per_fte", hand_built_run(team=False)) is None


def test_escalation_ratio_compares_the_years_after_the_team_with_those_before():
    run = hand_built_run(team=True)
    run.scenario["transition"] = {"team_start_year": 2}
    # 5 evictions in year 2 against 3 in year 1; no placements either year.
    ratio = "escalation_ratio_after_team_start"
    assert value(ratio, run, (2, 2), "eviction") == pytest.approx(5 / 3)
    assert value(ratio, run, (2, 2), "eviction+out_of_home_placement") == pytest.approx(5 / 3)
    assert value(ratio, run, (2, 2), "out_of_home_placement") is None  # none before
    run.scenario["transition"] = {"team_start_year": 1}
    assert value(ratio, run, (2, 2), "eviction") is None  # no year before the team


def test_household_metrics():
    run = hand_built_run()
    # 50 of 100 euros on one household of 100.
    assert value("share_of_households_with_half_the_cost", run) == pytest.approx(0.01)
    # Complex with children: households 96 and 97.
    assert value("complex_with_children_share", run) == pytest.approx(0.02)
    assert value("cost_per_complex_household_with_children_year", run) == pytest.approx(20.0)


def test_window_is_clipped_to_the_run(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(GOOD.replace("years = [1, 2]", "years = [5, 10]"))
    target = load_targets(path)["evictions"]
    assert window_for(target, [1, 2]) == ((1, 2), True)
    assert window_for(target, list(range(1, 9))) == ((5, 8), False)


def test_compare_gives_median_band_and_verdict(tmp_path):
    path = tmp_path / "targets.toml"
    caseload = (
        GOOD.replace("version = 1", "")
        .replace("[targets.evictions", "[targets.caseload")
        .replace(
            'metric = "escalations_per_1000_households_year"\nof = "eviction"',
            'metric = "team_caseload_per_fte"\nrequires_team = true',
        )
    )
    path.write_text(GOOD + caseload)
    targets = load_targets(path)
    assert evaluate(targets, hand_built_run()) == {"evictions": pytest.approx(40)}
    table = compare(targets, [hand_built_run(), hand_built_run()]).set_index("target")
    assert table.loc["evictions", "median"] == pytest.approx(40)
    assert table.loc["evictions", "verdict"] == "outside"  # band 0.4–2.0
    assert table.loc["caseload", "verdict"] == "n/a"


# --- The command ---------------------------------------------------------------------


@pytest.mark.smoke
def test_targets_command_on_a_tiny_run(tmp_path, capsys):
    out = tmp_path / "targets"
    tiny = ["--households", "300", "--years", "2", "--seeds", "2", "--out", str(out), "--quiet"]
    code = main(["targets", "old_system", *tiny])
    assert code == 0
    table = pd.read_parquet(out / "comparison.parquet").set_index("target")
    assert set(table.index) == set(load_targets())
    assert (table["runs"] <= 2).all()
    # Every comparable target of the old system is measured (none lacks data).
    measured = table[~table["verdict"].isin(["n/a", "not comparable"])]
    assert set(measured["verdict"]) <= {"inside", "outside"}
    assert measured["median"].notna().all()
    assert (measured["q05"] <= measured["median"]).all()
    assert (measured["median"] <= measured["q95"]).all()
    assert table.loc["team_caseload", "verdict"] == "n/a"  # no team in the old system
    per_seed = pd.read_parquet(out / "per_seed.parquet")
    assert sorted(per_seed["seed"].unique()) == [1, 2]
    assert "| evictions |" in (out / "targets.md").read_text()
