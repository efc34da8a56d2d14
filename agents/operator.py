"""The operator of the neighbourhood team: paid by the municipality, pays the staff.

Without a ``[funding]`` table the municipality pays the team's staff costs directly (the
team is a cost centre). With one, the team's staff costs are the operator's own, and the
municipality pays the operator what the payment rule (:mod:`wijksim.model.funding`) says
for what the team did. The operator's margin is revenue minus staff costs.

The operator reads nothing but the payment rule's numbers: no code branches on the name
of a funding form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
from wijksim.model import funding
from wijksim.model.ledger import to_cents

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


@dataclass(frozen=True)
class Knob:
    """A policy setting the operator may move, one step at a time, within bounds."""

    name: str
    step: float
    low: float
    high: float


KNOBS: tuple[Knob, ...] = (
    Knob("staffing_factor", 0.1, 0.0, 0.0),  # bounds from the contract's operator section
    Knob("hours_per_case_factor", 0.1, 0.5, 2.0),
    Knob("intake_max_level", 1, 1, 3),
    Knob("referral_max_level", 1, 1, 2),
    Knob("discharge_min_level", 1, 3, 5),
    Knob("outreach_share", 0.05, 0.0, 0.3),
)
"""The operator's knobs (MODEL.md: intake, hours per case, referral, discharge, outreach),
plus how many frontline staff it employs. Tried in this order, round and round."""


class TeamOperator(mesa.Agent):
    """The organisation that runs the neighbourhood teams under a funding contract.

    Args:
        model: The model.
        contract: The payment rule (the scenario's ``[funding]``).

    Attributes:
        revenue_cents: Everything the municipality paid (equals its ledger bookings).
        staff_cost_cents: Everything the operator paid its staff.
        withheld_cents: Malus or overrun not yet deducted from payments.
        year_revenue_cents: Revenue in the current year, for the ceiling.
    """

    def __init__(self, model: NeighbourhoodModel, contract: funding.FundingParams) -> None:
        super().__init__(model)
        self.contract = contract
        population = model.population
        self.lump_sum_year_eur = funding.lump_sum_year_eur(
            contract, population.size, float(np.mean(population.vulnerability))
        )
        self.revenue_cents = 0
        self.staff_cost_cents = 0
        self.withheld_cents = 0
        self.year_revenue_cents = 0
        self._year = 1
        self._period_escalations = 0
        self._period_specialist_cents = 0
        # Learning from realised utility (ODD §7.13): the running trial, if any.
        self._utility_sum = 0.0
        self._weeks = 0
        self._margin_mark = 0
        self._knob_index = 0
        self._baseline: float | None = None
        self._before_trial: dict[str, float] | None = None
        self.trials = self.kept = 0

    @property
    def margin_cents(self) -> int:
        """Revenue minus staff costs so far."""
        return self.revenue_cents - self.staff_cost_cents

    def pay_staff(self, cents: int) -> None:
        """The teams' weekly staff costs are the operator's (not booked as public money)."""
        self.staff_cost_cents += int(cents)
        self.model.counters["operator_staff_cost_eur"] += cents / 100

    def settle_week(self, week: int, done: funding.WeekActivity) -> int:
        """Receive this week's payment for ``done``; return the cents booked."""
        year = (week - 1) // 52 + 1
        if year != self._year:
            self._year, self.year_revenue_cents = year, 0
        owed = to_cents(funding.weekly_payment_eur(self.contract, self.lump_sum_year_eur, done))
        deducted = min(owed, self.withheld_cents)
        self.withheld_cents -= deducted
        return self._receive(week, owed - deducted)

    def note_population(self, escalations: int, specialist_cents: int) -> None:
        """Accumulate this week's escalations and specialist spending for settlement."""
        self._period_escalations += int(escalations)
        self._period_specialist_cents += int(specialist_cents)

    def settle_period(self, week: int, measured_self_reliant: float | None) -> int:
        """Settle bonus–malus and shared savings for the period that ends now.

        A positive amount is paid at once; a negative one is withheld from later weekly
        payments (a payment is never negative). Returns the cents paid now.
        """
        contract = self.contract
        amount = funding.settlement_eur(
            contract,
            self.lump_sum_year_eur,
            self.model.population.size,
            contract.settlement_weeks / 52,
            measured_self_reliant,
            self._period_escalations,
            self._period_specialist_cents / 100,
        )
        self._period_escalations = self._period_specialist_cents = 0
        cents = to_cents(amount)
        if cents < 0:
            self.withheld_cents += -cents
            return 0
        return self._receive(week, cents)

    def _receive(self, week: int, cents: int) -> int:
        ceiling = self.contract.ceiling_per_year_eur
        if ceiling is not None:
            cents = min(cents, max(to_cents(ceiling) - self.year_revenue_cents, 0))
        if cents <= 0:
            return 0
        self.revenue_cents += cents
        self.year_revenue_cents += cents
        self.model.counters["operator_revenue_eur"] += cents / 100
        self.model.ledger.book(
            week, "team", self.contract.payer, self.unique_id, "team_operator", cents
        )
        return cents

    # --- learning the policy ------------------------------------------------------------

    def utility_this_week(self) -> float:
        """(1 − ethos) × this week's margin + ethos × this week's household outcome (€)."""
        behaviour = self.contract.operator
        margin = (self.margin_cents - self._margin_mark) / 100
        self._margin_mark = self.margin_cents
        in_need = float(self.model.population.need_group.astype(np.int64).sum())
        outcome = -behaviour.outcome_value_eur * in_need
        return (1 - behaviour.ethos) * margin + behaviour.ethos * outcome

    def review(self) -> None:
        """Add this week's utility; at a period's end, judge the trial and start the next.

        A trial moves one knob one step (direction drawn from the operator's own random
        stream); it is kept if utility per week beat the period before, else undone, and
        the next period measures the restored policy afresh.
        """
        self._utility_sum += self.utility_this_week()
        self._weeks += 1
        if self._weeks < self.contract.operator.review_weeks:
            return
        utility = self._utility_sum / self._weeks
        self._utility_sum, self._weeks = 0.0, 0
        if self._before_trial is not None:
            self.trials += 1
            if self._baseline is not None and utility > self._baseline:
                self.kept += 1
                self._baseline = utility
            else:
                self._apply(self._before_trial)
                self._baseline = None  # measure the restored policy again
                self._before_trial = None
                return
        else:
            self._baseline = utility
        self._start_trial()

    def _bounds(self, knob: Knob) -> tuple[float, float]:
        if knob.name == "staffing_factor":
            behaviour = self.contract.operator
            return behaviour.staffing_min_factor, behaviour.staffing_max_factor
        return knob.low, knob.high

    def _start_trial(self) -> None:
        team = self.model.teams[0]
        current = team.settings()
        rng = self.model.streams.get("operator")
        for _ in range(len(KNOBS)):
            knob = KNOBS[self._knob_index]
            self._knob_index = (self._knob_index + 1) % len(KNOBS)
            direction = 1 if rng.random() < 0.5 else -1
            low, high = self._bounds(knob)
            for sign in (direction, -direction):
                value = round(current[knob.name] + sign * knob.step, 6)
                if low - 1e-9 <= value <= high + 1e-9 and self._allowed(knob, value, team):
                    self._before_trial = current
                    self._apply({**current, knob.name: value})
                    return
        self._before_trial = None

    @staticmethod
    def _allowed(knob: Knob, value: float, team) -> bool:
        """A policy must leave hours for casework (outreach + collective < 1)."""
        if knob.name == "outreach_share":
            return value + team.policy.collective_share < 0.9
        return True

    def _apply(self, settings: dict[str, float]) -> None:
        for team in self.model.teams:
            team.apply_settings(settings)
