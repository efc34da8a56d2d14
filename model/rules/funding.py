"""The ``funding`` rule: the municipality pays the team's operator (ODD element 7).

Every week the operator is paid for the team's activity by the contract's payment rule
(:mod:`wijksim.model.funding`); every ``settlement_weeks`` the population results are
measured in a random sample of *all* households and bonus–malus and shared savings are
settled. Without a ``[funding]`` table (or without a team) nothing happens here and the
municipality pays the team's staff directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.funding import WeekActivity
from wijksim.model.rules.base import Rule, register_rule

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


@register_rule
class Funding(Rule):
    """Pay the operator for the week; settle population results at period ends."""

    name = "funding"

    def step(self, model: NeighbourhoodModel) -> None:
        """Book the week's payment and, at a period's end, the settlement."""
        operator = model.operator
        if operator is None or not any(team.is_open for team in model.teams):
            return
        counters = model.counters
        contract = operator.contract
        done = WeekActivity(
            casework_hours=float(counters["team_hours_casework"]),
            admissions=int(counters["team_admissions"]),
            results=sum(team.results_this_week(contract.result_min_level) for team in model.teams),
        )
        counters["funding_results"] += done.results
        operator.settle_week(model.week, done)
        escalations = counters["escalations_total"]
        specialist = model.ledger.step_total_cents(model.week, stream="specialist")
        operator.note_population(escalations, specialist)
        if model.week % contract.settlement_weeks == 0:
            operator.settle_period(model.week, self._measure(model, contract))
        if contract.operator.adapts:
            operator.review()

    def _measure(self, model: NeighbourhoodModel, contract) -> float | None:
        """Share self-reliant (need group 0) in a random sample of all households."""
        size = min(contract.population_results.sample_households, model.population.size)
        if size == 0:
            return None
        sample = self.rng(model).choice(model.population.size, size=size, replace=False)
        return float(np.mean(model.population.need_group[sample] == 0))
