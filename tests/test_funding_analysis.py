"""Funding comparison: indicators, incentive arrows, agreement and figures on known numbers.

The synthetic yearly tables below have seed levels shared by all conditions (as with
paired random streams) plus 1% independent noise per run, year and metric, and known
multiplicative effects per condition, so every arrow can be worked out by hand.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.analysis import funding_analysis as fa
from wijksim.experiments.analysis import funding_catalogue, funding_runs
from wijksim.experiments.plots import funding_plots as fp
from wijksim.experiments.plots.figure_tools import save_figure
from wijksim.experiments.reports import funding_incentives_report
from wijksim.experiments.reports import funding_report as fr
from wijksim.model.inputs.scenario_io import ScenarioError

YEARS = (1, 2, 3, 4)
SEEDS = tuple(range(1, 9))
REFERENCE = "cost_centre"

# The reference's yearly flows and states for seed level 1.
BASE = {
    "team_admissions": 100.0,
    "team_hours_casework": 2000.0,
    "team_intake_wait_weeks": 300.0,
    "team_admissions_complex": 20.0,
    "team_closures": 90.0,
    "team_closures_self_reliant": 90.0,  # all at ZRM ≥ 4: the discharge level is 4
    "closures_team_year_done": 90.0,
    "closures_team_held_year": 45.0,
    "closures_team_relapsed_year": 9.0,
    "closures": 120.0,
    "relapses": 12.0,
    "referrals_consult": 10.0,
    "referrals_handover": 5.0,
    "intake_complex_assessed": 40.0,
    "intake_complex_offloaded": 8.0,
    "escalations_total": 30.0,
    "cost_total_eur": 5e6,
    "cost_team_eur": 1e6,
    "cost_paid_by_municipality_wmo_eur": 3e6,
    "cost_paid_by_insurer_eur": 2e6,
    "operator_revenue_eur": 1.1e6,
    "operator_staff_cost_eur": 1e6,
    "operator_specialist_charge_eur": 0.05e6,
    "team_frontline_fte": 8.0,
    "team_intake_max_level": 2.0,
    "team_discharge_min_level": 4.0,
    "households_in_need": 1500.0,
    "share_self_reliant": 0.8,
}

# Effects as factors on metrics. per_hour: +20% clients, +15% hours per client, −20%
# closures held a year later, selection −6 points (complex admissions +30%, so 26% of
# admissions are complex instead of 20%): the source's ↑ ↑ ↓ ↓ (4 of 4). function_budget:
# −20% clients and selection +10 points (half the complex admissions), effort and quality
# unchanged: ↓ ≈ ≈ ↑ against the source's ↓ ↓ ↓ ↑ (2 of 4). result_per_client: +2%
# clients (clear in 8 paired seeds but under 5%: ≈), +20% held and selection +8 points:
# ≈ ≈ ↑ ↑ against ↑ ↓ ↑ ↑ (2 of 4). mystery: no effect, and an unknown form (no
# expectation). The offloads at intake (policy applied) move too, but are no dimension.
EFFECTS = {
    REFERENCE: {},
    "per_hour": {
        "team_admissions": 1.2,
        "team_hours_casework": 1.2 * 1.15,
        "team_intake_wait_weeks": 1.2,
        "referrals_consult": 1.2,
        "referrals_handover": 1.2,
        "closures_team_held_year": 0.8,
        "team_admissions_complex": 1.2 * 1.3,
        "intake_complex_offloaded": 0.7,
    },
    "function_budget": {
        "team_admissions": 0.8,
        "team_hours_casework": 0.8,
        "team_intake_wait_weeks": 0.8,
        "referrals_consult": 0.8,
        "referrals_handover": 0.8,
        "team_admissions_complex": 0.8 * 0.5,
        "intake_complex_offloaded": 1.5,
    },
    "result_per_client": {
        "team_admissions": 1.02,
        "team_hours_casework": 1.02,
        "team_intake_wait_weeks": 1.02,
        "referrals_consult": 1.02,
        "referrals_handover": 1.02,
        "closures_team_held_year": 1.2,
        "team_admissions_complex": 1.02 * 0.6,
        "intake_complex_offloaded": 1.4,
    },
    "mystery [x=1]": {},
}
NOISE = 0.01


def make_yearly(effects=None, noise: float = NOISE, drop=()) -> pd.DataFrame:
    """A tidy yearly table (run_id, variant, condition, seed, year, metric, value)."""
    key = tuple(sorted((c, tuple(sorted(e.items()))) for c, e in (effects or EFFECTS).items()))
    return _make_yearly(key, noise, tuple(drop)).copy()


@functools.cache  # built once per set of arguments: keeps the file fast
def _make_yearly(effects, noise: float, drop) -> pd.DataFrame:
    rng = np.random.default_rng(20240501)
    seed_level = {seed: rng.uniform(0.8, 1.2) for seed in SEEDS}
    order = {c: i for i, c in enumerate(EFFECTS)}
    rows = []
    for condition, factors in sorted(effects, key=lambda item: order.get(item[0], 99)):
        factors = dict(factors)
        for seed in SEEDS:
            for year in YEARS:
                for metric, base in BASE.items():
                    if metric in drop:
                        continue
                    value = base * seed_level[seed] * factors.get(metric, 1.0)
                    value *= 1 + noise * rng.standard_normal()
                    rows.append(
                        {
                            "run_id": f"{condition.split(' [')[0]}__seed{seed}",
                            "variant": condition.split(" [")[0],
                            "condition": condition,
                            "seed": seed,
                            "year": year,
                            "metric": metric,
                            "value": value,
                        }
                    )
    return pd.DataFrame(rows)


@functools.cache
def _indicators() -> pd.DataFrame:
    return funding_runs.funding_indicators(make_yearly())


def indicators() -> pd.DataFrame:
    return _indicators().copy()


@functools.cache
def _incentives(threshold: float = fa.DEFAULT_THRESHOLD) -> pd.DataFrame:
    return fa.incentive_table(indicators(), REFERENCE, threshold)


def incentives(threshold: float = fa.DEFAULT_THRESHOLD) -> pd.DataFrame:
    return _incentives(threshold).copy()


def arrows(table: pd.DataFrame, condition: str) -> dict[str, str]:
    return table[table["condition"] == condition].set_index("dimension")["arrow"].to_dict()


def value(indicators: pd.DataFrame, metric: str, run_id: str = "r1") -> float:
    found = indicators[(indicators["run_id"] == run_id) & (indicators["metric"] == metric)]
    assert len(found) == 1, metric
    return float(found["value"].iloc[0])


def hand_table(per_year: dict[str, list[float]], run_id: str = "r1") -> pd.DataFrame:
    rows = [
        {
            "run_id": run_id,
            "variant": "v",
            "condition": "c",
            "seed": 1,
            "year": year,
            "metric": metric,
            "value": v,
        }
        for metric, values in per_year.items()
        for year, v in zip(YEARS, values, strict=True)
    ]
    return pd.DataFrame(rows)


# Years 1–2 are outside the default window (start 3): huge values there must not count.
HAND = {
    "team_admissions": [1e6, 1e6, 10, 30],
    "team_hours_casework": [1e6, 1e6, 300, 500],
    "team_intake_wait_weeks": [1e6, 1e6, 20, 60],
    "team_admissions_complex": [1e6, 1e6, 2, 4],
    "team_closures": [1e6, 1e6, 20, 20],
    "closures_team_year_done": [1e6, 1e6, 20, 20],
    "closures_team_held_year": [0, 0, 10, 5],
    "closures_team_relapsed_year": [0, 0, 2, 4],
    "closures": [1e6, 1e6, 0, 0],
    "relapses": [1e6, 1e6, 3, 0],  # relapses of earlier closures, none closed now
    "referrals_consult": [1e6, 1e6, 4, 6],
    "referrals_handover": [1e6, 1e6, 2, 0],
    "intake_complex_assessed": [1e6, 1e6, 8, 12],
    "intake_complex_offloaded": [1e6, 1e6, 2, 3],
    "escalations_total": [1e6, 1e6, 7, 8],
    "operator_revenue_eur": [1e6, 1e6, 1000, 2000],
    "operator_staff_cost_eur": [0, 0, 800, 1500],
    "operator_specialist_charge_eur": [0, 0, 100, 50],
    "operator_clawback_eur": [1e6, 1e6, 0, 250],
    "team_frontline_fte": [99, 99, 8, 10],
    "team_discharge_min_level": [5, 5, 4, 3],
    "households_in_need": [99, 99, 400, 500],
}


def test_indicators_are_ratios_of_window_sums():
    indicators = funding_runs.funding_indicators(hand_table(HAND))
    assert value(indicators, "clients_served") == 40
    assert value(indicators, "hours_per_client") == pytest.approx(800 / 40)
    assert value(indicators, "mean_intake_wait_weeks") == pytest.approx(80 / 40)
    assert value(indicators, "held_year_share") == pytest.approx(15 / 40)
    assert value(indicators, "relapse_share") == pytest.approx(6 / 40)
    assert value(indicators, "admissions_not_complex_share") == pytest.approx((40 - 6) / 40)
    # The operator's settings, reported as policy chosen (not as quality or selection).
    assert value(indicators, "policy_complex_offloaded_share") == pytest.approx(5 / 20)
    assert value(indicators, "policy_discharge_min_level") == pytest.approx(3.5)
    assert value(indicators, "referrals_per_client") == pytest.approx(12 / 40)
    assert value(indicators, "specialist_referrals") == 12
    assert value(indicators, "escalations") == 15
    # Charges are already deducted from revenue: not subtracted twice.
    assert value(indicators, "operator_margin_eur") == pytest.approx(3000 - 2300)
    assert value(indicators, "operator_clawback_eur") == 250  # shown, already deducted
    assert value(indicators, "frontline_fte") == pytest.approx(9.0)
    assert value(indicators, "households_in_need") == 500  # the last year only
    # Columns and order: one row per run and indicator, in the declared order.
    assert list(indicators.columns) == ["run_id", "condition", "seed", "metric", "value"]
    assert list(indicators["metric"]) == [i.name for i in funding_catalogue.FUNDING_INDICATORS]


def test_zero_or_missing_denominator_and_missing_metric_give_nan():
    indicators = funding_runs.funding_indicators(hand_table(HAND))
    assert math.isnan(value(indicators, "return_rate"))  # no closures in the window
    assert math.isnan(value(indicators, "cost_total_eur"))  # not recorded
    assert math.isnan(value(indicators, "share_self_reliant"))
    without = {k: v for k, v in HAND.items() if k != "operator_staff_cost_eur"}
    assert math.isnan(
        value(funding_runs.funding_indicators(hand_table(without)), "operator_margin_eur")
    )


def test_window_start_is_a_parameter_and_checked():
    indicators = funding_runs.funding_indicators(hand_table(HAND), start=4)
    assert value(indicators, "clients_served") == 30
    assert value(indicators, "frontline_fte") == 10
    everything = funding_runs.funding_indicators(hand_table(HAND), start=1)
    assert value(everything, "clients_served") == 2e6 + 40
    with pytest.raises(ValueError, match="no simulated year"):
        funding_runs.funding_indicators(hand_table(HAND), start=5)
    with pytest.raises(ValueError, match="lacks column"):
        funding_runs.funding_indicators(hand_table(HAND).drop(columns="run_id"))


def test_arrows_for_clear_effects_and_no_effect():
    table = incentives()
    assert arrows(table, "per_hour") == {
        "volume": "↑",
        "effort": "↑",
        "quality": "↓",
        "relapses": "≈",
        "returns": "≈",
        "selection": "↓",
        "offloading": "≈",  # referrals grow with clients: per client unchanged
    }
    assert arrows(table, "function_budget") == {
        "volume": "↓",
        "effort": "≈",
        "quality": "≈",
        "relapses": "≈",
        "returns": "≈",
        "selection": "↑",
        "offloading": "≈",
    }
    assert set(arrows(table, "mystery [x=1]").values()) == {"≈"}
    per_hour = table[(table["condition"] == "per_hour") & (table["dimension"] == "volume")]
    assert per_hour["relative_effect"].iloc[0] == pytest.approx(0.2, abs=0.01)
    assert per_hour["ci_low"].iloc[0] > 0


def test_tiny_significant_effect_below_threshold_is_no_arrow():
    table = incentives()
    row = table[(table["condition"] == "result_per_client") & (table["dimension"] == "volume")]
    row = row.iloc[0]
    assert row["ci_low"] > 0  # significant ...
    assert 0 < row["relative_effect"] < fa.DEFAULT_THRESHOLD  # ... but practically nothing
    assert row["arrow"] == "≈"
    # With a 1% threshold the same effect earns an arrow.
    assert arrows(incentives(0.01), "result_per_client")["volume"] == "↑"


def test_nan_denominator_gives_na_arrow_and_cell():
    yearly = make_yearly(drop=("closures_team_year_done",))
    table = fa.incentive_table(funding_runs.funding_indicators(yearly), REFERENCE)
    quality = table[table["dimension"] == "quality"]
    assert set(quality["arrow"]) == {"n/a"}
    assert quality["agrees"].isna().all()
    assert arrows(table, "per_hour")["volume"] == "↑"  # the rest is unaffected
    markdown = funding_incentives_report.incentive_markdown(table)
    per_hour_line = next(line for line in markdown.splitlines() if line.startswith("| per_hour"))
    assert "n/a" in per_hour_line
    # Quality is n/a for every known form: 3 cells with a source arrow cannot be compared.
    assert fa.agreement(table).unavailable == 3


def test_a_share_changes_in_points_and_a_zero_level_gives_na_not_infinity():
    """A reference share of 0 is a level like any other: the change is in points. A
    count with a zero reference has no relative change: n/a, not infinity."""
    effects = {REFERENCE: {"closures_team_held_year": 0.0}, "per_hour": {}}
    table = fa.incentive_table(funding_runs.funding_indicators(make_yearly(effects)), REFERENCE)
    quality = table[table["dimension"] == "quality"].iloc[0]
    assert quality["reference_mean"] == 0
    assert quality["relative_effect"] == pytest.approx(quality["mean_difference"])
    assert quality["arrow"] == "↑"
    assert " pp [" in funding_incentives_report.incentive_markdown(table)
    nobody = {REFERENCE: {"team_admissions": 0.0}, "per_hour": {}}
    table = fa.incentive_table(funding_runs.funding_indicators(make_yearly(nobody)), REFERENCE)
    volume = table[table["dimension"] == "volume"].iloc[0]
    assert volume["arrow"] == "n/a"
    assert "n/a (reference 0)" in funding_incentives_report.incentive_markdown(table)


def test_quality_reads_what_became_of_households_not_the_discharge_level():
    # A form whose operator discharges one level earlier (ZRM 3): fewer closures are "at
    # ZRM ≥ 4" (the old quality, the knob read back), but as many households hold a year
    # later. Quality is the outcome (≈); the lower discharge level is the policy chosen.
    effects = {
        REFERENCE: {},
        "per_hour": {"team_closures_self_reliant": 0.5, "team_discharge_min_level": 0.75},
    }
    indicators = funding_runs.funding_indicators(make_yearly(effects))
    table = fa.incentive_table(indicators, REFERENCE)
    assert arrows(table, "per_hour")["quality"] == "≈"
    policy = indicators[indicators["metric"] == "policy_discharge_min_level"]
    level = policy.groupby("condition")["value"].mean()  # seed levels are shared: a ratio
    assert level["per_hour"] / level[REFERENCE] == pytest.approx(0.75, rel=0.01)
    assert "### Policy chosen per funding form" in fr.summary_markdown(indicators, REFERENCE, 3, 4)


def test_expected_arrows_by_form_name():
    assert funding_catalogue.expected_arrows("per_hour") == {
        "volume": "↑",
        "effort": "↑",
        "quality": "↓",
        "selection": "↓",
    }
    assert (
        funding_catalogue.expected_arrows("funding_population [team.frontline_fte=8]")["offloading"]
        == "↑"
    )
    assert "offloading" not in funding_catalogue.expected_arrows("shared_savings")
    assert funding_catalogue.expected_arrows("shared_savings")["quality"] == "↑"
    assert funding_catalogue.expected_arrows("mystery [x=1]") == {}
    assert funding_catalogue.expected_arrows(REFERENCE) == {}
    assert funding_catalogue.funding_form("cost_centre [a=1]") == REFERENCE


def test_agreement_counts_matches():
    table = incentives()
    assert fa.agreement(table, "per_hour") == fa.Agreement(4, 4, 0)
    assert fa.agreement(table, "function_budget") == fa.Agreement(2, 4, 0)
    assert fa.agreement(table, "result_per_client") == fa.Agreement(2, 4, 0)
    assert fa.agreement(table, "mystery [x=1]") == fa.Agreement(0, 0, 0)
    assert fa.agreement(table) == fa.Agreement(8, 12, 0)
    agrees = table.set_index(["condition", "dimension"])["agrees"]
    assert agrees[("function_budget", "effort")] == False  # noqa: E712 (nullable boolean)
    assert pd.isna(agrees[("function_budget", "offloading")])


def test_incentive_markdown_layout():
    markdown = funding_incentives_report.incentive_markdown(incentives())
    assert f"`{REFERENCE}`" in markdown
    assert "5%" in markdown and "practically nothing" in markdown
    lines = markdown.splitlines()
    header = next(line for line in lines if line.startswith("| funding form"))
    for label in ("volume", "effort per client", "quality", "selection", "offloading"):
        assert label in header
    per_hour = next(line for line in lines if line.startswith("| per_hour "))
    assert "| ↑ +20% [" in per_hour
    assert "↑ ↑ ↓ ↓" in per_hour  # the source's arrows
    assert "4/4" in per_hour
    mystery = next(line for line in lines if line.startswith("| mystery"))
    assert "| – |" in mystery  # no expectation for an unknown form
    assert "8 of 12" in markdown
    assert "Note:" not in markdown  # the reference is the neutral form
    assert "Note:" in funding_incentives_report.incentive_markdown(
        incentives().assign(reference="per_trajectory")
    )


def test_summary_markdown_has_all_tables():
    table = indicators()
    text = fr.summary_markdown(table, REFERENCE, 3, 4)
    assert "years 3–4" in text
    assert f"Difference from `{REFERENCE}`" in text
    assert "8 of 12" in text
    assert "relapses to ZRM ≤ 2 (lower is better)" in text
    assert "returns to care (lower is better)" in text
    # The operator's settings stand apart, as the policy chosen.
    assert "### Policy chosen per funding form" in text
    assert "policy: highest ZRM level taken on" in text
    assert "mystery [x=1]" in text
    assert "Not recorded" not in text
    # Indicators not recorded are named, not shown as empty rows.
    dropped = funding_runs.funding_indicators(make_yearly(drop=("share_self_reliant",)))
    text_dropped = fr.summary_markdown(dropped, REFERENCE, 3, 4)
    assert "Not recorded in these runs: share_self_reliant." in text_dropped
    assert "share self-reliant" in text and "share self-reliant" not in text_dropped
    alone = fr.summary_markdown(table[table["condition"] == REFERENCE], REFERENCE, 3, 4)
    assert "Difference from" not in alone and "median" in alone.lower()


def test_unknown_reference_is_an_error():
    with pytest.raises(ScenarioError, match="expected a condition"):
        fa.incentive_table(indicators(), "no_such_form")


def is_png(path) -> bool:
    return path.is_file() and path.stat().st_size > 1000 and path.read_bytes()[:4] == b"\x89PNG"


def test_figures_write_png(tmp_path):
    # A low resolution keeps the test fast; the drawing is the same.
    paths = [
        save_figure(fp.indicator_figure(indicators()), tmp_path / "indicators.png", dpi=40),
        save_figure(fp.difference_figure(incentives()), tmp_path / "incentives.png", dpi=40),
        save_figure(fp.cost_by_payer_figure(indicators()), tmp_path / "payers.png", dpi=40),
        # Five of the seven settings are not recorded here: their panels say so.
        save_figure(fp.settings_figure(make_yearly()), tmp_path / "sub" / "settings.png", 40),
    ]
    assert [p.name for p in paths] == [
        "indicators.png",
        "incentives.png",
        "payers.png",
        "settings.png",
    ]
    assert all(is_png(p) for p in paths)


def indicator_table(cells: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """Hand-made indicators: condition → metric → one value per seed."""
    rows = [
        {"run_id": f"{c}__{s}", "condition": c, "seed": s, "metric": m, "value": v}
        for c, metrics in cells.items()
        for m, values in metrics.items()
        for s, v in enumerate(values, start=1)
    ]
    return pd.DataFrame(rows)


def test_an_arrow_the_interval_gives_is_taken_away_among_many_cells():
    # Clients +1, +2, +3 on three seeds against 10: +20%, 90% interval [+3%, +37%] above
    # zero, p = 1 − √(6/7) ≈ 0.074. Alone in its family it earns ↑; beside six dimensions
    # with no difference (p = 1) Holm multiplies its p by seven (≈ 0.52): ≈.
    reference = {"clients_served": [10.0] * 3}
    form = {"clients_served": [11.0, 12.0, 13.0]}
    alone = fa.incentive_table(indicator_table({REFERENCE: reference, "per_hour": form}), REFERENCE)
    volume = alone.set_index("dimension").loc["volume"]
    assert volume["ci_low"] > 0 and volume["arrow"] == "↑"
    assert volume["family_size"] == 1 and volume["p_adjusted"] == pytest.approx(volume["p_value"])
    others = {metric: [1.0, 1.0, 1.0] for metric in funding_catalogue.DETAIL_DIMENSIONS.values()}
    others.pop("clients_served")
    table = fa.incentive_table(
        indicator_table({REFERENCE: {**reference, **others}, "per_hour": {**form, **others}}),
        REFERENCE,
    )
    volume = table.set_index("dimension").loc["volume"]
    assert volume["ci_low"] > 0  # the interval alone would call it
    assert volume["family_size"] == 7
    assert volume["p_adjusted"] == pytest.approx(7 * volume["p_value"])
    assert volume["arrow"] == "≈"
    assert pd.isna(volume["origin"])  # no arrow, nothing to explain
    # Benjamini–Hochberg here: the smallest of seven p-values × 7 / 1, the same.
    bh = fa.incentive_table(
        indicator_table({REFERENCE: {**reference, **others}, "per_hour": {**form, **others}}),
        REFERENCE,
        method="fdr_bh",
    )
    assert bh.set_index("dimension").loc["volume", "correction"] == "fdr_bh"


def test_grid_values_make_families_adjusted_apart_and_reported_apart():
    ethos = {
        "per_hour [funding.operator.ethos=0.0]": {},
        "per_hour [funding.operator.ethos=1.0]": {},
    }
    effects = {REFERENCE: {}, **ethos}
    effects["per_hour [funding.operator.ethos=0.0]"] = EFFECTS["per_hour"]
    table = fa.incentive_table(funding_runs.funding_indicators(make_yearly(effects)), REFERENCE)
    assert set(table["family"]) == {"funding.operator.ethos=0.0", "funding.operator.ethos=1.0"}
    assert set(table["family_size"]) == {7}  # one form × seven dimensions per family
    assert table["origin"].isna().all()  # no fixed operator was run: not tested
    markdown = funding_incentives_report.incentive_markdown(table)
    assert "#### Family `funding.operator.ethos=0.0`" in markdown
    changes = markdown.split("#### Arrows that change between families")[1]
    volume = next(line for line in changes.splitlines() if "volume" in line)
    assert volume.startswith("| per_hour |") and "| ↑ | ≈ |" in volume
    assert "#### By construction or emerging" in markdown and "Not tested here" in markdown
    assert "Holm correction across the 7/7 cells" in markdown


ADAPTS = "funding.operator.adapts"


def test_an_arrow_that_holds_without_adaptation_holds_by_construction():
    # per_hour with an adapting operator: ↑ ↑ ↓ ↓. With a fixed operator only volume moves
    # (more clients, each with the same hours, as if the rule itself drew them in): volume
    # holds by construction, effort, quality and selection emerge.
    volume_only = {
        m: 1.2
        for m in ("team_admissions", "team_hours_casework", "team_intake_wait_weeks",
                  "referrals_consult", "referrals_handover", "team_admissions_complex")
    }  # fmt: skip
    effects = {
        REFERENCE: {},
        f"per_hour [{ADAPTS}=True]": EFFECTS["per_hour"],
        f"per_hour [{ADAPTS}=False]": volume_only,
    }
    table = fa.incentive_table(funding_runs.funding_indicators(make_yearly(effects)), REFERENCE)
    adaptive = table[table["family"] == f"{ADAPTS}=True"].set_index("dimension")
    assert adaptive["origin"].to_dict() == {
        "volume": "by construction",
        "effort": "emerges",
        "quality": "emerges",
        "relapses": None,
        "returns": None,
        "selection": "emerges",
        "offloading": None,
    }
    fixed = table[table["family"] == f"{ADAPTS}=False"].set_index("dimension")
    assert (
        fixed.loc["volume", "arrow"] == "↑" and fixed.loc["volume", "origin"] == "by construction"
    )
    markdown = funding_incentives_report.incentive_markdown(table)
    origin = markdown.split("#### By construction or emerging")[1]
    assert (
        f"| `{ADAPTS}=True` | per_hour | volume (clients) | ↑ | ↑ | by construction | – |" in origin
    )
    effort = next(line for line in origin.splitlines() if "effort per client" in line)
    assert "| ↑ | ≈ | emerges |" in effort and "hours per case" in effort
    # The fixed operator is no family to compare arrows across.
    assert "Arrows that change between families" not in markdown


def test_a_cell_not_computable_in_one_family_is_no_change():
    # Quality has no value under ethos 1 (no closures a year on): n/a is no direction.
    yearly = make_yearly({REFERENCE: {}, "per_hour [e=0]": {}, "per_hour [e=1]": {}})
    unheld = (yearly["condition"] == "per_hour [e=1]") & (
        yearly["metric"] == "closures_team_year_done"
    )
    yearly.loc[unheld, "value"] = 0.0
    table = fa.incentive_table(funding_runs.funding_indicators(yearly), REFERENCE)
    assert arrows(table, "per_hour [e=1]")["quality"] == "n/a"
    markdown = funding_incentives_report.incentive_markdown(table)
    assert "No arrow changes between the families." in markdown
    assert "Not tested here" in markdown  # no fixed operator


def test_a_fixed_operator_with_no_arrow_anywhere_is_tested_not_untested():
    effects = {REFERENCE: {}, f"per_hour [{ADAPTS}=True]": {}, f"per_hour [{ADAPTS}=False]": {}}
    table = fa.incentive_table(funding_runs.funding_indicators(make_yearly(effects)), REFERENCE)
    origin = funding_incentives_report.incentive_markdown(table).split(
        "#### By construction or emerging"
    )[1]
    assert "Not tested here" not in origin and "(no arrow)" in origin
