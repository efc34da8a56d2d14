"""The schedule: the order in which the rules run every week (ODD element 3).

``docs/ODD.md`` lists the same names in the same order; a test fails if they differ.
"""

from __future__ import annotations

import difflib

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


class PlacementError(ValueError):
    """A ``[rules.<name>]`` table places its rule where it cannot go.

    Args:
        field: The dotted field at fault (``rules.x.after``).
        message: What was expected and what was found.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def resolved_schedule(
    schedule: list[str] | tuple[str, ...] | None, rules: dict[str, dict]
) -> tuple[str, ...]:
    """The run order: ``schedule`` (or the default) with the rules placed by ``rules``.

    A ``[rules.<name>]`` table with ``after = "x"`` or ``before = "x"`` inserts ``<name>``
    right after or before ``x``, in the order the tables appear, so a scenario adds a
    rule without restating the schedule (and keeps any later change of the default).

    Args:
        schedule: The scenario's ``schedule``, or ``None`` for :data:`DEFAULT_SCHEDULE`.
        rules: The scenario's ``rules`` tables.

    Raises:
        PlacementError: Both ``after`` and ``before``; a name that is not text or not in
            the schedule; a rule placed that is already scheduled.
    """
    order = list(schedule or DEFAULT_SCHEDULE)
    for name, table in rules.items():
        given = [key for key in ("after", "before") if key in table]
        if not given:
            continue
        if len(given) == 2:
            raise PlacementError(f"rules.{name}", "expected after or before, found both")
        key = given[0]
        anchor = table[key]
        field = f"rules.{name}.{key}"
        if name in order:
            raise PlacementError(field, f"expected a rule not yet scheduled, found '{name}' in it")
        if not isinstance(anchor, str) or anchor not in order:
            near = difflib.get_close_matches(str(anchor), order, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise PlacementError(
                field, f"expected a scheduled rule ({', '.join(order)}), found {anchor!r}{hint}"
            )
        order.insert(order.index(anchor) + (key == "after"), name)
    return tuple(order)
