"""Scenario sections of the neighbourhood team and of the switch to it.

Part of the scenario schema (:mod:`wijksim.model.config.scenario`), kept in its own module
because the team has many parameters. Conventions as there: units in the names, a
source or *assumption* on every default.

Three kinds of parameter, kept apart on purpose:

* :class:`HelpSeekingParams` — how households reach an access point (the old desk or
  the team): the same rule reads them from whichever access point is open.
* :class:`TeamParams` — what the team *is*: staff, breadth, depth, competence, how fast a
  generalist recognises specialist need, how strongly support works.
* :class:`TeamPolicy` — what the team's operator *chooses*: intake, hours per case,
  referral, discharge, outreach, aftercare. Issue 5 lets a provider set these in
  response to money; here they are scenario parameters.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator
from wijksim.model.config.base import Domain, Level, NonNegative, Payer, Positive, Section, Share
from wijksim.model.config.team_split import TeamSplit
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.core.domains import DOMAINS

Intensity = Literal["light", "basic", "complex"]

INTENSITIES: tuple[str, ...] = ("light", "basic", "complex")


class HelpSeekingParams(Section):
    """How households in need reach an access point: asking, and being signalled."""

    help_seeking_max_level: Annotated[int, Field(ge=1, le=4)] = 2
    """Households ask only once a domain is at this level or worse. Old system: 2, late
    and at a high threshold (docs/sources.md §2); the team lowers it."""
    ask_per_week: Share = 0.02
    """Weekly chance that a household at the threshold asks (assumption: ~1 in 50)."""
    acute_ask_multiplier: NonNegative = 3.0
    """At level 1 households ask this many times more often (assumption)."""
    limited_ask_multiplier: NonNegative = 0.25
    """At level 3 (limited self-reliance), if the threshold reaches it, households ask
    this many times as often as at level 2 (assumption: less urgency)."""
    signal_per_week: Share = 0.005
    """Weekly chance that GP, school or police signal a household at the threshold
    (assumption: a quarter of the asking rate)."""
    school_signal_factor: NonNegative = 2.0
    """Professional signals × this for households with children (assumption: school
    and GP both see them)."""
    neighbour_signal_per_week: Share = 0.0
    """Weekly chance that neighbours signal a household at the threshold, × how well it
    is connected (1 − isolation). The old desk is not in the neighbourhood: 0."""


class TeamPolicy(Section):
    """The operator's choices: how the team selects, works, refers and lets go."""

    intake_max_level: Level = 2
    """A household found by the team becomes a case if a covered domain is at this level
    or worse; otherwise it gets advice and leaves (assumption: households that are only
    'limited', ZRM 3, may ask the low-threshold team, but a case starts at a problem)."""
    hours_per_case_factor: Positive = 1.0
    """Hours per case × this, relative to the intensity norms. More hours per case means
    a stronger effect but fewer cases within the caseload limit."""
    referral_max_level: Level = 1
    """A domain at this level or worse that the team does not do itself is referred to
    its specialist once the team recognises it (assumption: acute problems)."""
    discharge_min_level: Level = 4
    """A case closes when every covered domain is at this level or better (ZRM 4 =
    sufficiently self-reliant). Lower values close too early (S1 App. I.4 key 5)."""
    outreach_share: Share = 0.10
    """Share of frontline hours spent on outreach (assumption: proactive work is part of
    the team's job, docs/sources.md §2; no figure in the sources)."""
    collective_share: Share = 0.10
    """Share of frontline hours spent on collective (0th-line) work that strengthens the
    neighbourhood network (assumption)."""
    aftercare_weeks: Annotated[int, Field(ge=0)] = WEEKS_PER_YEAR
    """Weeks of light monitoring after a case closes; 0 = none (assumption: the relapse
    window of one year)."""
    complex_offload_share: Share = 0.0
    """Share of complex households (the last need group) that the team, at the moment it
    would open their case, refers straight on to a specialist (or, without a referable
    problem, turns away) instead: selection at the gate (docs/sources.md §5). Households the
    team takes back are never offloaded."""
    reopen_max_level: Level = 2
    """In aftercare, a case reopens once a domain falls to this level or worse; milder
    slips are corrected by the aftercare contact itself ("finger on the pulse")."""

    @model_validator(mode="after")
    def _hours_left_for_cases(self) -> TeamPolicy:
        if self.outreach_share + self.collective_share >= 1.0:
            raise ValueError(
                "outreach_share + collective_share: expected less than 1 (hours must be "
                f"left for casework), found {self.outreach_share + self.collective_share:g}"
            )
        return self


class TeamParams(Section):
    """An integral social neighbourhood team (docs/sources.md §2)."""

    label: str = "Integral neighbourhood team"
    """A name for tables and figures."""
    frontline_fte: Positive = 8.0
    """Leeuwarden: a 10-FTE team with 8 frontline FTE (docs/sources.md §2, S1 App. I.3);
    Utrecht: 10 FTE per team (S1 App. IV)."""
    overhead_fte: NonNegative = 2.0
    """Coordination and support staff who hold no cases (Leeuwarden: 10 − 8)."""
    hours_per_fte_week: Positive = 36.0
    """A Dutch full-time week (assumption: collective labour agreements, 36 h)."""
    cost_per_fte_year_eur: NonNegative = 73_200
    """Leeuwarden: €732,000 a year for 10 FTE (docs/sources.md §2, S1 App. I.3)."""
    payer: Payer = "municipality_wmo"
    """Who pays the team: the municipality (Wmo)."""
    caseload_limit_per_fte: Positive = 45.0
    """Weighted households per frontline FTE: Leeuwarden 40–50 per worker (S1 App. IV,
    docs/sources.md §2). A case of intensity i weighs ``caseload_limit_per_fte / intensity_norm[i]``
    units, less the share its household and network carry (``substitution_max``).
    The limit holds whatever the operator does with outreach and collective work;
    those take hours from the cases instead."""
    intensity_norm_households_per_fte: dict[Intensity, Positive] = {
        "light": 100.0,
        "basic": 35.0,
        "complex": 6.0,
    }
    """Households one worker can carry by intensity: ~100 light, 30–40 basic, 5–7
    complex (the MKBA tool's norms, [S4]/[S3] in docs/sources.md §2)."""
    intensity_by_group: dict[str, Intensity] = {}
    """Case intensity by need group at intake. Unlisted: the first (least severe) group
    is light, the last complex, the others basic."""
    domains: Annotated[list[Domain], Field(min_length=1)] = list(DOMAINS)
    """Breadth: the domains the team works on (integral: all eleven)."""
    own_functions: list[str] = ["debt_counselling"]
    """Depth: specialist kinds whose work the team does itself, so it never refers them
    (assumption: Dutch teams commonly include a debt worker; docs/sources.md §2, 'a
    specialism inside the team')."""
    competence: dict[Domain, Share] = {}
    """Competence per domain, 0..1; unlisted covered domains get
    ``default_competence``."""
    default_competence: Share = 0.6
    """A T-shaped generalist's competence outside its own specialism (assumption)."""
    recognition_per_week: Share = 0.12
    """Weekly chance that the team recognises a need beyond its depth (assumption: a
    generalist sees it after ~8 weeks on average: stepped care, docs/sources.md §2)."""
    intake_order: Literal["strict", "first_fit"] = "strict"
    """``strict``: admission stops at the first household whose case does not fit under
    the caseload limit (a heavy case holds up the queue behind it). ``first_fit``: any
    household whose case fits is admitted, in queue order (no capacity idles while
    someone waits whose case would fit; heavy cases wait longer). Assumption: strict,
    first come first served, as a team's waiting list is usually kept (ODD §7.5.2)."""
    seconded_share: Share = 0.0
    """Share of frontline staff seconded from specialist providers rather than employed
    by the municipality (docs/sources.md §2). Cases are dealt to workers in this proportion."""
    seconded_referral_lean: NonNegative = 1.0
    """A seconded worker leans towards referring to (their own) specialist care: they
    recognise a need beyond depth (1 + this) × as often, and refer one ZRM level
    earlier than the team's policy (assumption; the direction is CPB 2019's finding
    that teams with seconded staff had higher Wmo costs, S1 §4.4.3 "Wij van WC-eend")."""
    support_effect_per_hour: NonNegative = 0.06
    """Extra weekly recovery hazard in a problem domain per weekly hour of support at
    competence 1, shared among the household's problem domains (assumption: a basic
    case, ~1 h/week on one domain, recovers about twice as fast as on its own)."""
    substitution_max: Share = 0.6
    """Share of a plan's support that the household and its network carry =
    this × own strength × (0.3 + 0.7 × informal help received), fixed at intake; the
    team's hours and caseload units shrink by it. Assumption, shaped so that clients
    with low own strength and little help start near the NHL study's 10% and strong,
    well-helped households reach about 50% (docs/sources.md §1, S1 App. I.3)."""
    beyond_depth_factor: Share = 0.3
    """Support works at this fraction on a domain at or below the referral level that
    the team does not do itself: the generalist's wasted effort (assumption)."""
    escalation_protection: Share = 0.5
    """Most a team's support takes off the escalation hazard of a problem domain it
    works on: hazard × (1 − competence × this × (1 − exp(−hours / protection_hours_scale)))
    (assumption: at full hours the team sees a crisis coming and acts on half of them)."""
    protection_hours_scale: Positive = 0.5
    """Weekly hours on a problem domain at which protection reaches 63% of its most
    (assumption: a basic plan's ~0.8 h a week on one or two domains gives most of it,
    half the hours about half)."""
    substituted_hours_effect: Share = 0.5
    """An hour of the plan that the household or its network carries works at this
    fraction of a professional's hour in support (assumption: own strength and informal
    help already raise recovery in ``hazards``, so the full hour would count twice)."""
    triage_hours: NonNegative = 0.5
    """Hours of a first triage contact with every household found (assumption)."""
    advice_hours: NonNegative = 1.0
    """Hours of advice to a household found without a case for the team (assumption:
    one conversation and a referral to the 0th line)."""
    intake_hours: NonNegative = 2.0
    """Hours of the intake conversation and plan with a household taken in
    (assumption: a kitchen-table talk, keukentafelgesprek, and its write-up)."""
    empowerment_per_week: Share = 0.005
    """Own strength of a supported household rises by this × (1 − own strength) per
    week (assumption: a year of support closes about a quarter of the gap)."""
    empowerment_fade_per_week: Share = 0.005
    """Without support, own strength raised by the team falls back towards the
    household's own level by this share of the difference per week (assumption:
    gains last a few years, S1 App. I.4 key 3: support must be durable)."""
    outreach_hours_per_contact: Positive = 1.5
    """Hours of outreach to meet one household; a contact finds its hidden need if any
    domain is at the intake level or worse (assumption)."""
    collective_network_gain_per_hour: NonNegative = 0.0005
    """Informal-help capacity of the neighbourhood's helpers rises by this per weekly
    collective hour per 1,000 households, saturating at ``collective_network_max``
    (assumption: community work slowly builds a network)."""
    collective_network_max: NonNegative = 0.5
    """The most collective work can add to helpers' capacity (+50%, assumption)."""
    collective_network_decay_per_week: Share = 0.01
    """Weekly decay of the network gain without upkeep (assumption)."""
    help_seeking: HelpSeekingParams = HelpSeekingParams(
        help_seeking_max_level=3,
        ask_per_week=0.02,
        signal_per_week=0.005,
        neighbour_signal_per_week=0.005,
    )
    """A low-threshold access point in the neighbourhood: households ask from ZRM 3
    (limited) instead of 2, and neighbours signal them (docs/sources.md §2; rates are
    assumptions, as for the desk)."""
    policy: TeamPolicy = TeamPolicy()
    split: TeamSplit = TeamSplit()
    """How this capacity is divided over teams (default: one integral team; ODD §7.6)."""

    @model_validator(mode="after")
    def _focus_within_breadth(self) -> TeamParams:
        for team in self.split.teams:
            outside = sorted(set(team.focus_domains) - set(self.domains))
            if outside:
                raise ValueError(
                    f"team.split.teams.focus_domains: expected domains the team covers, "
                    f"found {outside} outside team.domains"
                )
        return self

    @model_validator(mode="after")
    def _covers_something(self) -> TeamParams:
        # A team competent in none of its domains covers nothing: it could take no case.
        if all(self.competence_of(domain) <= 0 for domain in self.domains):
            raise ValueError(
                "team.default_competence / team.competence: expected a competence above 0 "
                "in at least one of the team's domains, found 0 in all of them"
            )
        return self

    def split_params(self) -> list[tuple[str, TeamParams]]:
        """Each team of the split with its share of the FTE (one unnamed team if none)."""
        if not self.split.is_split:
            return [("", self)]
        return [
            (
                team.name,
                self.model_copy(
                    update={
                        "label": f"{self.label}: {team.name}",
                        "frontline_fte": self.frontline_fte * team.fte_share,
                        "overhead_fte": self.overhead_fte * team.fte_share,
                        "split": TeamSplit(),
                    }
                ),
            )
            for team in self.split.teams
        ]

    def competence_of(self, domain: str) -> float:
        """The team's competence in ``domain`` (0 if it does not cover it)."""
        if domain not in self.domains:
            return 0.0
        return self.competence.get(domain, self.default_competence)


class TransitionParams(Section):
    """When the team replaces the old desk, and what the switch costs."""

    team_start_year: Annotated[int, Field(ge=1)] = 1
    """The team opens in the first week of this year; before it the old desk runs.
    Households in specialist care or on a waiting list then finish their trajectories;
    pending desk applications move to the team's intake queue."""
    friction_cost_eur: NonNegative = 0.0
    """One-off transition costs (reorganisation, registration systems, 'the shop stays
    open during the rebuild', docs/sources.md §6), booked evenly over ``friction_years``."""
    friction_years: Annotated[int, Field(ge=1)] = 2
    """Years over which friction costs are booked, from ``team_start_year``."""
    friction_payer: Payer = "municipality_wmo"
    """Who bears the friction costs: the municipality that reorganises (assumption)."""
