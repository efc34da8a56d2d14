"""Funding forms as payment rules: what is paid, to whom, and that it reconciles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small
from wijksim.agents.operator.forecast import TeamOutlook, expected_within
from wijksim.experiments.runner.run import run_simulation
from wijksim.model.contracts.funding import (
    FundingParams,
    PopulationResults,
    settlement_eur,
    settlement_forecast_eur,
)
from wijksim.model.model import WEEKS_PER_YEAR, NeighbourhoodModel

FORMS = (
    "funding_function_budget",
    "funding_per_hour",
    "funding_per_trajectory",
    "funding_result_per_client",
    "funding_population",
    "funding_shared_savings",
)


def run(name: str, seed: int = 1, years: int = 2, **overrides):
    return run_simulation(small(name, households=1500, years=years, **overrides), seed=seed)


def wide(result) -> pd.DataFrame:
    return result.steps.pivot(index="step", columns="metric", values="value")


@pytest.mark.parametrize("form", FORMS)
def test_operator_revenue_is_what_the_municipality_booked(form):
    result = run(form)
    operator = result.model.operator
    ledger = result.ledger
    paid = ledger[ledger["agent_kind"] == "team_operator"]
    assert operator.revenue_cents == paid["amount_cents"].sum() > 0
    assert set(paid["stream"]) == {"team"}
    # Staff costs are the operator's own: no public booking of the team's staff.
    assert (ledger["agent_kind"] == "neighbourhood_team").sum() == 0
    table = wide(result)
    assert table["operator_revenue_eur"].sum() == pytest.approx(operator.revenue_cents / 100)
    assert table["operator_staff_cost_eur"].sum() == pytest.approx(operator.staff_cost_cents / 100)
    assert operator.staff_cost_cents == result.model.teams[0].weekly_cost_cents * len(table)


def test_production_tariffs_pay_for_what_the_team_did():
    """Per hour: tariff × casework hours, week by week; per trajectory: × admissions."""
    hours = wide(run("funding_per_hour"))
    expected = np.round(58.0 * hours["team_hours_casework"] * 100) / 100
    assert np.allclose(hours["operator_revenue_eur"], expected, atol=0.01)
    trajectories = wide(run("funding_per_trajectory"))
    assert np.allclose(
        trajectories["operator_revenue_eur"], 3600.0 * trajectories["team_admissions"]
    )
    results = wide(run("funding_result_per_client"))
    assert np.allclose(results["operator_revenue_eur"], 5900.0 * results["funding_results"])
    assert results["funding_results"].sum() > 0


def test_population_funding_without_measurable_results_is_a_function_budget():
    """S1 §4.5.3: with nothing measured and nothing settled, the same numbers, the same run."""
    unmeasured = {
        "funding.population_results.sample_households": 0,
        "funding.population_results.malus_per_escalation_eur": 0.0,
        "funding.shared_savings.share": 0.0,
        "funding.lump_sum_per_household_year_eur": 122.0,
        "funding.formation.staffing_factor": 1.0,
    }
    population = run("funding_shared_savings", **unmeasured)
    budget = run("funding_function_budget")
    pd.testing.assert_frame_equal(population.steps, budget.steps)
    assert population.model.operator.revenue_cents == budget.model.operator.revenue_cents
    # ... and with results measured, the payments differ.
    measured = run("funding_shared_savings")
    assert measured.model.operator.revenue_cents != budget.model.operator.revenue_cents


def test_ceiling_caps_a_years_revenue():
    result = run("funding_per_hour", years=2, **{"funding.ceiling_per_year_eur": 50_000.0})
    table = wide(result)
    yearly = table["operator_revenue_eur"].groupby((table.index - 1) // WEEKS_PER_YEAR).sum()
    assert (yearly <= 50_000.0 + 1e-6).all()
    assert yearly.iloc[-1] == pytest.approx(50_000.0)  # the team earns more than that


def test_malus_is_withheld_from_later_payments_never_negative():
    contract = {
        "funding.settlement_weeks": 13,
        "funding.population_results.escalations_target_per_1000": 0.0,
        "funding.population_results.malus_per_escalation_eur": 1_000.0,
        "funding.population_results.max_share_of_lump_sum": 1.0,
    }
    result = run("funding_population", years=1, **contract)
    table = wide(result)
    weekly = 110.0 * 1500 / 52
    assert (table["operator_revenue_eur"] >= 0).all()
    after_settlement = table.loc[14:, "operator_revenue_eur"]
    assert (after_settlement < weekly - 0.01).any()  # instalments cut by the malus
    assert result.model.operator.revenue_cents < round(110.0 * 1500 * 100)


def test_settlement_bonus_malus_and_shared_savings_by_hand():
    results = PopulationResults(
        sample_households=100,
        self_reliant_target=0.80,
        bonus_per_point_eur=1_000.0,
        escalations_target_per_1000=20.0,
        malus_per_escalation_eur=100.0,
        max_share_of_lump_sum=0.10,
    )
    contract = FundingParams(population_results=results)
    # 3 points above target: +3,000; 1,000 households allow 20 escalations, 25 happened:
    # −500; lump sum 100,000 caps at ±10,000.
    assert settlement_eur(contract, 100_000, 1000, 1.0, 0.83, 25, 0.0) == pytest.approx(2_500)
    assert settlement_eur(contract, 100_000, 1000, 1.0, 0.60, 25, 0.0) == pytest.approx(-10_000)
    assert settlement_eur(contract, 100_000, 1000, 1.0, None, 20, 0.0) == pytest.approx(0.0)
    savings = contract.model_copy(
        update={
            "shared_savings": contract.shared_savings.model_copy(
                update={"share": 0.5, "specialist_baseline_per_1000_eur": 200_000.0}
            )
        }
    )
    # Half of (200,000 − 150,000) on top of the bonus–malus.
    assert settlement_eur(savings, 100_000, 1000, 1.0, None, 20, 150_000.0) == pytest.approx(25_000)


ADAPTS = {"funding.operator.adapts": True, "funding.operator.review_weeks": 13}
NO_FORMATION = {"funding.formation.staffing_factor": 0.0}
OUTCOME_METRICS_EXCLUDED = ("cost_", "operator_")


def household_side(result) -> pd.DataFrame:
    """Everything but money: the households, the team's work and its settings."""
    steps = result.steps
    return steps[~steps["metric"].str.startswith(OUTCOME_METRICS_EXCLUDED)].reset_index(drop=True)


def test_with_full_ethos_every_form_behaves_the_same():
    """Ethos 1: money does not count, so the operator's choices cannot depend on the form."""
    ethos = {**ADAPTS, "funding.operator.ethos": 1.0}
    runs = {form: run(form, years=3, **ethos) for form in FORMS[:5]}
    reference = household_side(runs[FORMS[0]])
    settings = reference[reference["metric"].str.startswith("team_")]
    assert runs[FORMS[0]].model.operator.reviews >= 8
    assert runs[FORMS[0]].model.operator.changes >= 1
    assert settings.groupby("metric")["value"].nunique().max() > 1  # the operator did act
    for form in FORMS[1:5]:
        pd.testing.assert_frame_equal(household_side(runs[form]), reference)
    revenues = {runs[form].model.operator.revenue_cents for form in FORMS[:5]}
    assert len(revenues) == 5  # ... while the money differed


def test_margin_seeking_operator_sheds_staff_under_a_function_budget_without_formation():
    """Ethos 0, revenue fixed, no formation agreed: only staffing touches the margin, so
    staff are cut to the contract's minimum and no other knob moves (a change must gain
    something)."""
    result = run("funding_function_budget", years=4, **ADAPTS, **NO_FORMATION)
    table = wide(result)
    assert table["team_staffing_factor"].iloc[-1] == pytest.approx(0.5)
    for knob in ("hours_per_case_factor", "intake_max_level", "discharge_min_level"):
        assert table[f"team_{knob}"].nunique() == 1, knob


def test_population_funding_without_results_is_a_function_budget_for_an_adapting_operator():
    """The operator, too, sees only numbers: with nothing measured it acts the same."""
    unmeasured = {
        **ADAPTS,
        "funding.operator.ethos": 0.3,
        "funding.population_results.sample_households": 0,
        "funding.population_results.malus_per_escalation_eur": 0.0,
        "funding.shared_savings.share": 0.0,
        "funding.lump_sum_per_household_year_eur": 122.0,
        "funding.formation.staffing_factor": 1.0,
    }
    population = run("funding_shared_savings", years=3, **unmeasured)
    budget = run("funding_function_budget", years=3, **{**ADAPTS, "funding.operator.ethos": 0.3})
    pd.testing.assert_frame_equal(population.steps, budget.steps)


def _not_yet_with_the_fitted_team(measured: str) -> pytest.MarkDecorator:
    """A directional test whose set-up was derived on the uncalibrated team.

    That team held ~18 households per FTE with a queue of over a year; the fitted team
    (docs/calibration.md, "The team") holds ~75 with a wait of weeks and spare hours, so
    these set-ups no longer show the incentive. Re-deriving them is issue 16's App. III.4
    table (item 5). Strict: a set-up that shows it again passes here unexpectedly.
    """
    return pytest.mark.xfail(strict=True, reason=f"fitted team, issue 16 item 5: {measured}")


# --- the formation a function budget pays for (issue 15, item 11) ------------------------

LEEUWARDEN = 6000  # the households the function budget's lump sum was sized for


@pytest.mark.parametrize(
    ("clawback_share", "keeps_formation"),
    [
        (1.0, True),
        (0.3, False),
    ],
)
def test_function_budget_claws_back_staff_below_the_contracted_formation(
    clawback_share, keeps_formation
):
    """Staff fall below the contracted formation only with the rule's claw-back booked.

    A margin-seeking operator under the shipped function budget (€732,000 for 8 + 2 FTE):
    shedding 0.8 FTE saves €58,560 a year, and the pro rata claw-back (10% of the lump
    sum, €73,200) is more, so it keeps the formation; at 0.3 of that claw-back (€21,960)
    it sheds, and pays. Each week's claw-back is the rule's amount to the cent.
    """
    overrides = {**ADAPTS, "funding.formation.clawback_share": clawback_share}
    result = run_simulation(
        small("funding_function_budget", households=LEEUWARDEN, years=4, **overrides), seed=1
    )
    table = wide(result)
    # The rule reads the frontline FTE employed, not the operator's target: a cut waits
    # for cases to close. The operator reviews at the end of a week, so a week is paid on
    # the staff recorded the week before (the scenario's 8 FTE in week 1).
    contracted = 8.0  # frontline FTE of the scenario's team × the formation's factor 1
    employed = table["team_frontline_fte"].shift(1, fill_value=contracted)
    missing = np.maximum(contracted - employed, 0.0) / contracted
    rule = np.round(clawback_share * missing * 122.0 * LEEUWARDEN / 52 * 100) / 100
    clawback = table.get("operator_clawback_eur", pd.Series(0.0, index=table.index))
    below = employed < contracted - 1e-9
    assert (clawback[~below] == 0).all()
    assert np.allclose(clawback, rule, atol=0.005)
    assert below.any() != keeps_formation, table["team_staffing_factor"].unique()
    # Booked as a reduction of the payments: the ledger holds the lump sum less it.
    operator = result.model.operator
    paid = result.ledger.loc[result.ledger["agent_kind"] == "team_operator", "amount_cents"]
    assert operator.clawback_cents == pytest.approx(clawback.sum() * 100)
    weekly = round(122.0 * LEEUWARDEN / 52 * 100)
    assert paid.sum() + operator.withheld_cents == weekly * len(table) - operator.clawback_cents


# --- directional tests: the incentives of Appendix III.4, out of the operator's choices --

PAIRED_SEEDS = (1, 2, 3, 4)
MARGIN_AND_ETHOS = {**ADAPTS, "funding.operator.ethos": 0.3}


def window_totals(form: str, seed: int, overrides: dict, households: int = 3000) -> pd.Series:
    """Totals over years 3–5 (the operator has had two years to adapt)."""
    scenario = small(form, households=households, years=5, **{**MARGIN_AND_ETHOS, **overrides})
    table = wide(run_simulation(scenario, seed=seed)).iloc[2 * WEEKS_PER_YEAR :]
    totals = table.sum()
    totals["hours_per_client"] = totals["team_hours_casework"] / totals["team_admissions"]
    totals["team_referrals"] = totals["referrals_consult"] + totals["referrals_handover"]
    return totals


def paired(metric: str, reference: tuple, treatment: tuple, households: int = 3000) -> np.ndarray:
    """Per seed: treatment − reference of ``metric`` (same seed, same random streams)."""
    return np.array(
        [
            window_totals(treatment[0], seed, treatment[1], households)[metric]
            - window_totals(reference[0], seed, reference[1], households)[metric]
            for seed in PAIRED_SEEDS
        ]
    )


def assert_clearly(differences: np.ndarray, sign: int) -> None:
    """Every paired seed moves the same way (a sign test: 4 of 4 by chance has p = 1/16
    per direction) and the mean exceeds 2.35 standard errors (one-sided t, 3 df, 95%).
    Measured 2026-11: every seed moved by 10–60%, so this fails only on a real change."""
    assert (np.sign(differences) == sign).all(), differences
    standard_error = differences.std(ddof=1) / np.sqrt(differences.size)
    assert sign * differences.mean() > 2.35 * standard_error, differences


def test_per_hour_tariff_raises_the_hours_per_case_against_a_function_budget():
    """App. III.4 form 2a: paid per hour, effort per client rises; under a budget it falls.

    Effort per client as the operator sets it: its hours-per-case factor (× every new
    plan's intensity norm), averaged over years 3–5. The budget of the source's table pays
    a lump sum and nothing else: no contracted formation (with one, the operator keeps its
    staff and effort does not fall, see
    :func:`test_function_budget_claws_back_staff_below_the_contracted_formation`).
    Measured (seeds 1–8): 0.62–0.66 under the budget, 0.79–1.02 per hour.

    Casework hours per admission (the comparison's indicator) no longer show the
    direction since triage, waiting lists and crisis returns at the head of the queue
    (issue 15): seeds 1–8 differ by −21 to +4 hours, mean −10. They compare different
    households: the budget's 4 FTE admit from a long queue (waits ~25 weeks) headed by
    households back from crisis care, 36–39% of admissions complex; the per-hour team of
    ~12 FTE also reaches lighter households (6–8% complex; seeds 1 and 4), and in seeds
    4–6 and 8, with its ethos, closes earlier (at ZRM 3) to shorten its queue.
    """
    differences = paired(
        "team_hours_per_case_factor",
        ("funding_function_budget", NO_FORMATION),
        ("funding_per_hour", {}),
    )
    assert_clearly(differences, +1)


# Half the team the 3,000 households scale it to (4 FTE): the fitted team at full strength
# has spare hours and almost no queue, so it has nothing to offload and the price of a
# referral changes nothing it does (at 4 FTE referrals rose by 53, 124, 86 and 88 on seeds
# 1–4 under option D). The incentives of App. III.4 act on a team under pressure.
STRETCHED_TEAM = {"team.frontline_fte": 2.0}


def test_charging_specialist_prices_lowers_referrals_against_a_quota():
    """Option D (price charged to the team's budget) against A (a quota that does not
    bind): a stretched team's operator stops offloading and refers less (docs/sources.md
    §3)."""
    option_a = (
        "funding_population",
        {**STRETCHED_TEAM, "funding.specialist_access.quota_per_1000_year": 60.0},
    )
    option_d = (
        "funding_population",
        {**STRETCHED_TEAM, "funding.specialist_access.charge_share": 1.0},
    )
    assert_clearly(paired("team_referrals", option_a, option_d), -1)


@_not_yet_with_the_fitted_team(
    "specialist spending −283,095, −317,031, −353,259, +62,419 € on seeds 1–4 with the "
    "stretched team (−5,425,995, +7,206, −90,500, +7,350 € at full strength)"
)
def test_shared_savings_lower_specialist_use_against_population_funding():
    """S1 §4.5.1: settled on the population's specialist use, the base offloads less."""
    differences = paired(
        "cost_specialist_eur",
        ("funding_population", STRETCHED_TEAM),
        ("funding_shared_savings", STRETCHED_TEAM),
    )
    assert_clearly(differences, -1)


# --- the operator's forecast of the population-results settlement (issue 15, item 3) ---


@pytest.fixture(scope="module")
def settled_population_funding():
    """Population funding half a year after a settled start, before the first review.

    6,000 households after the scenario's burn-in, bonus and malus capped at the whole
    capitation, and the team at half its 8 FTE so that it has a queue (174 households at
    seed 1): the fitted team at full strength has almost none (16), and more staff then
    spare no escalation at the head of a queue (docs/calibration.md, "The team"). Returns
    the model, what the operator observed and the settings in force.
    """
    scenario = small(
        "funding_population",
        households=LEEUWARDEN,
        years=1,
        burn_in_years=6,
        **{
            "funding.operator.adapts": True,
            "funding.operator.review_weeks": 52,
            "funding.population_results.max_share_of_lump_sum": 1.0,
            "team.frontline_fte": 4.0,
        },
    )
    model = NeighbourhoodModel(scenario, seed=1)
    model.run(26)
    return model, model.operator._observed(), model.teams[0].settings()


def outlook_under(situation, malus_eur: float, target_per_1000: float) -> TeamOutlook:
    """The operator's forecast with the contract's malus and escalation target replaced."""
    model, observed, current = situation
    contract = model.operator.contract
    results = contract.population_results.model_copy(
        update={
            "malus_per_escalation_eur": malus_eur,
            "escalations_target_per_1000": target_per_1000,
        }
    )
    contract = contract.model_copy(update={"population_results": results})
    return TeamOutlook(model, contract, observed, current)


def staffing_up(current: dict[str, float]) -> dict[str, float]:
    return {**current, "staffing_factor": current["staffing_factor"] + 0.1}


def settlement_gain(outlook: TeamOutlook, setting: dict[str, float]) -> float:
    """Weekly expected settlement of ``setting`` less that of standing still (€)."""
    return outlook.settlement_per_week(outlook.forecast(setting)) - outlook.settlement_per_week(
        outlook.forecast(outlook.now)
    )


def test_the_operators_forecast_prices_the_escalations_staff_spare_at_the_malus(
    settled_population_funding,
):
    """Issue 15, item 3: the forecast sees the malus on escalations.

    More staff serve more households instead of leaving them at the head of the queue,
    which spares escalations while they are clients and in aftercare, at the rates the
    operator saw (here about 2.2 per 1,000 a week at the head, 1.2 among clients, none
    yet in aftercare). With the target at the escalations the operator expects (the
    settlement far from its cap), each spared escalation is worth the malus: the
    settlement's gain grows by malus × escalations spared, and so does the gain in
    utility. Measured (seed 1): 0.1 more staffing serves ~10 more households and spares
    ~0.07 escalations a week (4.7 per FTE a year; fixed-staff runs give ~14, see
    docs/ODD.md §7.9.3), for €1,126 a week of staff.
    """
    _, _, current = settled_population_funding
    more = staffing_up(current)
    neutral = outlook_under(settled_population_funding, 0.0, 0.0)
    now, up = neutral.forecast(current), neutral.forecast(more)
    spared = now["escalations"] - up["escalations"]
    assert spared > 0
    level = now["escalations"] * 52 / (LEEUWARDEN / 1000)  # per 1,000 a year
    at_level = {m: outlook_under(settled_population_funding, m, level) for m in (0, 500, 5000)}
    for malus in (500, 5000):
        gain = settlement_gain(at_level[malus], more) - settlement_gain(at_level[0], more)
        assert gain == pytest.approx(malus * spared, rel=0.02)
    utility_gains = [
        outlook.utility(more) - outlook.utility(current) for outlook in at_level.values()
    ]
    assert utility_gains == sorted(utility_gains) and len(set(utility_gains)) == 3


def test_a_malus_beyond_the_cap_gives_no_reason_to_staff_up(settled_population_funding):
    """With the escalations far above the target, the malus is forfeit whatever the team does.

    Why a ten times larger malus stopped making the operator staff up (issue 15): since
    the corrections, this neighbourhood has ~60 escalations per 1,000 a year in years 3–5
    under population funding (~30 before), against the contract's 25; at €5,000 an
    escalation the malus then exceeds the whole capitation, so an escalation spared is
    worth nothing. Here (half a year in, ~33 per 1,000) €50,000 puts it as far.
    """
    _, _, current = settled_population_funding
    outlook = outlook_under(settled_population_funding, 50_000.0, 25.0)
    more = staffing_up(current)
    spared = outlook.forecast(current)["escalations"] - outlook.forecast(more)["escalations"]
    assert spared > 0
    assert abs(settlement_gain(outlook, more)) < 0.05 * 50_000.0 * spared


def malus_run(malus_eur: float, seed: int) -> pd.DataFrame:
    """Population funding with the escalation target where escalations are, cap lifted.

    6,000 households after the scenario's burn-in, four reported years; the operator
    reviews every quarter (the scenario's default) with ethos 0.
    """
    scenario = small(
        "funding_population",
        households=LEEUWARDEN,
        years=4,
        burn_in_years=6,
        **{
            "funding.operator.adapts": True,
            "funding.population_results.max_share_of_lump_sum": 1.0,
            "funding.population_results.escalations_target_per_1000": 15.0,
            "funding.population_results.malus_per_escalation_eur": malus_eur,
        },
    )
    return wide(run_simulation(scenario, seed=seed))


def test_a_much_larger_malus_makes_the_operator_keep_staff_and_escalations_fall():
    """Issue 15, item 3: the operator sees the malus and acts on it, and households gain.

    Without a malus the margin-seeking operator cuts staff towards its floor; at €100,000
    an escalation (the target at 15 per 1,000 a year, below the ~19 this neighbourhood
    has on the calibrated defaults, the cap lifted so that a spared escalation is worth
    the malus) it keeps more staff and escalations fall. Before the forecast counted the
    head of the queue and aftercare, the same runs cut staff as far and escalations did
    not move.

    Paired seeds 1–4 (same streams): staffing must be higher in every seed, and the
    escalation difference below zero by a one-sided paired t-test at 5% (the claim is a
    direction; 3 df: t < −2.35). Measured on the calibrated defaults (this commit's
    parent's scenario with the step-3 capacities): −35, −65, −13 and −85 escalations over
    the four years, t ≈ −3.1; at €20,000 the same seeds give t ≈ −2.4, at the edge, so the
    malus is set higher.
    """
    staffing, escalations = [], []
    for seed in PAIRED_SEEDS:
        without, with_malus = malus_run(0.0, seed), malus_run(100_000.0, seed)
        staffing.append(
            with_malus["team_staffing_factor"].mean() - without["team_staffing_factor"].mean()
        )
        escalations.append(
            with_malus["escalations_total"].sum() - without["escalations_total"].sum()
        )
    assert min(staffing) > 0, staffing
    differences = np.array(escalations)
    standard_error = differences.std(ddof=1) / np.sqrt(differences.size)
    assert differences.mean() < -2.353 * standard_error, differences


def test_expected_settlement_is_the_capped_expectation():
    """E[clip(X)] of a normal X: the cap only where the noise reaches it."""
    assert expected_within(50.0, 0.0, -100.0, 100.0) == 50.0
    assert expected_within(500.0, 0.0, -100.0, 100.0) == 100.0
    assert expected_within(50.0, 1e-3, -100.0, 100.0) == pytest.approx(50.0)
    assert expected_within(0.0, 1e6, -100.0, 100.0) == pytest.approx(0.0, abs=1e-6)
    draws = np.random.default_rng(0).normal(80.0, 40.0, 400_000)
    simulated = np.clip(draws, -100.0, 100.0).mean()  # standard error ~0.05
    assert expected_within(80.0, 40.0, -100.0, 100.0) == pytest.approx(simulated, abs=0.3)


def test_settlement_forecast_is_the_settlement_before_its_cap_and_its_noise():
    results = PopulationResults(
        sample_households=400,
        bonus_per_point_eur=1_000.0,
        escalations_target_per_1000=20.0,
        malus_per_escalation_eur=100.0,
        max_share_of_lump_sum=1.0,
    )
    contract = FundingParams(population_results=results, settlement_weeks=52)
    mean, spread = settlement_forecast_eur(contract, 1000, 0.83, 25.0)
    assert mean == pytest.approx(settlement_eur(contract, 1e9, 1000, 1.0, 0.83, 25, 0.0))
    # Poisson count of 25 escalations; a sample of 400 of 1,000 without replacement.
    sample_variance = (100 * 1_000.0) ** 2 * 0.83 * 0.17 / 400 * 600 / 999
    assert spread == pytest.approx(np.sqrt(100.0**2 * 25 + sample_variance))
    unmeasured = contract.model_copy(
        update={"population_results": results.model_copy(update={"sample_households": 0})}
    )
    assert settlement_forecast_eur(unmeasured, 1000, None, 25.0)[1] == pytest.approx(500.0)


@pytest.mark.parametrize("factor", [1.0, 0.3])
def test_the_operator_can_move_hours_per_case_from_the_scenarios_own_value(factor):
    """The hours-per-case knob steps by a tenth of the scenario's value, within half to
    twice it. With absolute bounds of 0.5–2 around 1.0, the calibrated team's 0.31 left
    the operator no move at all: the per-hour tariff could not raise hours per case."""
    scenario = small(
        "funding_per_hour",
        households=300,
        years=1,
        **{"team.policy.hours_per_case_factor": factor, "funding.operator.adapts": True},
    )
    model = NeighbourhoodModel(scenario, seed=1)
    team = model.teams[0]
    current = team.settings()
    moves = sorted(
        c["hours_per_case_factor"]
        for c in model.operator._candidates(current, team)
        if c["hours_per_case_factor"] != current["hours_per_case_factor"]
    )
    assert moves == pytest.approx([factor * 0.9, factor * 1.1])
