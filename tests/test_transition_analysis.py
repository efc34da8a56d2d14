"""The transition curve: humps, break-even, payback and present values on known numbers.

The synthetic yearly tables below are built so that every indicator can be worked out by
hand (see ``EXTRA_*``). 10 years, the team starts in year 3, 4 seeds whose levels differ
but whose paired differences are the same (as with paired random streams).
"""

from __future__ import annotations

import functools
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.analysis import transition_analysis as ta
from wijksim.experiments.analysis import transition_spending, transition_summary
from wijksim.experiments.plots import transition_plots as tp
from wijksim.experiments.reports import transition_report as tr

M = 1_000_000
YEARS = range(1, 11)
START = 3
SEEDS = (1, 2, 3, 4)
STREAMS = ("zeroth_line", "team", "specialist", "escalation", "friction")
PAYERS = ("municipality_wmo", "municipality_youth", "insurer", "other")

# Who pays each stream. The insurer pays half of specialist care and "other" (housing
# corporations, police) 60% of escalations, so the municipal (GKBA) view sees only half
# of the specialist savings and 40% of the escalation surge.
PAYER_SHARES = {
    "zeroth_line": {"municipality_wmo": 1.0},
    "team": {"municipality_wmo": 1.0},
    "friction": {"municipality_wmo": 1.0},
    "specialist": {"municipality_wmo": 0.3, "municipality_youth": 0.2, "insurer": 0.5},
    "escalation": {"municipality_youth": 0.4, "other": 0.6},
}

# The old system, per year: desk 0.2 M, zeroth line 0.1 M, specialist 2 M, escalations 0.5 M.
OLD = {"zeroth_line": 0.1 * M, "team": 0.2 * M, "specialist": 2.0 * M, "escalation": 0.5 * M}
# The switch: team +0.5 M/yr from year 3, friction 0.25 M in years 3 and 4, specialist
# savings growing from 0 in year 3 to 1 M in year 8, and an escalation surge of +0.3 M in
# year 4 (hidden need found).
SPECIALIST_SAVING = {3: 0.0, 4: 0.2 * M, 5: 0.4 * M, 6: 0.6 * M, 7: 0.8 * M, 8: M, 9: M, 10: M}


def transition_year(year: int, surge: float = 0.3 * M) -> dict[str, float]:
    costs = {**OLD, "friction": 0.0}
    if year >= START:
        costs["team"] += 0.5 * M
        costs["specialist"] -= SPECIALIST_SAVING[year]
    if year in (3, 4):
        costs["friction"] = 0.25 * M
    if year == 4:
        costs["escalation"] += surge
    return costs


def make_yearly(surge: float = 0.3 * M, pre_switch_safety_extra: float = 0.0) -> pd.DataFrame:
    """A tidy yearly table (variant, seed, year, metric, value) of both variants."""
    return _make_yearly(surge, pre_switch_safety_extra).copy()


@functools.cache  # built once per set of arguments: keeps the file fast
def _make_yearly(surge: float, pre_switch_safety_extra: float) -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        for year in YEARS:
            variants = {"counterfactual": {**OLD, "friction": 0.0}}
            variants["transition"] = transition_year(year, surge)
            if year == 1:
                variants["transition"]["specialist"] += pre_switch_safety_extra
            for variant, costs in variants.items():
                # Levels differ by seed in both variants alike: paired differences cancel it.
                costs = {**costs, "specialist": costs["specialist"] + seed * 10_000}
                metrics = {"escalations_total": 7.0}  # another metric, to be ignored
                for stream, eur in costs.items():
                    metrics[f"cost_{stream}_eur"] = eur
                    for payer in PAYERS:
                        share = PAYER_SHARES[stream].get(payer, 0.0)
                        metrics[f"cost_{stream}_paid_by_{payer}_eur"] = eur * share
                for payer in PAYERS:
                    metrics[f"cost_paid_by_{payer}_eur"] = sum(
                        eur * PAYER_SHARES[s].get(payer, 0.0) for s, eur in costs.items()
                    )
                metrics["cost_total_eur"] = sum(costs.values())
                rows += [
                    {"variant": variant, "seed": seed, "year": year, "metric": m, "value": v}
                    for m, v in metrics.items()
                ]
    return pd.DataFrame(rows)


# Extra spending (transition − counterfactual) by hand, € M, years 1..10.
EXTRA_INVESTMENT = [0, 0, 0.75, 0.75, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
EXTRA_SAFETY_SOCIETY = [0, 0, 0, -0.2 + 0.3, -0.4, -0.6, -0.8, -1, -1, -1]
EXTRA_TOTAL_SOCIETY = [0, 0, 0.75, 0.85, 0.1, -0.1, -0.3, -0.5, -0.5, -0.5]
CUMULATIVE_SOCIETY = [0.75, 1.6, 1.7, 1.6, 1.3, 0.8, 0.3, -0.2]  # years 3..10
# Municipality: half the specialist savings, 40% of the escalation surge.
EXTRA_SAFETY_MUNICIPALITY = [0, 0, 0, -0.1 + 0.12, -0.2, -0.3, -0.4, -0.5, -0.5, -0.5]
EXTRA_TOTAL_MUNICIPALITY = [0, 0, 0.75, 0.77, 0.3, 0.2, 0.1, 0, 0, 0]


@pytest.fixture(scope="module")
def spending() -> pd.DataFrame:
    return transition_spending.spending_table(make_yearly())


@pytest.fixture(scope="module")
def indicators(spending) -> pd.DataFrame:
    return ta.seed_indicators(spending, START, discount_rate=0.10)


def one_view(indicators: pd.DataFrame, view: str) -> pd.Series:
    """The indicators of one seed (all seeds have the same differences)."""
    rows = indicators[indicators["view"] == view]
    assert len(rows) == len(SEEDS)
    for column in ta.INDICATORS:  # same paired differences in every seed
        assert rows[column].nunique(dropna=False) == 1, column
    return rows.iloc[0]


def extra(spending: pd.DataFrame, view: str, component: str) -> list[float]:
    rows = spending[
        (spending["view"] == view) & (spending["component"] == component) & (spending["seed"] == 2)
    ]
    return list(rows.sort_values("year")["extra_eur"] / M)


def test_spending_table_shape_and_extras(spending):
    assert list(spending.columns) == [
        "seed",
        "year",
        "view",
        "component",
        "scenario_eur",
        "reference_eur",
        "extra_eur",
    ]
    assert set(spending["view"]) == {"society", "municipality"}
    assert set(spending["component"]) == {*STREAMS, "investment", "safety_net", "total"}
    assert len(spending) == len(SEEDS) * len(YEARS) * 2 * 8
    np.testing.assert_allclose(extra(spending, "society", "investment"), EXTRA_INVESTMENT)
    np.testing.assert_allclose(extra(spending, "society", "safety_net"), EXTRA_SAFETY_SOCIETY)
    np.testing.assert_allclose(extra(spending, "society", "total"), EXTRA_TOTAL_SOCIETY)
    np.testing.assert_allclose(
        extra(spending, "municipality", "safety_net"), EXTRA_SAFETY_MUNICIPALITY, atol=1e-12
    )
    np.testing.assert_allclose(
        extra(spending, "municipality", "total"), EXTRA_TOTAL_MUNICIPALITY, atol=1e-12
    )
    # Levels: seed 2's specialist care costs 2 M + 20 000 in the old system; the
    # municipality pays half of it (Wmo 30% + youth 20%).
    level = spending.query("seed == 2 and year == 1 and component == 'specialist'").set_index(
        "view"
    )["reference_eur"]
    assert level["society"] == pytest.approx(2.02 * M)
    assert level["municipality"] == pytest.approx(1.01 * M)


def test_society_indicators_by_hand(indicators):
    row = one_view(indicators, "society")
    # Hump 1: 0.75 M in years 3 and 4 (team + friction); ties go to the first year.
    assert row["investment_hump_year"] == 3
    assert row["investment_hump_eur"] == pytest.approx(0.75 * M)
    # Hump 2: the surge of +0.3 M outweighs 0.2 M of savings in year 4.
    assert row["safety_net_hump_year"] == 4
    assert row["safety_net_hump_eur"] == pytest.approx(0.1 * M)
    assert row["peak_extra_year"] == 4
    assert row["peak_extra_eur"] == pytest.approx(0.85 * M)
    # Yearly extra is -0.1 M in year 6 and stays negative after.
    assert row["break_even_year"] == 6
    # Cumulative from year 3: 0.75, 1.6, 1.7, 1.6, 1.3, 0.8, 0.3, -0.2.
    assert row["payback_year"] == 10
    assert row["cumulative_investment_eur"] == pytest.approx(1.7 * M)
    assert row["cumulative_extra_eur"] == pytest.approx(-0.2 * M)


def test_present_values_by_hand(indicators):
    row = one_view(indicators, "society")
    d = [1 / 1.1**k for k in range(8)]  # discount factors for years 3..10 at 10%
    pv_costs = 0.75 * d[0] + 0.75 * d[1] + 0.5 * (d[2] + d[3] + d[4] + d[5] + d[6] + d[7])
    pv_benefits = -0.1 * d[1] + 0.4 * d[2] + 0.6 * d[3] + 0.8 * d[4] + 1.0 * (d[5] + d[6] + d[7])
    # Worked out: 0.75 + 0.6818 + 0.5 × 3.9593 = 3.4115 and
    # -0.0909 + 0.3306 + 0.4508 + 0.5464 + 1.6986 = 2.9354 (€ M).
    assert pv_costs == pytest.approx(3.4115, abs=1e-4)
    assert pv_benefits == pytest.approx(2.9354, abs=1e-4)
    assert row["pv_costs_eur"] == pytest.approx(pv_costs * M)
    assert row["pv_benefits_eur"] == pytest.approx(pv_benefits * M)
    assert row["npv_eur"] == pytest.approx((pv_benefits - pv_costs) * M)
    assert row["bcr"] == pytest.approx(pv_benefits / pv_costs)
    assert row["bcr"] < 1  # at 10% the late savings do not pay for the early investment


def test_undiscounted_npv_is_minus_the_cumulative_extra(spending):
    row = one_view(ta.seed_indicators(spending, START, discount_rate=0.0), "society")
    assert row["pv_costs_eur"] == pytest.approx(4.5 * M)
    assert row["pv_benefits_eur"] == pytest.approx(4.7 * M)
    assert row["npv_eur"] == pytest.approx(0.2 * M)
    assert row["bcr"] == pytest.approx(4.7 / 4.5)


def test_municipality_view_counts_only_municipal_payers(indicators):
    row = one_view(indicators, "municipality")
    # The insurer keeps half the specialist savings: the municipality's yearly extra only
    # reaches 0 in year 8 and its cumulative extra never comes back down.
    assert row["safety_net_hump_year"] == 4
    assert row["safety_net_hump_eur"] == pytest.approx(0.02 * M)
    assert row["peak_extra_eur"] == pytest.approx(0.77 * M)
    assert row["break_even_year"] == 8
    assert math.isnan(row["payback_year"])
    assert row["cumulative_investment_eur"] == pytest.approx(2.12 * M)
    assert row["cumulative_extra_eur"] == pytest.approx(2.12 * M)
    d = [1 / 1.1**k for k in range(8)]
    pv_benefits = -0.02 * d[1] + 0.2 * d[2] + 0.3 * d[3] + 0.4 * d[4] + 0.5 * (d[5] + d[6] + d[7])
    assert row["pv_benefits_eur"] == pytest.approx(pv_benefits * M)


def test_no_second_hump_gives_nan():
    spending = transition_spending.spending_table(make_yearly(surge=0.0))
    row = one_view(ta.seed_indicators(spending, START, 0.0), "society")
    assert math.isnan(row["safety_net_hump_year"])
    assert math.isnan(row["safety_net_hump_eur"])
    assert row["investment_hump_year"] == 3  # hump 1 is still there
    text = tr.markdown_summary(
        transition_summary.summarise_indicators(ta.seed_indicators(spending, START)),
        START,
        0.0225,
        4,
        "t",
    )
    assert "no second hump" in text


def test_second_hump_only_counts_years_after_the_switch():
    # A safety-net difference before the switch (larger than the surge) is not hump 2, but
    # it does count in the cumulative extra over all years.
    spending = transition_spending.spending_table(make_yearly(pre_switch_safety_extra=0.4 * M))
    row = one_view(ta.seed_indicators(spending, START, 0.0), "society")
    assert row["safety_net_hump_year"] == 4
    assert row["safety_net_hump_eur"] == pytest.approx(0.1 * M)
    assert row["cumulative_extra_eur"] == pytest.approx(0.2 * M)
    assert row["payback_year"] == 10  # the cumulative for payback starts at the switch


def test_no_net_investment_gives_nan_bcr_and_immediate_payback():
    spending = transition_spending.spending_table(make_yearly()).copy()
    # Make the switch cost nothing extra: keep only the savings.
    spending.loc[spending["component"] == "investment", "extra_eur"] = 0.0
    total = spending["component"] == "total"
    spending.loc[total, "extra_eur"] = spending.loc[
        spending["component"] == "safety_net", "extra_eur"
    ].to_numpy()
    row = one_view(ta.seed_indicators(spending, START, 0.0), "society")
    assert math.isnan(row["bcr"])
    assert math.isnan(row["investment_hump_year"])
    # Yearly extra is +0.1 M in year 4, so break-even is year 5; the cumulative extra is
    # 0, 0.1, -0.3, ... so payback is year 5 too; 0.1 M has to be pre-financed.
    assert row["break_even_year"] == 5
    assert row["payback_year"] == 5
    assert row["cumulative_investment_eur"] == pytest.approx(0.1 * M)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t[t["variant"] != "counterfactual"], "counterfactual"),
        (
            lambda t: t[t["metric"] != "cost_friction_paid_by_municipality_wmo_eur"],
            "cost_friction_paid_by_municipality_wmo_eur",
        ),
        (lambda t: t[t["metric"] != "cost_escalation_eur"], "cost_escalation_eur"),
        (lambda t: t[~((t["variant"] == "counterfactual") & (t["seed"] == 3))], r"seed\(s\) \[3\]"),
        (
            lambda t: t[
                ~(
                    (t["variant"] == "transition")
                    & (t["seed"] == 2)
                    & (t["year"] == 7)
                    & (t["metric"] == "cost_team_eur")
                )
            ],
            "cost_team_eur of 'transition', seed 2, year 7",
        ),
        (
            lambda t: pd.concat([t, t[t["metric"] == "cost_specialist_eur"].head(1)]),
            "more than one value",
        ),
        (lambda t: t.drop(columns="seed"), "seed"),
    ],
)
def test_incomplete_input_raises_a_helpful_error(change, message):
    with pytest.raises(ValueError, match=message):
        transition_spending.spending_table(change(make_yearly()))


def test_start_year_outside_the_horizon_raises(spending):
    with pytest.raises(ValueError, match="team_start_year 11"):
        ta.seed_indicators(spending, 11)


def test_summary_quantiles_by_hand():
    indicators = pd.DataFrame(
        {
            "seed": [1, 2, 3, 4, 5],
            "view": "society",
            **{name: 1.0 for name in ta.INDICATORS},
        }
    )
    indicators["break_even_year"] = [5, 6, np.nan, 7, 6]
    indicators["payback_year"] = [8, np.nan, np.nan, np.nan, 9]
    indicators["safety_net_hump_year"] = [4, np.nan, np.nan, 5, np.nan]
    indicators["npv_eur"] = [1.0, 2.0, 3.0, 4.0, 5.0]
    summary = transition_summary.summarise_indicators(indicators).set_index("indicator")
    # Break-even: sorted 5, 6, 6, 7, never. The median is the first year by which at least
    # half the seeds (3 of 5) break even: 6; 95% needs all five: not reached.
    assert summary.loc["break_even_year", ["p05", "median"]].tolist() == [5, 6]
    assert math.isnan(summary.loc["break_even_year", "p95"])
    assert summary.loc["break_even_year", "share_of_seeds"] == pytest.approx(0.8)
    # Payback in 2 of 5 seeds: the median is not reached.
    assert math.isnan(summary.loc["payback_year", "median"])
    assert summary.loc["payback_year", "share_of_seeds"] == pytest.approx(0.4)
    # A second hump in 2 of 5 seeds: its quantiles are over those two.
    assert summary.loc["safety_net_hump_year", ["p05", "median", "p95"]].tolist() == [4, 4, 5]
    # Euros: linear quantiles as elsewhere in the reports: 1 + 0.05 * 4 = 1.2, 4.8.
    assert summary.loc["npv_eur", ["p05", "median", "p95"]].tolist() == pytest.approx(
        [1.2, 3.0, 4.8]
    )
    assert (summary["n_seeds"] == 5).all()


def test_mean_curves(spending):
    curves = transition_summary.mean_curves(spending, START)
    total = curves[(curves["view"] == "society") & (curves["component"] == "total")]
    total = total.set_index("year")
    np.testing.assert_allclose(total["extra_eur_median"] / M, EXTRA_TOTAL_SOCIETY, atol=1e-12)
    assert total.loc[1:2, "cumulative_extra_eur_median"].isna().all()
    np.testing.assert_allclose(
        total.loc[3:, "cumulative_extra_eur_median"] / M, CUMULATIVE_SOCIETY, atol=1e-12
    )
    # Specialist levels differ by seed (10 000 × seed): median of 1..4 is 2.5, the 5%
    # quantile 1 + 0.05 × 3 = 1.15 (linear).
    specialist = curves.query("view == 'society' and component == 'specialist' and year == 1")
    assert specialist["reference_eur_median"].item() == pytest.approx(2.025 * M)
    assert specialist["reference_eur_p05"].item() == pytest.approx(2.0115 * M)
    assert (curves["n_seeds"] == len(SEEDS)).all()


def test_markdown_summary(indicators):
    summary = transition_summary.summarise_indicators(indicators)
    text = tr.markdown_summary(summary, START, 0.10, len(SEEDS), "transition")
    assert "not a confidence interval of the mean" in text
    assert "MKBA" in text and "GKBA" in text
    assert "year 3 (90% band 3–3)" in text  # hump 1
    assert "€0.75 M (90% band 0.75–0.75)" in text
    assert "by year 6 (90% band 6–6)" in text  # society break-even
    assert "**Payback:** not within the simulated years, in any seed." in text  # GKBA
    assert "rises to €1.70 M" in text  # to pre-finance (society)
    assert "net present value −€0.48 M" in text  # society: 2.9354 - 3.4115
    assert "| payback year | 10 (10–10) | — | 100% / 0% |" in text
    assert "| net present value, € M | −0.48 (−0.48 to −0.48) |" in text


def test_figures_are_drawn_and_closed(spending, tmp_path):
    curves = transition_summary.mean_curves(spending, START)
    figures = tp.transition_figures(spending, curves, START)
    assert set(figures) == {
        "transition_spending.png",
        "transition_extra_by_stream.png",
        "transition_cumulative.png",
        "transition_extra_by_stream_municipality.png",
    }
    for name, figure in figures.items():
        figure.savefig(tmp_path / name, dpi=40)
        assert (tmp_path / name).stat().st_size > 0
    texts = [t.get_text() for a in figures["transition_extra_by_stream.png"].axes for t in a.texts]
    assert any("investment hump" in t for t in texts)
    assert any("safety-net hump" in t for t in texts)
    texts = [t.get_text() for a in figures["transition_cumulative.png"].axes for t in a.texts]
    assert any("pays back" in t and "10" in t for t in texts)
    assert plt.get_fignums() == []


def test_no_hump_annotation_without_a_second_hump():
    spending = transition_spending.spending_table(make_yearly(surge=0.0))
    figure = tp.extra_by_stream_figure(spending, START)
    texts = [t.get_text() for a in figure.axes for t in a.texts]
    assert any("investment hump" in t for t in texts)
    assert not any("safety-net hump" in t for t in texts)
    assert plt.get_fignums() == []


# A sweep with a grid: two conditions of the switch (8 and 12 FTE) against one old system,
# whose runs lack the team's grid field (it removed the [team]) and so serve both.
FIELD = "team.frontline_fte"
DEARER_TEAM = 0.2 * M  # 12 FTE: the team costs 0.2 M a year more from the switch


def make_grid_yearly() -> pd.DataFrame:
    """The tidy yearly table of a two-condition sweep, as :func:`load_results` gives it."""
    base = make_yearly()
    switch = base[base["variant"] == "transition"]
    dearer = switch.copy()
    team = dearer["metric"].isin(["cost_team_eur", "cost_team_paid_by_municipality_wmo_eur"])
    dearer.loc[team & (dearer["year"] >= START), "value"] += DEARER_TEAM
    return pd.concat(
        [
            base[base["variant"] == "counterfactual"].assign(**{FIELD: np.nan}),
            switch.assign(**{FIELD: 8.0}),
            dearer.assign(**{FIELD: 12.0}),
        ],
        ignore_index=True,
    )


# By hand, € M, years 3..10: with 12 FTE every year's extra is 0.2 M higher than above.
# Society: 0.95, 1.05, 0.3, 0.1, -0.1, -0.3, -0.3, -0.3: break-even in year 7; the
# cumulative extra (0.95 ... 1.4) never comes back to zero. Municipality: 0.95, 0.97,
# 0.5, 0.4, 0.3, 0.2, 0.2, 0.2: never at or below zero.
BREAK_EVEN = {(8, "society"): 6, (8, "municipality"): 8, (12, "society"): 7}
PAYBACK = {(8, "society"): 10}


@pytest.fixture(scope="module")
def grid_spending() -> pd.DataFrame:
    return transition_spending.spending_table(make_grid_yearly(), grid=[FIELD])


def test_grid_spending_pairs_each_condition_with_the_same_reference(grid_spending):
    assert list(grid_spending.columns) == [FIELD, *transition_spending.SPENDING_COLUMNS]
    single = transition_spending.spending_table(make_yearly())
    assert len(grid_spending) == 2 * len(single)
    # 8 FTE is the table without a grid, row for row; 12 FTE has the same reference.
    eight = grid_spending[grid_spending[FIELD] == 8].drop(columns=FIELD)
    pd.testing.assert_frame_equal(eight.reset_index(drop=True), single)
    twelve = grid_spending[grid_spending[FIELD] == 12].reset_index(drop=True)
    np.testing.assert_array_equal(twelve["reference_eur"], single["reference_eur"])
    team = twelve.query("view == 'society' and component == 'total' and seed == 2")
    np.testing.assert_allclose(
        team["extra_eur"] / M,
        np.add(EXTRA_TOTAL_SOCIETY, [0, 0] + [0.2] * 8),
        atol=1e-12,
    )


def test_grid_indicators_give_each_condition_its_own_break_even(grid_spending):
    indicators = ta.seed_indicators(grid_spending, START, discount_rate=0.0)
    assert list(indicators.columns[:3]) == [FIELD, "seed", "view"]
    assert len(indicators) == 2 * len(SEEDS) * 2
    for (fte, view), rows in indicators.groupby([FIELD, "view"]):
        for name, expected in (("break_even_year", BREAK_EVEN), ("payback_year", PAYBACK)):
            year = expected.get((fte, view), np.nan)  # NaN: not within the simulated years
            np.testing.assert_array_equal(rows[name], [year] * len(SEEDS), f"{fte} {view}")
    # Undiscounted, 12 FTE costs 8 × 0.2 M more over the eight years from the switch.
    society = indicators[indicators["view"] == "society"].set_index([FIELD, "seed"])
    np.testing.assert_allclose(
        society.loc[12, "pv_costs_eur"] - society.loc[8, "pv_costs_eur"], 1.6 * M
    )

    summary = transition_summary.summarise_indicators(indicators)
    assert list(summary.columns) == [FIELD, *transition_summary.SUMMARY_COLUMNS]
    medians = summary[summary["indicator"] == "break_even_year"].set_index([FIELD, "view"])
    assert medians.loc[(8, "society"), "median"] == 6
    assert medians.loc[(12, "society"), "median"] == 7
    assert math.isnan(medians.loc[(12, "municipality"), "median"])

    curves = transition_summary.mean_curves(grid_spending, START)
    total = curves.query("view == 'society' and component == 'total'").set_index([FIELD, "year"])
    assert total.loc[(12, 10), "cumulative_extra_eur_median"] == pytest.approx(1.4 * M)
    assert total.loc[(8, 10), "cumulative_extra_eur_median"] == pytest.approx(-0.2 * M)

    text = tr.markdown_summary(summary, START, 0.0, len(SEEDS), "transition")
    eight, twelve = text.split("### team.frontline_fte=12")
    assert "### team.frontline_fte=8" in eight
    assert "**Break-even:** by year 6 (90% band 6–6)" in eight
    assert "**Break-even:** by year 7 (90% band 7–7)" in twelve


def test_grid_conditions_may_differ_in_the_team_start_year(grid_spending):
    starts = {(8.0,): START, (12,): START + 1}  # keys match whether 12 or 12.0
    indicators = ta.seed_indicators(grid_spending, starts, discount_rate=0.0)
    society = indicators[indicators["view"] == "society"].set_index(FIELD)
    # From year 4 the 12-FTE extra is 1.05, 0.3, 0.1, -0.1, ...: the cumulative sum
    # since the switch leaves out year 3's 0.95 M.
    np.testing.assert_allclose(society.loc[12, "cumulative_investment_eur"], 1.45 * M)
    np.testing.assert_allclose(society.loc[8, "cumulative_investment_eur"], 1.7 * M)
    missing = r"no team_start_year for condition team\.frontline_fte=12"
    with pytest.raises(ValueError, match=missing):
        ta.seed_indicators(grid_spending, {(8,): START})


def test_a_grid_field_both_variants_have_pairs_equal_values_only():
    # Grid over a field of both variants: each condition of the switch is paired only
    # with the old system of the same value, here one whose escalations cost 1 M more.
    table = make_yearly()
    dearer_old = table.assign(households=2000)
    extra = (dearer_old["variant"] == "counterfactual") & (
        dearer_old["metric"] == "cost_escalation_eur"
    )
    dearer_old.loc[extra, "value"] += M
    table = pd.concat([table.assign(households=1000), dearer_old], ignore_index=True)
    spending = transition_spending.spending_table(table, grid=["households"])
    total = spending.query("view == 'society' and component == 'total' and seed == 1")
    by_size = total.set_index(["households", "year"])["extra_eur"] / M
    np.testing.assert_allclose(by_size.loc[1000], EXTRA_TOTAL_SOCIETY, atol=1e-12)
    np.testing.assert_allclose(by_size.loc[2000], np.subtract(EXTRA_TOTAL_SOCIETY, 1), atol=1e-9)


def test_a_grid_without_its_columns_or_a_seed_pair_is_a_clear_error():
    with pytest.raises(ValueError, match=r"lacks the grid column\(s\) \['households'\]"):
        transition_spending.spending_table(make_grid_yearly(), grid=["households"])
    table = make_grid_yearly()
    table = table[~((table[FIELD] == 12) & (table["seed"] == 3))]
    with pytest.raises(ValueError, match=r"condition team.frontline_fte=12: seed\(s\) \[3\]"):
        transition_spending.spending_table(table, grid=[FIELD])
    # The report leaves such a seed out of its condition instead.
    spending = transition_spending.spending_table(table, grid=[FIELD], drop_unpaired=True)
    assert spending.groupby(FIELD)["seed"].nunique().to_dict() == {8: 4, 12: 3}


def marks_team_start(axis, start: int) -> bool:
    """Whether the axis shows the dashed "team starts" line at the start of year ``start``.

    Shown: within the axis's x limits (panels on a shared axis must not cut it off).
    """
    left, right = axis.get_xlim()
    return left < start - 0.5 < right and any(
        line.get_linestyle() == "--" and list(line.get_xdata()) == [start - 0.5] * 2
        for line in axis.lines
    )


def test_every_figure_marks_the_switch(spending):
    figures = tp.transition_figures(
        spending, transition_summary.mean_curves(spending, START), START
    )
    for name, figure in figures.items():
        (axis,) = figure.axes
        assert marks_team_start(axis, START), name
        assert any("team starts" in text.get_text() for text in axis.texts), name
        plt.close(figure)


def test_grid_figures_have_a_panel_per_condition_each_marking_its_switch(grid_spending):
    starts = {(8,): START, (12,): START + 1}
    curves = transition_summary.mean_curves(grid_spending, starts)
    figures = tp.transition_figures(grid_spending, curves, starts)
    assert set(figures) == {
        "transition_spending.png",
        "transition_extra_by_stream.png",
        "transition_cumulative.png",
        "transition_extra_by_stream_municipality.png",
    }
    for name, figure in figures.items():
        panels = [axis for axis in figure.axes if axis.get_visible()]
        assert [axis.get_title() for axis in panels] == [
            "team.frontline_fte=8",
            "team.frontline_fte=12",
        ], name
        assert marks_team_start(panels[0], START), name
        assert marks_team_start(panels[1], START + 1), name
    assert plt.get_fignums() == []


def test_grid_figures_are_paged_beyond_the_panel_limit(grid_spending):
    one = grid_spending[grid_spending[FIELD] == 8]
    many = pd.concat(
        [one.assign(**{FIELD: float(k)}) for k in range(tp.MAX_PANELS + 1)], ignore_index=True
    )
    figures = tp.transition_figures(many, transition_summary.mean_curves(many, START), START)
    assert "transition_spending_1.png" in figures and "transition_spending_2.png" in figures
    panels = [len([a for a in figures[f"transition_cumulative_{page}.png"].axes if a.get_visible()])
              for page in (1, 2)]  # fmt: skip
    assert panels == [tp.MAX_PANELS, 1]
