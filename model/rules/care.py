"""Care and funding rules: specialists, the access point, collective provisions.

ODD element 7, submodels 6–8. These rules act on the households the agents hold
(waiting lists, clients, applications), never on all households.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wijksim.model.rules.base import Rule, register_rule
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


@register_rule
class SpecialistCare(Rule):
    """Each specialist bills P×Q, discharges, re-triages its waiting list, admits and treats.

    Every provider bills the same way, crisis care included: a week's price for every
    household it holds as the week begins (the week of care just given), so that over a
    run each provider's bill is its price × its client-weeks. Discharged households go
    back to the team that referred them (scaling down), or, when no team holds them (the
    old system, or clients of before the transition), leave without aftercare: back to
    UNKNOWN, which closes the care episode. After crisis care they apply at the access
    point to be assessed for regular care. Waiting households whose need resolved leave
    the list the same way (:meth:`~wijksim.agents.specialist.Specialist.drop_resolved`).
    """

    name = "specialist_care"

    def step(self, model: NeighbourhoodModel) -> None:
        """Run this week's care cycle of every specialist."""
        week = model.week
        for specialist in model.specialists:
            specialist.bill(week)
            done = specialist.discharge_due(week)
            if specialist.params.forced_admission:
                model.send_to_access_points(done, week, route="crisis")
            else:
                self._return(model, done, week, closes_episode=True)
            # Households that no longer need the care stop waiting for it.
            self._return(model, specialist.drop_resolved(), week, closes_episode=False)
            specialist.admit_from_waiting_list(week)
            specialist.treat()

    @staticmethod
    def _return(model: NeighbourhoodModel, rows, week: int, closes_episode: bool) -> None:
        """Households leave a specialist: to the team that referred them, or home.

        Args:
            model: The model.
            rows: The households.
            week: This week.
            closes_episode: They were in care (a closure starts the relapse window);
                households that only waited were never in care.
        """
        team_of = model.cases.team[rows]
        for team in model.teams:
            team.hand_back(rows[team_of == team.index], week)
        alone = rows[team_of < 0]
        model.population.set_status(alone, Status.UNKNOWN, week)
        if closes_episode:
            model.note_closure(alone)


@register_rule
class CentralDeskAssessment(Rule):
    """The old system's desk assesses applications and indicates specialist care."""

    name = "central_desk"

    def step(self, model: NeighbourhoodModel) -> None:
        """Assess due applications and pay the desk's staff, while the desk is open."""
        if model.desk.is_open:
            model.desk.assess(model.week)
            model.desk.pay_staff(model.week)


@register_rule
class CollectiveProvisions(Rule):
    """The municipality funds the 0th line (community centre, volunteers)."""

    name = "collective_provisions"

    def step(self, model: NeighbourhoodModel) -> None:
        """Book this week's 0th-line budget."""
        model.municipality.fund_collective_provisions(model.week)
