"""Debt counselling by the neighbourhood team shortens financial recovery (a worked example).

A partner's rule, in one file outside the package (docs/extending.md). Each week, after
the team has supported its cases and before households recover, every household the team
works with whose finances are a problem gets an extra weekly recovery hazard on the
finances domain: the team's debt worker (``team.own_functions`` lists debt counselling
in the shipped team) works on its debts.

The hook is ``population.treatment_boost``, the extra recovery hazard of this week's care
per household and domain (docs/ODD.md, Recovery): the ``recovery`` rule adds it to each
domain's hazard, as it adds a specialist's ``recovery_boost_per_week``. The array is
zeroed at the start of every week, so the rule must run after that and before
``recovery``; placed ``after = "team_support"`` it acts on this week's cases.

Assumption: the effect size is not known from the sources; ``boost_per_week`` is the
parameter to sweep (0 is the model without the rule's effect).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field
from wijksim.model.core.domains import DOMAIN_INDEX
from wijksim.model.rules import Metric, Rule, RuleParams, register_rule
from wijksim.model.state.caseload import ACTIVE_ROLES

FINANCES = DOMAIN_INDEX["finances"]


class DebtCounsellingParams(RuleParams):
    """``[rules.debt_counselling]`` in a scenario."""

    boost_per_week: float = Field(default=0.03, ge=0.0, le=1.0)
    """Extra weekly recovery hazard of the finances domain of a team client with a
    financial problem. Assumption: half a specialist debt counsellor's
    ``recovery_boost_per_week`` (0.06, itself an assumption; docs/ODD.md), since the
    team's worker counsels alongside its other work."""
    max_level: int = Field(default=2, ge=1, le=4)
    """Counselled if finances are at this ZRM level or below. Assumption: 2 (not
    self-reliant: problematic debts), where debt counselling is offered."""


@register_rule
class DebtCounselling(Rule):
    """The team's debt worker raises the finances recovery of its clients with debts."""

    name = "debt_counselling"
    Params = DebtCounsellingParams
    metrics = (
        Metric("debt_counselling_households", "flow", "team clients counselled this week"),
        Metric(
            "debt_counselling_share_in_debt",
            "state",
            "share of the team's clients with finances at or below max_level",
        ),
    )

    def step(self, model) -> None:
        """Add the boost to the finances of this week's team clients in debt."""
        rows = self._counselled(model)
        model.population.treatment_boost[rows, FINANCES] += np.float32(self.params.boost_per_week)
        model.counters["debt_counselling_households"] += int(rows.size)

    def record(self, model) -> dict[str, float]:
        """The share of the team's clients in debt at the end of the week (NaN without)."""
        clients = self._clients(model)
        if clients.size == 0:
            return {"debt_counselling_share_in_debt": float("nan")}
        in_debt = model.population.zrm[clients, FINANCES] <= self.params.max_level
        return {"debt_counselling_share_in_debt": float(in_debt.mean())}

    def _clients(self, model) -> np.ndarray:
        """Rows of the households a team works with (none before the team opens)."""
        if not any(team.is_open for team in model.teams):
            return np.empty(0, dtype=np.intp)
        cases = model.cases
        held = np.flatnonzero(cases.team >= 0)
        working = np.isin(cases.role[held], [int(role) for role in ACTIVE_ROLES])
        return held[working]

    def _counselled(self, model) -> np.ndarray:
        clients = self._clients(model)
        return clients[model.population.zrm[clients, FINANCES] <= self.params.max_level]
