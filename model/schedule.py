"""The schedule: the order in which the rules run every week (ODD element 3).

``docs/ODD.md`` lists the same names in the same order; a test fails if they differ.
"""

from __future__ import annotations

DEFAULT_SCHEDULE: tuple[str, ...] = (
    "informal_network",
    "life_events",
    "drift",
    "specialist_care",
    "recovery",
    "escalation",
    "help_seeking",
    "central_desk",
    "collective_provisions",
    "classification",
)
"""Run order of one week. Help and isolation are read from last week's groups; shocks
and drift come before recovery so care and help answer this week's problems; specialists
discharge and admit before recovery so that treatment acts on this week's clients;
escalation follows recovery (a domain that just recovered does not escalate); the desk
assesses after help-seeking; groups are derived last, from the week's final levels."""
