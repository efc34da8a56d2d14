"""Service status of a household: where it is in the care system.

ODD element 2. Every household holds exactly one status at a time; it is one small
integer per household in the population arrays.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """Where a household stands with services.

    Later issues add team statuses (intake queue, team support, aftercare) after
    ``ESCALATED``; the numbers are stable so stored tables stay readable.
    """

    UNKNOWN = 0
    """Not known to any service (it may still have unseen need)."""
    KNOWN = 1
    """Asked for help or was signalled; being assessed at the access point."""
    WAITING = 2
    """On a specialist's waiting list."""
    IN_SPECIALIST_CARE = 3
    """Receiving second-line care from one specialist provider."""
    ESCALATED = 4
    """In crisis after an escalation (eviction, placement, admission, police)."""


STATUS_NAMES: tuple[str, ...] = tuple(s.name.lower() for s in Status)
