"""The typed scenario schema: every parameter of a run, with units and sources.

ODD element 6 (input data) and 5 (initialisation). A scenario file (TOML) sets only
what differs from these defaults or from the scenario it ``extends``; the loader in
:mod:`wijksim.model.inputs.scenario_io` merges and validates it into a :class:`Scenario`.

Conventions: units are in the names (``_per_week``, ``_eur``, ``_fte``, ``_weeks``);
every empirical default cites its source (docs/sources.md); numbers that are not
in the sources are marked *assumption* with the reason for the value chosen.

Why one module: it is the scenario schema, one small class per table of a scenario file,
read as a whole in one place; the team's, the city's and the contracts' tables have
their own modules (``team_params.py``, ``city.py``, ``funding.py``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import Field, field_validator, model_validator
from wijksim.model.config.base import Domain, NonNegative, Payer, Positive, Section, Share
from wijksim.model.config.city import CityParams, check_city
from wijksim.model.config.classification import group_definitions
from wijksim.model.config.team_params import HelpSeekingParams, TeamParams, TransitionParams
from wijksim.model.contracts.funding import FundingParams
from wijksim.model.core.domains import DOMAINS
from wijksim.model.observation.survey import SurveyParams

PAYERS: tuple[str, ...] = get_args(Payer)
STREAMS: tuple[str, ...] = ("zeroth_line", "team", "specialist", "escalation", "friction")
"""Cost streams of the ledger (MODEL.md, Outputs). The central desk of the old system
is booked in the ``team`` stream: it is the first-line access point the team replaces."""

SHARE_TOLERANCE = 1e-6

REPLACED_WHOLE: frozenset[str] = frozenset(
    {"population.life_phase_shares", "classification.target_shares", "calibrated"}
)
"""Tables that a scenario replaces as a whole instead of merging key by key: a set of
shares must sum to one on its own, whatever the scenario it extends had."""


def _check_shares_sum_to_one(shares: dict[str, float]) -> dict[str, float]:
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"expected shares summing to 1, found {total:.6g}")
    return shares


class PopulationParams(Section):
    """The households of the neighbourhood."""

    households: Annotated[int, Field(gt=0)] = 6000
    """Utrecht "vulnerable" neighbourhood (docs/sources.md §1, S1 App. IV)."""
    share_with_children: Share = 0.33
    """Assumption: about a third of Dutch households have children at home (CBS)."""
    life_phase_shares: dict[Literal["young_adult", "adult", "elderly"], Share] = {
        "young_adult": 0.20,
        "adult": 0.50,
        "elderly": 0.30,
    }
    """Assumption: household head <27 / 27–64 / 65+, rounded Dutch shares (CBS)."""
    vulnerability_alpha: Positive = 2.0
    """Shape α of the latent vulnerability ~ Beta(α, β): a higher α, a more vulnerable
    neighbourhood (``wijksim compare-teams`` sets it per neighbourhood type; assumption)."""
    vulnerability_beta: Positive = 5.0
    """Latent vulnerability ~ Beta(alpha, beta) (mean 0.29). Assumption: a right-skewed
    latent trait; its level is absorbed by the calibrated hazard scales."""
    own_strength_noise_sd: NonNegative = 0.15
    """Own strength (eigen kracht) = 1 − vulnerability + Normal(0, sd), clipped to
    [0, 1]. Assumption: strongly but not fully tied to vulnerability."""
    initial_severity: Share = 0.15
    """Initial ZRM level per domain = 5 − Binomial(4, severity × (0.5 + vulnerability));
    fitted by ``wijksim calibrate`` so that year 0 starts near the target shares."""

    @field_validator("life_phase_shares")
    @classmethod
    def _sum_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_shares_sum_to_one(value)


class GroupCondition(Section):
    """At least ``min_domains`` of the household's domains at ``max_level`` or worse."""

    max_level: Annotated[int, Field(ge=1, le=5)]
    """A domain counts at this ZRM level or worse (the scheme's definition)."""
    min_domains: Annotated[int, Field(ge=1, le=len(DOMAINS))]
    """How many domains must count (the scheme's definition)."""


class NeedGroup(Section):
    """One need group: the household belongs to it if any condition holds."""

    name: str
    """The group's name, as ``classification.target_shares`` and the tables use it."""
    any_of: list[GroupCondition] = []
    """The conditions, any one of which puts a household in the group."""


class ClassificationParams(Section):
    """How the need group is derived from the ZRM levels every step."""

    scheme: str = "three_groups"
    """A built-in scheme (``three_groups``, ``eindhoven_four``) or ``custom``."""
    groups: list[NeedGroup] = []
    """For ``scheme = "custom"``: groups from least to most severe; the first has no
    conditions; a household belongs to the last group whose conditions it meets."""
    target_shares: dict[str, Share] = {"self_reliant": 0.80, "basic": 0.15, "complex": 0.05}
    """~80/15/5 (docs/sources.md §1, S1 ch. 2)."""
    calibration_window_years: tuple[int, int] = (5, 10)
    """The years over which calibration averages the shares (years 5–10, ODD §8.2)."""

    @field_validator("target_shares")
    @classmethod
    def _sum_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_shares_sum_to_one(value)

    @field_validator("calibration_window_years")
    @classmethod
    def _window_in_order(cls, value: tuple[int, int]) -> tuple[int, int]:
        # Year 0 is the initial draw, not a simulated year (issue 19, item 3).
        first, last = value
        if not 1 <= first <= last:
            raise ValueError(f"expected [first, last] with 1 ≤ first ≤ last, found {list(value)}")
        return value

    @model_validator(mode="after")
    def _targets_name_the_groups(self) -> ClassificationParams:
        names = [g["name"] for g in self.group_definitions()]
        if sorted(self.target_shares) != sorted(names):
            raise ValueError(
                f"target_shares: expected one share for each group {names}, "
                f"found {sorted(self.target_shares)}"
            )
        return self

    def group_definitions(self) -> list[dict]:
        """The groups of this scheme as plain dicts (see :mod:`classification`)."""
        return group_definitions(self.scheme, [g.model_dump() for g in self.groups])


class NetworkParams(Section):
    """The social network: a small world laid along vulnerability (homophily)."""

    mean_degree: Annotated[int, Field(ge=2, multiple_of=2)] = 8
    """Assumption: a household knows about eight others nearby well enough to help
    (even: each household links to mean_degree / 2 on either side of the ring)."""
    rewire_probability: Share = 0.05
    """Assumption: Watts–Strogatz rewiring; low values keep the network clustered."""
    homophily_noise_sd: NonNegative = 0.10
    """Households are placed on the ring by vulnerability + Normal(0, sd): 0 is perfect
    homophily, large values a random mix."""
    helper_min_own_strength: Share = 0.5
    """A self-reliant neighbour helps only with own strength to spare (assumption)."""
    helper_capacity_households: Positive = 1.0
    """One helper's capacity, shared among its needy neighbours (assumption)."""
    help_units_for_full_support: Positive = 3.0
    """Helper capacity a needy household needs for full informal help (assumption:
    durable network support takes several people, S1 App. I.4 key 3)."""
    isolation_reference_neighbours: Positive = 2.0
    """Fewer self-reliant neighbours than this counts as (partly) isolated (assumption)."""


class HazardParams(Section):
    """Weekly hazards of a domain dropping or rising one ZRM level."""

    drift_per_week: Share = 0.004
    """Base weekly hazard of a domain dropping one level; scaled by ``drift_scale``.
    Assumption: only its product with the fitted ``drift_scale`` matters."""
    drift_scale: Positive = 1.0
    """Fitted by ``wijksim calibrate`` to the target shares."""
    vulnerability_effect: NonNegative = 1.0
    """Drift × exp(effect × (vulnerability − 0.3)): how unevenly problems fall on
    households. Fitted by ``wijksim calibrate`` (it sets the complex-to-basic ratio)."""
    correlated_problem_effect: NonNegative = 0.2
    """Drift × (1 + effect × number of spill-over domains at level ≤ 2). Assumption:
    moderate, since stronger spill-over tips the neighbourhood into mass complexity."""
    isolation_effect: NonNegative = 1.0
    """Drift × (1 + effect × isolation); isolation raises risk (assumption)."""
    domain_weight: dict[Domain, NonNegative] = {}
    """Relative drift per domain (default 1). Unlisted domains keep 1."""
    recovery_per_week: Share = 0.03
    """Base weekly hazard of a domain rising one level; scaled by ``recovery_scale``.
    Assumption: a limited domain recovers in about half a year on own strength."""
    recovery_scale: Positive = 1.0
    """Multiplier of recovery. Not fitted: shares alone identify only the ratio of drift
    to recovery, so calibration moves ``drift_scale`` and keeps this at its value."""
    own_strength_effect: NonNegative = 1.5
    """Recovery × (0.5 + effect × own strength). Assumption: full own strength makes
    recovery four times as fast as none."""
    network_help_effect: NonNegative = 1.0
    """Recovery × (1 + effect × informal help received, 0..1). Assumption: full informal
    help doubles recovery (S1 App. I.3: households and networks carry 10–50% of support)."""
    recovery_factor_by_level: tuple[NonNegative, NonNegative, NonNegative, NonNegative] = (
        0.5,
        0.8,
        1.0,
        1.0,
    )
    """Recovery from level 1, 2, 3, 4: acute problems seldom resolve unaided (assumption)."""
    elderly_health_factor: NonNegative = 2.0
    """Drift of physical health and ADL × this for elderly households (assumption)."""
    parenting_without_children_factor: NonNegative = 0.3
    """Drift of family/parenting × this without children (domestic relations only)."""


class LifeEventKind(Section):
    """A life event: a shock that lowers several domains one level at once."""

    per_year: Share
    """Yearly chance per household. Assumption: rough Dutch incidences, CBS order of
    magnitude, not verified (docs/sources.md, unsourced parameters)."""
    domains: Annotated[list[Domain], Field(min_length=1)]
    """The domains the event lowers one level (assumption, after S1 ch. 2's examples of
    how problems start)."""
    elderly_factor: NonNegative = 1.0
    """The chance × this for elderly households (assumption)."""
    young_adult_factor: NonNegative = 1.0
    """The chance × this for young-adult households (assumption)."""


def _default_life_events() -> dict[str, LifeEventKind]:
    # Assumptions: rough Dutch yearly incidences per household (CBS order of magnitude),
    # the domains each event hits follow S1 ch. 2's examples of how problems start.
    return {
        "job_loss": LifeEventKind(
            per_year=0.03, domains=["finances", "daytime_activity"], elderly_factor=0.1
        ),
        "divorce": LifeEventKind(
            per_year=0.015,
            domains=["family_and_parenting", "housing", "finances", "mental_health"],
            elderly_factor=0.2,
        ),
        "illness": LifeEventKind(
            per_year=0.03,
            domains=["physical_health", "adl", "daytime_activity"],
            elderly_factor=2.5,
            young_adult_factor=0.5,
        ),
        "bereavement": LifeEventKind(
            per_year=0.02, domains=["mental_health", "social_network"], elderly_factor=2.5
        ),
    }


class AccessParams(HelpSeekingParams):
    """The old system's central desk, and how households reach it."""

    assessment_weeks: Annotated[int, Field(ge=0)] = 6
    """Wmo 2015 art. 2.3.2: the municipality investigates a request within six weeks."""
    indication_max_level: Annotated[int, Field(ge=1, le=4)] = 2
    """The desk indicates specialist care for the worst domain at this level or worse
    (assumption: the same threshold as help-seeking in the old system)."""
    desk_fte_per_1000_households: NonNegative = 0.5
    """Assumption: staff of a central Wmo/youth desk (old system)."""
    cost_per_fte_year_eur: NonNegative = 73_200
    """Leeuwarden: €732,000 a year for a 10-FTE team (docs/sources.md §2, S1 App. I.3)."""


class SpecialistParams(Section):
    """One kind of second-line care, paid P×Q by its payer."""

    label: str
    """A name for tables and figures."""
    domains: Annotated[list[Domain], Field(min_length=1)]
    """The domains this care treats (the kinds of docs/sources.md §3)."""
    payer: Payer
    """Who pays: youth care the municipality (Jeugdwet); mental health, addiction and
    personal care the insurer (Zvw); debt counselling and sheltered housing the
    municipality (Wmo); crisis care booked to the insurer as acute care (a modelling
    choice; docs/sources.md)."""
    capacity_per_1000_households: NonNegative
    """Places (households in care at once). Assumption: set so that the old system's waits
    are weeks to months (docs/sources.md §8); the calibration refits some of them
    (docs/calibration.md)."""
    price_per_week_eur: NonNegative
    """Paid per week of care (P×Q). Assumption: of the order of Dutch 2015–2019 tariffs,
    no source; crisis care 0, its stay is in each escalation's ``cost_eur``."""
    trajectory_weeks: Annotated[int, Field(ge=1)]
    """Planned length of a trajectory (assumption, no source)."""
    admission_max_level: Annotated[int, Field(ge=1, le=4)] = 2
    """A waiting household is admitted only while its worst treated domain is at this
    level or worse; a household whose need resolved leaves the list, checked weekly
    (assumption: the desk's indication threshold, ``access.indication_max_level``)."""
    recovery_boost_per_week: Share = 0.06
    """Extra weekly recovery hazard in treated domains (assumption: one level per
    ~4 months of treatment)."""
    stabilise_to_level: Annotated[int, Field(ge=1, le=5)] = 1
    """On discharge, treated domains below this level are raised to it; crisis care
    raises only the domains of the escalation that brought the household in."""
    forced_admission: bool = False
    """Admits at once, beyond capacity (crisis care after an escalation)."""
    team_substitutes: bool = True
    """Whether a generalist team's own support can stand in for this care below the
    acute level: counselling and ambulatory treatment it can, so an integral team refers
    only at its ``referral_max_level``. A provision it cannot give (a place to live,
    nursing and personal care, clinical addiction treatment) it refers at this kind's
    ``admission_max_level``, as the desk indicates it (assumption; a team that held
    such households itself would cut provisions that teams did not cut in practice:
    Wmo use rose more where teams worked, CPB 2019, docs/sources.md)."""
    extend_probability: Share = 0.0
    """Paid per week (P×Q), the provider has its own incentive to keep clients longer
    (S1 §4.5.1: "unnecessarily long and heavy"): at a trajectory's planned end it extends
    it by ``extension_weeks`` with this probability, once (assumption: 0, off; the
    funding experiments switch it on)."""
    extension_weeks: Annotated[int, Field(ge=1)] = 13
    """Length of an extension (assumption: a quarter)."""


def _default_specialists() -> dict[str, SpecialistParams]:
    # Kinds: docs/sources.md §3. Prices and durations are assumptions of the order of
    # Dutch 2015–2019 tariffs; none is given by the sources. Capacities are set so that
    # the old system's mean waits are weeks to months, not years (the Dutch treeknorm and
    # youth-care waits, docs/sources.md §8), with the referrals the old system makes at
    # the default hazards (assumption until calibrated against spending and waits). Payers: youth
    # care is the municipality's (Jeugdwet), GGZ, addiction care and personal care
    # (wijkverpleging) the insurer's (Zvw), debt help and sheltered housing the
    # municipality's (Wmo); crisis care is booked to the insurer as acute care.
    def kind(label, domains, payer, capacity, price, weeks, **extra) -> SpecialistParams:
        return SpecialistParams(
            label=label,
            domains=domains,
            payer=payer,
            capacity_per_1000_households=capacity,
            price_per_week_eur=price,
            trajectory_weeks=weeks,
            **extra,
        )

    return {
        "youth_care": kind(
            "Youth care", ["family_and_parenting"], "municipality_youth", 5.0, 350, 39
        ),
        "mental_health": kind(
            "Mental health care (GGZ)", ["mental_health"], "insurer", 9.0, 250, 26
        ),
        "addiction_care": kind(
            "Addiction care", ["addiction"], "insurer", 4.5, 250, 26, team_substitutes=False
        ),
        "debt_counselling": kind(
            "Debt counselling", ["finances"], "municipality_wmo", 20.0, 60, 52
        ),
        "personal_care": kind(
            "Personal care (PV)",
            ["physical_health", "adl"],
            "insurer",
            23.0,
            200,
            26,
            team_substitutes=False,
        ),
        "sheltered_housing": kind(
            "Sheltered housing",
            ["housing"],
            "municipality_wmo",
            14.0,
            1200,
            52,
            team_substitutes=False,
        ),
        # Crisis care's stay is part of each escalation kind's cost_eur, which is the
        # cost of the whole event as the sources give it (an out-of-home placement's
        # €150,000 includes the placement): its weekly price is therefore 0, and it is
        # billed like every other provider, price × client-weeks.
        "crisis_care": kind(
            "Crisis care",
            list(DOMAINS),
            "insurer",
            1.0,
            0,
            4,
            recovery_boost_per_week=0.0,
            stabilise_to_level=2,
            forced_admission=True,
        ),
    }


class EscalationKind(Section):
    """An escalation: an acute, unsupported domain turns into an expensive event."""

    domains: Annotated[list[Domain], Field(min_length=1)]
    """An acute (ZRM 1), untreated problem in one of these domains can escalate."""
    hazard_per_week: Share
    """Weekly chance that such a problem escalates (assumption: 0.01 for every kind)."""
    cost_eur: NonNegative
    """Cost of the whole event: eviction ~€33,000 and out-of-home placement ~€150,000
    (docs/sources.md §4, S1 App. I.3); acute admission €12,000 and police and justice
    €10,000 are assumptions."""
    payer: Payer
    """Who bears the cost (landlord and others: ``other``)."""
    crisis_weeks: Annotated[int, Field(ge=1)]
    """Weeks in crisis care after the event (assumption)."""
    requires_children: bool = False
    """Only households with children (an out-of-home placement)."""
    marks: dict[Domain, Annotated[int, Field(ge=0, le=4)]] = {}
    """Levels the event takes off other domains, beyond the crisis: an eviction leaves
    debts and breaks ties, a placement weighs on a parent. Crisis care stabilises only
    the kind's own ``domains`` (assumptions; see each kind)."""


def _default_escalations() -> dict[str, EscalationKind]:
    return {
        # €200,000 saved on 6 fewer evictions in Heechterp-Schieringen (docs/sources.md §4,
        # S1 App. I.3): ~€33,000 per eviction; borne by landlord and municipality.
        "eviction": EscalationKind(
            domains=["housing", "finances"],
            hazard_per_week=0.01,
            cost_eur=33_000,
            payer="other",
            crisis_weeks=8,
            # Assumption: eviction costs and arrears become debt; the move away loosens
            # the household's ties in the neighbourhood.
            marks={"finances": 1, "social_network": 1},
        ),
        # €1.2M saved on 8 fewer child-protection measures (same source): ~€150,000.
        "out_of_home_placement": EscalationKind(
            domains=["family_and_parenting"],
            hazard_per_week=0.01,
            cost_eur=150_000,
            payer="municipality_youth",
            crisis_weeks=12,
            requires_children=True,
            # Assumption: a child's removal weighs on the parents' mental health.
            marks={"mental_health": 1},
        ),
        # Assumption: a few weeks of acute psychiatric or hospital admission.
        "acute_admission": EscalationKind(
            domains=["mental_health", "addiction", "physical_health", "adl"],
            hazard_per_week=0.01,
            cost_eur=12_000,
            payer="insurer",
            crisis_weeks=4,
        ),
        # Assumption: police call-outs, arrest and a court case.
        "police_justice": EscalationKind(
            domains=["justice"],
            hazard_per_week=0.01,
            cost_eur=10_000,
            payer="other",
            crisis_weeks=4,
        ),
    }


class ZerothLineParams(Section):
    """Collective provisions (0th line): community centre, volunteers, informal care."""

    cost_per_household_year_eur: NonNegative = 25.0
    """Assumption: a neighbourhood's collective budget, ~€150,000 for 6,000 households."""
    payer: Payer = "municipality_wmo"
    """Collective provisions are the municipality's (Wmo)."""


class CalibrationRecord(Section):
    """What ``wijksim calibrate`` fitted, and how well (written by the command)."""

    method: Literal["shares", "history matching", "history matching, then CMA-ES"] = "shares"
    """The group shares alone (Nelder–Mead), or every target of a calibration file."""
    fitted: list[str]
    """The fields fitted (dotted)."""
    achieved_shares: dict[str, float] = {}
    """Shares method: the shares the fitted values give."""
    seeds: Annotated[int, Field(gt=0)]
    """Seeds per evaluation."""
    households: Annotated[int, Field(gt=0)]
    """Households per run of the calibration."""
    evaluations: Annotated[int, Field(ge=0)] = 0
    """Shares method: runs of the optimiser."""
    date: str
    """When the calibration was made (YYYY-MM-DD)."""
    spec: str = ""
    """History matching: the calibration file."""
    targets: list[str] = []
    """History matching: the targets fitted (``data/targets.toml``)."""
    achieved: dict[str, float] = {}
    """History matching: each target's simulated mean at the written point."""
    waves: Annotated[int, Field(ge=0)] = 0
    """History matching: waves run."""
    points: Annotated[int, Field(ge=0)] = 0
    """History matching: parameter sets evaluated."""
    not_ruled_out: Annotated[int, Field(ge=0)] = 0
    """History matching: parameter sets in the accepted ensemble."""


class Scenario(Section):
    """A complete, validated parameter set for one simulation."""

    label: str = "Unnamed scenario"
    """A name for tables, figures and report headers."""
    description: str = ""
    """What the scenario is, for its readers; never read by the model."""
    years: Annotated[int, Field(gt=0)] = 10
    """Years simulated and reported (after ``burn_in_years``)."""
    burn_in_years: Annotated[int, Field(ge=0, le=50)] = 0
    """Years of the old system simulated before reported year 1 and not reported, so
    that a run starts settled (set in ``old_system``, from which every shipped scenario
    extends; 0 starts from the initial draw)."""
    population: PopulationParams = PopulationParams()
    classification: ClassificationParams = ClassificationParams()
    network: NetworkParams = NetworkParams()
    hazards: HazardParams = HazardParams()
    life_events: dict[str, LifeEventKind] = Field(default_factory=_default_life_events)
    access: AccessParams = AccessParams()
    specialists: dict[str, SpecialistParams] = Field(default_factory=_default_specialists)
    escalations: dict[str, EscalationKind] = Field(default_factory=_default_escalations)
    zeroth_line: ZerothLineParams = ZerothLineParams()
    team: TeamParams | None = None
    """The neighbourhood team; ``None`` (no ``[team]`` table) is the old system."""
    funding: FundingParams | None = None
    """How the municipality pays the team's operator; ``None``: it pays the staff costs."""
    transition: TransitionParams = TransitionParams()
    """When the team opens (ignored without a team)."""
    city: CityParams | None = None
    """``None`` (no ``[city]`` table): one neighbourhood."""
    survey: SurveyParams = SurveyParams()
    """The simulated sample survey of all households at each year's end (S1 App. V);
    it reads the state and changes no result."""
    calibrated: CalibrationRecord | None = None
    """Set by ``wijksim calibrate``; informative only, it changes no behaviour."""
    schedule: Annotated[list[str], Field(min_length=1)] | None = None
    """Rule names in run order; ``None`` runs
    :data:`wijksim.model.rules.schedule.DEFAULT_SCHEDULE`."""
    plugins: list[str] = []
    """Modules imported before the scenario's rules are checked and run: a partner's
    rules (docs/extending.md). They are Python code and run with the user's permissions,
    imported only once the rest of the file has validated."""
    rules: dict[str, dict[str, Any]] = {}
    """``[rules.<name>]``: a rule's parameters, validated by the rule's own model once its
    plugin is imported, and ``after``/``before`` = the scheduled rule to run it next to."""

    @model_validator(mode="after")
    def _one_crisis_service(self) -> Scenario:
        forced = [name for name, s in self.specialists.items() if s.forced_admission]
        if len(forced) != 1:
            raise ValueError(
                "specialists: expected exactly one kind with forced_admission = true "
                f"(crisis care), found {len(forced)}"
            )
        return self

    @model_validator(mode="after")
    def _team_names_known_kinds(self) -> Scenario:
        if self.team is None:
            return self
        unknown = sorted(set(self.team.own_functions) - set(self.specialists))
        if unknown:
            raise ValueError(
                f"team.own_functions: expected specialist kinds from {sorted(self.specialists)}, "
                f"found {unknown}"
            )
        groups = [g["name"] for g in self.classification.group_definitions()]
        strange = sorted(set(self.team.intensity_by_group) - set(groups))
        if strange:
            raise ValueError(
                f"team.intensity_by_group: expected need groups from {groups}, found {strange}"
            )
        return self

    @model_validator(mode="after")
    def _team_starts_within_the_run(self) -> Scenario:
        # A team that would open after the last year never runs: the scenario would
        # silently be the old system (issue 15, item 15). Without a team the field is
        # ignored, so it is not checked.
        start = self.transition.team_start_year
        if self.team is not None and start > self.years:
            raise ValueError(
                f"transition.team_start_year: expected ≤ years ({self.years}), found {start}"
            )
        return self

    @model_validator(mode="after")
    def _network_fits_the_population(self) -> Scenario:
        # A ring lattice links each household to mean_degree others: there must be that
        # many others (issue 19, item 3).
        degree, households = self.network.mean_degree, self.population.households
        if degree >= households:
            raise ValueError(
                f"network.mean_degree: expected fewer than population.households "
                f"({households}), found {degree}"
            )
        return self

    @model_validator(mode="after")
    def _city_is_consistent(self) -> Scenario:
        check_city(self)
        return self

    @property
    def total_households(self) -> int:
        """Households simulated: a city's neighbourhoods together, or ``population.households``."""
        if self.city is None:
            return self.population.households
        return sum(hood.size for hood in self.city.neighbourhoods.values())

    @property
    def crisis_service(self) -> str:
        """Name of the specialist kind that takes escalated households."""
        return next(n for n, s in self.specialists.items() if s.forced_admission)
