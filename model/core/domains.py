"""The eleven life domains of the Self-Sufficiency Matrix (ZRM) and how they hang together.

ODD element 2 (entities, state variables). The team's eleven domains are the ZRM
domains with "family and parenting" (gezin en opvoeding) in place of "domestic
relations" (docs/sources.md §1, S1 §3.2).
"""

from __future__ import annotations

import numpy as np

DOMAINS: tuple[str, ...] = (
    "finances",
    "daytime_activity",
    "housing",
    "family_and_parenting",
    "mental_health",
    "physical_health",
    "addiction",
    "adl",
    "social_network",
    "community_participation",
    "justice",
)
"""Domain names in column order of every (households × domains) array."""

N_DOMAINS = len(DOMAINS)
DOMAIN_INDEX: dict[str, int] = {name: i for i, name in enumerate(DOMAINS)}

ACUTE, NOT_SELF_RELIANT, LIMITED, SUFFICIENT, SELF_RELIANT = 1, 2, 3, 4, 5
"""ZRM levels: 1 acute problems … 5 fully self-reliant (S1 App. V)."""

# Problems spill over from one domain into another (source -> affected). The pairs are
# the chains the sources describe for multi-problem households (S1 ch. 2, App. I.3:
# debts lead to eviction; mental health and addiction go together; illness limits
# daily living and work). They are structure, not fitted numbers; their strength is
# the scenario's `hazards.correlated_problem_effect`.
SPILLOVERS: tuple[tuple[str, str], ...] = (
    ("finances", "housing"),
    ("finances", "family_and_parenting"),
    ("finances", "mental_health"),
    ("daytime_activity", "finances"),
    ("daytime_activity", "social_network"),
    ("mental_health", "addiction"),
    ("mental_health", "daytime_activity"),
    ("mental_health", "social_network"),
    ("mental_health", "family_and_parenting"),
    ("addiction", "finances"),
    ("addiction", "justice"),
    ("addiction", "mental_health"),
    ("physical_health", "adl"),
    ("physical_health", "daytime_activity"),
    ("family_and_parenting", "mental_health"),
    ("housing", "mental_health"),
    ("justice", "housing"),
    ("social_network", "community_participation"),
    ("community_participation", "social_network"),
)


def spillover_matrix() -> np.ndarray:
    """Return the (source × affected) 0/1 matrix of :data:`SPILLOVERS`.

    Returns:
        A float32 array of shape (11, 11); ``problems @ M`` counts, for each
        household and domain, the correlated domains that have a problem.
    """
    matrix = np.zeros((N_DOMAINS, N_DOMAINS), dtype=np.float32)
    for source, affected in SPILLOVERS:
        matrix[DOMAIN_INDEX[source], DOMAIN_INDEX[affected]] = 1.0
    return matrix
