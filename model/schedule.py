"""The schedule: the order in which the rules run every week (ODD element 3).

``docs/ODD.md`` lists the same names in the same order; a test fails if they differ.
"""

from __future__ import annotations

DEFAULT_SCHEDULE: tuple[str, ...] = (
    "transition",
    "informal_network",
    "life_events",
    "drift",
    "specialist_care",
    "team_casework",
    "own_strength_fade",
    "team_support",
    "recovery",
    "escalation",
    "help_seeking",
    "team_outreach",
    "central_desk",
    "collective_provisions",
    "funding",
    "classification",
)
"""Run order of one week. The team opens (in its start year) before anything else;
help and isolation are read from last week's groups; shocks and drift come before
recovery so care and help answer this week's problems; specialists bill, discharge and
admit before recovery so that treatment acts on this week's clients; teams review, take
intake and support after specialists hand back and before recovery, so support acts this
week; own strength fades once a week, just before support raises it; escalation follows
recovery (a domain that just recovered does not escalate); the desk assesses after
help-seeking; the operator is paid for the week's work once it is done; groups are
derived last, from the week's final levels."""
