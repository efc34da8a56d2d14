"""The central desk of the old system (ODD element 7, submodel *central desk*).

Households that ask for help or are signalled apply here. After an assessment period
the desk indicates specialist care for the household's worst treatable domain, if it
is bad enough (stepped care: one domain at a time; a household that still needs help
after discharge must ask again). There is no aftercare.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.agents.booking import BookingAgent
from wijksim.model.config.scenario import AccessParams
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.state.ledger import to_cents
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


class CentralDesk(BookingAgent):
    """The municipality's central access desk (Wmo/youth loket).

    Args:
        model: The model.
        params: The scenario's access section.
    """

    def __init__(self, model: NeighbourhoodModel, params: AccessParams) -> None:
        super().__init__(model)
        self.params = params
        self.applications: dict[int, int] = {}  # household row -> week applied
        households = model.population.size
        self.fte = params.desk_fte_per_1000_households * households / 1000
        self.weekly_cost_cents = to_cents(self.fte * params.cost_per_fte_year_eur / WEEKS_PER_YEAR)
        self.billed_cents = 0
        self.is_open = True
        self.help_seeking = params
        # domain column -> specialist that treats it (crisis care excluded).
        self._treating = {
            int(column): specialist
            for specialist in reversed(model.specialists)
            if not specialist.params.forced_admission
            for column in specialist.domain_columns
        }
        self._treatable = np.array(sorted(self._treating), dtype=np.intp)

    def apply(self, rows: np.ndarray, week: int, route: str) -> None:
        """Register applications of households found by ``route`` (status KNOWN)."""
        for row in rows.tolist():
            self.applications[row] = week
        self.model.population.set_status(rows, Status.KNOWN, week)
        self.model.counters[f"found_{route}"] += int(rows.size)

    def close(self) -> np.ndarray:
        """Close the desk (the team replaces it); return the pending applications."""
        rows = np.fromiter(self.applications, dtype=np.intp, count=len(self.applications))
        self.applications.clear()
        self.is_open = False
        return rows

    def withdraw(self, row: int) -> None:
        """Drop an application (the household escalated meanwhile)."""
        self.applications.pop(row, None)

    def assess(self, week: int) -> None:
        """Decide on the applications whose assessment period has passed."""
        due = [
            r
            for r, applied in self.applications.items()
            if week - applied >= self.params.assessment_weeks
        ]
        if not due:
            return
        for row in due:
            del self.applications[row]
        rows = np.array(due, dtype=np.intp)
        population = self.model.population
        levels = population.zrm[np.ix_(rows, self._treatable)]
        worst = levels.argmin(axis=1)
        worst_level = levels[np.arange(rows.size), worst]
        indicated = worst_level <= self.params.indication_max_level
        not_indicated = rows[~indicated]
        population.set_status(not_indicated, Status.UNKNOWN, week)
        self.model.counters["desk_not_indicated"] += int(not_indicated.size)
        for column in np.unique(self._treatable[worst[indicated]]):
            specialist = self._treating[int(column)]
            chosen = rows[indicated & (self._treatable[worst] == column)]
            specialist.enlist(chosen, week)
            self.model.counters[f"referrals_{specialist.kind}"] += int(chosen.size)

    def pay_staff(self, step: int) -> None:
        """Book the desk's weekly staff cost (first-line access, ``team`` stream)."""
        self.billed_cents += self.weekly_cost_cents
        # One desk for the whole city: its cost is shared by households (model/config/city.py).
        shares = self.model.split_over_neighbourhoods(self.weekly_cost_cents)
        for hood, cents in enumerate(shares):
            self.model.ledger.book(
                step, "team", "municipality_wmo", self.ledger_id, "central_desk", cents, hood
            )
