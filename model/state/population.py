"""The household population as arrays: one row per household (ODD elements 2 and 5).

Household rules act on all rows at once; a :class:`~wijksim.agents.household.Household`
agent reads and writes its own row, so an extension written per agent sees the same
state as the vectorised rules.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np
from scipy.stats import binom
from wijksim.model.config.scenario import PopulationParams
from wijksim.model.core.domains import N_DOMAINS
from wijksim.model.state.status import Status

LIFE_PHASES: tuple[str, ...] = ("young_adult", "adult", "elderly")
NO_PROVIDER = -1
NEVER = -(10**8)
"""A week stamp for "never": far before any week of a run, burn-in included."""


@dataclass
class Population:
    """State of every household, one row each.

    Attributes:
        zrm: ZRM level per domain, 1 (acute) … 5 (fully self-reliant) (S1 App. V,
            docs/sources.md); stored domain-major (Fortran order) so that reductions
            over the 11 domains are fast (docs/performance.md).
        vulnerability: Latent vulnerability in [0, 1]; constant.
        own_strength: Own strength (eigen kracht) in [0, 1]; team support raises it and
            it fades back towards ``own_strength_baseline`` (ODD §7.1.4).
        own_strength_baseline: The household's own level of own strength, drawn at
            initialisation, to which it falls back without support; constant.
        life_phase: Life phase of the household head, an index into
            :data:`LIFE_PHASES` (0 young_adult, 1 adult, 2 elderly); constant.
        has_children: Children live in the household; constant.
        status: Where the household stands with services: a
            :class:`~wijksim.model.state.status.Status` code, 0…7 (ODD §2.2).
        status_since_week: Week in which the current status began.
        provider: Index of the specialist holding the household (waiting, in care or in
            crisis care), or ``NO_PROVIDER`` (−1).
        need_group: Index of the derived need group, 0 = least severe (set by the
            classification rule, ODD §7.1.5).
        network_help: Informal help received from neighbours this week, 0..1 (ODD §7.2).
        isolation: 0 (well connected) … 1 (isolated) (ODD §7.2).
        treatment_boost: Extra weekly recovery hazard per domain from this week's care
            (specialist and team), ≥ 0.
        escalations: Number of escalations so far.
        cost_cents: Euro-cents booked on this household (specialist and escalation).
        cost_cents_year_start: ``cost_cents`` as it stood when the current year began, so
            that ``cost_cents − cost_cents_year_start`` is this year's: the Dutch
            concentration figures are yearly (docs/sources.md, S19).
        care_protection: Share of the escalation hazard that this week's care takes
            away, per domain, in [0, 1] (1 where a specialist treats, less for team
            support; ODD §7.8.1).
        last_closed_week: Week the household's last care episode closed (specialist
            discharge or team case closure), or ``NEVER``; a return within 52 weeks of it
            is a relapse (docs/sources.md §2, ODD §7.5.7).
    """

    zrm: np.ndarray
    vulnerability: np.ndarray
    own_strength: np.ndarray
    own_strength_baseline: np.ndarray
    life_phase: np.ndarray
    has_children: np.ndarray
    status: np.ndarray
    status_since_week: np.ndarray
    provider: np.ndarray
    need_group: np.ndarray
    network_help: np.ndarray
    isolation: np.ndarray
    treatment_boost: np.ndarray
    escalations: np.ndarray
    cost_cents: np.ndarray
    cost_cents_year_start: np.ndarray
    care_protection: np.ndarray
    last_closed_week: np.ndarray

    WEEKLY_FIELDS: ClassVar[tuple[str, ...]] = ("treatment_boost", "care_protection")
    """Arrays that hold what this week's care does; :meth:`begin_week` zeroes them, and
    care rules only add to them (``+=`` / ``maximum``), in any order."""

    def begin_week(self) -> None:
        """Forget last week's care: the one reset of the per-week arrays."""
        for name in self.WEEKLY_FIELDS:
            getattr(self, name).fill(0.0)

    def begin_year(self) -> None:
        """Start counting this year's costs from what is booked so far."""
        self.cost_cents_year_start[:] = self.cost_cents

    @property
    def cost_cents_this_year(self) -> np.ndarray:
        """Euro-cents booked on each household since the current year began."""
        return self.cost_cents - self.cost_cents_year_start

    @property
    def size(self) -> int:
        """Number of households."""
        return self.zrm.shape[0]

    def set_status(self, rows: np.ndarray, status: Status, week: int) -> None:
        """Move ``rows`` to ``status`` as of ``week``."""
        self.status[rows] = status
        self.status_since_week[rows] = week


DOMAIN_MAJOR_FIELDS: tuple[str, ...] = ("zrm", "treatment_boost", "care_protection")
"""The (households × domains) arrays, kept domain-major (see :class:`Population`)."""


def concatenate_populations(parts: list[Population]) -> Population:
    """One population of ``parts`` in order (a city's neighbourhoods); one part as it is."""
    if len(parts) == 1:
        return parts[0]
    arrays = {
        f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Population)
    }
    for name in DOMAIN_MAJOR_FIELDS:
        arrays[name] = np.asfortranarray(arrays[name])
    return Population(**arrays)


def initial_levels(vulnerability: np.ndarray, severity: float, uniforms: np.ndarray) -> np.ndarray:
    """Initial ZRM levels: 5 − Binomial(4, p) per domain, p = severity × (0.5 + v).

    Drawn by inversion from ``uniforms`` (n, 11), so that calibration can re-draw the
    initial state for another severity from the same random numbers.
    """
    p = np.clip(severity * (0.5 + vulnerability), 0.0, 1.0)[:, None]
    # Binomial(4, p) by counting how many of the 4 cumulative thresholds u exceeds.
    drops = np.zeros(uniforms.shape, dtype=np.int8)
    for k in range(4):
        drops += uniforms > binom.cdf(k, 4, p)
    return (5 - drops).astype(np.int8)


def initialise_population(params: PopulationParams, rng: np.random.Generator) -> Population:
    """Draw the initial population.

    Args:
        params: The scenario's population section.
        rng: The ``population`` random stream.
    """
    n = params.households
    vulnerability = rng.beta(params.vulnerability_alpha, params.vulnerability_beta, n)
    noise = rng.normal(0.0, params.own_strength_noise_sd, n)
    own_strength = np.clip(1.0 - vulnerability + noise, 0.0, 1.0)
    phase_shares = [params.life_phase_shares.get(p, 0.0) for p in LIFE_PHASES]
    life_phase = rng.choice(len(LIFE_PHASES), size=n, p=phase_shares).astype(np.int8)
    # Elderly households seldom have children at home; the others share the rest so
    # that the overall share matches the scenario.
    non_elderly = life_phase != LIFE_PHASES.index("elderly")
    child_share = min(1.0, params.share_with_children / max(non_elderly.mean(), 1e-9))
    has_children = non_elderly & (rng.random(n) < child_share)
    zrm = initial_levels(vulnerability, params.initial_severity, rng.random((n, N_DOMAINS)))
    return Population(
        # Domain-major (Fortran) layout: a household's worst level, its count of problem
        # domains and the like reduce over the 11 domains, which is ~50× faster when each
        # domain's column is contiguous (docs/performance.md); indexing is unchanged.
        zrm=np.asfortranarray(zrm),
        vulnerability=vulnerability.astype(np.float32),
        own_strength=own_strength.astype(np.float32),
        own_strength_baseline=own_strength.astype(np.float32),
        life_phase=life_phase,
        has_children=has_children,
        status=np.full(n, Status.UNKNOWN, dtype=np.int8),
        status_since_week=np.zeros(n, dtype=np.int32),
        provider=np.full(n, NO_PROVIDER, dtype=np.int8),
        need_group=np.zeros(n, dtype=np.int8),
        network_help=np.zeros(n, dtype=np.float32),
        isolation=np.zeros(n, dtype=np.float32),
        treatment_boost=np.zeros((n, N_DOMAINS), dtype=np.float32, order="F"),
        escalations=np.zeros(n, dtype=np.int16),
        cost_cents=np.zeros(n, dtype=np.int64),
        cost_cents_year_start=np.zeros(n, dtype=np.int64),
        care_protection=np.zeros((n, N_DOMAINS), dtype=np.float32, order="F"),
        last_closed_week=np.full(n, NEVER, dtype=np.int32),
    )
