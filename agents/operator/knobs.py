"""The operator's knobs: the policy settings it may move, one step at a time, within bounds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Knob:
    """A policy setting the operator may move, one step at a time, within bounds.

    Attributes:
        relative: Step and bounds are multiples of the scenario's own value of the setting
            (the calibrated hours per case are 0.31, not the 1.0 the bounds were set
            around; absolute bounds of 0.5–2 would leave the operator no move at all).
    """

    name: str
    step: float
    low: float
    high: float
    relative: bool = False


KNOBS: tuple[Knob, ...] = (
    Knob("staffing_factor", 0.1, 0.0, 0.0),  # bounds from the contract's operator section
    Knob("hours_per_case_factor", 0.1, 0.5, 2.0, relative=True),
    Knob("intake_max_level", 1, 1, 3),
    Knob("referral_max_level", 1, 1, 2),
    Knob("discharge_min_level", 1, 3, 5),
    Knob("outreach_share", 0.05, 0.0, 0.3),
    Knob("complex_offload_share", 0.25, 0.0, 1.0),
)
"""The operator's knobs (MODEL.md: intake, hours per case, referral, discharge, outreach,
selection of complex cases at the gate), plus how many frontline staff it employs."""
