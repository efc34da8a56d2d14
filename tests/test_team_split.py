"""Team splits (issue 6, ODD §7.6): FTE conserved, pooling, coordination, one lead worker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small
from test_invariants import check_invariants
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel
from wijksim.model.state.caseload import ACTIVE_ROLES, NO_TEAM

SPLITS = ("team_focus_life_phase", "team_front_back")

# Every mechanism of specialisation off: what is left of a split is its separate queues.
NEUTRAL = {
    "team.split.focus_competence_gain": 0.0,
    "team.split.outside_focus_competence_loss": 0.0,
    "team.split.focus_recognition_gain": 0.0,
    "team.split.focus_referral_lean_levels": 0,
    "team.split.coordination_hours_per_case_per_professional": 0.0,
    "team.split.co_working": False,
}


def by_children(share_with_children: float) -> dict:
    """Two focus teams on the children line, ``share_with_children`` of the FTE to one."""
    return {
        "team.split.configuration": "focus",
        "team.split.dividing_line": "children",
        "team.split.teams": [
            {"name": "with_children", "fte_share": share_with_children,
             "serves": ["with_children"]},
            {"name": "without_children", "fte_share": round(1 - share_with_children, 9),
             "serves": ["without_children"]},
        ],
    }  # fmt: skip


def mean_wait(model: NeighbourhoodModel, from_week: int) -> float:
    frame = pd.DataFrame(model.records).iloc[from_week:]
    return frame["team_intake_wait_weeks"].sum() / frame["team_admissions"].sum()


@pytest.mark.parametrize("name", SPLITS)
def test_total_fte_and_staff_cost_are_conserved(name):
    integral = NeighbourhoodModel(small("integral_team", households=500, years=1), seed=1)
    split = NeighbourhoodModel(small(name, households=500, years=1), seed=1)
    assert len(split.teams) >= 2 and len(integral.teams) == 1
    one = integral.teams[0]
    for attribute in ("frontline_fte", "caseload_limit"):
        total = sum(getattr(team, attribute) for team in split.teams)
        assert total == pytest.approx(getattr(one, attribute), rel=1e-9), attribute
    overhead = sum(team.params.overhead_fte for team in split.teams)
    assert overhead == pytest.approx(one.params.overhead_fte, rel=1e-9)
    # Staff costs in cents are rounded per team: at most a cent a team apart.
    cost = sum(team.weekly_cost_cents for team in split.teams)
    assert abs(cost - one.weekly_cost_cents) <= len(split.teams)


def test_integral_configuration_is_the_single_team():
    plain = NeighbourhoodModel(small("integral_team", households=800, years=1), seed=4)
    declared = small(
        "integral_team", households=800, years=1, **{"team.split.configuration": "integral"}
    )
    same = NeighbourhoodModel(declared, seed=4)
    plain.run(52)
    same.run(52)
    assert same.team_router is None
    assert pd.DataFrame(plain.records).equals(pd.DataFrame(same.records))


def test_pooling_integral_never_waits_longer_than_separate_queues():
    # Directional over paired seeds: with equal competence, no coordination and no
    # second workers, a split differs from the integral team only in its separate
    # queues, and pooled capacity serves a queue at least as fast (a household never
    # waits for one team while the other has room). Two divisions of the FTE: one close
    # to the segments' demand (a third of households have children), one that is not.
    # A team with capacity to spare at times (queues come and go, idle hours occur),
    # where pooling matters; in a team that is always full both are saturated and the
    # mean wait reflects which cases get in (ODD §7.6). With the fitted team
    # (docs/calibration.md) that is the shipped 8 FTE per 6,000 households, here 4 FTE
    # for 3,000: integral waits of 1.4–9 weeks on seeds 1–4; at 12 FTE nobody waits and
    # the test could not fail, at 3 FTE the team is full. Tolerance per seed: 0.5 week
    # (different admissions make the neighbourhoods drift apart); measured differences
    # +0.1 to +5.1 weeks at the matched share, +3.2 to +8.1 at half; the mean over seeds
    # must favour the integral team.
    base = {**NEUTRAL, "team.frontline_fte": 4.0}
    seeds = (1, 2, 3, 4)
    integral = {}
    for seed in seeds:
        model = NeighbourhoodModel(small("integral_team", 3000, 4, **base), seed=seed)
        model.run(4 * 52)
        integral[seed] = mean_wait(model, 52)
        assert sum(r["team_idle_hours"] for r in model.records) > 0  # not saturated
    for share in (0.3, 0.5):
        differences = []
        for seed in seeds:
            scenario = small("integral_team", 3000, 4, **base, **by_children(share))
            model = NeighbourhoodModel(scenario, seed=seed)
            model.run(4 * 52)
            difference = mean_wait(model, 52) - integral[seed]
            assert difference > -0.5, (share, seed, difference)
            differences.append(difference)
        assert np.mean(differences) > 0, (share, differences)


def test_first_fit_admits_what_fits_strict_order_stops_at_the_first_misfit():
    scenario = small("integral_team", households=300, years=1)
    strict = NeighbourhoodModel(scenario, seed=1).teams[0]
    first_fit = NeighbourhoodModel(
        with_overrides(scenario, {"team.intake_order": "first_fit"}), seed=1
    ).teams[0]
    weights = np.array([1.0, 5.0, 1.0, 2.0, 1.0])
    assert strict._admissible(weights, 3.0).tolist() == [True, False, False, False, False]
    assert first_fit._admissible(weights, 3.0).tolist() == [True, False, True, False, True]
    assert first_fit._admissible(weights, 100.0).all()


def test_coordination_hours_zero_for_integral_positive_for_focus_teams():
    integral = NeighbourhoodModel(small("integral_team", households=2000, years=3), seed=2)
    focus = NeighbourhoodModel(small("team_focus_life_phase", households=2000, years=3), seed=2)
    integral.run(3 * 52)
    focus.run(3 * 52)
    coordination = pd.DataFrame(integral.records)["team_hours_coordination"]
    assert (coordination == 0).all()
    records = pd.DataFrame(focus.records)
    # Households needing two focus teams occur, get a second worker, and cost
    # coordination time: ½ hour for each of the two professionals when the second
    # worker joins (per intervention, docs/sources.md §2), and nothing recurring by default.
    joined = records["team_second_workers"].sum()
    assert joined > 0
    assert records["households_two_team_workers"].max() > 0
    assert records["team_hours_coordination"].sum() == pytest.approx(2 * 0.5 * joined)
    # Recurring coordination, when a scenario sets it, adds hours every week.
    weekly = small(
        "team_focus_life_phase", households=2000, years=3,
        **{"team.split.coordination_hours_per_professional_week": 0.5},
    )  # fmt: skip
    recurring = NeighbourhoodModel(weekly, seed=2)
    recurring.run(3 * 52)
    more = pd.DataFrame(recurring.records)["team_hours_coordination"].sum()
    assert more > records["team_hours_coordination"].sum()


def test_every_household_has_one_lead_worker_at_a_time():
    # A strained neighbourhood and small focus teams, so that queues, second workers,
    # referrals and closures all happen; the invariants of the single team hold per
    # team, and the second worker is always another team's, on a case being worked.
    scenario = small(
        "team_focus_life_phase",
        households=2000,
        years=3,
        **{"hazards.drift_scale": 3.5, "team.split.offload_between_teams_share": 0.5},
    )
    model = NeighbourhoodModel(scenario, seed=7)
    cases = model.cases
    seen_second = 0
    for _ in range(3 * 52):
        model.step()
        check_invariants(model)
        second = cases.co_team != NO_TEAM
        seen_second = max(seen_second, int(second.sum()))
        assert (cases.team[second] != cases.co_team[second]).all()
        assert (cases.team[second] >= 0).all()
        assert np.isin(cases.role[second], [int(r) for r in ACTIVE_ROLES]).all()
        assert (cases.co_weight[~second] == 0).all()
        assert (cases.coordination_hours[~second] == 0).all()
    assert seen_second > 0
    assert sum(r["team_offloads_between_teams"] for r in model.records) > 0


def test_front_team_forwards_complex_households_to_the_backing_team():
    model = NeighbourhoodModel(small("team_front_back", households=2000, years=3), seed=3)
    model.run(3 * 52)
    records = pd.DataFrame(model.records)
    forwarded = records["team_forwarded_to_backing"].sum()
    assert forwarded > 0
    # Nobody applies to the backing team directly: everything it admits came from
    # the front team (or back to it from a specialist or its own aftercare).
    assert records["team_applications__backing"].sum() == 0
    assert records["team_admissions__backing"].sum() > 0
    assert records["team_applications__front"].sum() > 0


def test_focus_team_refers_sooner_in_its_focus_domains():
    # Matched care: the same split with and without faster recognition and earlier
    # referral in the focus domains; paired seeds, summed over seeds.
    def delay_per_referral(**overrides) -> float:
        delays = referrals = 0.0
        for seed in (1, 2, 3):
            scenario = small("team_focus_life_phase", 3000, 3, **overrides)
            model = NeighbourhoodModel(scenario, seed=seed)
            model.run(3 * 52)
            records = pd.DataFrame(model.records)
            delays += records["team_referral_delay_weeks"].sum()
            referrals += (
                records["referrals_consult"] + records["referrals_handover"]
                - records["referrals_at_intake"]
            ).sum()  # fmt: skip
        return delays / referrals

    without = delay_per_referral(
        **{"team.split.focus_recognition_gain": 0.0, "team.split.focus_referral_lean_levels": 0}
    )
    with_matched_care = delay_per_referral()
    assert with_matched_care < without


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"team.split.teams": [
                {"name": "with_children", "fte_share": 0.5, "serves": ["with_children"]},
                {"name": "without_children", "fte_share": 0.6, "serves": ["without_children"]},
            ]},
            "expected fte_share summing to 1",
        ),
        (
            {"team.split.teams": [
                {"name": "a", "fte_share": 0.5, "serves": ["with_children"]},
                {"name": "b", "fte_share": 0.5, "serves": ["youth"]},
            ]},
            "expected segments of 'children'",
        ),
        (
            {"team.split.teams": [
                {"name": "a", "fte_share": 0.5, "serves": ["with_children"]},
                {"name": "b", "fte_share": 0.5, "serves": ["with_children"]},
            ]},
            "served by exactly one team",
        ),
    ],
)  # fmt: skip
def test_a_bad_split_is_refused_with_the_field_named(overrides, message):
    base = with_overrides(load_scenario("integral_team").scenario, by_children(0.5))
    with pytest.raises(ScenarioError) as caught:
        with_overrides(base, overrides)
    assert message in str(caught.value)
    assert "team.split.teams" in str(caught.value)


@pytest.mark.parametrize("name", ["integral_team", "team_focus_life_phase"])
def test_own_strength_fades_once_a_week_whatever_the_number_of_teams(name):
    # Own strength fading back is a household process: for households no team holds,
    # the gap to their own level shrinks by the same share a week under one team or a
    # split into three (it faded once per team, three times as fast, before).
    scenario = small(name, households=1500, years=2, **{"team.policy.aftercare_weeks": 0})
    if name != "integral_team":
        scenario = with_overrides(scenario, NEUTRAL)
    model = NeighbourhoodModel(scenario, seed=4)
    model.run(60)
    population, cases = model.population, model.cases
    fade = scenario.team.empowerment_fade_per_week
    checked = 0
    for _ in range(10):
        gap = population.own_strength - population.own_strength_baseline
        unheld = cases.team == NO_TEAM
        model.step()
        after = population.own_strength - population.own_strength_baseline
        rows = np.flatnonzero(unheld & (cases.team == NO_TEAM) & (gap > 1e-3))
        np.testing.assert_allclose(after[rows], gap[rows] * (1 - fade), rtol=1e-3, atol=1e-6)
        checked += rows.size
    assert checked > 100
