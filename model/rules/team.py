"""Team rules: the switch from the old desk, casework, support and outreach.

ODD element 7, submodels ``transition``, ``team_casework``, ``team_support`` and
``team_outreach``. Each acts on every open team, on the households that team holds
(outreach: on the households it meets). Without a ``[team]`` section they do nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.core.clock import WEEKS_PER_YEAR, first_week_of
from wijksim.model.rules.base import Rule, register_rule
from wijksim.model.state.ledger import to_cents
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


@register_rule
class Transition(Rule):
    """Open the team in its start year and book the one-off friction costs.

    In the first week of ``transition.team_start_year`` the desk closes and its pending
    applications move to the team's intake queue; households on a specialist's waiting
    list or in care stay there and finish their trajectories (no team holds them, so
    they leave care as in the old system). Friction costs are booked evenly, weekly,
    over ``friction_years`` from that week, by the municipality.
    """

    name = "transition"

    def setup(self, model: NeighbourhoodModel) -> None:
        """Work out the opening week and the friction period."""
        transition = model.params.transition
        self.start_week = first_week_of(transition.team_start_year)
        self.friction_weeks = transition.friction_years * WEEKS_PER_YEAR
        # Each neighbourhood's share (one outside a city), booked to it.
        self.weekly_friction_cents = [
            to_cents(hood.plan.friction_cost_eur / self.friction_weeks)
            for hood in model.neighbourhoods
        ]

    def step(self, model: NeighbourhoodModel) -> None:
        """Open the teams when due; book this week's friction costs."""
        if not model.teams:
            return
        week = model.week
        if week == self.start_week:
            pending = model.desk.close()
            for team in model.teams:
                team.is_open = True
            model.send_to_access_points(pending, week, route="desk_transfer")
        in_period = self.start_week <= week < self.start_week + self.friction_weeks
        if not in_period:
            return
        for hood, cents in enumerate(self.weekly_friction_cents):
            if cents and model.neighbourhoods[hood].teams:
                model.municipality.book_friction(week, cents, hood)


@register_rule
class TeamCasework(Rule):
    """Each open team pays its staff, reviews aftercare and cases, and takes intake.

    Order within the week: aftercare cases that fell back reopen (at the head of the
    queue); working cases whose need goes beyond the team's depth are referred once the
    team recognises it (one uniform per household per week); cases that are
    self-reliant enough close into aftercare; then the intake queue is assessed.
    """

    name = "team_casework"

    def step(self, model: NeighbourhoodModel) -> None:
        """Run this week's casework of every open team."""
        draws = self.rng(model).random(model.population.size, dtype=np.float32)
        for team in model.teams:
            if not team.is_open:
                continue
            team.begin_week()
            team.pay_staff(model.week)
            team.review_aftercare(model.week)
            team.review_cases(model.week, draws)
            team.take_intake(model.week)
        for hood in model.neighbourhoods:
            if hood.router is not None and hood.router.is_open:
                hood.router.coordinate()


@register_rule
class TeamSupport(Rule):
    """Each open team supports its cases and does its collective work.

    Support raises recovery in the covered problem domains by competence × hours,
    protects them partly from escalation and builds own strength (which fades back
    slowly, ``own_strength_fade``); collective hours
    build the helpers' capacity in the informal network. Runs before ``recovery``, so
    support acts this week; it adds to the week's boosts, which start from zero at the
    start of the week (``NeighbourhoodModel._begin_week``).
    """

    name = "team_support"

    def step(self, model: NeighbourhoodModel) -> None:
        """Support every open team's caseload."""
        for team in model.teams:
            if team.is_open:
                team.support(model.week)
                team.collective_work()


@register_rule
class TeamOutreach(Rule):
    """Outreach: the team meets households, most often the more vulnerable ones.

    Each week a team's outreach hours buy ``contacts`` meetings, spread over the
    households in proportion to their vulnerability (outreach goes where need is
    expected). An unknown household that is met and has a covered domain at the intake
    level or worse enters the intake queue. One uniform per household per week. The
    teams of a split meet households together (their contacts add up). In a city each
    neighbourhood's teams meet its own households.
    """

    name = "team_outreach"

    def setup(self, model: NeighbourhoodModel) -> None:
        """Each household's share of its neighbourhood's contacts."""
        self.contact_share = []
        for hood in model.neighbourhoods:
            vulnerability = model.population.vulnerability[hood.rows].astype(np.float64)
            self.contact_share.append(vulnerability / vulnerability.sum())

    def step(self, model: NeighbourhoodModel) -> None:
        """Draw this week's contacts and send the hidden need found to intake."""
        population = model.population
        draws = self.rng(model).random(population.size, dtype=np.float32)
        unknown = population.status == Status.UNKNOWN
        for hood, share in zip(model.neighbourhoods, self.contact_share, strict=True):
            self._reach_out(model, hood, share, unknown, draws)

    @staticmethod
    def _reach_out(model, hood, share, unknown, draws) -> None:
        """One neighbourhood's outreach with its open teams."""
        open_teams = [team for team in hood.teams if team.is_open]
        if not open_teams:
            return
        # The teams of a split meet households together: their contacts add up, and a
        # household found goes to the team that leads it (one access point).
        contacts = sum(team.outreach_contacts() for team in open_teams)
        rows = hood.rows
        met = draws[rows] < np.minimum(1.0, contacts * share)
        candidates = np.flatnonzero(met & unknown[rows]) + rows.start
        first = open_teams[0]
        hidden = candidates[first.worst_covered(candidates) <= first.policy.intake_max_level]
        model.note_return(hidden)
        (hood.router or first).apply(hidden, model.week, route="outreach")
        model.counters["team_hours_outreach"] += sum(
            team.frontline_hours(team.policy.outreach_share) for team in open_teams
        )
