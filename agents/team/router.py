"""The access point of a split team: who leads a household, who passes it on, who helps.

ODD §7.6 (docs/sources.md §2, S1 §4.1). With ``[team.split]`` the model has several
:class:`~wijksim.agents.team.NeighbourhoodTeam` agents; this router stands where the
single team stood as the neighbourhood's access point and adds what a split brings:

* **who leads** — in the ``focus`` configuration the household's segment on the dividing
  line (Utrecht: children present → youth team; the dominant problem decides between
  participation and care); in ``front_back`` always the front team;
* **passing on at intake** — the front team forwards complex households to the backing
  team; a focus team may offload a share of its complex households to another team
  (``offload_between_teams_share``). The household queues again, its wait going on;
* **a second worker** — a household with a problem in another focus team's domains gets
  a worker from that team too (if it has room): better competence there, but two
  workers, and coordination time for both (½ hour a week each, docs/sources.md §2);
* **separate queues** need nothing here: each team has its own queue and caseload limit,
  so one team can wait while another idles (loss of pooling).

The lead stays with one team: ``CaseTable.team``; the second worker is ``co_team``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.agents.team.intake import deal_in_proportion
from wijksim.model.config.team_split import TeamSplit, segment_of
from wijksim.model.state.caseload import ACTIVE_ROLES, NO_TEAM

if TYPE_CHECKING:
    from wijksim.agents.team.agent import NeighbourhoodTeam
    from wijksim.model.model import NeighbourhoodModel


class TeamRouter:
    """Routes households to the teams of a split and links the teams' work.

    Args:
        model: The model.
        split: The scenario's ``[team.split]``.
        teams: The split's teams, in the order of ``split.teams``.
    """

    def __init__(
        self, model: NeighbourhoodModel, split: TeamSplit, teams: list[NeighbourhoodTeam]
    ) -> None:
        self.model = model
        self.split = split
        self.teams = teams
        self._lead_of_segment = split.lead_index() if split.configuration == "focus" else None
        # A split's team i is model team ``teams[i].index`` (in a city they run on).
        self._team_index = np.array([team.index for team in teams], dtype=np.int16)
        self._complex_group = len(model.classifier.names) - 1
        # Offloading is a policy dealt in exact proportion, like the gate's (no draw).
        self._offload_credit = {team.index: 0.0 for team in teams}

    @property
    def help_seeking(self):
        """Households reach the split on the terms of its first (front) team."""
        return self.teams[0].help_seeking

    @property
    def is_open(self) -> bool:
        """Open when its teams are."""
        return any(team.is_open for team in self.teams)

    def lead_for(self, rows: np.ndarray) -> np.ndarray:
        """The index of the team that leads each of ``rows``."""
        if self._lead_of_segment is None:  # front_back: everyone enters at the front
            return np.full(rows.size, self.teams[0].index, dtype=np.int16)
        population = self.model.population
        segments = segment_of(
            self.split.dividing_line,
            population.zrm[rows],
            population.has_children[rows],
            population.life_phase[rows],
            population.need_group[rows],
            self._complex_group,
            self.teams[0].policy.intake_max_level,
        )
        return self._team_index[self._lead_of_segment[segments]]

    def apply(self, rows: np.ndarray, week: int, route: str) -> None:
        """Send households found by ``route`` to the intake queue of their lead team."""
        if rows.size == 0:
            return
        lead = self.lead_for(rows)
        for team in self.teams:
            mine = rows[lead == team.index]
            if mine.size:
                team.apply(mine, week, route)
                self.model.counters[team.metric("team_applications")] += int(mine.size)

    # --- passing on at intake -------------------------------------------------------------

    def pass_on_at_intake(
        self, team: NeighbourhoodTeam, waiting: np.ndarray, week: int
    ) -> np.ndarray:
        """Forward (front → backing) or offload households from ``team``'s queue.

        Households the team takes back (negative queue keys) and households passed on
        once already stay.

        Returns:
            The households still waiting for ``team``.
        """
        cases = self.model.cases
        movable = (cases.queue_order[waiting] >= 0) & ~cases.passed_on[waiting]
        if self.split.configuration == "front_back":
            if team is not self.teams[0]:
                return waiting
            target = self.teams[1]
            moving = waiting[movable & self._needs_backing(team, waiting)]
            counter = "team_forwarded_to_backing"
        else:
            if self.split.offload_between_teams_share == 0:
                return waiting
            complex_ = self.model.population.need_group[waiting] == self._complex_group
            candidates = waiting[movable & complex_]
            deal, self._offload_credit[team.index] = deal_in_proportion(
                self._offload_credit[team.index],
                self.split.offload_between_teams_share,
                candidates.size,
            )
            moving = candidates[deal]
            target = None
            counter = "team_offloads_between_teams"
        if moving.size == 0:
            return waiting
        cases.passed_on[moving] = True
        if target is not None:
            target.take_over(moving, week)
        else:
            self._offload(team, moving, week)
        counters = self.model.counters
        counters[counter] += int(moving.size)
        # Passing a household on takes a conversation between two professionals.
        hours = 2 * self.split.coordination_hours_per_case_per_professional * moving.size
        counters["team_hours_coordination"] += hours
        return waiting[~np.isin(waiting, moving)]

    def _needs_backing(self, front: NeighbourhoodTeam, rows: np.ndarray) -> np.ndarray:
        """Complex households, or with many problem domains, belong with the backing team."""
        population = self.model.population
        problems = (front.covered_levels(rows) <= front.policy.intake_max_level).sum(axis=1)
        is_complex = population.need_group[rows] == self._complex_group
        return is_complex | (problems >= self.split.backing_min_problem_domains)

    def _offload(self, team: NeighbourhoodTeam, rows: np.ndarray, week: int) -> None:
        """Pass ``rows`` to the team whose focus holds their worst domain (not ``team``).

        If that is ``team`` itself, the next team in order takes the household.
        """
        worst_domain = self.model.population.zrm[rows].argmin(axis=1)
        others = [t for t in self.teams if t is not team]
        chosen = np.full(rows.size, others[0].index, dtype=np.int8)
        for other in reversed(others):
            chosen[other.focus[worst_domain]] = other.index
        for other in others:
            mine = rows[chosen == other.index]
            if mine.size:
                other.take_over(mine, week)

    # --- a second worker --------------------------------------------------------------------

    def add_second_workers(self, lead: NeighbourhoodTeam, admitted: np.ndarray) -> None:
        """Bring in a worker of another focus team for households with problems there.

        The second team takes the share of the plan that falls in its focus domains,
        if it has room under its caseload limit; both professionals spend coordination
        time: once when the second worker joins, and every week if the scenario sets
        recurring coordination. Without room the lead team works on alone.
        """
        if not self.split.co_working or admitted.size == 0:
            return
        if self.split.configuration != "focus":
            return
        cases = self.model.cases
        problems = lead.covered_levels(admitted) <= lead.policy.intake_max_level
        n_problems = np.maximum(problems.sum(axis=1), 1)
        # The first week carries the one-off coordination; later weeks the recurring.
        coordination = (
            self.split.coordination_hours_per_case_per_professional
            + self.split.coordination_hours_per_professional_week
        )
        for other in self.teams:
            if other is lead:
                continue
            outside = other.focus & ~lead.focus
            theirs = (problems & outside).sum(axis=1)
            asks = (theirs > 0) & (cases.co_team[admitted] == NO_TEAM)
            wanted = admitted[asks]
            if wanted.size == 0:
                continue
            share = (theirs / n_problems)[asks]
            hours = cases.plan_hours[wanted] * (1.0 - cases.substitution[wanted]) * share
            units = (hours + coordination) / other.hours_per_unit
            room = other.caseload_limit - other.caseload_units()
            fits = np.cumsum(units, dtype=np.float64) <= room + 1e-6
            # The lead gives up the second worker's part (keeping at least a light case's
            # weight: it holds the plan and the contact, and aftercare weighs no more than
            # the case did) and takes on its own coordination: that must fit too.
            kept = np.maximum(cases.weight[wanted] * (1.0 - share), lead.weights["light"])
            kept = np.minimum(kept, cases.weight[wanted])
            lead_change = coordination / lead.hours_per_unit + kept - cases.weight[wanted]
            lead_room = lead.caseload_limit - lead.caseload_units()
            fits &= np.cumsum(lead_change, dtype=np.float64) <= lead_room + 1e-6
            joined = wanted[fits]
            self.model.counters["team_second_worker_no_room"] += int((~fits).sum())
            if joined.size == 0:
                continue
            cases.co_team[joined] = other.index
            cases.co_weight[joined] = units[fits] - coordination / other.hours_per_unit
            cases.coordination_hours[joined] = coordination
            # The lead hands the second worker's part of the plan over.
            cases.weight[joined] = kept[fits].astype(np.float32)
            self.model.counters["team_second_workers"] += int(joined.size)

    def coordinate(self) -> None:
        """Count this week's coordination hours of co-worked cases (both professionals).

        After the week in which a second worker joined (one-off coordination), a case
        carries only the recurring coordination.
        """
        cases = self.model.cases
        second = np.isin(cases.co_team, self._team_index)  # this split's second workers
        worked = second & np.isin(cases.role, [int(r) for r in ACTIVE_ROLES])
        hours = 2.0 * float(cases.coordination_hours[worked].sum())
        self.model.counters["team_hours_coordination"] += hours
        cases.coordination_hours[second] = self.split.coordination_hours_per_professional_week
        self.model.counters["team_hours_second_worker"] += float(
            sum(
                cases.co_weight[worked & (cases.co_team == team.index)].sum() * team.hours_per_unit
                for team in self.teams
            )
        )
