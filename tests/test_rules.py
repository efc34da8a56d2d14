"""Unit tests of single rules on hand-made states."""

from __future__ import annotations

import numpy as np
from conftest import small
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from wijksim.model.config.classification import BUILTIN_SCHEMES, NeedClassifier
from wijksim.model.core.domains import DOMAIN_INDEX, N_DOMAINS
from wijksim.model.model import NeighbourhoodModel
from wijksim.model.state.status import Status

THREE = NeedClassifier(BUILTIN_SCHEMES["three_groups"])
FOUR = NeedClassifier(BUILTIN_SCHEMES["eindhoven_four"])


def levels(*rows):
    return np.array(rows, dtype=np.int8)


def test_three_groups_by_hand():
    zrm = levels(
        [5] * 11,  # self-reliant
        [3, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5],  # two limited domains: still self-reliant
        [2, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5],  # one domain not self-reliant: basic
        [3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5],  # three limited: basic
        [2, 2, 2, 5, 5, 5, 5, 5, 5, 5, 5],  # three not self-reliant: complex
        [1, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5],  # two acute: complex
    )
    assert THREE.classify(zrm).tolist() == [0, 0, 1, 1, 2, 2]


def test_eindhoven_four_by_hand():
    zrm = levels([5] * 11, [3, *[5] * 10], [2, *[5] * 10], [2, 2, 2, 2, *[5] * 7])
    assert FOUR.classify(zrm).tolist() == [0, 1, 2, 3]


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.int8, (N_DOMAINS,), elements=st.integers(1, 5)),
    st.integers(0, N_DOMAINS - 1),
)
def test_worse_levels_never_give_a_milder_group(row, domain):
    worse = row.copy()
    worse[domain] = max(1, worse[domain] - 1)
    for classifier in (THREE, FOUR):
        before, after = classifier.classify(np.stack([row, worse]))
        assert after >= before


def _model(**overrides):
    return NeighbourhoodModel(small(households=400, years=1, **overrides), seed=2)


def test_drift_and_recovery_stay_within_levels():
    model = _model(**{"hazards.drift_scale": 50.0})
    model.population.zrm[:] = 1
    model.rule("drift").step(model)
    assert model.population.zrm.min() == 1
    model.population.zrm[:] = 5
    model.rule("recovery").step(model)
    assert model.population.zrm.max() == 5


def test_drift_worsens_and_recovery_improves():
    model = _model()
    model.population.zrm[:] = 3
    for _ in range(10):
        model.rule("drift").step(model)
    assert model.population.zrm.mean() < 3
    model.population.zrm[:] = 3
    for _ in range(10):
        model.rule("recovery").step(model)
    assert model.population.zrm.mean() > 3


def test_help_seeking_respects_the_threshold():
    model = _model(**{"access.ask_per_week": 1.0})
    model.population.zrm[:] = 5
    model.population.zrm[:50, 0] = 3  # above the old system's threshold (level 2)
    model.population.zrm[50:100, 0] = 2
    model.rule("help_seeking").step(model)
    known = model.population.status == Status.KNOWN
    assert not known[:50].any()
    assert known[50:100].all()
    assert not known[100:].any()


def test_desk_indicates_the_worst_treatable_domain():
    model = _model(**{"access.assessment_weeks": 0})
    model.population.zrm[:] = 5
    model.population.zrm[0, DOMAIN_INDEX["finances"]] = 2
    model.population.zrm[0, DOMAIN_INDEX["mental_health"]] = 1
    model.population.zrm[1, DOMAIN_INDEX["social_network"]] = 1  # no specialist treats it
    model.desk.apply(np.array([0, 1]), week=0, route="asked")
    model.desk.assess(week=0)
    mental_health = next(s for s in model.specialists if s.kind == "mental_health")
    assert [row for row, _ in mental_health.waiting] == [0]
    assert model.population.status[0] == Status.WAITING
    assert model.population.status[1] == Status.UNKNOWN


def test_escalation_needs_an_untreated_acute_domain():
    model = _model(**{"escalations.acute_admission.hazard_per_week": 1.0})
    population = model.population
    population.zrm[:] = 5
    mh = DOMAIN_INDEX["mental_health"]
    population.zrm[0:2, mh] = 1
    treating = next(s for s in model.specialists if s.kind == "mental_health")
    treating.clients[1] = 100  # household 1 is treated for exactly that domain
    population.provider[1] = treating.index
    population.status[1] = Status.IN_SPECIALIST_CARE
    treating.treat()  # this week's care protects the treated domain
    model.rule("escalation").step(model)
    assert population.status[0] == Status.ESCALATED
    assert population.status[1] == Status.IN_SPECIALIST_CARE
    assert population.escalations.tolist()[:3] == [1, 0, 0]
    assert model.ledger.step_total_cents(model.week, stream="escalation") == 12_000 * 100


def test_escalating_a_batch_books_each_household_as_one_at_a_time_would():
    params = small(households=300, years=1)
    batch, single = NeighbourhoodModel(params, seed=2), NeighbourhoodModel(params, seed=2)
    kind_name, kind = next(iter(params.escalations.items()))
    rows = np.array([3, 17, 250])
    for model in (batch, single):
        model.crisis_care.enlist(np.array([17]), week=model.week)  # one of them was waiting
    batch.escalate(rows, kind_name, kind)
    for row in rows.tolist():
        single.escalate(row, kind_name, kind)  # one row at a time, as an int
    for model in (batch, single):
        assert (model.population.status[rows] == Status.ESCALATED).all()
        assert (model.population.escalations[rows] == 1).all()
        assert 17 not in [entry[0] for entry in model.crisis_care.waiting]
        assert sorted(model.crisis_care.clients) == rows.tolist()
    booked, booked_one_by_one = batch.ledger.to_frame(), single.ledger.to_frame()
    assert len(booked) == 3
    assert booked.equals(booked_one_by_one)


def test_crisis_care_stabilises_the_escalations_own_domains_and_leaves_its_marks():
    model = _model()
    population = model.population
    row = 7
    population.zrm[row] = 3
    population.zrm[row, DOMAIN_INDEX["housing"]] = 1
    population.zrm[row, DOMAIN_INDEX["mental_health"]] = 1
    kind = model.params.escalations["eviction"]
    model.escalate(row, "eviction", kind)
    # An eviction leaves debts and loosens ties beyond the crisis.
    assert population.zrm[row, DOMAIN_INDEX["finances"]] == 3 - kind.marks["finances"]
    assert population.zrm[row, DOMAIN_INDEX["social_network"]] == 2
    crisis = model.crisis_care
    crisis.discharge_due(model.week + kind.crisis_weeks)
    # Crisis care rehouses (housing and finances at least 2) but heals nothing else.
    assert population.zrm[row, DOMAIN_INDEX["housing"]] == 2
    assert population.zrm[row, DOMAIN_INDEX["finances"]] == 2
    assert population.zrm[row, DOMAIN_INDEX["mental_health"]] == 1
    assert population.zrm[row, DOMAIN_INDEX["social_network"]] == 2
