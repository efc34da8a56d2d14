"""Per-week metrics as pure functions of the model state (ODD element 7, observation).

:func:`collect` gathers one flat dict per week; :func:`to_long` turns the records into
the tidy per-step table (``step, year, metric, value``), whose columns do not depend on
the scenario.

Why one module: every weekly metric is collected, described and declared with its kind
here, in the order of the records; a metric added elsewhere would drift from its
description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from wijksim.model.config.scenario import PAYERS, STREAMS
from wijksim.model.core.domains import DOMAINS
from wijksim.model.observation.counters import Metric, MetricKind, declare, is_declared, kind_of
from wijksim.model.observation.outcomes import OUTCOME_FLOWS
from wijksim.model.state.caseload import ACTIVE_ROLES, CaseRole
from wijksim.model.state.status import STATUS_NAMES, Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel

ROUTES: tuple[str, ...] = (
    "asked",
    "signalled_neighbour",
    "signalled_professional",
    "outreach",
    "crisis",
    "desk_transfer",
)
"""How households reach an access point (docs/sources.md §2: asking, signals, outreach)."""


def group_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Share and count of households in each need group."""
    counts = np.bincount(model.population.need_group, minlength=len(model.classifier.names))
    n = model.population.size
    out: dict[str, float] = {}
    for name, count in zip(model.classifier.names, counts, strict=True):
        out[f"share_{name}"] = count / n
        out[f"households_{name}"] = float(count)
    return out


def need_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Known and unknown need, statuses, and mean ZRM level per domain."""
    population = model.population
    in_need = population.need_group > 0
    known = population.status != Status.UNKNOWN
    out = {
        "households_in_need": float(in_need.sum()),
        "known_need": float((in_need & known).sum()),
        "unknown_need": float((in_need & ~known).sum()),
        "mean_network_help": float(population.network_help.mean()),
        "mean_isolation": float(population.isolation.mean()),
    }
    statuses = np.bincount(population.status, minlength=len(Status))
    out.update({f"status_{name}": float(c) for name, c in zip(STATUS_NAMES, statuses, strict=True)})
    # Whole-number sums, then one division: the same as ``mean`` without a float copy.
    means = population.zrm.sum(axis=0, dtype=np.int64) / population.size
    out.update({f"zrm_mean_{d}": float(m) for d, m in zip(DOMAINS, means, strict=True)})
    return out


FLOW_COUNTERS: tuple[str, ...] = (
    *(f"found_{route}" for route in ROUTES),
    "referrals_consult",
    "referrals_handover",
    "desk_not_indicated",
    "closures",
    "relapses",
    "team_admissions",
    "team_admissions_complex",
    "team_intake_wait_weeks",
    "team_intake_no_case",
    "team_advised",
    "team_hours_intake",
    "team_closures",
    "team_closures_self_reliant",
    "team_reopened",
    "team_handed_back",
    "team_cases_escalated",
    "team_referral_delay_weeks",
    "team_wasted_hours",
    "team_hours_casework",
    "team_supported_first_in_year",
    "team_supported_first_ever",
    "team_hours_outreach",
    "team_hours_collective",
    "funding_results",
    "operator_revenue_eur",
    "operator_staff_cost_eur",
    "operator_specialist_charge_eur",
    "operator_clawback_eur",
    "intake_complex_assessed",
    "intake_complex_offloaded",
    "referrals_at_intake",
    "referrals_blocked",
    "access_interventions",
    "specialist_extensions",
    "team_idle_hours",
    "team_hours_coordination",
    "team_hours_second_worker",
    "team_second_workers",
    "team_second_worker_no_room",
    "team_forwarded_to_backing",
    "team_offloads_between_teams",
)
"""Counts of this week's events, always recorded (0 when nothing happened) so that the
per-step table has the same metrics whatever the scenario. Sums of waits, delays and
hours are recorded as sums: divide by the matching count over any period for a mean."""


PER_TEAM_FLOWS: tuple[str, ...] = (
    "team_applications",
    "team_admissions",
    "team_intake_wait_weeks",
    "team_idle_hours",
)
"""Flow counters also recorded per team of a split (``team_admissions__youth``)."""


def flow_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """This week's event counts (:data:`FLOW_COUNTERS` and any others a rule counted)."""
    out = {name: 0.0 for name in FLOW_COUNTERS}
    for specialist in model.specialists:
        out[f"referrals_{specialist.kind}"] = 0.0
        out[f"left_waiting_list_{specialist.kind}"] = 0.0
    if model.team_router is not None:
        for team in model.teams:
            out.update({team.metric(name): 0.0 for name in PER_TEAM_FLOWS})
    # A city's per-neighbourhood counts (``team_admissions@west``) go to its own records.
    undeclared = [name for name in model.counters if "@" not in name and not is_declared(name)]
    if undeclared:
        raise UndeclaredMetricError(
            f"counted {undeclared} but no rule declares them: add "
            "Metric(name, 'flow') to the counting rule's metrics (docs/extending.md)"
        )
    out.update({name: float(n) for name, n in model.counters.items() if "@" not in name})
    return out


class UndeclaredMetricError(ValueError):
    """A rule counted a metric that nobody declared, so reports could not add it up."""


def team_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Caseload, queue, aftercare, several workers, network and support shares.

    Summed over all teams (zero without a team).
    """
    cases = model.cases
    # On the rows a team holds only (a team holds few of all households).
    held = np.flatnonzero(cases.team >= 0)
    role = cases.role[held]
    per_role = np.bincount(role, minlength=len(CaseRole))
    working = np.isin(role, [int(r) for r in ACTIVE_ROLES])
    second = working & (cases.co_team[held] >= 0)
    several = (role == CaseRole.CONSULT) | second
    out = {
        "team_caseload_households": float(working.sum()),
        "team_caseload_units": float(cases.weight[held].sum()),
        "team_caseload_limit_units": float(sum(t.caseload_limit for t in model.teams if t.is_open)),
        "team_intake_queue": float(per_role[CaseRole.QUEUED]),
        "team_aftercare": float(per_role[CaseRole.AFTERCARE]),
        "team_handed_over": float(per_role[CaseRole.HANDED_OVER]),
        # One household, one worker: a consulted household has a team worker and a
        # specialist's worker at once; in a split, a second team's worker may join.
        "households_multiple_workers": float(several.sum()),
        "share_supported_multiple_workers": float(several.sum() / max(working.sum(), 1)),
        "households_two_team_workers": float(second.sum()),
        "network_capacity_factor": model.network_capacity_factor,
    }
    out["team_self_network_share_of_support"] = _self_network_share(model, held[working])
    # The first team's staffing and policy, as its operator set them (0 without a team).
    settings = model.teams[0].settings() if model.teams else {}
    for name in model.knob_names:  # the operator's one list (agents/operator/knobs.py)
        out[f"team_{name}"] = float(settings.get(name, 0.0))
    out["team_frontline_fte"] = float(sum(t.frontline_fte for t in model.teams))
    if model.team_router is not None:  # per team of a split: queue, caseload, staff
        for team in model.teams:
            mine = cases.team[held] == team.index
            out[team.metric("team_intake_queue")] = float((mine & (role == CaseRole.QUEUED)).sum())
            out[team.metric("team_caseload_households")] = float((mine & working).sum())
            out[team.metric("team_frontline_fte")] = float(team.frontline_fte)
    return out


def _self_network_share(model: NeighbourhoodModel, working: np.ndarray) -> float:
    """Share of the support of working cases that households and networks carry.

    The mean of the cases' ``substitution``, weighted by their plan hours; NaN without
    cases. docs/sources.md §1 (NHL study): ~10% in a team's first years, ~50% later. The model
    does not set this share: it follows from the clients' own strength and the informal
    help they receive, which support and collective work raise.
    """
    plan = model.cases.plan_hours[working]  # ``working``: the rows of the working cases
    if plan.sum() <= 0:
        return float("nan")
    return float(np.average(model.cases.substitution[working], weights=plan))


def care_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Waiting lists, clients, admissions and waits per specialist."""
    out: dict[str, float] = {}
    desk = model.desk
    for specialist in model.specialists:
        kind = specialist.kind
        waits = specialist.wait_weeks_this_step
        out[f"waiting_{kind}"] = float(len(specialist.waiting))
        out[f"clients_{kind}"] = float(len(specialist.clients))
        out[f"occupancy_{kind}"] = len(specialist.clients) / specialist.capacity
        out[f"admissions_{kind}"] = float(specialist.admissions_this_step)
        out[f"mean_wait_weeks_{kind}"] = float(np.mean(waits)) if waits else np.nan
    out["applications_pending"] = float(len(desk.applications))
    out["households_found"] = float(model.counters["households_found"])
    return out


def outcome_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """What became of closures a year on, from the households' ZRM levels.

    Counts of closures (held a year later, relapsed to ZRM ≤ 2, the year's cohort), so
    that shares over any period are sums divided by sums (model/observation/outcomes.py).
    """
    return model.outcomes.metrics(model.week, model.population.zrm)


def event_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Escalations and life events this week, by kind (0 for a kind that did not occur).

    Read from ``model.counters``, where :meth:`NeighbourhoodModel.escalate` and the
    ``life_events`` rule count them, whoever called them.
    """
    counters = model.counters
    out = {
        f"escalations_{k}": float(counters[f"escalations_{k}"]) for k in model.params.escalations
    }
    out["escalations_total"] = float(counters["escalations_total"])
    out.update(
        {f"life_events_{k}": float(counters[f"life_events_{k}"]) for k in model.params.life_events}
    )
    return out


def cost_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Euros booked this week by stream, by payer, and by stream and payer together."""
    ledger, week = model.ledger, model.week
    # One lookup per stream × payer; the margins are sums of it (whole cents, exact).
    cents = {
        (s, p): ledger.step_total_cents(week, stream=s, payer=p) for s in STREAMS for p in PAYERS
    }
    out = {f"cost_{s}_eur": sum(cents[s, p] for p in PAYERS) / 100 for s in STREAMS}
    out.update({f"cost_paid_by_{p}_eur": sum(cents[s, p] for s in STREAMS) / 100 for p in PAYERS})
    out.update({f"cost_{s}_paid_by_{p}_eur": c / 100 for (s, p), c in cents.items()})
    out["cost_total_eur"] = sum(cents.values()) / 100
    return out


FLOW_FAMILIES: tuple[str, ...] = (
    "cost_",
    "escalations_",
    "life_events_",
    "admissions_",
    "referrals_",
    "found_",
    "left_waiting_list_",
)
"""Families of metrics, by their common start, that count or cost something that
happened *in* a week (one per cost stream, escalation kind, specialist, route, …)."""


FLOW_MEANINGS: dict[str, str] = {
    "cost_": "euros booked this week: `cost_<stream>_eur`, `cost_paid_by_<payer>_eur`, "
    "`cost_<stream>_paid_by_<payer>_eur`, `cost_total_eur` (ODD §7.10.1)",
    "escalations_": "escalations this week: `escalations_<kind>` and `escalations_total`",
    "life_events_": "life events this week, `life_events_<kind>`",
    "admissions_": "admissions from a specialist's waiting list this week, `admissions_<kind>`",
    "referrals_": "referrals this week: to each specialist, `referrals_<kind>` (desk and "
    "team), and by route",
    "found_": "households found this week by each route (asking, signals, outreach, crisis "
    "discharge, the desk's transfer)",
    "left_waiting_list_": "households that left a waiting list this week because their need "
    "resolved (re-triage), `left_waiting_list_<kind>`",
    "referrals_consult": "team referrals in which the team keeps the lead (CONSULT)",
    "referrals_handover": "team referrals handed over to the specialist (HANDED_OVER)",
    "desk_not_indicated": "households the desk assessed and sent away without an indication",
    "closures": "care episodes closed (team case, or a regular specialist's discharge of a "
    "household no team holds): each opens a 52-week relapse window",
    "relapses": "returns to care within 52 weeks of a closure",
    "team_admissions": "households admitted to a team's caseload",
    "team_admissions_complex": "of those, households in the complex (last) need group",
    "team_intake_wait_weeks": "weeks the admitted households waited in the intake queue (sum)",
    "team_intake_no_case": "queued households that improved while they waited and left",
    "team_advised": "households found without a case for the team: advice, not queued",
    "team_hours_intake": "triage, advice and intake hours",
    "team_closures": "team cases closed",
    "team_closures_self_reliant": "of those, closed at ZRM ≥ 4 on every covered domain",
    "team_reopened": "aftercare cases reopened",
    "team_handed_back": "handed-over households taken back from a specialist",
    "team_cases_escalated": "working team cases (LEAD or CONSULT) ended by an escalation",
    "team_referral_delay_weeks": "weeks from a need beyond depth to its referral (sum)",
    "team_wasted_hours": "team hours spent on a case between a need beyond depth and its "
    "referral (sum)",
    "team_hours_casework": "team hours of casework (plans less substitution)",
    "team_supported_first_in_year": "households a team worked for the first time this year",
    "team_supported_first_ever": "households a team worked for the first time in the run",
    "team_hours_outreach": "outreach hours",
    "team_hours_collective": "collective (0th-line) hours",
    "funding_results": "results paid for: cases closed at the contract's result level",
    "operator_revenue_eur": "what the municipality paid the operator",
    "operator_staff_cost_eur": "the operator's staff cost",
    "operator_specialist_charge_eur": "specialist care charged to the operator (options D–E)",
    "operator_clawback_eur": "lump sum withheld for frontline staff below the formation",
    "intake_complex_assessed": "complex households about to be admitted (selection at the gate)",
    "intake_complex_offloaded": "of those, offloaded at the gate",
    "referrals_at_intake": "households referred on to a specialist at the gate",
    "referrals_blocked": "team referrals the contract's volume control blocked",
    "access_interventions": "times the municipality started to intervene (option C)",
    "specialist_extensions": "trajectories a specialist extended",
    "team_idle_hours": "hours of room under the caseload limit unused while nobody waited",
    "team_hours_coordination": "hours two teams' professionals spent coordinating",
    "team_hours_second_worker": "hours of second workers from another team",
    "team_second_workers": "second workers who joined a case",
    "team_second_worker_no_room": "second workers wanted but without room in either team",
    "team_forwarded_to_backing": "households the front team forwarded to the backing team",
    "team_offloads_between_teams": "complex households a focus team passed to another team",
    "households_found": "households found by any route",
    "team_applications": "households found that applied at each team of a split",
}
"""What each of wijksim's own flows counts in a week (ODD §7.10.2, generated from here)."""

OUTCOME_MEANINGS: dict[str, str] = {
    "followed": "closures this week, each followed for a year",
    "relapsed": "followed closures whose household fell to ZRM ≤ 2 this week for the first "
    "time since",
    "year_done": "closures whose year ended this week (the denominator of the two below)",
    "held_year": "of those, every domain at ZRM ≥ 4 now (held a year later)",
    "relapsed_year": "of those, relapsed at some week of their year",
}
"""What each closure outcome flow counts (:mod:`wijksim.model.observation.outcomes`), by suffix."""


def _meaning(name: str) -> str:
    """What a flow of wijksim's counts ('' if nobody wrote it down: a test lists those)."""
    if name in FLOW_MEANINGS:
        return FLOW_MEANINGS[name]
    if name.removeprefix("found_") in ROUTES:
        return f"households found this week by the route `{name.removeprefix('found_')}`"
    kind, _, suffix = name.removeprefix("closures_").partition("_")
    if name.startswith("closures_") and suffix in OUTCOME_MEANINGS:
        return f"{OUTCOME_MEANINGS[suffix]} ({kind} closures)"
    return ""


def _declare_builtin_flows() -> None:
    """Declare wijksim's own flows; every other metric of :func:`collect` is a state."""
    for start in FLOW_FAMILIES:
        declare(Metric(start, MetricKind.FLOW, _meaning(start), family=True))
    for name in (*FLOW_COUNTERS, *OUTCOME_FLOWS, "households_found", "desk_not_indicated"):
        declare(Metric(name, MetricKind.FLOW, _meaning(name), per_team=name in PER_TEAM_FLOWS))
    for name in PER_TEAM_FLOWS:  # team_applications is counted per team only
        declare(Metric(name, MetricKind.FLOW, _meaning(name), per_team=True))


_declare_builtin_flows()


def is_flow(metric: str) -> bool:
    """Whether a metric is a weekly flow (summed over a year) or a state (averaged).

    Read from its declaration (:mod:`wijksim.model.observation.counters`): wijksim's own above, a
    partner's in its rule's ``metrics``.

    Example:
        >>> is_flow("cost_team_eur"), is_flow("share_complex"), is_flow("team_idle_hours__front")
        (True, False, True)
        >>> is_flow("team_admissions@west"), is_flow("share_complex@west")
        (True, False)
    """
    whole, _, neighbourhood = metric.partition("@")  # a city's per-neighbourhood metric
    if neighbourhood:
        return whole in NEIGHBOURHOOD_FLOWS or is_flow(whole)
    return kind_of(metric) is MetricKind.FLOW


def rule_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """The metrics that the scheduled rules declare (a partner's rules included).

    A declared flow is this week's count in ``model.counters`` (0 if nothing was
    counted, so that the per-step table has it every week); a declared state is what
    the rule's ``record`` returns.
    """
    out: dict[str, float] = {}
    for rule in model.rules:
        values = rule.record(model)
        for metric in rule.metrics:
            if metric.kind is MetricKind.FLOW:
                out[metric.name] = float(model.counters.get(metric.name, 0))
            else:
                out[metric.name] = float(values.get(metric.name, np.nan))
    return out


NEIGHBOURHOOD_FLOWS: tuple[str, ...] = (
    "escalations_total",
    "team_admissions",
    "team_intake_wait_weeks",
    "admissions_specialist",
    "specialist_wait_weeks",
    "cost_total_eur",
)
"""A city's weekly flows per neighbourhood (``team_admissions@west``). Waits are sums:
divide by the admissions of the same period for a mean."""


def neighbourhood_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """A city: need-group shares, flows and the team's queue per neighbourhood.

    Keys are ``<metric>@<neighbourhood>``; none outside a city.
    """
    if not model.is_city:
        return {}
    population, cases, counters = model.population, model.cases, model.counters
    groups = len(model.classifier.names)
    held = np.flatnonzero(cases.team >= 0)
    queued_by_team = np.bincount(
        cases.team[held][cases.role[held] == CaseRole.QUEUED], minlength=len(model.teams)
    )
    out: dict[str, float] = {}
    for hood in model.neighbourhoods:
        at = f"@{hood.name}"
        counts = np.bincount(population.need_group[hood.rows], minlength=groups)
        for name, count in zip(model.classifier.names, counts, strict=True):
            out[f"share_{name}{at}"] = count / hood.households
        # Need met: of the households in need, the share that someone knows of (team,
        # desk, specialist); the rest is hidden need (as ``known_need`` for the city).
        in_need = population.need_group[hood.rows] > 0
        known = population.status[hood.rows] != Status.UNKNOWN
        out[f"need_known_share{at}"] = float((in_need & known).sum() / max(in_need.sum(), 1))
        for name in NEIGHBOURHOOD_FLOWS[:-1]:
            out[f"{name}{at}"] = float(counters[f"{name}{at}"])
        cents = model.ledger.step_neighbourhood_cents(model.week, hood.index)
        out[f"cost_total_eur{at}"] = cents / 100
        out[f"team_intake_queue{at}"] = float(sum(queued_by_team[t.index] for t in hood.teams))
        out[f"team_frontline_fte{at}"] = float(sum(t.frontline_fte for t in hood.teams))
        out[f"network_capacity_factor{at}"] = hood.network_capacity_factor()
    return out


COLLECTORS = (
    group_metrics,
    need_metrics,
    care_metrics,
    team_metrics,
    flow_metrics,
    outcome_metrics,
    event_metrics,
    cost_metrics,
    rule_metrics,
)


def collect(model: NeighbourhoodModel) -> dict[str, float]:
    """All metrics of the current week, with its step and year."""
    record: dict[str, float] = {"step": model.week, "year": model.year}
    for collector in COLLECTORS:
        record.update(collector(model))
    return record


def collect_neighbourhoods(model: NeighbourhoodModel) -> dict[str, float]:
    """A city's per-neighbourhood metrics of the current week, with its step and year.

    Kept apart from :func:`collect`: the per-step table and everything that reads it
    (figures, sweeps, the dashboard) stay the city's, whose sums these would double.
    """
    return {"step": model.week, "year": model.year, **neighbourhood_metrics(model)}


def to_long(records: list[dict[str, float]]) -> pd.DataFrame:
    """The tidy per-step table: one row per (step, metric)."""
    wide = pd.DataFrame.from_records(records)
    long = wide.melt(id_vars=["step", "year"], var_name="metric", value_name="value")
    long["step"] = long["step"].astype("int32")
    long["year"] = long["year"].astype("int16")
    return long.sort_values(["step", "metric"], kind="stable").reset_index(drop=True)
