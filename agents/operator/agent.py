"""The operator of the neighbourhood team: paid by the municipality, pays the staff.

Without a ``[funding]`` table the municipality pays the team's staff costs directly (the
team is a cost centre). With one, the team's staff costs are the operator's own, and the
municipality pays the operator what the payment rule (:mod:`wijksim.model.contracts.funding`) says
for what the team did. The operator's margin is revenue minus staff costs.

The operator reads nothing but the payment rule's numbers: no code branches on the name
of a funding form.

In a city every provider with a contract has its own operator (model/config/city.py,
``[city.providers]``): it is paid for the work of the teams of its own neighbourhoods,
settles on its own households' results, pays its own staff and decides for its own teams
from what those teams did. Outside a city (or with one provider) the one operator runs
every team and household.

Why one module: the operator's contract, its payments and its decisions share one set of
books and one period's observations; its knobs (``knobs.py``) and how it forecasts a
change (``forecast.py``) are apart.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from wijksim.agents.booking import BookingAgent
from wijksim.agents.operator.forecast import EscalationWatch, PeriodObservations, TeamOutlook
from wijksim.agents.operator.knobs import KNOBS, Knob, KnobHome
from wijksim.model.config.city import split_by_weights
from wijksim.model.contracts import funding
from wijksim.model.contracts.access import ReferralAccess
from wijksim.model.core.clock import WEEKS_PER_YEAR, year_of
from wijksim.model.state.ledger import to_cents

if TYPE_CHECKING:
    from wijksim.model.config.city import Neighbourhood
    from wijksim.model.model import NeighbourhoodModel


class TeamOperator(BookingAgent):
    """The organisation that runs the neighbourhood teams under a funding contract.

    Args:
        model: The model.
        contract: The payment rule (the scenario's ``[funding]``, or a city provider's).
        neighbourhoods: The neighbourhoods contracted to it (default: all of them).
        stream: The random stream of its population sample (a city's second and later
            providers draw from their own, so that one contract's sample does not move
            another's).

    Attributes:
        neighbourhoods: Its neighbourhoods.
        provider: Their provider's name (``""`` outside a city).
        teams: The teams it runs: those of its neighbourhoods.
        rows: Its households' rows.
        households: How many.
        team_params: The staffing it runs: its neighbourhoods' teams together (their
            frontline and coordination FTE summed; the other settings its first's).
        access: The contract's volume control on its teams' referrals (options A–E).
        revenue_cents: Everything the municipality paid (equals its ledger bookings).
        staff_cost_cents: Everything the operator paid its staff.
        withheld_cents: Malus, overrun, charges or claw-back not yet deducted from payments.
        clawback_cents: Everything clawed back for staff below the contracted formation.
        contracted_fte: The frontline FTE the contract pays for (0: none agreed).
        year_revenue_cents: Revenue in the current year, for the ceiling.
    """

    def __init__(
        self,
        model: NeighbourhoodModel,
        contract: funding.FundingParams,
        neighbourhoods: list[Neighbourhood] | None = None,
        stream: str = "funding",
    ) -> None:
        super().__init__(model)
        self.contract = contract
        self.stream = stream
        self._take_over(neighbourhoods or list(model.neighbourhoods))
        self.households = int(self.rows.size)
        self.lump_sum_year_eur = funding.lump_sum_year_eur(
            contract, self.households, float(np.mean(model.population.vulnerability[self.rows]))
        )
        self.access = ReferralAccess(model, contract.specialist_access, self.households)
        # The frontline formation the contract pays for (the whole of a split's teams).
        self.contracted_fte = contract.formation.staffing_factor * self.team_params.frontline_fte
        self.clawback_cents = 0
        self.revenue_cents = 0
        self.staff_cost_cents = 0
        self.withheld_cents = 0
        self.year_revenue_cents = 0
        self._year = 1
        self._period_escalations = 0
        self._period_specialist_cents = 0
        # What the team did in the review period so far (ODD §7.9), and the escalations
        # among its clients and waiting households since it opened.
        self._period = PeriodObservations()
        self._escalation_watch = EscalationWatch()
        self.measured_self_reliant: float | None = None
        self.reviews = self.changes = 0

    def _take_over(self, neighbourhoods: list[Neighbourhood]) -> None:
        """Take over ``neighbourhoods``: their teams, households and team settings."""
        self.neighbourhoods = neighbourhoods
        self.provider = neighbourhoods[0].provider
        self._neighbourhood_indices = frozenset(hood.index for hood in neighbourhoods)
        self.teams = [team for hood in neighbourhoods for team in hood.teams]
        self.rows = np.concatenate(
            [np.arange(hood.rows.start, hood.rows.stop) for hood in neighbourhoods]
        )
        # Which team indices (shifted by one: -1 is no team) are its own.
        self._own_team = np.zeros(len(self.model.teams) + 1, dtype=bool)
        self._own_team[[team.index + 1 for team in self.teams]] = True
        plans = [hood.plan.team for hood in neighbourhoods if hood.plan.team is not None]
        self.team_params = plans[0]
        if len(plans) > 1:
            self.team_params = plans[0].model_copy(
                update={
                    "frontline_fte": sum(plan.frontline_fte for plan in plans),
                    "overhead_fte": sum(plan.overhead_fte for plan in plans),
                }
            )
        for hood in neighbourhoods:
            hood.operator = self

    def restaffed(self) -> None:
        """Its teams got other staff before they opened (``compare-allocation``).

        The staffing it reasons about and the formation its contract pays for follow
        the teams' new FTE.
        """
        frontline = sum(team.params.frontline_fte for team in self.teams)
        overhead = sum(team.params.overhead_fte for team in self.teams)
        self.team_params = self.team_params.model_copy(
            update={"frontline_fte": frontline, "overhead_fte": overhead}
        )
        self.contracted_fte = self.contract.formation.staffing_factor * frontline

    def holds(self, case_teams: np.ndarray) -> np.ndarray:
        """Mask over ``case_teams`` (``CaseTable.team`` values): held by one of its teams."""
        return self._own_team[case_teams + 1]

    def week_count(self, name: str) -> float:
        """This week's counter ``name`` summed over its teams (in team order)."""
        return sum(team.counters[name] for team in self.teams)

    def week_escalations(self) -> int:
        """This week's escalations among its households (counted in full, not sampled)."""
        counters = self.model.counters
        if not self.model.is_city:
            return counters["escalations_total"]
        return sum(counters[f"escalations_total@{hood.name}"] for hood in self.neighbourhoods)

    def week_specialist_cents(self, week: int) -> int:
        """Specialist spending booked this week for its neighbourhoods' households."""
        return self.model.ledger.step_total_cents(
            week, stream="specialist", neighbourhoods=self._neighbourhood_indices
        )

    @property
    def margin_cents(self) -> int:
        """Revenue minus staff costs so far, less what the municipality still withholds."""
        return self.revenue_cents - self.staff_cost_cents - self.withheld_cents

    def pay_staff(self, cents: int) -> None:
        """The teams' weekly staff costs are the operator's (not booked as public money)."""
        self.staff_cost_cents += int(cents)
        self.model.counters["operator_staff_cost_eur"] += cents / 100

    def settle_week(self, week: int, done: funding.WeekActivity) -> int:
        """Receive this week's payment for ``done``; return the cents booked."""
        year = year_of(week)
        if year != self._year:
            self._year, self.year_revenue_cents = year, 0
        owed = to_cents(funding.weekly_payment_eur(self.contract, self.lump_sum_year_eur, done))
        self._claw_back_missing_staff()
        deducted = min(owed, self.withheld_cents)
        self.withheld_cents -= deducted
        return self._receive(week, owed - deducted)

    def _claw_back_missing_staff(self) -> None:
        """Withhold the week's claw-back for frontline staff below the contracted formation.

        Deducted from this week's payment (and later ones, if it is larger), so the
        ledger books the reduced payment; ``operator_clawback_eur`` records the amount.
        """
        frontline = sum(team.frontline_fte for team in self.teams)
        cents = to_cents(
            funding.formation_clawback_week_eur(
                self.contract, self.lump_sum_year_eur, self.contracted_fte, frontline
            )
        )
        if cents > 0:
            self.withheld_cents += cents
            self.clawback_cents += cents
            self.model.counters["operator_clawback_eur"] += cents / 100

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
            self.households,
            contract.settlement_weeks / WEEKS_PER_YEAR,
            measured_self_reliant,
            self._period_escalations,
            self._period_specialist_cents / 100,
        )
        self._period_escalations = self._period_specialist_cents = 0
        if measured_self_reliant is not None:
            self.measured_self_reliant = measured_self_reliant
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
        # Booked to its neighbourhoods by households, so the ledger's provider column
        # holds what this provider was paid.
        hoods = self.neighbourhoods
        shares = split_by_weights(cents, [hood.households for hood in hoods])
        for hood, part in zip(hoods, shares, strict=True):
            self.model.ledger.book(
                week, "team", self.contract.payer, self.ledger_id, "team_operator", part, hood.index
            )
        return cents

    def charge(self, cents: int) -> None:
        """Options D–E: charge the operator the specialists' price for its referrals.

        It is deducted from later payments (the municipality paid the specialist in full).
        """
        self.withheld_cents += int(cents)
        self.model.counters["operator_specialist_charge_eur"] += cents / 100

    # --- reviewing the policy -------------------------------------------------------------

    def review(self) -> None:
        """Note the week; at a period's end, forecast each one-step move and make the best.

        Reasoning from marginal revenue and cost (ODD §7.9): the forecasts use only the
        contract's numbers, what the team did in the period, the escalations it saw
        among its clients and waiting households, and the last population measurement,
        through
        :class:`~wijksim.agents.operator.forecast.TeamOutlook`.
        """
        self._period.note(self.model, self)
        self._escalation_watch.note(self.model, self)
        if self._period.weeks < self.contract.operator.review_weeks:
            return
        observed = self._observed()
        self._period = PeriodObservations()
        team = self.teams[0]
        current = team.settings()
        outlook = TeamOutlook(self.model, self.contract, observed, current, self)
        best, best_utility = current, outlook.utility(current)
        for candidate in self._candidates(current, team):
            utility = outlook.utility(candidate)
            if utility > best_utility:
                best, best_utility = candidate, utility
        self.reviews += 1
        gain = best_utility - outlook.utility(current)
        weekly_cost = sum(t.weekly_cost_cents for t in self.teams) / 100
        threshold = self.contract.operator.min_gain_share * weekly_cost
        if best is not current and gain > threshold:
            self.changes += 1
            self._apply(best)

    def _observed(self) -> dict[str, float]:
        """What the operator knows at a review: the period, escalation rates, the sample."""
        measured = self.measured_self_reliant
        return {
            **self._period.summary(self.model, self),
            **self._escalation_watch.rates(),
            "measured_self_reliant": math.nan if measured is None else measured,
        }

    def _candidates(self, current: dict[str, float], team) -> list[dict[str, float]]:
        """Every setting one knob-step away from ``current`` that the bounds allow."""
        out = []
        for knob in KNOBS:
            low, high = self._bounds(knob)
            step = knob.step * self._scale(knob)
            for sign in (1, -1):
                value = round(current[knob.name] + sign * step, 6)
                if low - 1e-9 <= value <= high + 1e-9 and self._allowed(knob, value, team):
                    out.append({**current, knob.name: value})
        return out

    def _bounds(self, knob: Knob) -> tuple[float, float]:
        if knob.home is KnobHome.STAFFING:
            behaviour = self.contract.operator
            return behaviour.staffing_min_factor, behaviour.staffing_max_factor
        scale = self._scale(knob)
        return knob.low * scale, knob.high * scale

    def _scale(self, knob: Knob) -> float:
        """What a relative knob's step and bounds multiply: the scenario's own value."""
        if not knob.relative:
            return 1.0
        return float(getattr(self.team_params.policy, knob.name))

    @staticmethod
    def _allowed(knob: Knob, value: float, team) -> bool:
        """A policy must leave hours for casework (outreach + collective < 1)."""
        if knob.name == "outreach_share":
            return value + team.policy.collective_share < 0.9
        return True

    def _apply(self, settings: dict[str, float]) -> None:
        for team in self.teams:
            team.apply_settings(settings)
