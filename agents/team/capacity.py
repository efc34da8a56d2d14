"""The team's capacity: staff in FTE, weekly hours, caseload limit and case weights.

Also what the operator may change (the knobs of ``agents/operator/knobs.py``) and the
weekly staff cost
(docs/sources.md §2 for the norms; ODD §7.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.agents.operator.knobs import KNOBS, KNOBS_BY_NAME, Knob, KnobHome
from wijksim.model.config.team_params import INTENSITIES, TeamParams
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.state.ledger import to_cents

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


class TeamCapacity:
    """Staffing, caseload limit and case weights of :class:`NeighbourhoodTeam` (a part of it)."""

    def _derive_capacity(self) -> None:
        """Caseload limit, hours per caseload unit, case weights and weekly staff cost.

        They follow from the staff and the policy, so they are derived again whenever the
        operator changes either (:meth:`apply_settings`). Cases already open keep their
        weights: a plan changes when it is reviewed, not retroactively.
        """
        params, policy = self.params, self.policy
        casework_fte = self.frontline_fte * (1.0 - policy.outreach_share - policy.collective_share)
        self.caseload_limit = params.caseload_limit_per_fte * self.frontline_fte
        self.hours_per_unit = params.hours_per_fte_week * casework_fte / self.caseload_limit
        norms = params.intensity_norm_households_per_fte
        self.weights = {
            i: params.caseload_limit_per_fte / norms[i] * policy.hours_per_case_factor
            for i in INTENSITIES
        }
        fte = self.frontline_fte + params.overhead_fte
        self.weekly_cost_cents = to_cents(fte * params.cost_per_fte_year_eur / WEEKS_PER_YEAR)

    def settings(self) -> dict[str, float]:
        """What the operator can change: every knob of ``KNOBS``, by name, as set now."""
        return {knob.name: self._knob_value(knob) for knob in KNOBS}

    def _knob_value(self, knob: Knob) -> float:
        if knob.home is KnobHome.STAFFING:  # a multiple of the scenario's frontline FTE
            return self.target_fte / self.params.frontline_fte
        return getattr(self.policy, knob.name)

    def apply_settings(self, settings: dict[str, float]) -> None:
        """Adopt the operator's staffing and policy (see :meth:`settings`).

        Raises:
            KeyError: A name in ``settings`` is not a knob of ``KNOBS``.
        """
        changes, staffing = {}, None
        for name, value in settings.items():
            knob = KNOBS_BY_NAME[name]
            if knob.home is KnobHome.STAFFING:
                staffing = value
            else:
                changes[name] = round(value) if knob.level else value
        self.policy = type(self.policy).model_validate({**self.policy.model_dump(), **changes})
        if staffing is not None:
            self.target_fte = self.params.frontline_fte * staffing
        self._derive_capacity()
        self.settle_staff()

    def restaff(self, frontline_fte: float, overhead_fte: float) -> None:
        """Give the team other staff before it opens (the city's allocation of its budget).

        Its staffing, capacity and weekly cost follow from the new FTE as from the
        scenario's (compare-allocation, issue 18, item 2).
        """
        self.params = self.params.model_copy(
            update={"frontline_fte": frontline_fte, "overhead_fte": overhead_fte}
        )
        self.frontline_fte = self.target_fte = frontline_fte
        self._derive_capacity()
        if self.neighbourhood.operator is not None:  # its contract's formation follows
            self.neighbourhood.operator.restaffed()

    def settle_staff(self) -> None:
        """Move the staff towards the operator's target as far as the caseload allows.

        New staff start at once. Staff leave only as far as the open cases still fit
        under the caseload limit: workers leave as their cases close, so the team never
        holds more than its limit (a cut does not abandon households mid-plan).
        """
        if self.target_fte >= self.frontline_fte:
            self.frontline_fte = self.target_fte
        else:
            needed = self.caseload_units() / self.params.caseload_limit_per_fte
            self.frontline_fte = max(self.target_fte, min(self.frontline_fte, needed))
        self._derive_capacity()

    @staticmethod
    def _group_intensities(model: NeighbourhoodModel, params: TeamParams) -> np.ndarray:
        names = model.classifier.names
        default = ["basic"] * len(names)
        default[0], default[-1] = "light", "complex"
        chosen = [params.intensity_by_group.get(n, d) for n, d in zip(names, default, strict=True)]
        return np.array([INTENSITIES.index(c) for c in chosen], dtype=np.int8)

    def caseload_units(self) -> float:
        """Caseload units held now: own cases, co-worked cases and their coordination."""
        cases = self.model.cases
        block = self.neighbourhood.rows  # a team holds its own neighbourhood's households
        lead = np.flatnonzero(cases.team[block] == self.index) + block.start
        second = np.flatnonzero(cases.co_team[block] == self.index) + block.start
        # Both, in row order (as a mask would give them): the lead alone without second workers.
        both = np.union1d(lead, second) if second.size else lead
        coordination = cases.coordination_hours[both].sum() / self.hours_per_unit
        return float(cases.weight[lead].sum() + cases.co_weight[second].sum() + coordination)

    def intensity_weight(self, rows: np.ndarray) -> np.ndarray:
        """Caseload units of a plan for ``rows`` by their need group now.

        Before what household and network carry (see :meth:`substitution`).
        """
        intensity = self.intensity_of_group[self.model.population.need_group[rows]]
        table = np.array([self.weights[i] for i in INTENSITIES], dtype=np.float32)
        return table[intensity]

    def substitution(self, rows: np.ndarray) -> np.ndarray:
        """Share of a plan that the household and its network carry (docs/sources.md §1)."""
        population = self.model.population
        help_received = 0.3 + 0.7 * population.network_help[rows]
        return self.params.substitution_max * population.own_strength[rows] * help_received

    def pay_staff(self, week: int) -> None:
        """Pay the team's weekly staff cost: the operator's, or else public money."""
        operator = self.neighbourhood.operator
        if operator is not None:
            operator.pay_staff(self.weekly_cost_cents)
            return
        self.billed_cents += self.weekly_cost_cents
        self.model.ledger.book(
            week,
            "team",
            self.params.payer,
            self.ledger_id,
            "neighbourhood_team",
            self.weekly_cost_cents,
            self.neighbourhood.index,
        )
