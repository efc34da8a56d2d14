"""The team's side of every household: which team holds it, in what role, since when.

ODD element 2. One row per household, like :class:`~wijksim.model.state.population.Population`;
a household is held by at most one team (one household, one plan, one worker). A
household's :class:`~wijksim.model.state.status.Status` says where it *is*; its
:class:`CaseRole` says what the team *does* for it: a consulted household is at a
specialist (status WAITING or IN_SPECIALIST_CARE) while the team keeps the lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

NO_TEAM = -1


class CaseRole(IntEnum):
    """The team's relation to a household."""

    NONE = 0
    """Not held by a team (any status)."""
    QUEUED = 1
    """In the team's intake queue (status INTAKE)."""
    LEAD = 2
    """Supported by the team, which holds the plan and the lead worker (status
    TEAM_SUPPORT)."""
    CONSULT = 3
    """The team keeps the lead and goes on supporting while a specialist is consulted
    (status WAITING or IN_SPECIALIST_CARE)."""
    HANDED_OVER = 4
    """Handed over to a specialist; the team stays informed and takes it back (status
    WAITING or IN_SPECIALIST_CARE)."""
    AFTERCARE = 5
    """Case closed; light monitoring ("finger on the pulse") (status AFTERCARE)."""


ACTIVE_ROLES = (CaseRole.LEAD, CaseRole.CONSULT)
"""Roles in which the team works the case (and the household counts as helped)."""


@dataclass
class CaseTable:
    """Team case state, one row per household.

    Attributes:
        team: Index of the team holding the household, or ``NO_TEAM``.
        role: A :class:`CaseRole` value.
        queue_order: Position key in the intake queue (lower goes first; households
            the team takes back get a large negative offset).
        queued_week: Week the household entered the intake queue (kept when another
            team passes it on).
        opened_week: Week the current case opened.
        weight: Caseload units the case takes (0 unless LEAD, CONSULT or AFTERCARE).
        hours: Team hours spent on the current case.
        plan_hours: Weekly hours of support the case's plan calls for (team, household
            and network together).
        substitution: Share of ``plan_hours`` carried by the household and its network,
            fixed at intake (ODD §7.5.5).
        beyond_depth_since: Week a need beyond the team's depth appeared in the case
            (not yet referred), or -1.
        hours_at_beyond_depth: ``hours`` at that week, to count the hours wasted on it.
        aftercare_until: Last week of aftercare.
        seconded: The case's worker is seconded from a specialist provider (ODD §7.5.3).
        co_team: Index of a second team whose worker also works the case (focus teams,
            ODD §7.6), or ``NO_TEAM``. The lead stays with ``team``: one lead worker.
        co_weight: Caseload units the case takes in the second team.
        coordination_hours: Hours a week each of the two professionals spends
            coordinating the case (0 without a second worker).
        passed_on: The household was passed from one team to another in this episode
            (offloading or forwarding), so it is not passed on again.
        supported_year: The last reported year a team worked the household's case (LEAD
            or CONSULT), or 0 if none ever did: households supported over several years
            count once (:meth:`note_supported`).
    """

    team: np.ndarray
    role: np.ndarray
    queue_order: np.ndarray
    queued_week: np.ndarray
    opened_week: np.ndarray
    weight: np.ndarray
    hours: np.ndarray
    plan_hours: np.ndarray
    substitution: np.ndarray
    beyond_depth_since: np.ndarray
    hours_at_beyond_depth: np.ndarray
    aftercare_until: np.ndarray
    seconded: np.ndarray
    co_team: np.ndarray
    co_weight: np.ndarray
    coordination_hours: np.ndarray
    passed_on: np.ndarray
    supported_year: np.ndarray

    @classmethod
    def empty(cls, size: int) -> CaseTable:
        """A table in which no household is held by a team."""
        return cls(
            team=np.full(size, NO_TEAM, dtype=np.int8),
            role=np.zeros(size, dtype=np.int8),
            queue_order=np.zeros(size, dtype=np.int64),
            queued_week=np.zeros(size, dtype=np.int32),
            opened_week=np.zeros(size, dtype=np.int32),
            weight=np.zeros(size, dtype=np.float32),
            hours=np.zeros(size, dtype=np.float32),
            plan_hours=np.zeros(size, dtype=np.float32),
            substitution=np.zeros(size, dtype=np.float32),
            beyond_depth_since=np.full(size, -1, dtype=np.int32),
            hours_at_beyond_depth=np.zeros(size, dtype=np.float32),
            aftercare_until=np.zeros(size, dtype=np.int32),
            seconded=np.zeros(size, dtype=bool),
            co_team=np.full(size, NO_TEAM, dtype=np.int8),
            co_weight=np.zeros(size, dtype=np.float32),
            coordination_hours=np.zeros(size, dtype=np.float32),
            passed_on=np.zeros(size, dtype=bool),
            supported_year=np.zeros(size, dtype=np.int16),
        )

    def rows(self, team: int, *roles: CaseRole, within: slice | None = None) -> np.ndarray:
        """Rows held by ``team`` in any of ``roles``.

        ``within``: the block of rows the team can hold (its neighbourhood's in a city),
        so that ten teams do not each scan the whole city.
        """
        if within is None:
            held = np.flatnonzero(self.team == team)
        else:
            held = np.flatnonzero(self.team[within] == team) + within.start
        if roles:  # the roles of the held rows only: a team holds few of all households
            wanted = np.zeros(len(CaseRole), dtype=bool)
            wanted[[int(r) for r in roles]] = True
            held = held[wanted[self.role[held]]]
        return held

    def note_supported(self, rows: np.ndarray, year: int) -> tuple[int, int]:
        """Mark ``rows`` as supported in ``year`` (1-based, reported).

        Returns:
            How many of them are supported for the first time this year, and how many
            for the first time in the run: summed over a period, the households a team
            supported in it, each once (Leeuwarden's 600 a year and 800 over four years,
            docs/sources.md §2).
        """
        last = self.supported_year[rows]
        first_in_year = int((last != year).sum())
        first_ever = int((last == 0).sum())
        self.supported_year[rows] = year
        return first_in_year, first_ever

    def release(self, rows: np.ndarray) -> None:
        """The team lets go of ``rows`` entirely."""
        self.team[rows] = NO_TEAM
        self.role[rows] = CaseRole.NONE
        self.weight[rows] = 0.0
        self.hours[rows] = 0.0
        self.beyond_depth_since[rows] = -1
        self.passed_on[rows] = False
        self.end_co_work(rows)

    def end_co_work(self, rows: np.ndarray) -> None:
        """The second worker of ``rows`` (if any) steps out; the lead goes on."""
        self.co_team[rows] = NO_TEAM
        self.co_weight[rows] = 0.0
        self.coordination_hours[rows] = 0.0
