"""Team comparison: indicators, pairing with the integral team, verdicts, on known numbers.

The runs below are built week by week and aggregated with
:func:`~wijksim.experiments.analysis.statistics.yearly`, as the report does, so the indicators see
the same yearly table as in a real sweep: a year's flow happens in its first week (the
yearly value is its sum, or 52 times its weekly mean: either way ``yearly`` aggregates it),
stocks are constant in a year.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.analysis import teams_analysis as ta
from wijksim.experiments.analysis import teams_catalogue, teams_runs
from wijksim.experiments.analysis.statistics import yearly
from wijksim.experiments.plots import teams_plots as tp
from wijksim.experiments.plots.figure_tools import save_figure
from wijksim.experiments.reports import sweep_report as report
from wijksim.experiments.reports import teams_report as tr
from wijksim.model.model import WEEKS_PER_YEAR

YEARS = (1, 2, 3, 4)
STOCK_PREFIXES = (
    "households_",
    "share_",
    "team_intake_queue",
    "team_caseload_households",
    "team_frontline_fte",
)

# Years 1–2 are outside the default window (start 3): huge values there must not count.
HAND = {
    "team_admissions": [1e6, 1e6, 10, 30],
    "team_intake_wait_weeks": [1e6, 1e6, 20, 60],
    "team_idle_hours": [1e6, 1e6, 100, 50],
    "team_hours_coordination": [1e6, 1e6, 40, 60],
    "team_hours_second_worker": [1e6, 1e6, 5, 7],
    "team_second_workers": [1e6, 1e6, 2, 3],
    "team_forwarded_to_backing": [1e6, 1e6, 4, 0],
    "team_offloads_between_teams": [1e6, 1e6, 0, 1],
    "referrals_consult": [1e6, 1e6, 4, 6],
    "referrals_handover": [1e6, 1e6, 2, 0],
    "referrals_at_intake": [1e6, 1e6, 3, 1],  # no casework before them: no delay
    "team_referral_delay_weeks": [1e6, 1e6, 12, 12],
    "relapses": [1e6, 1e6, 3, 1],
    "closures": [1e6, 1e6, 10, 30],
    "closures_team_year_done": [1e6, 1e6, 8, 12],
    "closures_team_held_year": [1e6, 1e6, 6, 9],
    "closures_team_relapsed_year": [1e6, 1e6, 1, 2],
    "escalations_total": [1e6, 1e6, 7, 8],
    "cost_total_eur": [1e9, 1e9, 1000, 3000],
    "households_two_team_workers": [99, 99, 4, 6],
    "households_multiple_workers": [99, 99, 10, 20],
    "team_intake_queue": [99, 99, 3, 5],
    "team_frontline_fte": [99, 99, 8, 8],
    "share_self_reliant": [0.1, 0.1, 0.7, 0.8],
}
# Two teams of a split: their own admissions, waits, idle hours and queues.
TEAMS = {
    "team_admissions__youth": [1e6, 1e6, 4, 6],
    "team_intake_wait_weeks__youth": [1e6, 1e6, 10, 40],
    "team_idle_hours__youth": [1e6, 1e6, 60, 20],
    "team_applications__youth": [1e6, 1e6, 5, 7],
    "team_intake_queue__youth": [99, 99, 1, 3],
    "team_admissions__elderly": [1e6, 1e6, 6, 24],
    "team_intake_wait_weeks__elderly": [1e6, 1e6, 10, 20],
    "team_idle_hours__elderly": [1e6, 1e6, 40, 30],
    "team_applications__elderly": [1e6, 1e6, 6, 24],
    "team_intake_queue__elderly": [99, 99, 2, 2],
}


def weekly_run(condition: str, seed: int, per_year: dict[str, list[float]]) -> pd.DataFrame:
    """A run's per-step table: a year's flow in its first week, stocks constant in a year."""
    weeks = np.arange(1, len(YEARS) * WEEKS_PER_YEAR + 1)
    year = (weeks - 1) // WEEKS_PER_YEAR + 1
    frames = []
    for metric, values in per_year.items():
        stock = metric.startswith(STOCK_PREFIXES)
        value = np.asarray(values, dtype=float)[year - 1]
        if not stock:  # what happens in a year happens in its first week
            value = np.where((weeks - 1) % WEEKS_PER_YEAR == 0, value, 0.0)
        frames.append(pd.DataFrame({"step": weeks, "year": year, "metric": metric, "value": value}))
    table = pd.concat(frames, ignore_index=True)
    variant = condition.split(" [")[0]
    table.insert(0, "seed", seed)
    table.insert(0, "condition", condition)
    table.insert(0, "variant", variant)
    table.insert(0, "run_id", f"{variant}__seed{seed}")
    return table


def yearly_of(*runs: pd.DataFrame) -> pd.DataFrame:
    return yearly(pd.concat(runs, ignore_index=True))


def value(indicators: pd.DataFrame, metric: str, team: str = "", condition=None) -> float:
    chosen = (indicators["metric"] == metric) & (indicators["team"] == team)
    if condition is not None:
        chosen &= indicators["condition"] == condition
    found = indicators[chosen]
    assert len(found) == 1, (metric, team)
    return float(found["value"].iloc[0])


def test_indicators_are_ratios_of_window_sums():
    table = yearly_of(weekly_run("integral__cost_centre__weak", 1, HAND))
    indicators = teams_runs.team_indicators(table)
    assert value(indicators, "clients_served") == pytest.approx(40)
    assert value(indicators, "mean_intake_wait_weeks") == pytest.approx(80 / 40)
    assert value(indicators, "idle_hours") == pytest.approx(150)
    assert value(indicators, "coordination_hours") == pytest.approx(100)
    assert value(indicators, "second_worker_hours") == pytest.approx(12)
    assert value(indicators, "second_workers_added") == pytest.approx(5)
    assert value(indicators, "forwarded_to_backing") == pytest.approx(4)
    assert value(indicators, "offloads_between_teams") == pytest.approx(1)
    assert value(indicators, "households_two_team_workers") == pytest.approx(5)
    assert value(indicators, "households_multiple_workers") == pytest.approx(15)
    assert value(indicators, "referrals_per_client") == pytest.approx(12 / 40)
    # 12 referrals, 4 of them at intake: the delay is spread over 8.
    assert value(indicators, "time_to_referral_weeks") == pytest.approx(24 / 8)
    assert value(indicators, "held_year_share") == pytest.approx(15 / 20)
    assert value(indicators, "relapse_share") == pytest.approx(3 / 20)
    assert value(indicators, "return_rate") == pytest.approx(4 / 40)
    assert value(indicators, "escalations") == pytest.approx(15)
    assert value(indicators, "cost_total_eur") == pytest.approx(4000)
    assert value(indicators, "share_self_reliant") == pytest.approx(0.8)  # the last year
    assert math.isnan(value(indicators, "cost_team_eur"))  # not recorded
    # Columns, and the integral team as one team named "integral".
    assert list(indicators.columns) == list(teams_runs.INDICATOR_COLUMNS)
    assert set(indicators["team"]) == {"", "integral"}
    assert value(indicators, "mean_intake_wait_weeks", "integral") == pytest.approx(2.0)
    assert value(indicators, "idle_hours", "integral") == pytest.approx(150)
    assert value(indicators, "intake_queue", "integral") == pytest.approx(4)
    row = indicators.iloc[0]
    assert (row["configuration"], row["form"], row["neighbourhood"]) == (
        "integral",
        "cost_centre",
        "weak",
    )


def test_window_start_is_a_parameter():
    table = yearly_of(weekly_run("integral__cost_centre__weak", 1, HAND))
    late = teams_runs.team_indicators(table, start=4)
    assert value(late, "clients_served") == pytest.approx(30)
    assert value(late, "mean_intake_wait_weeks") == pytest.approx(2.0)
    assert value(late, "time_to_referral_weeks") == pytest.approx(12 / 5)
    everything = teams_runs.team_indicators(table, start=1)
    assert value(everything, "clients_served") == pytest.approx(2e6 + 40)
    with pytest.raises(ValueError, match="no simulated year"):
        teams_runs.team_indicators(table, start=5)


def test_zero_denominators_give_nan():
    quiet = {**HAND, "team_admissions": [1, 1, 0, 0], "closures": [1, 1, 0, 0]}
    quiet["closures_team_year_done"] = [1, 1, 0, 0]
    quiet["referrals_at_intake"] = [0, 0, 6, 6]  # every referral at intake: no delay to share
    indicators = teams_runs.team_indicators(
        yearly_of(weekly_run("integral__per_hour__weak", 1, quiet))
    )
    for metric in (
        "mean_intake_wait_weeks",
        "held_year_share",
        "relapse_share",
        "return_rate",
        "time_to_referral_weeks",
    ):
        assert math.isnan(value(indicators, metric)), metric


def test_per_team_indicators_come_from_the_suffixed_metrics():
    split = {**HAND, **TEAMS}
    table = yearly_of(
        weekly_run("integral__cost_centre__weak", 1, HAND),
        weekly_run("focus_life_phase__cost_centre__weak", 1, split),
    )
    indicators = teams_runs.team_indicators(table)
    focus = indicators[indicators["configuration"] == "focus_life_phase"]
    assert set(focus["team"]) == {"", "youth", "elderly"}
    assert value(focus, "clients_served", "youth") == pytest.approx(10)
    assert value(focus, "mean_intake_wait_weeks", "youth") == pytest.approx(50 / 10)
    assert value(focus, "mean_intake_wait_weeks", "elderly") == pytest.approx(30 / 30)
    # Idle hours are a sum over the window, whichever way yearly() aggregated them.
    assert value(focus, "idle_hours", "youth") == pytest.approx(80)
    assert value(focus, "idle_hours", "elderly") == pytest.approx(70)
    assert value(focus, "intake_queue", "youth") == pytest.approx(2)
    assert math.isnan(value(focus, "frontline_fte", "youth"))  # not recorded per team
    # The whole run still has its unsuffixed indicators; only the integral run is "integral".
    assert value(focus, "mean_intake_wait_weeks") == pytest.approx(2.0)
    integral = indicators[indicators["configuration"] == "integral"]
    assert set(integral["team"]) == {"", "integral"}


def test_condition_names():
    assert teams_catalogue.parse_condition("focus_life_phase__cost_centre__strong") == (
        "focus_life_phase",
        "cost_centre",
        "strong",
    )
    parsed = teams_catalogue.parse_condition(
        "front_back__population__vulnerable [team.frontline_fte=8]"
    )
    assert parsed == teams_catalogue.Condition("front_back", "population", "vulnerable")
    assert teams_catalogue.parse_condition("something_else") == ("something_else", "", "")
    assert (
        teams_catalogue.counterpart("front_back__per_hour__weak [a=1]", "integral")
        == "integral__per_hour__weak [a=1]"
    )
    assert teams_catalogue.counterpart("something_else", "integral") is None
    assert (
        teams_catalogue.reference_configuration(["front_back__a__b", "integral__a__b"])
        == "integral"
    )
    assert (
        teams_catalogue.reference_configuration(["front_back__a__b", "focus__a__b"], "focus__a__b")
        == "focus"
    )
    assert teams_catalogue.split_metric("team_intake_wait_weeks__young_adults") == (
        "team_intake_wait_weeks",
        "young_adults",
    )
    assert teams_catalogue.split_metric("team_intake_wait_weeks") is None


# --- pairing --------------------------------------------------------------------------------


def indicator_rows(condition: str, values: dict[int, dict[str, float]]) -> pd.DataFrame:
    """A hand-made indicator table: per seed, metric → value (whole-run indicators)."""
    parts = teams_catalogue.parse_condition(condition)
    rows = [
        {
            "condition": condition,
            **parts._asdict(),
            "seed": seed,
            "metric": metric,
            "team": "",
            "value": v,
        }
        for seed, metrics in values.items()
        for metric, v in metrics.items()
    ]
    return pd.DataFrame(rows, columns=list(teams_runs.INDICATOR_COLUMNS))


SEED_LEVELS = {1: 100.0, 2: 250.0, 3: 170.0, 4: 90.0}


def paired_table(shift: dict[str, float], grid: str = "") -> pd.DataFrame:
    base = {s: {"cost_total_eur": 1e3 * v, "escalations": v} for s, v in SEED_LEVELS.items()}
    # The split's seeds in another order than the integral team's: paired by number.
    split = {
        s: {m: v + shift.get(m, 0.0) for m, v in base[s].items()} for s in reversed(SEED_LEVELS)
    }
    return pd.concat(
        [
            indicator_rows(f"integral__per_hour__weak{grid}", base),
            indicator_rows(f"front_back__per_hour__weak{grid}", split),
        ],
        ignore_index=True,
    )


def test_a_constant_shift_is_found_exactly_seed_by_seed():
    differences = ta.team_differences(paired_table({"cost_total_eur": -500.0, "escalations": 2}))
    assert list(differences.columns) == list(ta.DIFFERENCE_COLUMNS)
    found = differences.set_index("metric")
    spending = found.loc["cost_total_eur"]
    assert spending["mean_difference"] == pytest.approx(-500)
    assert spending["ci_low"] == pytest.approx(-500) and spending["ci_high"] == pytest.approx(-500)
    assert spending["n"] == 4
    assert spending["reference_condition"] == "integral__per_hour__weak"
    assert spending["reference_mean"] == pytest.approx(1e3 * np.mean(list(SEED_LEVELS.values())))
    assert found.loc["escalations", "mean_difference"] == pytest.approx(2)
    assert (differences["configuration"] == "front_back").all()
    assert (differences["neighbourhood"] == "weak").all()


def test_pairs_only_within_form_neighbourhood_and_grid():
    table = pd.concat(
        [
            paired_table({"escalations": 1}, grid=" [x=1]"),
            paired_table({"escalations": 3}, grid=" [x=2]"),
            # A split without an integral run of its form: nothing to pair with.
            indicator_rows("front_back__population__weak", {1: {"escalations": 5.0}}),
        ],
        ignore_index=True,
    )
    differences = ta.team_differences(table)
    shifts = differences[differences["metric"] == "escalations"].set_index("condition")
    assert shifts["mean_difference"].to_dict() == pytest.approx(
        {"front_back__per_hour__weak [x=1]": 1.0, "front_back__per_hour__weak [x=2]": 3.0}
    )
    assert ta.unpaired_conditions(table) == ["front_back__population__weak"]


def test_only_the_integral_team_gives_no_differences():
    alone = paired_table({})
    alone = alone[alone["configuration"] == "integral"]
    differences = ta.team_differences(alone)
    assert differences.empty and list(differences.columns) == list(ta.DIFFERENCE_COLUMNS)
    assert ta.split_verdicts(differences).empty
    text = tr.summary_markdown(alone, differences, 3, 4)
    assert "no split to compare" in text
    assert "Where a split pays" not in text


# --- verdicts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spending", "escalations", "expected"),
    [
        ((-3.0, -1.0), (-2.0, 1.0), "pays"),  # cheaper, escalations not clearly up
        ((-3.0, -1.0), (-2.0, -1.0), "pays"),
        ((-3.0, -1.0), (0.5, 2.0), "no clear difference"),  # cheaper by escalating more
        ((1.0, 3.0), (-2.0, -1.0), "costs"),
        ((-1.0, 3.0), (-2.0, -1.0), "no clear difference"),
        ((-3.0, 0.0), (-2.0, 1.0), "no clear difference"),  # touching zero is not below it
        ((np.nan, np.nan), (-2.0, 1.0), "no clear difference"),  # one seed: no interval
        ((-3.0, -1.0), (np.nan, np.nan), "no clear difference"),
    ],
)
def test_verdict_rule(spending, escalations, expected):
    assert ta.verdict(spending, escalations) == expected


def test_split_verdicts_from_differences():
    table = pd.concat(
        [
            paired_table({"cost_total_eur": -500.0}),  # cheaper, same escalations: pays
            paired_table({"cost_total_eur": 500.0}, grid=" [x=1]"),  # dearer: costs
        ],
        ignore_index=True,
    )
    verdicts = ta.split_verdicts(ta.team_differences(table)).set_index("condition")
    assert verdicts.loc["front_back__per_hour__weak", "verdict"] == "pays"
    assert verdicts.loc["front_back__per_hour__weak [x=1]", "verdict"] == "costs"
    assert verdicts.loc["front_back__per_hour__weak", "spending_difference"] == pytest.approx(-500)
    assert math.isnan(verdicts.loc["front_back__per_hour__weak", "wait_difference"])


# --- the report -----------------------------------------------------------------------------


def sweep_table() -> pd.DataFrame:
    """Integral and a split, two forms, two neighbourhood types (one without the split), 3
    seeds; the split waits longer and costs more."""
    return _sweep_table().copy()


@functools.cache  # built once: keeps the file fast
def _sweep_table() -> pd.DataFrame:
    runs = []
    rng = np.random.default_rng(7)
    for seed in (1, 2, 3):
        for form in ("cost_centre", "per_hour"):
            for neighbourhood in ("weak", "strong"):
                noise = {m: [v * rng.uniform(0.9, 1.1) for v in vs] for m, vs in HAND.items()}
                runs.append(weekly_run(f"integral__{form}__{neighbourhood}", seed, noise))
                if neighbourhood == "strong":
                    continue
                split = {**noise, **TEAMS}
                split["team_intake_wait_weeks"] = [2 * v for v in noise["team_intake_wait_weeks"]]
                split["cost_total_eur"] = [v + 500 for v in noise["cost_total_eur"]]
                runs.append(weekly_run(f"front_back__{form}__{neighbourhood}", seed, split))
    return yearly_of(*runs)


def test_summary_markdown_has_every_table():
    indicators = teams_runs.team_indicators(sweep_table())
    differences = ta.team_differences(indicators)
    text = tr.summary_markdown(indicators, differences, 3, 4)
    assert "(years 3–4)" in text and "3 seeds" in text
    assert "neighbourhood type `weak`" in text and "neighbourhood type `strong`" in text
    assert "### Difference from `integral`: neighbourhood type `weak`" in text
    assert "### Difference from `integral`: neighbourhood type `strong`" not in text
    assert "### Where a split pays" in text
    pays = text.split("### Where a split pays")[1]
    assert "| weak | cost_centre | front_back |" in pays and "**costs**" in pays
    assert "youth 5.0 · elderly 1.0" in text  # per-team waits
    assert "spending, all streams (€ M)" in text
    assert "Not recorded" not in text


def test_summary_markdown_shows_missing_values_as_dashes():
    indicators = teams_runs.team_indicators(sweep_table())
    # 0/0 in one condition: a dash in its cell; nowhere: named as not recorded.
    gone = (indicators["metric"] == "return_rate") & (
        indicators["condition"] == "integral__per_hour__strong"
    )
    indicators.loc[gone, "value"] = np.nan
    text = tr.summary_markdown(indicators, ta.team_differences(indicators), 3, 4)
    strong = text.split("neighbourhood type `strong`")[1]
    row = next(line for line in strong.splitlines() if line.startswith("| integral | per_hour |"))
    assert row.split(" | ")[10] == "–"  # the returns column
    indicators = indicators[indicators["metric"] != "idle_hours"]
    text = tr.summary_markdown(indicators, ta.team_differences(indicators), 3, 4)
    assert "Not recorded in these runs: idle_hours." in text


def test_figures_write_png(tmp_path):
    indicators = teams_runs.team_indicators(sweep_table())
    differences = ta.team_differences(indicators)
    paths = [
        save_figure(tp.difference_figure(differences), tmp_path / "d.png", dpi=40),
        save_figure(tp.difference_figure(differences.iloc[0:0]), tmp_path / "none.png", dpi=40),
        save_figure(tp.wait_per_team_figure(indicators), tmp_path / "w.png", dpi=40),
        save_figure(tp.hours_figure(indicators), tmp_path / "sub" / "h.png", dpi=40),
    ]
    for path in paths:
        assert path.is_file() and path.read_bytes()[:4] == b"\x89PNG"


def test_report_section_writes_tables_and_figures(tmp_path):
    tables = {}
    text = report._teams_section(sweep_table(), "integral__cost_centre__weak", tmp_path, tables)
    assert "## Team splits against the `integral` team" in text
    for name in ("teams_differences.png", "teams_wait_per_team.png", "teams_hours.png"):
        assert (tmp_path / "figures" / name).is_file()
        assert f"(figures/{name})" in text
    indicators = tables["team_indicators"]
    assert list(indicators.columns) == list(teams_runs.INDICATOR_COLUMNS)
    differences = tables["team_differences"]
    assert set(differences["configuration"]) == {"front_back"}


def test_report_section_skips_results_without_team_metrics(tmp_path):
    old = {m: v for m, v in HAND.items() if m not in teams_catalogue.SPLIT_METRICS}
    table = yearly_of(weekly_run("integral__cost_centre__weak", 1, old))
    tables = {}
    text = report._teams_section(table, "integral__cost_centre__weak", tmp_path, tables)
    assert "Not analysed" in text and "team_hours_coordination" in text
    assert len(text.strip().splitlines()) == 3  # a heading, a blank line, one line of note
    assert not any(tmp_path.iterdir()) and not tables


def test_difference_figure_with_a_panel_that_lacks_a_configuration(tmp_path):
    """A split with no value for one panel (one seed, one year) leaves a gap, not a crash.

    ``wijksim compare-teams --seeds 1 --years 1`` ended in a TypeError here: the empty
    selection's positions were text, and adding the offset failed.
    """
    differences = ta.team_differences(teams_runs.team_indicators(sweep_table()))
    split = differences["configuration"].iloc[0]
    panel = tp.DIFFERENCE_PANELS[0]
    gap = (differences["configuration"] == split) & (differences["metric"] == panel)
    path = save_figure(tp.difference_figure(differences[~gap]), tmp_path / "gap.png", dpi=40)
    assert path.read_bytes()[:4] == b"\x89PNG"


def shifted_table(grid: str, shifts: list[float]) -> pd.DataFrame:
    """A split whose Δ spending is ``shifts[i]`` on seed i + 1 (escalations unchanged)."""
    levels = {seed: 1e3 * level for seed, level in SEED_LEVELS.items()}
    seeds = list(levels)[: len(shifts)]
    base = {s: {"cost_total_eur": levels[s], "escalations": 1.0} for s in seeds}
    split = {
        s: {"cost_total_eur": levels[s] + d, "escalations": 1.0}
        for s, d in zip(seeds, shifts, strict=True)
    }
    return pd.concat(
        [
            indicator_rows(f"integral__per_hour__weak{grid}", base),
            indicator_rows(f"front_back__per_hour__weak{grid}", split),
        ],
        ignore_index=True,
    )


def test_a_verdict_the_interval_gives_is_taken_away_among_many():
    # Δ spending −1, −2, −3 on three seeds: the 90% interval [−3.7, −0.3] lies below zero
    # (p = 1 − √(6/7) ≈ 0.074), so alone the split pays. Called beside four splits with no
    # difference (p = 1), Holm multiplies its p by five (≈ 0.37): no clear difference.
    alone = ta.split_verdicts(ta.team_differences(shifted_table("", [-1.0, -2.0, -3.0])))
    assert alone["verdict"].iloc[0] == "pays"
    assert alone["spending_p_adjusted"].iloc[0] == pytest.approx(alone["spending_p_value"].iloc[0])
    nulls = [shifted_table(f" [x={i}]", [1.0, -1.0, 0.0]) for i in range(4)]
    table = pd.concat([shifted_table("", [-1.0, -2.0, -3.0]), *nulls], ignore_index=True)
    verdicts = ta.split_verdicts(ta.team_differences(table)).set_index("condition")
    row = verdicts.loc["front_back__per_hour__weak"]
    assert row["spending_ci_high"] < 0  # the interval alone would call it
    assert row["spending_p_adjusted"] == pytest.approx(5 * row["spending_p_value"])
    assert row["verdict"] == "no clear difference"
    text = "\n".join(tr._correction_lines(verdicts.reset_index(), "en"))
    assert "Holm correction" in text and "calls 5 verdicts" in text


def test_differences_from_before_p_values_keep_the_interval_rule():
    # A team_differences.parquet written before p-values (no column): verdicts as before.
    differences = ta.team_differences(shifted_table("", [-1.0, -2.0, -3.0]))
    verdicts = ta.split_verdicts(differences.drop(columns="p_value"))
    assert verdicts["verdict"].iloc[0] == "pays"
    assert verdicts["spending_p_adjusted"].isna().all()
