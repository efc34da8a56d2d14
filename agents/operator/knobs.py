"""The operator's knobs: the one list of settings it may move, one step at a time.

Each knob says where its value lives in the team (:class:`KnobHome`) and whether it is
an integer level, so that the team's :meth:`~wijksim.agents.team.agent.NeighbourhoodTeam.settings`
and ``apply_settings``, the operator's review and the weekly record
(:mod:`wijksim.model.observation.metrics`) all read this list instead of naming the knobs again. The
list imports nothing of the team: the team reads it, not the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class KnobHome(Enum):
    """Where a knob's value lives in the team."""

    STAFFING = "staffing"
    """The team's target frontline FTE as a multiple of the scenario's (``target_fte``);
    its bounds are the contract's (``[funding.operator]`` ``staffing_min_factor`` and
    ``staffing_max_factor``), not the knob's."""

    POLICY = "policy"
    """The field of the team's policy (``TeamPolicy``) of the knob's name."""


@dataclass(frozen=True)
class Knob:
    """A policy setting the operator may move, one step at a time, within bounds.

    Attributes:
        name: The setting's name (for a policy knob, the ``TeamPolicy`` field).
        step: How far one move goes.
        low: The lowest value it may take (unused for the staffing knob, see ``home``).
        high: The highest value it may take.
        relative: Step and bounds are multiples of the scenario's own value of the setting
            (the calibrated hours per case are 0.31, not the 1.0 the bounds were set
            around; absolute bounds of 0.5–2 would leave the operator no move at all).
        home: Where its value lives in the team.
        level: An integer level (a ZRM level): rounded when the team adopts it.
    """

    name: str
    step: float
    low: float
    high: float
    relative: bool = False
    home: KnobHome = KnobHome.POLICY
    level: bool = False


KNOBS: tuple[Knob, ...] = (
    Knob("staffing_factor", 0.1, 0.0, 0.0, home=KnobHome.STAFFING),
    Knob("hours_per_case_factor", 0.1, 0.5, 2.0, relative=True),
    Knob("intake_max_level", 1, 1, 3, level=True),
    Knob("referral_max_level", 1, 1, 2, level=True),
    Knob("discharge_min_level", 1, 3, 5, level=True),
    Knob("outreach_share", 0.05, 0.0, 0.3),
    Knob("complex_offload_share", 0.25, 0.0, 1.0),
)
"""The operator's knobs (MODEL.md: intake, hours per case, referral, discharge, outreach,
selection of complex cases at the gate), plus how many frontline staff it employs."""

KNOBS_BY_NAME: dict[str, Knob] = {knob.name: knob for knob in KNOBS}
"""The knobs by name, for adopting a partial setting."""
