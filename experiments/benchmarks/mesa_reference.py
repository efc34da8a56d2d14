"""An idiomatic Mesa 3 reference implementation of wijksim's household rules (issue 7).

The array core (:func:`~wijksim.experiments.benchmarks.core.household_core`) runs the
household rules of :mod:`wijksim.model.rules.household` on all households at once, on
numpy arrays. This module writes the same rules the way a Mesa tutorial would: one
:class:`ReferenceHousehold` object per household holds its own state in plain Python
attributes, and :class:`ReferenceModel` activates the agents in stages through their
:class:`mesa.AgentSet`. It is the yardstick of the benchmark: the same dynamics,
written per agent, so that the time per household-week of the two can be compared and
their results checked against each other (``tests/test_mesa_reference.py``).

What runs, as in the array core, is only the household rules, in the order of
:data:`~wijksim.experiments.benchmarks.core.HOUSEHOLD_CORE_SCHEDULE`:

1. *informal network* (synchronous, in three stages over all agents: every agent
   observes its own levels, then helpers offer their capacity, then needy households
   receive it and every household works out its isolation);
2. then each agent's own :meth:`ReferenceHousehold.step`: life events, drift,
   recovery, escalation, help-seeking and classification of itself.

A household found by help-seeking applies at the desk and stays KNOWN; one that
escalates is booked and stays ESCALATED (neither the desk's assessment nor specialist
care runs in the core). No care means no treatment boost and no protection from
escalation, and without teams the helpers' capacity factor is 1.

Nothing in the model imports this module.

One piece over 300 lines on purpose: a self-contained, idiomatic Mesa model of the household
rules, to be compared with the array core as a whole.
"""

from __future__ import annotations

import math
from collections import Counter

import mesa
import numpy as np
from wijksim.model.config.classification import NeedClassifier
from wijksim.model.config.scenario import EscalationKind, Scenario
from wijksim.model.core.domains import (
    DOMAIN_INDEX,
    DOMAINS,
    LIMITED,
    N_DOMAINS,
    SELF_RELIANT,
    SPILLOVERS,
    SUFFICIENT,
)
from wijksim.model.model import NeighbourhoodModel
from wijksim.model.rules.household import PROBLEM_LEVEL, VULNERABILITY_REFERENCE
from wijksim.model.state.ledger import to_cents
from wijksim.model.state.network import build_network
from wijksim.model.state.population import LIFE_PHASES, initialise_population
from wijksim.model.state.status import Status
from wijksim.model.state.streams import RandomStreams

ELDERLY = LIFE_PHASES.index("elderly")
YOUNG_ADULT = LIFE_PHASES.index("young_adult")
ACUTE_LEVEL = 1
UNKNOWN = int(Status.UNKNOWN)
KNOWN = int(Status.KNOWN)
ESCALATED = int(Status.ESCALATED)
SOCIAL_NETWORK = DOMAIN_INDEX["social_network"]
PARENTING = DOMAIN_INDEX["family_and_parenting"]
ELDERLY_HEALTH_DOMAINS = (DOMAIN_INDEX["physical_health"], DOMAIN_INDEX["adl"])
ROUTES = ("asked", "signalled_neighbour", "signalled_professional")
"""Help-seeking routes, in the order of the array rule's intervals."""

SPILLOVER_TARGETS: tuple[tuple[int, ...], ...] = tuple(
    tuple(DOMAIN_INDEX[affected] for source, affected in SPILLOVERS if source == domain)
    for domain in DOMAINS
)
"""For each domain, the domains its problems spill over into: the rows of
:func:`~wijksim.model.core.domains.spillover_matrix`, as index lists."""
NETWORK_CAPACITY_FACTOR = 1.0
"""Helpers' capacity × this; only teams' collective work raises it, and the core has none."""


class ReferenceHousehold(mesa.Agent):
    """One household, holding its own state.

    Args:
        model: The reference model.
        levels: ZRM levels on the 11 domains (1 acute … 5 self-reliant).
        vulnerability: Latent vulnerability in [0, 1].
        own_strength: Own strength (eigen kracht) in [0, 1].
        life_phase: Index into :data:`~wijksim.model.state.population.LIFE_PHASES`.
        has_children: Whether children live in the household.
        need_group: Index of the initial need group.

    Attributes:
        levels: ZRM levels, a ``list[int]`` of 11.
        status: A :class:`~wijksim.model.state.status.Status` value, as an ``int``.
        isolation: 0 (well connected) … 1 (isolated), from this week's network stage.
        network_help: Informal help received this week, 0..1.
        neighbours: The households this one knows (set by the model).
        drift_base: Per domain, the state-independent part of the weekly drift hazard.
        life_event_chances: Per life-event kind, its weekly probability and the domains
            it hits.
        escalations: Escalations of this household so far (at most one in the core).
        cost_cents: Euro-cents of the escalations booked on this household.
    """

    def __init__(
        self,
        model: ReferenceModel,
        levels: list[int],
        vulnerability: float,
        own_strength: float,
        life_phase: int,
        has_children: bool,
        need_group: int,
    ) -> None:
        super().__init__(model)
        self.levels = levels
        self.vulnerability = vulnerability
        self.own_strength = own_strength
        self.life_phase = life_phase
        self.has_children = has_children
        self.need_group = need_group
        self.status = UNKNOWN
        self.isolation = 0.0
        self.network_help = 0.0
        self.neighbours: list[ReferenceHousehold] = []
        self.escalations = 0
        self.cost_cents = 0
        # Network stage flags, recomputed every week from the levels.
        self.self_reliant = False
        self.helper = False
        self.offer = 0.0
        self.drift_base = self._drift_base()
        self.life_event_chances = self._life_event_chances()

    # --- Precomputed constants (as the array rules' ``setup``) ---------------------

    def _drift_base(self) -> list[float]:
        """State-independent part of each domain's weekly drift hazard.

        Mirrors ``Drift.setup``: domain weight × life-phase and children factors ×
        exp(vulnerability_effect × (vulnerability − 0.3)) × drift_per_week × drift_scale.
        """
        hazards = self.model.params.hazards
        base = [hazards.domain_weight.get(domain, 1.0) for domain in DOMAINS]
        if self.life_phase == ELDERLY:
            for column in ELDERLY_HEALTH_DOMAINS:
                base[column] *= hazards.elderly_health_factor
        if not self.has_children:
            base[PARENTING] *= hazards.parenting_without_children_factor
        scale = (
            math.exp(hazards.vulnerability_effect * (self.vulnerability - VULNERABILITY_REFERENCE))
            * hazards.drift_per_week
            * hazards.drift_scale
        )
        return [weight * scale for weight in base]

    def _life_event_chances(self) -> list[tuple[float, tuple[int, ...]]]:
        """Weekly probability of each life event for this household, and its domains.

        Mirrors ``LifeEvents.setup``: the yearly incidence × the life phase's factor,
        capped at 1, turned into a weekly probability.
        """
        chances = []
        for event in self.model.params.life_events.values():
            factor = 1.0
            if self.life_phase == ELDERLY:
                factor = event.elderly_factor
            elif self.life_phase == YOUNG_ADULT:
                factor = event.young_adult_factor
            yearly = min(max(event.per_year * factor, 0.0), 1.0)
            weekly = 1.0 - (1.0 - yearly) ** (1.0 / 52.0)
            chances.append((weekly, tuple(DOMAIN_INDEX[d] for d in event.domains)))
        return chances

    # --- Network stages (synchronous; mirror ``InformalNetwork.step``) -------------

    def observe_network(self) -> None:
        """Stage 1: am I self-reliant (every domain at 4 or better), and a helper?"""
        self.self_reliant = min(self.levels) >= SUFFICIENT
        self.helper = (
            self.self_reliant
            and self.own_strength >= self.model.params.network.helper_min_own_strength
        )

    def offer_help(self) -> None:
        """Stage 2: a helper shares its capacity among its needy neighbours."""
        if not self.helper:
            self.offer = 0.0
            return
        needy = sum(1 for neighbour in self.neighbours if not neighbour.self_reliant)
        self.offer = self.model.helper_capacity / max(needy, 1)

    def receive_help(self) -> None:
        """Stage 3: a needy household receives its neighbours' offers; isolation."""
        network = self.model.params.network
        if self.self_reliant:
            self.network_help = 0.0  # helpers offer to needy neighbours only
        else:
            received = sum(neighbour.offer for neighbour in self.neighbours)
            self.network_help = min(1.0, received / network.help_units_for_full_support)
        self_reliant_neighbours = sum(1 for n in self.neighbours if n.self_reliant)
        lonely = 1.0 - self_reliant_neighbours / network.isolation_reference_neighbours
        weak_network = (4 - self.levels[SOCIAL_NETWORK]) / 3.0
        self.isolation = min(1.0, max(0.0, lonely, weak_network))

    # --- The household's own week ---------------------------------------------------

    def step(self) -> None:
        """Run the household's own rules for one week, in the default schedule's order."""
        self.life_events()
        self.drift()
        self.recover()
        self.escalate_if_acute()
        self.seek_help()
        self.classify()

    def life_events(self) -> None:
        """Shocks lower the domains they hit by one level (mirrors ``LifeEvents``)."""
        levels = self.levels
        draw = self.random.random
        for chance, columns in self.life_event_chances:
            if draw() < chance:
                for column in columns:
                    if levels[column] > ACUTE_LEVEL:
                        levels[column] -= 1

    def drift(self) -> None:
        """Each domain may drop one level (mirrors ``Drift``).

        hazard = base × (1 + correlated_problem_effect × problems in spill-over domains)
        × (1 + isolation_effect × isolation). Problems are read before any domain
        drops, as the array rule reads them for all domains at once.
        """
        hazards = self.model.params.hazards
        levels = self.levels
        # Problems in spill-over domains per domain (the array rule's problems @ spillover).
        spill = [0] * N_DOMAINS
        for source, level in enumerate(levels):
            if level <= PROBLEM_LEVEL:
                for affected in SPILLOVER_TARGETS[source]:
                    spill[affected] += 1
        isolation = 1.0 + hazards.isolation_effect * self.isolation
        spill_effect = hazards.correlated_problem_effect
        draw = self.random.random
        for column, level in enumerate(levels):
            if level == ACUTE_LEVEL:
                continue  # cannot drop further; the array rule's draw changes nothing
            hazard = self.drift_base[column] * (1.0 + spill_effect * spill[column]) * isolation
            if draw() < hazard:
                levels[column] = level - 1

    def own_recovery_per_week(self) -> float:
        """Recovery hazard from own strength and informal help, at a level factor of 1.

        Mirrors :func:`~wijksim.model.rules.household.own_recovery_per_week`.
        """
        hazards = self.model.params.hazards
        strength = 0.5 + hazards.own_strength_effect * self.own_strength
        help_factor = 1.0 + hazards.network_help_effect * self.network_help
        return hazards.recovery_per_week * hazards.recovery_scale * strength * help_factor

    def recover(self) -> None:
        """Each domain may rise one level (mirrors ``Recovery``).

        hazard = own recovery × factor of the domain's level. The array rule adds the
        treatment boost of this week's care, which is 0 in the household core.
        """
        own = self.own_recovery_per_week()
        level_factor = self.model.recovery_level_factor
        levels = self.levels
        draw = self.random.random
        for column, level in enumerate(levels):
            if level < SELF_RELIANT and draw() < own * level_factor[level]:
                levels[column] = level + 1

    def escalate_if_acute(self) -> None:
        """An acute domain may escalate into an expensive event (mirrors ``Escalation``).

        Per kind, in scenario order: probability 1 − (1 − hazard_per_week)^a for ``a``
        acute domains of the kind (no care protects them in the core), 0 for a kind that
        requires children in a household without. The first kind that fires is the
        household's one escalation of the week.
        """
        levels = self.levels
        if self.status == ESCALATED or ACUTE_LEVEL not in levels:
            return
        for name, kind, columns in self.model.escalation_kinds:
            if kind.requires_children and not self.has_children:
                continue
            acute = sum(1 for column in columns if levels[column] == ACUTE_LEVEL)
            if acute and self.random.random() < 1.0 - (1.0 - kind.hazard_per_week) ** acute:
                self.escalate(name, kind)
                return

    def escalate(self, name: str, kind: EscalationKind) -> None:
        """Book an escalation and go into crisis care (mirrors ``NeighbourhoodModel.escalate``).

        In the core crisis care never discharges, so the household stays ESCALATED; its
        application at the desk, if any, lapses with the status.
        """
        cents = to_cents(kind.cost_eur)
        self.status = ESCALATED
        self.escalations += 1
        self.cost_cents += cents
        self.model.escalations_by_kind[name] += 1
        self.model.escalation_cost_cents += cents

    def seek_help(self) -> None:
        """An unknown household in need may ask or be signalled (mirrors ``HelpSeeking``).

        The desk's terms apply. Asking has weekly probability ``ask_per_week`` (× the
        acute multiplier at worst level 1, × the limited one at 3); neighbours signal
        with ``neighbour_signal_per_week`` × (1 − isolation); GP, school or police with
        ``signal_per_week`` (× the school factor with children). One uniform draw
        decides whether and by which route, in that order of intervals.
        """
        if self.status != UNKNOWN:
            return
        terms = self.model.params.access
        worst = min(self.levels)
        if worst > terms.help_seeking_max_level:
            return
        urgency = 1.0
        if worst == ACUTE_LEVEL:
            urgency = terms.acute_ask_multiplier
        elif worst == LIMITED:
            urgency = terms.limited_ask_multiplier
        ask = terms.ask_per_week * urgency
        neighbours = terms.neighbour_signal_per_week * (1.0 - self.isolation)
        professional = terms.signal_per_week * (
            terms.school_signal_factor if self.has_children else 1.0
        )
        draw = self.random.random()
        upper = 0.0
        for route, chance in zip(ROUTES, (ask, neighbours, professional), strict=True):
            upper += chance
            if draw < upper:
                self.apply(route)
                return

    def apply(self, route: str) -> None:
        """Apply at the desk (mirrors ``CentralDesk.apply``): status KNOWN, count the route."""
        self.status = KNOWN
        self.model.found_by_route[route] += 1

    def classify(self) -> None:
        """Derive the need group from the levels (mirrors ``NeedClassifier.classify``).

        The most severe group any of whose conditions ("at least ``min_domains``
        domains at ``max_level`` or worse") holds; else the first group.
        """
        # "At least m domains at level L or worse" is "the m-th worst level is ≤ L".
        ordered = sorted(self.levels)
        for group, max_level, min_domains in self.model.group_conditions:
            if ordered[min_domains - 1] <= max_level:
                self.need_group = group
                return
        self.need_group = 0


class ReferenceModel(mesa.Model):
    """The household rules as an idiomatic Mesa 3 model with one agent per household.

    Builds the same initial state as :class:`~wijksim.model.model.NeighbourhoodModel`
    for the same seed (same streams, population, network and classification), copies
    every row into a :class:`ReferenceHousehold` and then uses only the agents.

    Args:
        scenario: The validated scenario (normally a
            :func:`~wijksim.experiments.benchmarks.core.household_core`).
        seed: The run's seed: it seeds the initial state as in the array model, and
            Mesa's own generators (``self.random``) that the agents draw from.

    Attributes:
        params: The scenario (Mesa ≥ 3.5 uses ``scenario`` itself).
        week: Weeks simulated so far.
        classifier: The need classifier; its ``names`` are the need groups in order.
        found_by_route: Households found (applications at the desk) by route.
        escalations_by_kind: Escalations by kind.
        escalation_cost_cents: Euro-cents of all escalations booked.
    """

    def __init__(self, scenario: Scenario, seed: int) -> None:
        # An integer ``rng`` seeds both ``self.random`` and ``self.rng`` on Mesa 3.3
        # and 3.5 alike, without the deprecation warning of ``seed=`` on 3.5.
        super().__init__(rng=int(seed))
        self.params = scenario
        self.seed = int(seed)
        self.week = 0
        self.found_by_route: Counter[str] = Counter()
        self.escalations_by_kind: Counter[str] = Counter()
        self.escalation_cost_cents = 0
        self._set_rule_constants()
        self._build_households()

    def _set_rule_constants(self) -> None:
        """Parameters the agents share, in the shape their rules use them."""
        params = self.params
        groups = params.classification.group_definitions()
        self.classifier = NeedClassifier(groups)
        # (group, max_level, min_domains), most severe group first (as NeedClassifier).
        self.group_conditions = [
            (group, int(condition["max_level"]), int(condition["min_domains"]))
            for group in range(len(groups) - 1, 0, -1)
            for condition in groups[group]["any_of"]
        ]
        # Recovery factor indexed by ZRM level 1..5 (level 5 cannot rise).
        self.recovery_level_factor = (0.0, *params.hazards.recovery_factor_by_level, 0.0)
        self.escalation_kinds = [
            (name, kind, tuple(DOMAIN_INDEX[d] for d in kind.domains))
            for name, kind in params.escalations.items()
        ]
        self.helper_capacity = params.network.helper_capacity_households * NETWORK_CAPACITY_FACTOR

    def _build_households(self) -> None:
        """Draw the initial state as the array model does and copy it into agents."""
        streams = RandomStreams(self.seed)
        population = initialise_population(self.params.population, streams.get("population"))
        network = build_network(
            self.params.network,
            population.vulnerability,
            streams.get("network"),
            networkx_seed=streams.integer_seed("networkx"),
        )
        groups = self.classifier.classify(population.zrm).tolist()
        households = [
            ReferenceHousehold(
                self,
                levels=levels,
                vulnerability=vulnerability,
                own_strength=own_strength,
                life_phase=life_phase,
                has_children=has_children,
                need_group=group,
            )
            for levels, vulnerability, own_strength, life_phase, has_children, group in zip(
                population.zrm.tolist(),
                population.vulnerability.tolist(),
                population.own_strength.tolist(),
                population.life_phase.tolist(),
                population.has_children.tolist(),
                groups,
                strict=True,
            )
        ]
        for row, household in enumerate(households):
            household.neighbours = [households[other] for other in network.graph.neighbors(row)]
        self.households = households  # in row order, for comparisons with the arrays

    def step(self) -> None:
        """Advance one week: the network stages for all, then each household's own week."""
        self.week += 1
        self.network_phase()
        # A household's own rules read and write only its own state (and the model's
        # counters), so each agent runs all of them in turn, in random activation order.
        self.agents.shuffle_do("step")

    def network_phase(self) -> None:
        """The informal network as staged activation (mirrors ``InformalNetwork``).

        Every stage completes for all agents before the next starts, so each reads the
        levels as they were at the start of the week, as the array rule does; within a
        stage the activation order cannot matter, so the agents are not shuffled.
        """
        self.agents.do("observe_network")
        self.agents.do("offer_help")
        self.agents.do("receive_help")

    def run(self, weeks: int) -> None:
        """Run ``weeks`` steps."""
        for _ in range(weeks):
            self.step()

    def group_shares(self) -> dict[str, float]:
        """Share of households in each need group, by group name in classifier order."""
        counts = Counter(household.need_group for household in self.agents)
        n = len(self.agents)
        return {name: counts[group] / n for group, name in enumerate(self.classifier.names)}

    @property
    def applications(self) -> int:
        """Households found so far (applications at the desk), all routes."""
        return sum(self.found_by_route.values())

    @property
    def escalations(self) -> int:
        """Escalations so far, all kinds."""
        return sum(self.escalations_by_kind.values())


def array_core_group_shares(model: NeighbourhoodModel) -> dict[str, float]:
    """Share of households in each need group of an array model, by group name."""
    counts = np.bincount(model.population.need_group, minlength=len(model.classifier.names))
    n = model.population.size
    return {
        name: int(count) / n for name, count in zip(model.classifier.names, counts, strict=True)
    }


def array_core_totals(model: NeighbourhoodModel) -> dict[str, int]:
    """Applications (households found, all routes) and escalations of an array model so far.

    The array model counts households found per week (``found_<route>`` in its
    records); escalations accumulate per household.
    """
    found = sum(
        int(record.get(f"found_{route}", 0.0)) for record in model.records for route in ROUTES
    )
    return {"applications": found, "escalations": int(model.population.escalations.sum())}
