"""Specialist access options A–E, specialists' longer stays, and seconded staff."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import small
from wijksim.experiments.runner.run import run_simulation
from wijksim.model.contracts.access import ReferralAccess
from wijksim.model.contracts.funding import SpecialistAccess
from wijksim.model.model import WEEKS_PER_YEAR


def run(name: str = "funding_function_budget", seed: int = 1, years: int = 2, **overrides):
    return run_simulation(small(name, households=2000, years=years, **overrides), seed=seed)


def wide(result) -> pd.DataFrame:
    return result.steps.pivot(index="step", columns="metric", values="value")


def team_referrals(table: pd.DataFrame) -> pd.Series:
    return table["referrals_consult"] + table["referrals_handover"]


def test_option_a_quota_caps_each_years_referrals():
    free = wide(run())
    capped = wide(run(**{"funding.specialist_access.quota_per_1000_year": 5.0}))
    years = (capped.index - 1) // WEEKS_PER_YEAR
    assert (team_referrals(capped).groupby(years).sum() <= 5.0 * 2).all()  # 2,000 households
    assert capped["referrals_blocked"].sum() > 0
    assert team_referrals(free).sum() > team_referrals(capped).sum()


def access_at(rules: SpecialistAccess, week: int) -> ReferralAccess:
    """The access rules alone, on a stand-in for the model's clock and counters."""
    model = SimpleNamespace(
        population=SimpleNamespace(size=1000),
        week=week,
        year=(week - 1) // WEEKS_PER_YEAR + 1,
        counters={"referrals_blocked": 0, "access_interventions": 0},
    )
    return ReferralAccess(model, rules)


def test_option_b_releases_the_rest_of_the_quota_during_the_year():
    rules = SpecialistAccess(quota_per_1000_year=52.0, quota_released_at_start=0.6)
    assert access_at(rules, 1).available() == pytest.approx(52 * (0.6 + 0.4 / 52))
    assert access_at(rules, 26).available() == pytest.approx(52 * (0.6 + 0.4 * 26 / 52))
    assert access_at(rules, 52).available() == pytest.approx(52.0)


def test_option_c_municipality_intervenes_once_referrals_run_high():
    access = access_at(SpecialistAccess(intervention_per_1000_year=52.0), week=10)
    rows = np.arange(20)
    granted = access.grant(rows[:5], np.full(5, 2), at_intake=False)
    assert granted.all()  # 5 ≤ 10 weeks × 1 a week
    access.grant(rows[5:12], np.full(7, 2), at_intake=False)  # 12 > 10: intervention
    assert access.intervening
    granted = access.grant(rows[12:], np.array([1, 2, 1, 2, 1, 2, 1, 2]), at_intake=False)
    assert granted.tolist() == [True, False] * 4  # only acute (ZRM 1) needs
    assert not access.grant(rows[:1], np.array([1]), at_intake=True).any()


def test_option_d_charges_the_operator_a_share_of_the_price():
    """With the policy fixed, the same referrals: half the share, half the charge."""
    full = run(**{"funding.specialist_access.charge_share": 1.0})
    half = run(**{"funding.specialist_access.charge_share": 0.5})
    charged_full = wide(full)["operator_specialist_charge_eur"].sum()
    charged_half = wide(half)["operator_specialist_charge_eur"].sum()
    assert charged_full > 0
    assert charged_half == pytest.approx(charged_full / 2, rel=1e-3)
    # Deducted from its payments: the ledger still equals what the operator received.
    ledger = full.ledger
    paid = ledger.loc[ledger["agent_kind"] == "team_operator", "amount_cents"].sum()
    assert full.model.operator.revenue_cents == paid
    untouched = run()
    assert full.model.operator.revenue_cents < untouched.model.operator.revenue_cents


def test_option_e_price_rises_with_the_years_referrals():
    flat = wide(run(**{"funding.specialist_access.charge_share": 1.0}))
    rising = wide(
        run(
            **{
                "funding.specialist_access.charge_share": 1.0,
                "funding.specialist_access.charge_rise_per_100_referrals": 0.5,
            }
        )
    )
    pd.testing.assert_series_equal(team_referrals(flat), team_referrals(rising))
    assert (
        rising["operator_specialist_charge_eur"].sum()
        > flat["operator_specialist_charge_eur"].sum()
    )


def test_specialists_paid_per_week_keep_clients_longer_unless_they_share_savings():
    keep = {f"specialists.{k}.extend_probability": 1.0 for k in ("mental_health", "youth_care")}
    base = wide(run())
    longer = wide(run(**keep))
    sharing = wide(run(**keep, **{"funding.shared_savings.specialist_share": 1.0}))
    assert base["specialist_extensions"].sum() == 0
    assert longer["specialist_extensions"].sum() > 0
    assert longer["cost_specialist_eur"].sum() > base["cost_specialist_eur"].sum()
    assert sharing["specialist_extensions"].sum() == 0


def test_seconded_staff_refer_more_and_cost_more_specialist_care():
    """CPB 2019 (docs/sources.md §2): teams with seconded care staff had higher Wmo costs."""
    employed = wide(run("integral_team", years=3))
    seconded = wide(run("integral_team", years=3, **{"team.seconded_share": 1.0}))
    assert team_referrals(seconded).sum() > 1.2 * team_referrals(employed).sum()
    assert seconded["cost_specialist_eur"].sum() > employed["cost_specialist_eur"].sum()
