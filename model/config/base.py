"""The scenario schema's base class and the field types its sections share.

The one home of what every section of a scenario file obeys (issue 20, item 3): unknown
keys are errors, types are checked strictly, values are frozen, and NaN or infinity is
never a parameter. The sections themselves live in :mod:`wijksim.model.config.scenario`
and beside it, and in the two modules that keep a section with its mechanism
(``contracts/funding.py``, ``observation/survey.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from wijksim.model.core.domains import DOMAINS

Share = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share or probability, 0 … 1."""
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
PositiveInt = Annotated[int, Field(ge=1)]
Level = Annotated[int, Field(ge=1, le=5)]
"""A ZRM level: 1 (acute) … 5 (fully self-reliant)."""
Domain = Literal[DOMAINS]  # type: ignore[valid-type]
"""One of the eleven ZRM domains (:data:`~wijksim.model.core.domains.DOMAINS`)."""
Payer = Literal["municipality_wmo", "municipality_youth", "insurer", "other"]
"""Who pays a cost: the municipality under the Wmo or the Youth Act, the health insurer
(Zvw), or another party (housing association, police and justice)."""


class Section(BaseModel):
    """A scenario section: unknown keys are errors, types are checked strictly."""

    # NaN and inf (TOML literals ``nan``, ``inf``) are never a parameter (issue 19, item 3).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
