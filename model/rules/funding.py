"""The ``funding`` rule: the municipality pays the team's operator (ODD element 7).

Every week the operator is paid for the team's activity by the contract's payment rule
(:mod:`wijksim.model.contracts.funding`); every ``settlement_weeks`` the population results are
measured in a random sample of *all* households and bonus–malus and shared savings are
settled. Without a ``[funding]`` table (or without a team) nothing happens here and the
municipality pays the team's staff directly. In a city each provider's operator is paid
and settled on its own (model/config/city.py, ``[city.providers]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.contracts.funding import WeekActivity
from wijksim.model.rules.base import Rule, register_rule

if TYPE_CHECKING:
    from wijksim.agents.operator.agent import TeamOperator
    from wijksim.model.model import NeighbourhoodModel


@register_rule
class Funding(Rule):
    """Pay the operator for the week; settle population results at period ends."""

    name = "funding"

    def step(self, model: NeighbourhoodModel) -> None:
        """Pay each operator for its teams' week and, at a period's end, settle."""
        for operator in model.operators:
            if any(team.is_open for team in operator.teams):
                self._settle(model, operator)

    def _settle(self, model: NeighbourhoodModel, operator: TeamOperator) -> None:
        """Book one operator's payment for what its own teams did; settle; review."""
        contract = operator.contract
        done = WeekActivity(
            casework_hours=float(operator.week_count("team_hours_casework")),
            admissions=int(operator.week_count("team_admissions")),
            results=sum(
                team.results_this_week(contract.result_min_level) for team in operator.teams
            ),
        )
        model.counters["funding_results"] += done.results
        operator.settle_week(model.week, done)
        operator.note_population(
            operator.week_escalations(), operator.week_specialist_cents(model.week)
        )
        if model.week % contract.settlement_weeks == 0:
            operator.settle_period(model.week, self._measure(model, operator))
        if contract.operator.adapts:
            operator.review()

    def _measure(self, model: NeighbourhoodModel, operator: TeamOperator) -> float | None:
        """Share self-reliant (need group 0) in a random sample of the operator's households.

        Drawn from the operator's own stream (``operator.stream``): one provider's
        sample does not move another's.
        """
        size = min(operator.contract.population_results.sample_households, operator.households)
        if size == 0:
            return None
        sample = model.streams.get(operator.stream).choice(
            operator.households, size=size, replace=False
        )
        return float(np.mean(model.population.need_group[operator.rows[sample]] == 0))
