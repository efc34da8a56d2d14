"""Invariants that must hold after every step of a run."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small
from wijksim.model.config.scenario import PAYERS, STREAMS
from wijksim.model.model import NeighbourhoodModel, UnknownRuleError
from wijksim.model.rules.schedule import DEFAULT_SCHEDULE
from wijksim.model.state.caseload import CaseRole
from wijksim.model.state.ledger import household_ledger_id
from wijksim.model.state.status import Status


def check_invariants(model: NeighbourhoodModel) -> None:
    population = model.population
    # ZRM levels stay in 1..5.
    assert population.zrm.min() >= 1 and population.zrm.max() <= 5
    # Every household holds exactly one valid status.
    assert np.isin(population.status, [s.value for s in Status]).all()
    # A waiting household is on exactly one waiting list, a household in care or in
    # crisis with exactly one provider; no other household is held by anybody.
    holders = np.zeros(population.size, dtype=int)
    waiting = np.zeros(population.size, dtype=int)
    for specialist in model.specialists:
        rows_waiting = [row for row, _ in specialist.waiting]
        np.add.at(waiting, rows_waiting, 1)
        np.add.at(holders, list(specialist.clients), 1)
        assert len(specialist.clients) <= specialist.capacity or specialist.params.forced_admission
        assert (population.provider[rows_waiting] == specialist.index).all()
        assert (population.provider[list(specialist.clients)] == specialist.index).all()
    status = population.status
    assert (waiting[status == Status.WAITING] == 1).all()
    assert (waiting[status != Status.WAITING] == 0).all()
    in_care = (status == Status.IN_SPECIALIST_CARE) | (status == Status.ESCALATED)
    assert (holders[in_care] == 1).all()
    assert (holders[~in_care] == 0).all()
    assert ((population.provider >= 0) == (in_care | (status == Status.WAITING))).all()
    # Known households are exactly those with a pending application at the desk.
    known = np.flatnonzero(status == Status.KNOWN)
    assert sorted(known.tolist()) == sorted(model.desk.applications)
    check_team_cases(model)
    # Ledger reconciles exactly with what each agent booked for itself, and with the
    # costs attributed to households.
    by_agent = model.ledger.cents_by_agent()
    payers = [*model.specialists, model.desk, model.municipality, *model.teams]
    for agent in payers:
        assert by_agent.get(agent.ledger_id, 0) == agent.billed_cents
    household_ids = {household_ledger_id(row) for row in range(population.size)}
    escalation_cents = sum(c for a, c in by_agent.items() if a in household_ids)
    specialist_cents = sum(s.billed_cents for s in model.specialists)
    assert escalation_cents + specialist_cents == int(population.cost_cents.sum())
    assert model.ledger.total_cents() == sum(by_agent.values())


def check_team_cases(model: NeighbourhoodModel) -> None:
    """A team's roles agree with the households' statuses; caseloads stay in limits."""
    cases, status = model.cases, model.population.status
    held = cases.team >= 0
    role = cases.role
    expected_status = {
        CaseRole.QUEUED: [Status.INTAKE],
        CaseRole.LEAD: [Status.TEAM_SUPPORT],
        CaseRole.AFTERCARE: [Status.AFTERCARE],
        # Referred: at exactly one specialist, waiting or in care (checked above).
        CaseRole.CONSULT: [Status.WAITING, Status.IN_SPECIALIST_CARE],
        CaseRole.HANDED_OVER: [Status.WAITING, Status.IN_SPECIALIST_CARE],
    }
    for case_role, statuses in expected_status.items():
        rows = held & (role == case_role)
        assert np.isin(status[rows], [int(s) for s in statuses]).all(), case_role
    assert (role[~held] == CaseRole.NONE).all()
    team_statuses = [Status.INTAKE, Status.TEAM_SUPPORT, Status.AFTERCARE]
    assert held[np.isin(status, [int(s) for s in team_statuses])].all()
    # Only working cases and aftercare take caseload units.
    assert (
        cases.weight[~np.isin(role, [CaseRole.LEAD, CaseRole.CONSULT, CaseRole.AFTERCARE])] == 0
    ).all()
    for team in model.teams:
        assert team.caseload_units() <= team.caseload_limit + 1e-3


def test_invariants_hold_every_step():
    # A strained neighbourhood so that waiting lists, crises and escalations all occur.
    scenario = small(households=1500, years=3, **{"hazards.drift_scale": 5.0})
    model = NeighbourhoodModel(scenario, seed=3)
    seen_statuses = set()
    for _ in range(scenario.years * 52):
        model.step()
        check_invariants(model)
        seen_statuses.update(np.unique(model.population.status).tolist())
    # The run exercised every status of the old system, so the checks were not vacuous.
    assert seen_statuses == {s.value for s in Status if s <= Status.ESCALATED}
    assert sum(r["escalations_total"] for r in model.records) > 0


def test_step_metrics_add_up():
    model = NeighbourhoodModel(small(), seed=1)
    model.run(52)
    for record in model.records:
        groups = [k for k in record if k.startswith("share_")]
        assert abs(sum(record[k] for k in groups) - 1.0) < 1e-9
        statuses = sum(v for k, v in record.items() if k.startswith("status_"))
        assert statuses == model.population.size
        total = record["cost_total_eur"]
        streams = sum(record[f"cost_{s}_eur"] for s in STREAMS)
        payers = sum(record[f"cost_paid_by_{p}_eur"] for p in PAYERS)
        assert abs(streams - total) < 1e-6
        assert abs(payers - total) < 1e-6
        for stream in STREAMS:  # the stream × payer table adds up both ways
            by_payer = sum(record[f"cost_{stream}_paid_by_{p}_eur"] for p in PAYERS)
            assert abs(by_payer - record[f"cost_{stream}_eur"]) < 1e-6
        for payer in PAYERS:
            by_stream = sum(record[f"cost_{s}_paid_by_{payer}_eur"] for s in STREAMS)
            assert abs(by_stream - record[f"cost_paid_by_{payer}_eur"]) < 1e-6


def test_invariants_hold_with_an_adapting_operator():
    # A margin-seeking operator under a function budget sheds staff (see
    # test_funding.py); the caseload must stay within the limit of the staff that remain.
    scenario = small(
        "funding_function_budget",
        households=3000,
        years=3,
        **{"funding.operator.adapts": True, "funding.operator.ethos": 0.0},
    )
    model = NeighbourhoodModel(scenario, seed=2)
    for _ in range(scenario.years * 52):
        model.step()
        check_invariants(model)
    fte = [record["team_frontline_fte"] for record in model.records]
    assert min(fte) < scenario.team.frontline_fte  # the operator did cut staff


def test_the_order_of_care_rules_does_not_lose_their_effect():
    # Per-week arrays are reset once, at the start of the week: a schedule that runs
    # team_support before specialist_care keeps the team's escalation protection.
    scenario = small("integral_team", households=1500, years=1)
    schedule = list(DEFAULT_SCHEDULE)
    schedule.remove("team_support")
    schedule.insert(schedule.index("specialist_care"), "team_support")
    model = NeighbourhoodModel(scenario.model_copy(update={"schedule": schedule}), seed=1)
    model.run(20)
    # Cases opened before this week (intake now comes after support).
    cases = model.cases
    active = np.flatnonzero((cases.role == CaseRole.LEAD) & (cases.opened_week < model.week))
    assert active.size > 0
    # Support protects the problem domains a case is worked on (nearly every case has one).
    protected = (model.population.care_protection[active] > 0).any(axis=1)
    assert protected.mean() > 0.9


def test_asking_for_a_rule_that_is_not_scheduled_is_a_clear_error():
    model = NeighbourhoodModel(small(households=200, years=1), seed=1)
    with pytest.raises(UnknownRuleError, match="'no_such_rule' is not in this model's schedule"):
        model.rule("no_such_rule")


def test_every_provider_bills_price_times_client_weeks():
    # The ledger against the world: a week's price for every household a provider holds
    # as the week begins, counted here from the providers' clients, not from their bills.
    # Crisis care gets a price so that its billing is exercised too.
    scenario = small(
        households=1500,
        years=2,
        **{"hazards.drift_scale": 5.0, "specialists.crisis_care.price_per_week_eur": 2000.0},
    )
    model = NeighbourhoodModel(scenario, seed=3)
    client_weeks = {s.kind: 0 for s in model.specialists}
    for _ in range(scenario.years * 52):
        for specialist in model.specialists:
            client_weeks[specialist.kind] += len(specialist.clients)
        model.step()
    by_agent = model.ledger.cents_by_agent()
    for specialist in model.specialists:
        expected = specialist.price_cents * client_weeks[specialist.kind]
        assert by_agent.get(specialist.ledger_id, 0) == expected, specialist.kind
    assert client_weeks["crisis_care"] > 0
