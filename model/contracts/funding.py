"""Funding forms as payment rules: what the team's operator is paid for what it did.

docs/sources.md §5 (S1 §3.5, §4.5, App. III) sorts funding on two axes, supply vs result and
population vs caseload, into four forms: a function (availability) budget, production
P×Q (per hour or per trajectory), result per client, and population funding with
bonus–malus on population results (optionally settled on specialist use: shared
savings). Here every form is **one payment rule with different numbers**:

    revenue per week = lump sum / 52
                     + tariff_per_hour × casework hours
                     + tariff_per_trajectory × admissions
                     + tariff_per_result × closures that reach the agreed result
    revenue per year += bonus–malus on population results measured in a sample of all
                        households, and a share of specialist savings (shared savings)
    revenue per week −= claw-back of the lump sum for frontline staff below the
                        contracted formation (if one is agreed)
    all capped by the annual ceiling.

So no code anywhere branches on a form's name: a scenario's ``[funding]`` table sets
numbers, and the operator can respond only to those numbers. Population funding whose
bonus–malus and savings shares are zero is, number for number, a function budget
(``tests/test_funding.py``), as S1 §4.5.3 warns it decays into one without measurable
results.

Why one module: the contract's schema and the payment rule it parametrises are one
funding form; a new number in a contract changes both, together.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from wijksim.model.config.base import Level, NonNegative, Payer, PositiveInt, Section, Share
from wijksim.model.core.clock import WEEKS_PER_YEAR


class PopulationResults(Section):
    """Bonus–malus on results measured in the whole population, not only in clients."""

    sample_households: Annotated[int, Field(ge=0)] = 0
    """Households drawn at random from *all* households at each year's end to measure
    the share self-reliant (0: no measurement, so no bonus on it)."""
    self_reliant_target: Share = 0.80
    """The agreed share self-reliant (docs/sources.md §1: ~80%)."""
    bonus_per_point_eur: NonNegative = 0.0
    """Paid per percentage point of measured share self-reliant above the target, and
    withheld per point below it (malus)."""
    escalations_target_per_1000: NonNegative = 0.0
    """Agreed escalations per 1,000 households a year (counted in full, not sampled)."""
    malus_per_escalation_eur: NonNegative = 0.0
    """Withheld per escalation above the target, paid per escalation below it."""
    max_share_of_lump_sum: Share = 0.10
    """Bonus and malus are each capped at this share of the year's lump sum
    (assumption: P4P elements of ~10% in Dutch contracts, S2 "Inkoop")."""


class SharedSavings(Section):
    """Settle on the population's use of specialist care (S1 §4.5.1)."""

    share: Share = 0.0
    """Share of the saving against the baseline paid to the operator (and of an overrun
    charged to it)."""
    specialist_baseline_per_1000_eur: NonNegative = 0.0
    """Agreed specialist spending per 1,000 households a year (all payers)."""
    specialist_share: Share = 0.0
    """The specialists' own share in the savings (S1 §4.5.1: shared savings reward base
    *and* specialists). It weakens their incentive to keep clients longer: a
    specialist extends a trajectory with probability ``extend_probability`` × (1 −
    this)."""


class SpecialistAccess(Section):
    """Volume control on the team's referrals to specialists: options A–E (docs/sources.md §3).

    A: ``quota_per_1000_year`` with ``quota_released_at_start = 1``; B: the same with a
    share released at the start and the rest evenly over the year; C: no quota, but the
    municipality intervenes once the year's referrals run above
    ``intervention_per_1000_year`` pro rata; D: ``charge_share`` of the specialist's price
    is charged to the operator for every week of care of a household the team referred;
    E: as D, with the price rising by ``charge_rise_per_100_referrals`` per 100 referrals
    in the year. Options combine (the numbers decide, not a letter).
    """

    quota_per_1000_year: NonNegative | None = None
    """Referrals allowed per 1,000 households a year (``None``: no quota)."""
    quota_released_at_start: Share = 1.0
    """Share of the quota available from the year's first week; the rest is released
    evenly over the year (option B: 0.6, S1 §4.4.1)."""
    intervention_per_1000_year: NonNegative | None = None
    """Option C: above this many referrals per 1,000 households a year (pro rata), the
    municipality intervenes for the rest of the year: only households with a domain at
    ZRM 1 are referred and nobody is referred on at intake."""
    charge_share: Share = 0.0
    """Option D: share of the specialist's weekly price charged to the operator."""
    charge_rise_per_100_referrals: NonNegative = 0.0
    """Option E: the charged price × (1 + this × year's referrals / 100)."""


class ContractedFormation(Section):
    """The frontline formation a lump sum pays for, and what falling short of it costs.

    A function budget pays for availability, that is, for an agreed team (S1 App. III,
    docs/sources.md).
    Without this, an operator paid a lump sum could shed staff down to
    ``operator.staffing_min_factor`` and keep the whole budget.
    """

    staffing_factor: NonNegative = 0.0
    """The agreed frontline FTE, × ``team.frontline_fte`` (0: no formation agreed).
    Relative to the scenario's team so that it follows the team when the team is sized
    to the neighbourhood."""
    clawback_share: NonNegative = 1.0
    """Each week, this × the share of the agreed frontline FTE that is missing × the
    week's lump sum is clawed back from the payment (1: pro rata, the budget returns
    what it paid for staff not there; assumption). Pro rata over the frontline only,
    while the lump sum also pays the overhead, so shedding a worker costs the operator
    more than it saves."""


class OperatorParams(Section):
    """How the team's operator weighs money against households, and how it learns.

    Every ``review_weeks`` the operator looks at what its team did in the period (hours,
    clients, admissions, queue, closures, referrals, turned-away households) and
    reasons from marginal revenue and cost: for each knob moved one step either way it
    forecasts a week's money and outcome with a simple model of its own team, and
    makes the best move if it beats standing still (bounded rationality: one step at a
    time, myopic, from last period's figures; ODD §7.9). Utility = (1 − ethos) ×
    margin + ethos × ``outcome_value_eur`` × (households served − households waiting).
    """

    ethos: Share = 0.0
    """0: margin only; 1: household outcomes only (money does not count)."""
    outcome_value_eur: NonNegative = 20.0
    """What the operator's ethos values one household served (rather than waiting) for
    one week (assumption: of the order of a week's support of a basic case)."""
    case_length_per_discharge_level: NonNegative = 0.5
    """The operator's belief: closing one ZRM level later makes a case this share longer
    (assumption; the model's own recovery rates decide what really happens)."""
    min_gain_share: NonNegative = 0.01
    """A change is made only if it is expected to raise utility by this share of the
    week's staff cost (inertia: a reorganisation is not free)."""
    review_weeks: PositiveInt = 13
    """Length of a trial period (assumption: a quarter)."""
    adapts: bool = False
    """Whether the operator changes the team's policy at all (False: the scenario's
    policy and staffing hold)."""
    staffing_min_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    """The operator may shed frontline staff down to this × ``team.frontline_fte``
    (secondment and temporary contracts make staff flexible, docs/sources.md §2)."""
    staffing_max_factor: Annotated[float, Field(ge=1.0)] = 2.0
    """... and hire up to this × ``team.frontline_fte``."""


class FundingParams(Section):
    """How the municipality pays the operator of the neighbourhood team."""

    label: str = "function budget"
    """A name for tables and figures; never read by the model's behaviour."""
    payer: Payer = "municipality_wmo"
    """Who pays the operator: the municipality (Wmo)."""
    lump_sum_per_household_year_eur: NonNegative = 122.0
    """Availability budget or capitation. Default: the Leeuwarden team's €732,000 a year
    (docs/sources.md §2) over 6,000 households."""
    vulnerability_adjustment: NonNegative = 0.0
    """The lump sum × (1 + this × (mean vulnerability − 0.5)): set "from population
    size and characteristics" (assumption: 0, no adjustment)."""
    tariff_per_hour_eur: NonNegative = 0.0
    """Production P×Q per casework hour."""
    tariff_per_trajectory_eur: NonNegative = 0.0
    """Production P×Q per trajectory, paid at admission."""
    tariff_per_result_eur: NonNegative = 0.0
    """Paid per closed case whose covered domains all reached ``result_min_level``."""
    result_min_level: Level = 4
    """The agreed result: ZRM level 4 (adequately self-reliant) on every covered domain,
    fixed in the contract, whatever discharge level the operator chooses."""
    ceiling_per_year_eur: NonNegative | None = None
    """Budget ceiling: revenue in a year never exceeds it (``None``: open-ended)."""
    population_results: PopulationResults = PopulationResults()
    shared_savings: SharedSavings = SharedSavings()
    specialist_access: SpecialistAccess = SpecialistAccess()
    formation: ContractedFormation = ContractedFormation()
    settlement_weeks: PositiveInt = WEEKS_PER_YEAR
    """Population results and shared savings are settled every this many weeks."""
    operator: OperatorParams = OperatorParams()


FUNDING_FORMS: dict[str, tuple[str, ...]] = {
    "function_budget": ("lump_sum_per_household_year_eur", "formation.staffing_factor"),
    "per_hour": ("tariff_per_hour_eur",),
    "per_trajectory": ("tariff_per_trajectory_eur",),
    "result_per_client": ("tariff_per_result_eur",),
    "population": ("lump_sum_per_household_year_eur", "population_results"),
    "shared_savings": (
        "lump_sum_per_household_year_eur",
        "shared_savings.share",
        "shared_savings.specialist_baseline_per_1000_eur",
    ),
}
"""The funding forms of docs/sources.md §5 (S1 App. III) by name (the shipped
``funding_<form>`` scenarios' names), each with the parameters a contract of that form
must state: a number above 0, or a table given. The model never reads the form's name
(it pays by the numbers); a provider in a city declares its form so that a contract
"per hour" without a tariff per hour is an error, not a silent function budget."""


def missing_form_parameter(funding: FundingParams, form: str) -> tuple[str, str] | None:
    """The first parameter ``form`` needs that ``funding`` does not state, and what it has.

    Args:
        funding: The contract as validated (its explicitly set fields are known).
        form: A key of :data:`FUNDING_FORMS`.

    Returns:
        ``(dotted field, what was found)``, or ``None`` when every parameter is stated.
    """
    for dotted in FUNDING_FORMS[form]:
        section: BaseModel = funding
        *tables, name = dotted.split(".")
        for table in tables:
            if table not in section.model_fields_set:
                return dotted, "none"
            section = getattr(section, table)
        if name not in section.model_fields_set:
            return dotted, "none"
        value = getattr(section, name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            return dotted, repr(value)
    return None


class WeekActivity(BaseModel):
    """What the team did in one week, as the payment rule counts it."""

    model_config = ConfigDict(frozen=True)

    casework_hours: float = 0.0
    admissions: int = 0
    results: int = 0


def weekly_payment_eur(funding: FundingParams, lump_sum_year_eur: float, done: WeekActivity):
    """The week's payment for activity, before the ceiling.

    Args:
        funding: The payment rule.
        lump_sum_year_eur: The year's lump sum for this population (see
            :func:`lump_sum_year_eur`).
        done: The week's activity.
    """
    return (
        lump_sum_year_eur / WEEKS_PER_YEAR
        + funding.tariff_per_hour_eur * done.casework_hours
        + funding.tariff_per_trajectory_eur * done.admissions
        + funding.tariff_per_result_eur * done.results
    )


def formation_clawback_week_eur(
    funding: FundingParams, lump_sum_year_eur: float, contracted_fte: float, frontline_fte: float
) -> float:
    """The week's claw-back for frontline staff below the contracted formation (€).

    Args:
        funding: The payment rule.
        lump_sum_year_eur: The year's lump sum for this population.
        contracted_fte: The agreed frontline FTE (0: none agreed, nothing clawed back).
        frontline_fte: The frontline FTE the operator employs this week.
    """
    if contracted_fte <= 0:
        return 0.0
    missing = max(contracted_fte - frontline_fte, 0.0) / contracted_fte
    return funding.formation.clawback_share * missing * lump_sum_year_eur / WEEKS_PER_YEAR


def lump_sum_year_eur(funding: FundingParams, households: int, mean_vulnerability: float):
    """The year's availability budget or capitation for a population."""
    adjustment = 1.0 + funding.vulnerability_adjustment * (mean_vulnerability - 0.5)
    return funding.lump_sum_per_household_year_eur * households * max(adjustment, 0.0)


def population_results_eur(
    funding: FundingParams,
    households: int,
    years: float,
    measured_self_reliant: float | None,
    escalations: float,
) -> float:
    """Bonus–malus on population results for one period, before the cap.

    Args:
        funding: The payment rule.
        households: The population.
        years: Length of the period in years (targets are per year).
        measured_self_reliant: Share self-reliant in the sample; ``None`` when nothing
            was measured (no bonus–malus on it).
        escalations: Escalations in the whole population in the period.
    """
    results = funding.population_results
    bonus = 0.0
    if measured_self_reliant is not None:
        points = 100 * (measured_self_reliant - results.self_reliant_target)
        bonus += results.bonus_per_point_eur * points * years
    allowed = results.escalations_target_per_1000 * households / 1000 * years
    bonus += results.malus_per_escalation_eur * (allowed - escalations)
    return bonus


def settlement_cap_eur(funding: FundingParams, lump_sum_year_eur: float) -> float:
    """Bonus and malus of one settlement period are each capped at this (€)."""
    years = funding.settlement_weeks / WEEKS_PER_YEAR
    return funding.population_results.max_share_of_lump_sum * lump_sum_year_eur * years


def settlement_forecast_eur(
    funding: FundingParams,
    households: int,
    expected_self_reliant: float | None,
    expected_escalations: float,
) -> tuple[float, float]:
    """Mean and standard deviation of a period's bonus–malus before the cap.

    For the operator's forecast: the measured share is a sample's (binomial, drawn
    without replacement from the households), the escalations a count (Poisson).

    Args:
        funding: The payment rule.
        households: The population.
        expected_self_reliant: The share self-reliant expected in the sample; ``None``
            when nothing is measured.
        expected_escalations: Escalations expected in the population in the period.
    """
    results = funding.population_results
    years = funding.settlement_weeks / WEEKS_PER_YEAR
    mean = population_results_eur(
        funding, households, years, expected_self_reliant, expected_escalations
    )
    variance = results.malus_per_escalation_eur**2 * max(expected_escalations, 0.0)
    sample = min(results.sample_households, households)
    if expected_self_reliant is not None and sample > 0:
        share = expected_self_reliant
        finite = (households - sample) / (households - 1) if households > 1 else 0.0
        per_share = 100 * results.bonus_per_point_eur * years
        variance += per_share**2 * share * (1 - share) / sample * finite
    return mean, variance**0.5


def settlement_eur(
    funding: FundingParams,
    lump_sum_year_eur: float,
    households: int,
    years: float,
    measured_self_reliant: float | None,
    escalations: int,
    specialist_eur: float,
) -> float:
    """Bonus–malus and shared savings for one settlement period (may be negative).

    Args:
        funding: The payment rule.
        lump_sum_year_eur: The year's lump sum (caps bonus and malus).
        households: The population.
        years: Length of the period in years (targets are per year).
        measured_self_reliant: Share self-reliant in the sample; ``None`` when nothing
            was measured (no bonus–malus on it).
        escalations: Escalations in the whole population in the period.
        specialist_eur: Specialist spending on the population in the period.
    """
    results = funding.population_results
    bonus = population_results_eur(funding, households, years, measured_self_reliant, escalations)
    cap = results.max_share_of_lump_sum * lump_sum_year_eur * years
    bonus = min(max(bonus, -cap), cap)
    savings = funding.shared_savings
    baseline = savings.specialist_baseline_per_1000_eur * households / 1000 * years
    return bonus + savings.share * (baseline - specialist_eur)
