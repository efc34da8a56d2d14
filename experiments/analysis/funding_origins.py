"""Step 4 of the funding comparison: families of conditions, and where each arrow comes from.

Conditions that differ in a grid value form a family each (:func:`family_of`); an arrow
holds *by construction* or *emerges* from the operator's adaptation (:func:`origins`,
:data:`ORIGIN_LABELS`), told apart by the same form run with an operator that does not
adapt (the method is described in :mod:`~wijksim.experiments.analysis.funding_analysis`).
"""

from __future__ import annotations

import pandas as pd
from wijksim.experiments.analysis.funding_catalogue import DOWN, UP
from wijksim.experiments.i18n import N_


def family_of(condition: str) -> str:
    """The family of a condition: its grid values (``funding.operator.ethos=0``), or ``""``.

    Every form under one set of grid values is compared with the reference as one family
    of cells, adjusted for multiplicity together, apart from the other families.
    """
    _, bracket, grid = str(condition).partition(" [")
    return grid.removesuffix("]") if bracket else ""


ADAPTS_FIELD = "funding.operator.adapts"
"""The grid field ``wijksim compare-funding --fixed-operator`` varies (true and false)."""


BY_CONSTRUCTION, EMERGES = "by construction", "emerges"


ORIGIN_LABELS = {EMERGES: N_("emerges"), BY_CONSTRUCTION: N_("by construction")}
"""Where an arrow comes from. It holds *by construction* where the payment rule itself moves
the indicator whatever the operator does: the same arrow appears with an operator that does
not adapt (``funding.operator.adapts = false``, the form's other grid values the same). It
*emerges* where it comes only from the operator's adaptation: without adaptation the arrow
is absent (or reversed). The payment rule mostly moves only money, but not only: shared
savings give the specialists a share (``funding.shared_savings.specialist_share``), which
shortens their trajectories whatever the operator does. Without a family of fixed
operators in the results the origin is not tested (``None``)."""


def grid_values(family: str) -> dict[str, str]:
    """``{"funding.operator.ethos": "0.0", ...}`` from a family's label (:func:`family_of`)."""
    return dict(part.split("=", 1) for part in family.split(", ") if "=" in part)


def is_fixed_operator(family: str) -> bool:
    """Whether a family's operator does not adapt (``funding.operator.adapts=False``)."""
    return grid_values(family).get(ADAPTS_FIELD) == "False"


def _fixed_family(family: str) -> str | None:
    """The family with the same grid values but an operator that does not adapt."""
    values = grid_values(family)
    if ADAPTS_FIELD not in values:
        return None
    values[ADAPTS_FIELD] = "False"
    return ", ".join(f"{key}={value}" for key, value in values.items())


def form_name(condition: str) -> str:
    """The funding form of a condition: its name before any ``[...]`` qualifier."""
    return str(condition).split(" [")[0]


def arrows_without_adaptation(table: pd.DataFrame) -> pd.Series:
    """Per row of an incentive table: the same form's arrow with a fixed operator.

    ``None`` where the results hold no such run (no ``--fixed-operator``), and for the
    rows of a fixed operator themselves.
    """
    names = table["condition"].map(form_name)
    keys = list(zip(table["family"], names, table["dimension"], strict=True))
    arrows = dict(zip(keys, table["arrow"], strict=True))
    found = []
    for family, name, dimension in keys:
        fixed = _fixed_family(family)
        mine = fixed is not None and not is_fixed_operator(family)
        found.append(arrows.get((fixed, name, dimension)) if mine else None)
    return pd.Series(found, index=table.index, dtype=object)


def origins(table: pd.DataFrame) -> pd.Series:
    """Per row: whether its arrow holds by construction or emerges (see :data:`ORIGIN_LABELS`).

    ``None`` for no arrow (≈, n/a) and where no fixed operator was run to tell.
    """
    fixed = arrows_without_adaptation(table)
    found = []
    for family, arrow, without in zip(table["family"], table["arrow"], fixed, strict=True):
        if arrow not in (UP, DOWN):
            found.append(None)
        elif is_fixed_operator(family):
            found.append(BY_CONSTRUCTION)  # the payment rule's own arrows
        elif without is None:
            found.append(None)
        else:
            found.append(BY_CONSTRUCTION if without == arrow else EMERGES)
    return pd.Series(found, index=table.index, dtype=object)


ORIGIN_REASONS: dict[str, str] = {
    "volume": N_(
        "the operator's staffing, the highest ZRM level it takes on and the share of complex "
        "households it turns away set the capacity and the gate"
    ),
    "effort": N_(
        "the operator sets hours per case (× the norm) and the staff; hours per client "
        "follow from these and the caseload"
    ),
    "quality": N_(
        "no setting fixes it: it follows from how households fare after the discharge "
        "level and hours the operator chose"
    ),
    "relapses": N_("as quality: how households fare after closure"),
    "returns": N_("as quality: how households fare after closure"),
    "selection": N_(
        "the highest ZRM level taken on and the share of complex households turned away at the gate"
    ),
    "offloading": N_("the highest ZRM level referred and the complex households passed on"),
}
"""The operator's settings that move each dimension (how an arrow that emerges comes about)."""
