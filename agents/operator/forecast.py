"""How the team's operator reasons about a policy change (ODD §7.9).

Bounded rationality by *reasoning from marginal revenue and cost per case*: at each
review the operator takes what its team did in the last period (hours, clients,
admissions, queue, turned-away households, referrals, complex cases at the gate) and
forecasts, for a candidate setting, one week in a steady state with a simple model of
its own team:

* capacity hours K = frontline FTE × hours per week × casework share;
* hours per client e scale with the hours-per-case factor;
* a case lasts T = clients ÷ admissions weeks (Little's law), longer when closing at a
  higher ZRM level (``case_length_per_discharge_level``, the operator's belief);
* demand D (clients wanting a case) = clients + queue, moved by the intake threshold
  (turned-away households would become cases), outreach (households found per hour),
  offloading complex cases (they leave) and referrals (handed-over cases are away);
* hours billed H = min(u × K, D × e), with u the share of capacity it saw billed;
  clients N = H ÷ e; unmet need = the queue and households a stricter intake turns
  away;
  admissions A = N ÷ T; results = A when the discharge level reaches the agreed result.

Escalations in the whole population E = what it saw, less those its service spares
beyond standing still. A household it serves rather than leaves at the head of its queue
escalates at r_c while a case and at r_a in aftercare instead of at r_h; in a steady state
each client brings aftercare-weeks ÷ T households in aftercare with it, so each client
spares (r_h − r_c) + (aftercare-weeks ÷ T)(r_h − r_a) escalations a week (r_h, r_c, r_a:
the rates it saw at the head of its queue, among its clients and in aftercare since the
team opened, :class:`EscalationWatch`).

Money is then the contract's numbers applied to the forecast: lump sum, tariffs per
hour, trajectory and result, the expected settlement of population results (bonus–malus
on the share self-reliant in the sample and on escalations, with the sample's and the
count's noise and the cap, :meth:`TeamOutlook.settlement_per_week`), minus staff costs,
the claw-back for frontline staff below a contracted formation, and the specialist
price charged per referral (options D–E, shared savings). The forecast never reads a
funding form's name; it is wrong in many details, and the real team (not this
forecast) decides what happens.

Why one module: the forecast is one small model of the operator's own team (capacity,
demand, escalations, money), each step feeding the next as the derivation above reads,
top to bottom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.contracts import funding
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.state.caseload import CaseRole

if TYPE_CHECKING:
    from wijksim.agents.operator.agent import TeamOperator
    from wijksim.model.contracts.funding import FundingParams
    from wijksim.model.model import NeighbourhoodModel

FLOWS = {
    "hours": ("team_hours_casework",),
    "admissions": ("team_admissions",),
    "closures": ("team_closures",),
    "referrals": ("referrals_consult", "referrals_handover"),
    "handovers": ("referrals_handover",),
    "turned_away": ("team_intake_no_case",),
    "found_by_outreach": ("found_outreach",),
    "complex_assessed": ("intake_complex_assessed",),
}
"""Weekly counters the operator sums over a period, by what it calls them (its own teams'
counts, :meth:`~wijksim.agents.operator.agent.TeamOperator.week_count`)."""


@dataclass
class PeriodObservations:
    """What the operator saw its team do in the current review period."""

    weeks: int = 0
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FLOWS, 0.0))
    clients: float = 0.0
    queue: float = 0.0
    escalations: float = 0.0
    referrals_by_kind: dict[str, float] = field(default_factory=dict)

    def note(self, model: NeighbourhoodModel, operator: TeamOperator) -> None:
        """Add this week's counts of the operator's teams and its caseload."""
        self.weeks += 1
        # Counted in full in its whole population: what the contract settles on.
        self.escalations += operator.week_escalations()
        for name, keys in FLOWS.items():
            self.sums[name] += sum(float(operator.week_count(k)) for k in keys)
        for specialist in model.specialists:
            key = f"referrals_{specialist.kind}"
            self.referrals_by_kind[specialist.kind] = self.referrals_by_kind.get(
                specialist.kind, 0.0
            ) + operator.week_count(key)
        cases = model.cases
        held = operator.holds(cases.team)  # every team the operator runs
        self.clients += float((held & np.isin(cases.role, ACTIVE)).sum())
        self.queue += float((held & (cases.role == CaseRole.QUEUED)).sum())

    def summary(self, model: NeighbourhoodModel, operator: TeamOperator) -> dict[str, float]:
        """Weekly means of the period plus a look at the operator's caseload and queue."""
        weeks = max(self.weeks, 1)
        out = {name: total / weeks for name, total in self.sums.items()}
        out["clients"] = self.clients / weeks
        out["queue"] = self.queue / weeks
        out["escalations"] = self.escalations / weeks
        out.update(_caseload_snapshot(model, operator))
        out.update(_referral_prices(model, operator, self.referrals_by_kind))
        return out


ACTIVE = (int(CaseRole.LEAD), int(CaseRole.CONSULT))


HEAD_OF_QUEUE_WEEKS = 13
"""The head of the queue: the households the team would admit in the next quarter at
the admission rate it sees (a staffing change within one review period brings these
forward, not the queue's average household)."""

WATCHED = ("clients", "waiting", "head", "aftercare")
"""The groups whose escalations the operator counts: its clients, every household in its
queue, the queue's head and its former clients in aftercare."""


@dataclass
class EscalationWatch:
    """Escalations among the households the operator's teams hold, since they opened.

    Each week the operator notes which households are in each group of :data:`WATCHED`;
    the next week it counts how many of each escalated (a household that escalates
    leaves the team, so it is counted from last week's lists). Kept over the whole run,
    not per review period: escalations are rare, and a quarter's handful would make the
    rates jump from review to review.
    """

    weeks: dict[str, float] = field(default_factory=lambda: dict.fromkeys(WATCHED, 0.0))
    escalations: dict[str, float] = field(default_factory=lambda: dict.fromkeys(WATCHED, 0.0))
    admissions_per_week: float = 0.0
    _rows: dict[str, np.ndarray] = field(default_factory=dict)
    _before: dict[str, int] = field(default_factory=dict)
    _weeks_seen: int = 0

    def note(self, model: NeighbourhoodModel, operator: TeamOperator) -> None:
        """Count last week's groups' escalations; list this week's (the operator's teams)."""
        escalated = model.population.escalations
        for group, rows in self._rows.items():
            self.weeks[group] += rows.size
            self.escalations[group] += int(escalated[rows].sum()) - self._before[group]
        # The admission rate, as a running mean since the team opened.
        self._weeks_seen += 1
        admitted = float(operator.week_count("team_admissions"))
        self.admissions_per_week += (admitted - self.admissions_per_week) / self._weeks_seen
        self._rows = self._groups(model, operator)
        self._before = {g: int(escalated[rows].sum()) for g, rows in self._rows.items()}

    def _groups(self, model: NeighbourhoodModel, operator: TeamOperator) -> dict[str, np.ndarray]:
        cases = model.cases
        held = operator.holds(cases.team)  # every team the operator runs
        waiting = np.flatnonzero(held & (cases.role == CaseRole.QUEUED))
        head_size = max(1, round(HEAD_OF_QUEUE_WEEKS * self.admissions_per_week))
        in_order = waiting[np.argsort(cases.queue_order[waiting], kind="stable")]
        return {
            "clients": np.flatnonzero(held & np.isin(cases.role, ACTIVE)),
            "waiting": waiting,
            "head": in_order[:head_size],
            "aftercare": np.flatnonzero(held & (cases.role == CaseRole.AFTERCARE)),
        }

    def rates(self) -> dict[str, float]:
        """Escalations per household-week in each group (``escalation_rate_<group>``).

        A group never seen takes the rate of the group it stands in for: the head of the
        queue the whole queue's, aftercare the clients', and clients and queue each
        other's (the operator then expects nothing from moving a household between
        them).
        """
        seen = {g: self.escalations[g] / self.weeks[g] for g in WATCHED if self.weeks[g] > 0}
        client = seen.get("clients", seen.get("waiting", 0.0))
        waiting = seen.get("waiting", client)
        rates = {
            "clients": client,
            "waiting": waiting,
            "head": seen.get("head", waiting),
            "aftercare": seen.get("aftercare", client),
        }
        return {f"escalation_rate_{g}": rate for g, rate in rates.items()}


def _caseload_snapshot(model: NeighbourhoodModel, operator: TeamOperator) -> dict[str, float]:
    """What an operator sees looking at its own caseload.

    Households at the margins of the intake and referral thresholds, and how much
    heavier complex cases are than the average case.
    """
    team = operator.teams[0]
    cases, population = model.cases, model.population
    policy = team.policy
    held = operator.holds(cases.team)  # every team the operator runs (one policy for all)
    demand = np.flatnonzero(held & np.isin(cases.role, (*ACTIVE, int(CaseRole.QUEUED))))
    worst = team.worst_covered(demand)
    lead = np.flatnonzero(held & (cases.role == CaseRole.LEAD))
    referable = np.where(team.referable, population.zrm[lead], 99).min(axis=1)
    active = np.flatnonzero(held & np.isin(cases.role, ACTIVE))
    weights = cases.weight[active]
    complex_rows = population.need_group[active] == len(model.classifier.names) - 1
    mean_weight = float(weights.mean()) if weights.size else 0.0
    complex_weight = float(weights[complex_rows].mean()) if complex_rows.any() else mean_weight
    return {
        "at_intake_margin": float((worst == policy.intake_max_level).sum()),
        "referable_one_level_up": float((referable == policy.referral_max_level + 1).sum()),
        "referable_at_threshold": float((referable == policy.referral_max_level).sum()),
        "complex_weight_ratio": complex_weight / mean_weight if mean_weight > 0 else 1.0,
    }


def _referral_prices(
    model: NeighbourhoodModel, operator: TeamOperator, by_kind: dict[str, float]
) -> dict[str, float]:
    """Mean weekly price and weeks of care of the team's referrals (weighted by kind)."""
    team = operator.teams[0]
    kinds = {id(s): s for s in team.specialist_for.values()}.values()
    weights = np.array([by_kind.get(s.kind, 0.0) for s in kinds], dtype=float)
    if weights.sum() == 0:
        weights = np.ones(len(weights))
    shared = operator.contract.shared_savings.specialist_share
    prices = np.array([s.params.price_per_week_eur for s in kinds])
    weeks = np.array(
        [
            s.params.trajectory_weeks
            + s.params.extend_probability * (1 - shared) * s.params.extension_weeks
            for s in kinds
        ]
    )
    share = weights / weights.sum()
    return {"referral_price_eur": float(prices @ share), "referral_weeks": float(weeks @ share)}


class TeamOutlook:
    """The operator's forecast of one week of its team under a candidate setting.

    Args:
        model: The model (for the team's fixed parameters and the contract's access rules).
        contract: The payment rule.
        observed: :meth:`PeriodObservations.summary` of the last period, with the
            escalation rates of :meth:`EscalationWatch.rates` and the share
            self-reliant last measured in the contract's sample
            (``measured_self_reliant``, NaN before the first measurement).
        current: The settings in force during that period.
        operator: Whose forecast it is (default: the model's first operator).
    """

    def __init__(
        self,
        model: NeighbourhoodModel,
        contract: FundingParams,
        observed: dict[str, float],
        current: dict[str, float],
        operator: TeamOperator | None = None,
    ) -> None:
        self.model, self.contract, self.seen, self.now = model, contract, observed, current
        self.operator = operator or model.operator
        team = self.operator.teams[0]
        self.team = team
        # The whole capacity the operator staffs: its neighbourhoods' team sections (a
        # split divides one over teams with the same settings, ODD §7.6).
        self.params = self.operator.team_params
        basic_hours = team.weights["basic"] * team.hours_per_unit
        self.hours_per_client = (
            observed["hours"] / observed["clients"] if observed["clients"] > 0 else basic_hours
        )
        self.case_weeks = (
            observed["clients"] / observed["admissions"] if observed["admissions"] > 0 else 26.0
        )
        self.handover_share = (
            observed["handovers"] / observed["referrals"] if observed["referrals"] > 0 else 0.5
        )
        # A household served rather than left at the head of the queue escalates at the
        # clients' rate while a case and at the aftercare rate afterwards, where it would
        # have gone on at the head's rate (none before the operator saw any).
        head = observed.get("escalation_rate_head", 0.0)
        self.spared_while_client = max(head - observed.get("escalation_rate_clients", 0.0), 0.0)
        self.spared_in_aftercare = max(head - observed.get("escalation_rate_aftercare", 0.0), 0.0)
        self.protected_now = 0.0
        self.clients_now, self.results_now = observed["clients"], 0.0
        # The team never bills all its capacity (a case that does not fit blocks the
        # queue, plans shrink): the operator scales its forecast to what it saw.
        self.utilisation = 1.0
        expected = self.forecast(current)["hours"]
        self.utilisation = min(observed["hours"] / expected, 1.0) if expected > 0 else 1.0
        # Changes in clients and results are counted from the forecast of standing
        # still, so that standing still forecasts the escalations it saw.
        standing_still = self.forecast(current)
        self.clients_now = standing_still["clients"]
        self.results_now = standing_still["results"]
        self.protected_now = standing_still["protected"]

    def forecast(self, setting: dict[str, float]) -> dict[str, float]:
        """Weekly hours, clients, queue, admissions, results, referrals and staff FTE."""
        seen, now, team = self.seen, self.now, self.team
        params, policy = self.params, team.policy
        fte = params.frontline_fte * setting["staffing_factor"]
        casework_share = 1.0 - setting["outreach_share"] - policy.collective_share
        capacity = fte * params.hours_per_fte_week * casework_share
        hours_per_client = self.hours_per_client * (
            setting["hours_per_case_factor"] / now["hours_per_case_factor"]
        )
        belief = self.contract.operator.case_length_per_discharge_level
        levels_later = setting["discharge_min_level"] - now["discharge_min_level"]
        case_weeks = self.case_weeks * max(0.2, 1.0 + belief * levels_later)
        stretch = case_weeks / self.case_weeks
        demand = (seen["clients"] + seen["queue"]) * stretch
        dropped = 0.0  # households with a problem the team would now turn away
        intake_change = setting["intake_max_level"] - now["intake_max_level"]
        if intake_change > 0:  # households now turned away would become cases
            demand += seen["turned_away"] * case_weeks
        elif intake_change < 0:
            dropped = seen["at_intake_margin"] * stretch
            demand -= dropped
        if now["outreach_share"] > 0:
            more_outreach = setting["outreach_share"] / now["outreach_share"] - 1.0
            demand += seen["found_by_outreach"] * more_outreach * case_weeks
        demand_hours = demand * hours_per_client
        # Offloading complex cases at the gate: fewer cases, each as heavy as several.
        offloaded = (setting["complex_offload_share"] - now["complex_offload_share"]) * seen[
            "complex_assessed"
        ]
        demand -= offloaded * case_weeks
        demand_hours -= offloaded * case_weeks * seen["complex_weight_ratio"] * hours_per_client
        # Referring at a higher level: more referrals; a handed-over case is away.
        referral_change = setting["referral_max_level"] - now["referral_max_level"]
        recognition = params.recognition_per_week
        if referral_change > 0:
            extra_referrals = seen["referable_one_level_up"] * recognition
        elif referral_change < 0:
            extra_referrals = -seen["referable_at_threshold"] * recognition
        else:
            extra_referrals = 0.0
        away = extra_referrals * min(seen["referral_weeks"], case_weeks) * self.handover_share
        demand -= away
        demand_hours -= away * hours_per_client
        demand, demand_hours = max(demand, 1e-9), max(demand_hours, 0.0)
        mean_hours = demand_hours / demand if demand_hours > 0 else hours_per_client
        hours = min(capacity * self.utilisation, demand_hours)
        clients = hours / mean_hours
        admissions = clients / case_weeks
        result_level = setting["discharge_min_level"] >= self.contract.result_min_level
        scale = clients / seen["clients"] if seen["clients"] > 0 else 1.0
        # In a steady state every client brings aftercare_weeks ÷ case_weeks households
        # in aftercare with it (Little's law again): escalations a week spared among both.
        aftercare_per_client = policy.aftercare_weeks / case_weeks
        protected = clients * (
            self.spared_while_client + aftercare_per_client * self.spared_in_aftercare
        )
        spared = protected - self.protected_now
        return {
            "hours": hours,
            "clients": clients,
            "unmet": (demand_hours - hours) / mean_hours + dropped,
            "admissions": admissions,
            "results": admissions if result_level else 0.0,
            "referrals": max(seen["referrals"] * scale + extra_referrals + offloaded, 0.0),
            "referrals_by_policy": extra_referrals + offloaded,
            "escalations": max(seen.get("escalations", 0.0) - spared, 0.0),
            "protected": protected,
            "fte": fte,
        }

    def money(self, week: dict[str, float]) -> float:
        """The week's margin by the contract's numbers (€)."""
        contract = self.contract
        operator = self.operator
        revenue = (
            operator.lump_sum_year_eur / WEEKS_PER_YEAR
            + contract.tariff_per_hour_eur * week["hours"]
            + contract.tariff_per_trajectory_eur * week["admissions"]
            + contract.tariff_per_result_eur * week["results"]
            + self.settlement_per_week(week)
            - self.clawback_per_week(week)
        )
        if contract.ceiling_per_year_eur is not None:
            revenue = min(revenue, contract.ceiling_per_year_eur / WEEKS_PER_YEAR)
        fte = week["fte"] + self.params.overhead_fte
        staff = fte * self.params.cost_per_fte_year_eur / WEEKS_PER_YEAR
        price, weeks = self.seen["referral_price_eur"], self.seen["referral_weeks"]
        charge = operator.access.expected_charge_eur(price, weeks)
        # Shared savings settle on the whole population's specialist use: the operator
        # counts only the referrals its policy adds or avoids (a client it does not serve
        # may need a specialist anyway), while options D–E charge every team referral.
        saving = contract.shared_savings.share * price * weeks
        return revenue - staff - charge * week["referrals"] - saving * week["referrals_by_policy"]

    def expected_self_reliant(self, week: dict[str, float]) -> float:
        """The share self-reliant the operator expects the next sample to measure.

        The last measurement (before the first one: the target, no expectation either
        way), plus the results it would add or lose: a result keeps one household
        self-reliant for about a year, so a week's results × ``WEEKS_PER_YEAR`` households.
        """
        measured = self.seen.get("measured_self_reliant", math.nan)
        if math.isnan(measured):
            measured = self.contract.population_results.self_reliant_target
        extra = WEEKS_PER_YEAR * (week["results"] - self.results_now) / self.operator.households
        return min(max(measured + extra, 0.0), 1.0)

    def settlement_per_week(self, week: dict[str, float]) -> float:
        """The expected population-results settlement of a period, per week (€).

        The settlement (:func:`~wijksim.model.contracts.funding.settlement_eur`) if the week's
        forecast held for a whole settlement period, as an expectation over the noise
        of the sample and of the escalation count, with the contract's cap applied.
        """
        contract = self.contract
        results = contract.population_results
        households = self.operator.households
        sample = min(results.sample_households, households)
        share = self.expected_self_reliant(week) if sample > 0 else None
        escalations = week["escalations"] * contract.settlement_weeks
        mean, spread = funding.settlement_forecast_eur(contract, households, share, escalations)
        cap = funding.settlement_cap_eur(contract, self.operator.lump_sum_year_eur)
        return expected_within(mean, spread, -cap, cap) / contract.settlement_weeks

    def clawback_per_week(self, week: dict[str, float]) -> float:
        """What the contract claws back for frontline staff below its formation (€/week)."""
        operator = self.operator
        return funding.formation_clawback_week_eur(
            self.contract, operator.lump_sum_year_eur, operator.contracted_fte, week["fte"]
        )

    def utility(self, setting: dict[str, float]) -> float:
        """(1 − ethos) × margin + ethos × value × (households served − unmet need).

        Unmet need: households waiting, and households with a problem the team would
        turn away at a stricter intake threshold.
        """
        behaviour = self.contract.operator
        week = self.forecast(setting)
        outcome = behaviour.outcome_value_eur * (week["clients"] - week["unmet"])
        return (1 - behaviour.ethos) * self.money(week) + behaviour.ethos * outcome


def expected_within(mean: float, spread: float, low: float, high: float) -> float:
    """E[min(max(X, low), high)] for X normal with ``mean`` and standard deviation ``spread``.

    The expectation of a capped amount: near a cap, a gain counts for less than its
    face value, and beyond it for nothing.
    """
    if spread <= 0:
        return min(max(mean, low), high)
    below, above = (low - mean) / spread, (high - mean) / spread
    cdf_low, cdf_high = _normal_cdf(below), _normal_cdf(above)
    inside = mean * (cdf_high - cdf_low) + spread * (_normal_pdf(below) - _normal_pdf(above))
    return low * cdf_low + inside + high * (1.0 - cdf_high)


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _normal_pdf(z: float) -> float:
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
