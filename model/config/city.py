"""A city: several neighbourhoods in one model (ODD elements 2 and 5; issue 18, item 1).

A scenario with a ``[city]`` table describes several neighbourhoods, each with its own
size and vulnerability (Utrecht's weak, vulnerable and strong neighbourhoods of 3,000,
6,000 and 10,000 households, docs/sources.md §1, S1 App. IV), its own team and the
provider contracted for it. The city is the same model as a single neighbourhood: one
population with a neighbourhood index per household, one seed tree, one network (mostly
within a neighbourhood, some ties across), specialists shared city-wide (one waiting
list per kind), one ledger in which every euro is also booked to its neighbourhood and
provider. A scenario without ``[city]`` is a city of one neighbourhood: the model runs
the same code on one :class:`NeighbourhoodPlan`.

A city may name its providers (``[city.providers.<name>]``, issue 18, item 5): each with
its staff background (team settings for all its neighbourhoods, e.g. the share of staff
seconded from specialist providers) and its contract (a ``funding`` table like a single
neighbourhood's ``[funding]``, with its declared ``form``). The model gives each provider
with a contract its own operator, which is paid for and decides for the teams of its own
neighbourhoods only. Without ``[city.providers]`` a provider is a name the ledger books
to, and the municipality pays the teams' staff.

The scenario's ``[team]`` (and the one-off friction costs of the switch) are sized for
a neighbourhood of ``population.households`` households, as in every scenario; each
neighbourhood gets them scaled to its own households, the rule ``--households`` applies
(:mod:`wijksim.model.inputs.scaling`), and then its own ``team`` settings on top.

Why one module: a city's schema, its checks and the plans the wiring builds from it (one
per neighbourhood) change together when a city can say something new.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator
from wijksim.model.config.base import Section
from wijksim.model.config.team_params import TeamParams
from wijksim.model.contracts.funding import FUNDING_FORMS, FundingParams, missing_form_parameter

if TYPE_CHECKING:
    from wijksim.model.config.scenario import PopulationParams, Scenario

NeighbourhoodTypeName = Literal["weak", "vulnerable", "strong"]
FundingForm = Literal[tuple(FUNDING_FORMS)]  # type: ignore[valid-type]


@dataclass(frozen=True)
class NeighbourhoodType:
    """A neighbourhood type: its size and how vulnerable its households are."""

    households: int
    """Utrecht's sizes (docs/sources.md §1, S1 App. IV)."""
    vulnerability_alpha: float
    """Of the Beta(alpha, ``population.vulnerability_beta``) latent vulnerability."""


NEIGHBOURHOOD_TYPES: dict[str, NeighbourhoodType] = {
    # Sizes: S1 App. IV (Utrecht). How much more or less vulnerable a weak or strong
    # neighbourhood is, is an assumption (mean vulnerability 0.38 / 0.29 / 0.22 with the
    # default beta of 5); ``wijksim compare-teams`` runs each type as a neighbourhood of its own.
    "weak": NeighbourhoodType(3000, 3.0),
    "vulnerable": NeighbourhoodType(6000, 2.0),
    "strong": NeighbourhoodType(10000, 1.4),
}


class NeighbourhoodParams(Section):
    """One neighbourhood of a city."""

    type: NeighbourhoodTypeName | None = None
    """Utrecht's type (weak / vulnerable / strong), which gives ``households`` and
    ``vulnerability_alpha`` unless they are set here."""
    households: Annotated[int, Field(gt=0)] | None = None
    """Households of the neighbourhood (required without a ``type``)."""
    vulnerability_alpha: Annotated[float, Field(gt=0.0)] | None = None
    """Shape α of its latent vulnerability ~ Beta(α, ``population.vulnerability_beta``);
    by default its type's, or else ``population.vulnerability_alpha``."""
    provider: str = "provider"
    """The organisation contracted for its team (a name: costs are booked to it)."""
    team: dict[str, Any] = {}
    """Its own team settings, over the scenario's ``[team]`` scaled to its households
    (any field of ``[team]``, ``split`` included; e.g. ``frontline_fte``)."""

    @model_validator(mode="after")
    def _size_given(self) -> NeighbourhoodParams:
        if self.type is None and self.households is None:
            raise ValueError(
                "expected a type (weak, vulnerable, strong) or households, found neither"
            )
        return self

    @property
    def size(self) -> int:
        """Its households."""
        return self.households or NEIGHBOURHOOD_TYPES[self.type].households


class ProviderParams(Section):
    """A provider contracted for some of a city's neighbourhoods: its staff and contract."""

    form: FundingForm | None = None
    """The funding form of its contract (docs/sources.md §5): ``function_budget``,
    ``per_hour``, ``per_trajectory``, ``result_per_client``, ``population`` or
    ``shared_savings``. Required with a ``funding`` table, which must then state the
    form's own numbers (``FUNDING_FORMS`` in model/contracts/funding.py: e.g. ``per_hour`` a
    ``tariff_per_hour_eur`` above 0); the model pays by the numbers only."""
    funding: FundingParams | None = None
    """Its contract: any field of a single neighbourhood's ``[funding]``, the operator's
    ethos included (``funding.operator.ethos``). ``None``: no contract, the municipality
    pays its teams' staff."""
    team: dict[str, Any] = {}
    """Team settings of all its neighbourhoods, over the scenario's ``[team]`` and under a
    neighbourhood's own (its staff background, e.g. ``seconded_share``)."""


class CityParams(Section):
    """A city: neighbourhoods with their own households, team and provider.

    They share the specialists, one seed and one ledger (model/config/city.py).
    """

    cross_neighbourhood_tie_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1
    """Share of the social ties that link households of different neighbourhoods.
    Assumption (no source): ties that give everyday help are mostly local; 10% keeps
    some help and signals across neighbourhood borders."""
    neighbourhoods: Annotated[dict[str, NeighbourhoodParams], Field(min_length=1)]
    """The neighbourhoods by name, in order (``[city.neighbourhoods.<name>]``)."""
    providers: dict[str, ProviderParams] = {}
    """The providers by name (``[city.providers.<name>]``); empty: a neighbourhood's
    provider is a name only (no contract, no staff background of its own)."""


@dataclass(frozen=True)
class NeighbourhoodPlan:
    """One neighbourhood as the model builds it: its households, team and provider.

    Attributes:
        name: Its name (``""`` for the single neighbourhood of a scenario without a city).
        provider: The provider contracted for its team (``""`` without a city).
        population: Its population section (its households and vulnerability).
        team: Its team (``None``: the old system).
        friction_cost_eur: Its share of the switch's one-off friction costs.
        contract: Its provider's contract (the scenario's ``[funding]`` without a city;
            ``None``: the municipality pays the staff).
    """

    name: str
    provider: str
    population: PopulationParams
    team: TeamParams | None
    friction_cost_eur: float
    contract: FundingParams | None = None

    @property
    def households(self) -> int:
        """Its households."""
        return self.population.households


def _merged(base: dict, override: dict) -> dict:
    """``override`` deep-merged into a copy of ``base`` (tables merge, values replace)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _neighbourhood_team(scenario: Scenario, name: str, hood: NeighbourhoodParams):
    """The scenario's team scaled to the neighbourhood's households, with its own settings.

    Its provider's team settings (``[city.providers.<name>].team``) come over the scaled
    team, the neighbourhood's own over those.

    Raises:
        ValueError: Naming the neighbourhood's (or provider's) field, for settings
            without a ``[team]`` or settings that are not a valid team.
    """
    where = f"city.neighbourhoods.{name}.team"
    provider = scenario.city.providers.get(hood.provider)
    provider_team = provider.team if provider else {}
    provider_where = f"city.providers.{hood.provider}.team"
    if scenario.team is None:
        for settings, place in ((provider_team, provider_where), (hood.team, where)):
            if settings:
                raise ValueError(f"{place}: expected no team settings without a [team], found some")
        return None
    factor = hood.size / scenario.population.households
    base = scenario.team.model_dump(mode="json")
    # model/inputs/scaling.py PER_NEIGHBOURHOOD_FIELDS: the team's FTE are for the whole
    # neighbourhood.
    if factor != 1:
        base["frontline_fte"] *= factor
        base["overhead_fte"] *= factor
    if not hood.team and not provider_team:
        return scenario.team if factor == 1 else TeamParams.model_validate_json(json.dumps(base))
    if provider_team:
        _validated_team(_merged(base, provider_team), provider_where)
        base = _merged(base, provider_team)
    return _validated_team(_merged(base, hood.team), where)


def _validated_team(settings: dict, where: str) -> TeamParams:
    """``settings`` as a team; a ``ValueError`` naming the field under ``where`` if not."""
    try:
        return TeamParams.model_validate_json(json.dumps(settings))
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            near = difflib.get_close_matches(str(first["loc"][-1]), list(TeamParams.model_fields))
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            message = f"expected a field of [team]{hint}"
        elif message.startswith("Input should be "):  # the loader's wording: expected …, found …
            message = f"expected {message.removeprefix('Input should be ')}"
        raise ValueError(f"{where}.{field}: {message}, found {first.get('input')!r}") from None


def neighbourhood_plans(scenario: Scenario) -> list[NeighbourhoodPlan]:
    """The neighbourhoods the model builds: the city's, or the scenario's one.

    Raises:
        ValueError: For a neighbourhood's invalid team settings (see :func:`check_city`).
    """
    friction = scenario.transition.friction_cost_eur
    if scenario.city is None:
        return [
            NeighbourhoodPlan(
                "", "", scenario.population, scenario.team, friction, scenario.funding
            )
        ]
    plans = []
    providers = scenario.city.providers
    for name, hood in scenario.city.neighbourhoods.items():
        kind = NEIGHBOURHOOD_TYPES.get(hood.type) if hood.type else None
        alpha = hood.vulnerability_alpha or (
            kind.vulnerability_alpha if kind else scenario.population.vulnerability_alpha
        )
        population = scenario.population.model_copy(
            update={"households": hood.size, "vulnerability_alpha": alpha}
        )
        factor = hood.size / scenario.population.households
        team = _neighbourhood_team(scenario, name, hood)
        provider = providers.get(hood.provider)
        contract = provider.funding if provider else None
        plans.append(
            NeighbourhoodPlan(name, hood.provider, population, team, friction * factor, contract)
        )
    return plans


def check_city(scenario: Scenario) -> None:
    """Check what a ``[city]`` needs beyond its own fields.

    Raises:
        ValueError: Starting with the field at fault (``city.neighbourhoods.west.households:``).
    """
    city = scenario.city
    if city is None:
        return
    if scenario.funding is not None:
        # Named at the [city]: that is what the user added to a scenario with a contract.
        raise ValueError(
            "city: expected the contracts per provider in [city.providers.<name>.funding], "
            "found a [funding] for the whole scenario"
        )
    degree = scenario.network.mean_degree
    for name, hood in city.neighbourhoods.items():
        if hood.size <= degree:
            raise ValueError(
                f"city.neighbourhoods.{name}.households: expected more than "
                f"network.mean_degree ({degree}), found {hood.size}"
            )
    _check_providers(scenario)
    neighbourhood_plans(scenario)  # every neighbourhood's team is valid


def _check_providers(scenario: Scenario) -> None:
    """Each neighbourhood's provider is listed, each listed one is used, each contract complete.

    Raises:
        ValueError: Starting with the field at fault (``city.providers.hourly.form:``).
    """
    providers = scenario.city.providers
    if not providers:
        return
    names = ", ".join(providers)
    for name, hood in scenario.city.neighbourhoods.items():
        if hood.provider not in providers:
            raise ValueError(
                f"city.neighbourhoods.{name}.provider: expected a provider of "
                f"[city.providers] ({names}), found {hood.provider!r}"
            )
    used = {hood.provider for hood in scenario.city.neighbourhoods.values()}
    for name, provider in providers.items():
        where = f"city.providers.{name}"
        if name not in used:
            raise ValueError(
                f"{where}: expected a neighbourhood contracted to it (provider = {name!r}), "
                "found none"
            )
        _check_contract(where, provider, scenario.team is not None)


def _check_contract(where: str, provider: ProviderParams, has_team: bool) -> None:
    """A provider's contract states its form and the numbers that form needs."""
    forms = ", ".join(FUNDING_FORMS)
    if provider.funding is None:
        if provider.form is not None:
            raise ValueError(
                f"{where}.funding: expected the contract of form {provider.form!r}, found none"
            )
        return
    if provider.form is None:
        raise ValueError(f"{where}.form: expected one of {forms}, found none")
    if not has_team:
        raise ValueError(f"{where}.funding: expected a [team] for its operator to run, found none")
    missing = missing_form_parameter(provider.funding, provider.form)
    if missing is not None:
        field, found = missing
        expected = "a value" if found == "none" else "a value above 0"
        raise ValueError(
            f"{where}.funding.{field}: expected {expected} for form {provider.form!r} "
            f"(docs/sources.md §5), found {found}"
        )


class Neighbourhood:
    """A neighbourhood of the running model: its households, teams and access point.

    Args:
        index: Its index (``model.neighbourhood_of``).
        plan: What it is (:class:`NeighbourhoodPlan`).
        rows: Its households: one contiguous block of rows.
        desk: The city's central desk (the old system's access point, city-wide).

    Attributes:
        teams: Its teams (none in the old system; several in a split).
        router: The access point of its split (``None`` without a split).
        operator: Its provider's operator (``None`` without a contract: the municipality
            pays its teams' staff).
    """

    def __init__(self, index: int, plan: NeighbourhoodPlan, rows: slice, desk) -> None:
        self.index = index
        self.plan = plan
        self.name = plan.name
        self.provider = plan.provider
        self.rows = rows
        self.desk = desk
        self.teams: list = []
        self.router = None
        self.operator = None

    @property
    def households(self) -> int:
        """Its households."""
        return self.rows.stop - self.rows.start

    @property
    def access_point(self):
        """Where its households apply: its team (or split's router) once open, else the desk."""
        if self.router is not None and self.router.is_open:
            return self.router
        return next((team for team in self.teams if team.is_open), self.desk)

    def network_capacity_factor(self) -> float:
        """Helpers' capacity × this: 1 plus what its teams' collective work added."""
        if not self.teams:
            return 1.0
        # Capped on the sum: a split's teams build one neighbourhood network together.
        gain = sum(team.network_gain for team in self.teams)
        return 1.0 + min(self.plan.team.collective_network_max, gain)


def split_by_weights(cents: int, weights: list[int]) -> list[int]:
    """Whole cents divided in proportion to ``weights``, summing exactly to ``cents``.

    Largest remainders get the odd cents, ties to the first (a fixed rule, no draw).

    Example:
        >>> split_by_weights(100, [1, 1, 1])
        [34, 33, 33]
    """
    if len(weights) == 1:
        return [cents]
    total = sum(weights)
    shares = [cents * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(cents * weights[i] % total), i))
    for i in remainders[: cents - sum(shares)]:
        shares[i] += 1
    return shares
