"""How the team's operator reasons about a policy change (ODD §7.13).

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

Money is then the contract's numbers applied to the forecast: lump sum, tariffs per
hour, trajectory and result, the population bonus a result is worth, minus staff costs
and the specialist price charged per referral (options D–E, shared savings). The
forecast never reads a funding form's name; it is wrong in many details, and the real
team (not this forecast) decides what happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.caseload import CaseRole

if TYPE_CHECKING:
    from wijksim.model.funding import FundingParams
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
"""Weekly counters the operator sums over a period, by what it calls them."""


@dataclass
class PeriodObservations:
    """What the operator saw its team do in the current review period."""

    weeks: int = 0
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FLOWS, 0.0))
    clients: float = 0.0
    queue: float = 0.0
    referrals_by_kind: dict[str, float] = field(default_factory=dict)

    def note(self, model: NeighbourhoodModel) -> None:
        """Add this week's counters and caseload."""
        counters = model.counters
        self.weeks += 1
        for name, keys in FLOWS.items():
            self.sums[name] += sum(float(counters[k]) for k in keys)
        for specialist in model.specialists:
            key = f"referrals_{specialist.kind}"
            self.referrals_by_kind[specialist.kind] = (
                self.referrals_by_kind.get(specialist.kind, 0.0) + counters[key]
            )
        cases = model.cases
        held = cases.team >= 0  # every team the operator runs
        self.clients += float((held & np.isin(cases.role, ACTIVE)).sum())
        self.queue += float((held & (cases.role == CaseRole.QUEUED)).sum())

    def summary(self, model: NeighbourhoodModel) -> dict[str, float]:
        """Weekly means of the period plus a look at today's caseload and queue."""
        weeks = max(self.weeks, 1)
        out = {name: total / weeks for name, total in self.sums.items()}
        out["clients"] = self.clients / weeks
        out["queue"] = self.queue / weeks
        out.update(_caseload_snapshot(model))
        out.update(_referral_prices(model, self.referrals_by_kind))
        return out


ACTIVE = (int(CaseRole.LEAD), int(CaseRole.CONSULT))


def _caseload_snapshot(model: NeighbourhoodModel) -> dict[str, float]:
    """What an operator sees looking at its own caseload.

    Households at the margins of the intake and referral thresholds, and how much
    heavier complex cases are than the average case.
    """
    team = model.teams[0]
    cases, population = model.cases, model.population
    policy = team.policy
    held = cases.team >= 0  # every team the operator runs (one policy for all)
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


def _referral_prices(model: NeighbourhoodModel, by_kind: dict[str, float]) -> dict[str, float]:
    """Mean weekly price and weeks of care of the team's referrals (weighted by kind)."""
    team = model.teams[0]
    kinds = {id(s): s for s in team._specialist_for.values()}.values()
    weights = np.array([by_kind.get(s.kind, 0.0) for s in kinds], dtype=float)
    if weights.sum() == 0:
        weights = np.ones(len(weights))
    operator = model.operator
    shared = operator.contract.shared_savings.specialist_share if operator else 0.0
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
        observed: :meth:`PeriodObservations.summary` of the last period.
        current: The settings in force during that period.
    """

    def __init__(
        self,
        model: NeighbourhoodModel,
        contract: FundingParams,
        observed: dict[str, float],
        current: dict[str, float],
    ) -> None:
        self.model, self.contract, self.seen, self.now = model, contract, observed, current
        team = model.teams[0]
        self.team = team
        # The whole capacity the operator staffs: the scenario's team section (a split
        # divides it over teams with the same settings, ODD §7.14).
        self.params = model.params.team
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
        # The team never bills all its capacity (a case that does not fit blocks the
        # queue, plans shrink): the operator scales its forecast to what it saw.
        self.utilisation = 1.0
        expected = self.forecast(current)["hours"]
        self.utilisation = min(observed["hours"] / expected, 1.0) if expected > 0 else 1.0

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
        return {
            "hours": hours,
            "clients": clients,
            "unmet": (demand_hours - hours) / mean_hours + dropped,
            "admissions": admissions,
            "results": admissions if result_level else 0.0,
            "referrals": max(seen["referrals"] * scale + extra_referrals + offloaded, 0.0),
            "referrals_by_policy": extra_referrals + offloaded,
            "fte": fte,
        }

    def money(self, week: dict[str, float]) -> float:
        """The week's margin by the contract's numbers (€)."""
        contract = self.contract
        operator = self.model.operator
        revenue = (
            operator.lump_sum_year_eur / 52
            + contract.tariff_per_hour_eur * week["hours"]
            + contract.tariff_per_trajectory_eur * week["admissions"]
            + contract.tariff_per_result_eur * week["results"]
        )
        # A result keeps one household self-reliant for about a year: 100 / size points.
        results = contract.population_results
        if results.sample_households > 0:
            points = 100 / self.model.population.size
            revenue += results.bonus_per_point_eur * points * week["results"]
        if contract.ceiling_per_year_eur is not None:
            revenue = min(revenue, contract.ceiling_per_year_eur / 52)
        fte = week["fte"] + self.params.overhead_fte
        staff = fte * self.params.cost_per_fte_year_eur / 52
        price, weeks = self.seen["referral_price_eur"], self.seen["referral_weeks"]
        charge = self.model.referral_access.expected_charge_eur(price, weeks)
        # Shared savings settle on the whole population's specialist use: the operator
        # counts only the referrals its policy adds or avoids (a client it does not serve
        # may need a specialist anyway), while options D–E charge every team referral.
        saving = contract.shared_savings.share * price * weeks
        return revenue - staff - charge * week["referrals"] - saving * week["referrals_by_policy"]

    def utility(self, setting: dict[str, float]) -> float:
        """(1 − ethos) × margin + ethos × value × (households served − unmet need).

        Unmet need: households waiting, and households with a problem the team would
        turn away at a stricter intake threshold.
        """
        behaviour = self.contract.operator
        week = self.forecast(setting)
        outcome = behaviour.outcome_value_eur * (week["clients"] - week["unmet"])
        return (1 - behaviour.ethos) * self.money(week) + behaviour.ethos * outcome
