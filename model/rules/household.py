"""Household dynamics on all households at once (ODD element 7, submodels 1–5).

Each rule draws a fixed number of random numbers per step, whatever the state, so that
two scenarios with the same seed stay aligned draw for draw (common random numbers).

Why one module: the household rules are short classes (one per rule) that share the
discipline above, a fixed number of draws per rule and step; side by side, their draws
are checked at a glance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.core.domains import (
    DOMAIN_INDEX,
    DOMAINS,
    SUFFICIENT,
    spillover_matrix,
)
from wijksim.model.rules.base import Rule, register_rule
from wijksim.model.state.population import LIFE_PHASES
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel

ELDERLY = LIFE_PHASES.index("elderly")
YOUNG_ADULT = LIFE_PHASES.index("young_adult")
PROBLEM_LEVEL = 2
"""A domain at this level or worse is a problem that spills over and calls for help."""
VULNERABILITY_REFERENCE = 0.3
"""Drift is scaled relative to a household of this vulnerability (near the mean)."""


@register_rule
class InformalNetwork(Rule):
    """Who helps whom: self-reliant neighbours with strength to spare share it.

    A helper has every domain at level 4 or better and own strength of at least
    ``network.helper_min_own_strength``; a household with any domain at level 3 or worse
    can use help. Both are read from the ZRM levels, not from the need groups, so that
    the scenario's choice of classification does not change the dynamics. Each helper
    shares its capacity ``helper_capacity_households`` among its needy neighbours; a
    needy household's help is the capacity it receives over
    ``help_units_for_full_support``, capped at 1. The teams' collective work raises the
    helpers' capacity (``model.network_capacity_factor``). Isolation is the larger of a lack of
    self-reliant neighbours and a weak social-network domain.
    """

    name = "informal_network"

    def step(self, model: NeighbourhoodModel) -> None:
        """Recompute ``network_help`` and ``isolation`` from the current groups."""
        params = model.params.network
        population = model.population
        adjacency = model.network.adjacency
        worst = population.zrm.min(axis=1)
        self_reliant = worst >= SUFFICIENT
        needy = ~self_reliant
        helper = self_reliant & (population.own_strength >= params.helper_min_own_strength)
        needy_neighbours = adjacency @ needy.astype(np.float32)
        # Each helper's capacity, raised by the collective work in its own neighbourhood
        # (float32, as a scalar factor would be cast: the same values for one neighbourhood).
        factors = params.helper_capacity_households * model.network_capacity_factors()
        capacity = factors.astype(np.float32)[model.neighbourhood_of]
        share = helper * (capacity / np.maximum(needy_neighbours, 1.0))
        # Helpers divide their capacity among needy neighbours only, so only they receive it.
        received = (adjacency @ share.astype(np.float32)) * needy
        population.network_help[:] = np.minimum(1.0, received / params.help_units_for_full_support)
        # Every neighbour is needy or self-reliant: one sparse product fewer (the counts
        # are whole numbers, exact in float32).
        self_reliant_neighbours = model.network.degree_float - needy_neighbours
        lonely = 1.0 - self_reliant_neighbours / params.isolation_reference_neighbours
        weak_network = (4 - population.zrm[:, DOMAIN_INDEX["social_network"]]) / 3.0
        population.isolation[:] = np.clip(np.maximum(lonely, weak_network), 0.0, 1.0)


@register_rule
class LifeEvents(Rule):
    """Shocks (job loss, divorce, illness, bereavement) that lower several domains."""

    name = "life_events"

    def setup(self, model: NeighbourhoodModel) -> None:
        """Turn yearly incidences into weekly ones per household, by life phase."""
        kinds = model.params.life_events
        phase = model.population.life_phase
        self.kind_names = list(kinds)
        weekly = np.zeros((model.population.size, len(kinds)), dtype=np.float32)
        for k, event in enumerate(kinds.values()):
            factor = np.ones(model.population.size, dtype=np.float32)
            factor[phase == ELDERLY] = event.elderly_factor
            factor[phase == YOUNG_ADULT] = event.young_adult_factor
            yearly = np.clip(event.per_year * factor, 0.0, 1.0)  # a factor may push it past 1
            weekly[:, k] = 1.0 - (1.0 - yearly) ** (1.0 / WEEKS_PER_YEAR)
        self.weekly_probability = weekly
        self.columns = [
            np.array([DOMAIN_INDEX[d] for d in e.domains], dtype=np.intp) for e in kinds.values()
        ]

    def step(self, model: NeighbourhoodModel) -> None:
        """Draw this week's events and lower the domains they hit by one level."""
        draws = self.rng(model).random(self.weekly_probability.shape, dtype=np.float32)
        hit = draws < self.weekly_probability
        zrm = model.population.zrm
        for k, name in enumerate(self.kind_names):
            rows = np.flatnonzero(hit[:, k])
            model.counters[f"life_events_{name}"] += int(rows.size)
            if rows.size:
                block = np.ix_(rows, self.columns[k])
                zrm[block] = np.maximum(zrm[block] - 1, 1)


@register_rule
class Drift(Rule):
    """Weekly deterioration of each domain by one level.

    hazard = drift_per_week × drift_scale × domain weight × life-phase factor
             × exp(vulnerability_effect × (vulnerability − 0.3))
             × (1 + correlated_problem_effect × problems in spill-over domains)
             × (1 + isolation_effect × isolation)
    """

    name = "drift"

    def setup(self, model: NeighbourhoodModel) -> None:
        """Precompute the state-independent part of the hazard per household and domain."""
        hazards = model.params.hazards
        population = model.population
        weights = np.array([hazards.domain_weight.get(d, 1.0) for d in DOMAINS], dtype=np.float32)
        base = np.tile(weights, (population.size, 1))
        elderly = population.life_phase == ELDERLY
        for domain in ("physical_health", "adl"):
            base[elderly, DOMAIN_INDEX[domain]] *= hazards.elderly_health_factor
        parenting = DOMAIN_INDEX["family_and_parenting"]
        base[~population.has_children, parenting] *= hazards.parenting_without_children_factor
        vulnerability = np.exp(
            hazards.vulnerability_effect * (population.vulnerability - VULNERABILITY_REFERENCE)
        )
        self.base_hazard = np.asfortranarray(
            base * vulnerability[:, None] * hazards.drift_per_week * hazards.drift_scale,
            dtype=np.float32,
        )
        # For each affected domain, the domains whose problems spill over into it.
        self.spill_sources = [np.flatnonzero(column) for column in spillover_matrix().T]

    def step(self, model: NeighbourhoodModel) -> None:
        """Lower domains whose draw falls under their hazard."""
        hazards = model.params.hazards
        population = model.population
        zrm = population.zrm
        problems = (zrm <= PROBLEM_LEVEL).astype(np.float32)
        # In place, in the domain-major layout of ``zrm``, in the order spill × base ×
        # isolation: the float32 values of the plain expression. ``problems @ spillover``
        # as sums of columns (whole numbers, exact): a BLAS product would keep a second
        # core spinning for little gain (docs/performance.md).
        hazard = np.zeros(zrm.shape, dtype=np.float32, order="F")
        for column, sources in enumerate(self.spill_sources):
            for source in sources:
                hazard[:, column] += problems[:, source]
        hazard *= hazards.correlated_problem_effect
        hazard += 1.0
        hazard *= self.base_hazard
        hazard *= 1.0 + hazards.isolation_effect * population.isolation[:, None]
        draws = domain_major_uniforms(self.rng(model), zrm.shape)
        lower = draws < hazard
        lower &= zrm > 1
        zrm -= lower.view(np.int8)


@register_rule
class Recovery(Rule):
    """Weekly improvement of each domain by one level.

    hazard = recovery_per_week × recovery_scale × factor by level
             × (0.5 + own_strength_effect × own strength)
             × (1 + network_help_effect × help received)
             + treatment boost of the care the household receives this week
    """

    name = "recovery"

    def setup(self, model: NeighbourhoodModel) -> None:
        """Precompute the per-level factors."""
        hazards = model.params.hazards
        # Index by ZRM level 1..5; level 5 cannot rise.
        self.level_factor = np.array((0.0, *hazards.recovery_factor_by_level, 0.0), np.float32)

    def step(self, model: NeighbourhoodModel) -> None:
        """Raise domains whose draw falls under their hazard."""
        population = model.population
        zrm = population.zrm
        own = own_recovery_per_week(model)[:, None]  # own strength changes with support
        # ``take`` on the transposed (row-major) view is the fast lookup of the levels.
        hazard = self.level_factor.take(zrm.T, mode="clip").T
        hazard *= own
        hazard += population.treatment_boost
        draws = domain_major_uniforms(self.rng(model), zrm.shape)
        rise = draws < hazard
        rise &= zrm < 5
        zrm += rise.view(np.int8)


@register_rule
class OwnStrengthFade(Rule):
    """Own strength that support raised falls back slowly towards the household's own level.

    A household process, run once a week over all households whoever supported them
    (with three focus teams it must not fade three times). The rate is
    ``team.empowerment_fade_per_week`` of the household's neighbourhood's team (in a city
    its team settings may set it); without a team nothing raised own strength.
    """

    name = "own_strength_fade"

    def setup(self, model: NeighbourhoodModel) -> None:
        """The fade rate: one number, or one per household if neighbourhoods differ."""
        rates = [
            hood.plan.team.empowerment_fade_per_week if hood.plan.team else 0.0
            for hood in model.neighbourhoods
        ]
        self.fade = (
            rates[0]
            if len(set(rates)) == 1
            # float32, as the single rate is cast: the same values where the rates agree.
            else np.array(rates, dtype=np.float32)[model.neighbourhood_of]
        )

    def step(self, model: NeighbourhoodModel) -> None:
        """Close part of the gap between own strength and its baseline."""
        if model.params.team is None:
            return
        population = model.population
        gap = population.own_strength - population.own_strength_baseline
        population.own_strength -= self.fade * np.maximum(gap, 0.0)


def domain_major_uniforms(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Float32 uniforms for (households, domains), laid out domain-major like ``zrm``.

    Drawn row by row exactly as ``rng.random(shape)`` (the same number for the same
    household and domain), then copied into the layout of the population arrays, which
    is cheaper than mixing the two layouts in every operation that follows.
    """
    return np.asfortranarray(rng.random(shape, dtype=np.float32))


def own_recovery_per_week(model: NeighbourhoodModel) -> np.ndarray:
    """Weekly recovery hazard per household from own strength and informal help alone.

    It is the hazard at a level with factor 1; :class:`Recovery` scales it by level
    and adds the care a household receives.
    """
    hazards = model.params.hazards
    population = model.population
    strength = 0.5 + hazards.own_strength_effect * population.own_strength
    help_factor = 1.0 + hazards.network_help_effect * population.network_help
    return (hazards.recovery_per_week * hazards.recovery_scale * strength * help_factor).astype(
        np.float32
    )


@register_rule
class HelpSeeking(Rule):
    """Unknown households with a bad enough domain ask for help or are signalled.

    The terms are those of the access point that is open (the desk or the team):
    households whose worst domain is at ``help_seeking_max_level`` or worse ask with
    weekly probability ``ask_per_week`` (× ``acute_ask_multiplier`` at level 1,
    × ``limited_ask_multiplier`` at level 3), are
    signalled by neighbours (``neighbour_signal_per_week`` × (1 − isolation)) or by GP,
    school or police (``signal_per_week``, × ``school_signal_factor`` with children).
    One uniform per household decides whether and by which route it is found.
    """

    name = "help_seeking"

    def step(self, model: NeighbourhoodModel) -> None:
        """Send this week's askers and signalled households to their access point."""
        population = model.population
        worst = population.zrm.min(axis=1)
        draws = self.rng(model).random(population.size, dtype=np.float32)
        unknown = population.status == Status.UNKNOWN
        found = 0
        for hood in model.neighbourhoods:  # each on the terms of its own access point
            found += self._seek(model, hood, worst, draws, unknown)
        model.counters["households_found"] += found

    @staticmethod
    def _seek(model, hood, worst, draws, unknown) -> int:
        """One neighbourhood's help-seeking; returns the households found."""
        point = hood.access_point
        terms = point.help_seeking
        population = model.population
        rows = hood.rows
        # The terms are worked out for the eligible households only: few of all of them.
        eligible = (
            np.flatnonzero(unknown[rows] & (worst[rows] <= terms.help_seeking_max_level))
            + rows.start
        )
        worst, draws = worst[eligible], draws[eligible]
        urgency = np.select(
            [worst == 1, worst == 3],
            [terms.acute_ask_multiplier, terms.limited_ask_multiplier],
            1.0,
        )
        ask = terms.ask_per_week * urgency
        neighbours = terms.neighbour_signal_per_week * (1.0 - population.isolation[eligible])
        professional = terms.signal_per_week * np.where(
            population.has_children[eligible], terms.school_signal_factor, 1.0
        )
        bounds = (ask, ask + neighbours, ask + neighbours + professional)
        routes = ("asked", "signalled_neighbour", "signalled_professional")
        lower = 0.0
        found = 0
        for route, upper in zip(routes, bounds, strict=True):
            rows = eligible[(draws >= lower) & (draws < upper)]
            lower = upper
            found += rows.size
            if rows.size:
                model.note_return(rows)
                point.apply(rows, model.week, route=route)
        return found


@register_rule
class Escalation(Rule):
    """An acute domain that nobody treats may escalate into an expensive event.

    For each escalation kind, a household with acute (level 1) domains of that kind
    escalates with probability ``1 − Π (1 − hazard_per_week × (1 − protection))`` over
    those domains, where protection is 1 for a domain its specialist treats this week,
    competence × ``escalation_protection`` for a domain the team supports, else 0.
    The event is booked at its cost on the ``escalation`` stream; the household leaves
    any waiting list or care and is admitted at once to crisis care for the kind's ``crisis_weeks``.
    """

    name = "escalation"

    def setup(self, model: NeighbourhoodModel) -> None:
        """Index the kinds' domains and the providers' treated domains."""
        kinds = model.params.escalations
        self.kind_names = list(kinds)
        self.kinds = list(kinds.values())
        self.columns = [
            np.array([DOMAIN_INDEX[d] for d in k.domains], dtype=np.intp) for k in self.kinds
        ]

    def step(self, model: NeighbourhoodModel) -> None:
        """Draw escalations, book them and move the households into crisis care."""
        population = model.population
        draws = self.rng(model).random((population.size, len(self.kinds)), dtype=np.float32)
        acute = population.zrm == 1
        candidates = np.flatnonzero(acute.any(axis=1) & (population.status != Status.ESCALATED))
        if candidates.size == 0:
            return
        # Care this week takes away part of the hazard (all of it where a specialist
        # treats); a household on a waiting list is as unsupported as an unknown one.
        exposure = acute[candidates] * (1.0 - population.care_protection[candidates])
        escalated = np.zeros(candidates.size, dtype=bool)
        for k, kind in enumerate(self.kinds):
            spared = np.prod(1.0 - kind.hazard_per_week * exposure[:, self.columns[k]], axis=1)
            probability = 1.0 - spared
            if kind.requires_children:
                probability = probability * population.has_children[candidates]
            fires = ~escalated & (draws[candidates, k] < probability)
            if fires.any():
                model.escalate(candidates[fires], kind_name=self.kind_names[k], kind=kind)
            escalated |= fires


@register_rule
class Classification(Rule):
    """Derive every household's need group from its ZRM levels."""

    name = "classification"

    def step(self, model: NeighbourhoodModel) -> None:
        """Reclassify all households."""
        model.population.need_group[:] = model.classifier.classify(model.population.zrm)
