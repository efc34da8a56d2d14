"""How a municipality divides its team capacity: integral, focus teams, front and backing.

Part of the scenario schema (``[team.split]``) and of ODD §7.6. The team section
describes the *whole* capacity (its FTE, competence, policy); a split divides that
capacity over several teams, conserving the FTE, and says who leads a household:

* ``integral`` — one team, all domains, one queue (the same as no split);
* ``focus`` (variant A) — parallel focus teams on a dividing line the scenario names,
  each with its own FTE, queue and competence profile (docs/sources.md §2, S1 §4.1);
* ``front_back`` (variant B) — a front team as the single access point and a backing
  intervention team behind it for complex households (Leeuwarden, docs/sources.md §2).

The mechanisms that make a split gain or lose (competence in the focus domains, faster
recognition, earlier referral "because the specialist is at hand", coordination time,
separate queues, offloading between teams, a second worker) are each a parameter here
that can be switched off; see :mod:`wijksim.agents.team.router` for what they do.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator
from wijksim.model.config.base import Domain, NonNegative, Section, Share
from wijksim.model.core.domains import DOMAIN_INDEX, N_DOMAINS

DividingLine = Literal["life_phase", "children", "problems", "complexity", "participation_care"]

SEGMENTS: dict[str, tuple[str, ...]] = {
    # Utrecht: children present → the youth team takes the household (docs/sources.md §2).
    "life_phase": ("youth", "adults", "elderly"),
    "children": ("with_children", "without_children"),
    "problems": ("single", "multi"),
    "complexity": ("light", "complex"),
    "participation_care": ("participation", "care"),
}
"""The segments of each dividing line of docs/sources.md §2, in the order :func:`segment_of`
numbers them."""

PARTICIPATION_DOMAINS: tuple[str, ...] = (
    "finances",
    "daytime_activity",
    "housing",
    "social_network",
    "community_participation",
    "justice",
)
"""The *participation* side of the participation–care line (work, income, housing,
taking part); the other five domains are *care* (health, addiction, daily living,
family). An assumption: the sources name the line, not its domains."""


class SplitTeam(Section):
    """One team of a split."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")]
    """Short name, used in metric names (``team_admissions__youth``)."""
    fte_share: Annotated[float, Field(gt=0.0, le=1.0)]
    """Share of the team section's frontline and overhead FTE; the shares sum to 1."""
    serves: list[str] = []
    """The segments of the dividing line this team leads (focus); the front team serves
    everyone and the backing team no one directly (front_back)."""
    focus_domains: list[Domain] = []
    """Domains of its specialisation: higher competence, faster recognition of
    specialist need, earlier referral (see :class:`TeamSplit`)."""


class TeamSplit(Section):
    """How the team's capacity is divided, and the mechanisms that come with it."""

    configuration: Literal["integral", "focus", "front_back"] = "integral"
    """One integral team, parallel focus teams (variant A) or a front team with a backing
    team (variant B, Leeuwarden; docs/sources.md §2)."""
    dividing_line: DividingLine = "life_phase"
    """Who leads whom in the ``focus`` configuration (ignored otherwise)."""
    teams: list[SplitTeam] = []
    """The teams, each a ``[[team.split.teams]]`` table: two or more for ``focus``, the
    front team then the backing team for ``front_back``."""
    focus_competence_gain: Share = 0.25
    """Competence in a team's focus domains × (1 + this), at most 1 (assumption:
    specialisation, 'faster and better interventions', S1 §4.1)."""
    outside_focus_competence_loss: Share = 0.15
    """Competence outside the focus × (1 − this): a focus team keeps less breadth
    (assumption; S1 §4.1 'workable team size limits breadth and depth')."""
    focus_recognition_gain: NonNegative = 1.0
    """Weekly chance of recognising specialist need in a focus domain × (1 + this):
    matched care instead of stepped care (assumption: twice as fast, S1 §4.1)."""
    focus_referral_lean_levels: Annotated[int, Field(ge=0, le=2)] = 1
    """In its focus domains a team refers this many ZRM levels earlier: "because the
    specialist is at hand" (S1 §4.1; assumption: one level)."""
    co_working: bool = True
    """A household with a problem in another team's focus domain gets a second worker
    from that team (if it has room): one plan broken, coordination time (docs/sources.md §2)."""
    coordination_hours_per_case_per_professional: NonNegative = 0.5
    """Once per household handled by two teams (a second worker joins, or a team passes
    it on), for each of the two professionals: "about half an hour per intervention per
    professional" that integral work saves (docs/sources.md §2, S1 App. I.3; an intervention
    is a household's support trajectory)."""
    coordination_hours_per_professional_week: NonNegative = 0.0
    """Recurring coordination while two teams work a household (case conferences), per
    professional per week (assumption: 0, the source gives a figure per intervention)."""
    offload_between_teams_share: Share = 0.0
    """Share of a focus team's complex households at intake passed on to another team
    (offloading between teams, S1 §4.1; 0: none, the scenario's assumption)."""
    backing_min_problem_domains: Annotated[int, Field(ge=1)] = 3
    """front_back: the front team forwards households with this many problem domains
    (or in the complex need group) to the backing team (assumption)."""

    @model_validator(mode="after")
    def _teams_fit_configuration(self) -> TeamSplit:
        if self.configuration == "integral":
            if len(self.teams) > 1:
                raise ValueError(
                    f"team.split.teams: expected at most one team for configuration "
                    f"'integral', found {len(self.teams)}"
                )
            return self
        names = [t.name for t in self.teams]
        if len(set(names)) != len(names):
            raise ValueError(f"team.split.teams: expected distinct names, found {names}")
        total = sum(t.fte_share for t in self.teams)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"team.split.teams: expected fte_share summing to 1 (the FTE are divided, "
                f"not added), found {total:g}"
            )
        if self.configuration == "front_back":
            if len(self.teams) != 2:
                raise ValueError(
                    "team.split.teams: expected two teams for 'front_back' (front first, "
                    f"then backing), found {len(self.teams)}"
                )
            return self
        if len(self.teams) < 2:
            raise ValueError(
                f"team.split.teams: expected two or more teams for 'focus', found {len(self.teams)}"
            )
        segments = SEGMENTS[self.dividing_line]
        served = [s for t in self.teams for s in t.serves]
        strange = sorted(set(served) - set(segments))
        if strange:
            raise ValueError(
                f"team.split.teams.serves: expected segments of '{self.dividing_line}' "
                f"{list(segments)}, found {strange}"
            )
        if sorted(served) != sorted(segments):
            raise ValueError(
                f"team.split.teams.serves: expected every segment of '{self.dividing_line}' "
                f"{list(segments)} served by exactly one team, found {served}"
            )
        return self

    @property
    def is_split(self) -> bool:
        """More than one team."""
        return self.configuration != "integral" and len(self.teams) > 1

    def focus_mask(self, team: SplitTeam) -> np.ndarray:
        """Boolean per domain column: ``team``'s focus domains."""
        mask = np.zeros(N_DOMAINS, dtype=bool)
        mask[[DOMAIN_INDEX[d] for d in team.focus_domains]] = True
        return mask

    def lead_index(self) -> np.ndarray:
        """For ``focus``: the leading team's index per segment of the dividing line."""
        segments = SEGMENTS[self.dividing_line]
        lead = np.full(len(segments), -1, dtype=np.int8)
        for index, team in enumerate(self.teams):
            for segment in team.serves:
                lead[segments.index(segment)] = index
        return lead


def segment_of(
    line: DividingLine,
    zrm: np.ndarray,
    has_children: np.ndarray,
    life_phase: np.ndarray,
    need_group: np.ndarray,
    complex_group: int,
    problem_max_level: int,
) -> np.ndarray:
    """Each household's segment on ``line`` (an index into ``SEGMENTS[line]``).

    Args:
        line: The dividing line.
        zrm: ZRM levels of the households (rows × domains).
        has_children: Children live in the household.
        life_phase: Index into :data:`wijksim.model.state.population.LIFE_PHASES`
            (young adult, adult, elderly).
        need_group: Need group index.
        complex_group: The index of the complex need group.
        problem_max_level: A domain at this level or worse is a problem (the team's
            intake level).

    Returns:
        An int8 array with one segment index per household.
    """
    if line == "life_phase":
        # Children present → youth; otherwise elderly by life phase, else adults.
        return np.where(has_children, 0, np.where(life_phase == 2, 2, 1)).astype(np.int8)
    if line == "children":
        return np.where(has_children, 0, 1).astype(np.int8)
    if line == "problems":
        return ((zrm <= problem_max_level).sum(axis=1) >= 2).astype(np.int8)
    if line == "complexity":
        return (need_group == complex_group).astype(np.int8)
    # participation_care: the dominant (worst) problem decides, as in Utrecht; a tie
    # goes to the first domain in column order (finances, …): a fixed, stated rule.
    dominant = zrm.argmin(axis=1)
    participation = np.isin(dominant, [DOMAIN_INDEX[d] for d in PARTICIPATION_DOMAINS])
    return np.where(participation, 0, 1).astype(np.int8)
