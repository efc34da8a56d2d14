"""Service status of a household: where it is in the care system.

ODD element 2. Every household holds exactly one status at a time; it is one small
integer per household in the population arrays.
"""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """Where a household stands with services.

    The numbers are stable so stored tables stay readable; new statuses are appended.
    A household that the team supports while a specialist is consulted holds the
    specialist's status (WAITING or IN_SPECIALIST_CARE); the team's side of the case
    is in :class:`~wijksim.model.state.caseload.CaseTable`.
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
    INTAKE = 5
    """Found by or applied to the neighbourhood team; in its intake queue."""
    TEAM_SUPPORT = 6
    """Supported by the neighbourhood team (one household, one plan, one worker)."""
    AFTERCARE = 7
    """Case closed; the team keeps a finger on the pulse for a while."""


STATUS_NAMES: tuple[str, ...] = tuple(s.name.lower() for s in Status)
