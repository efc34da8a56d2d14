"""A simulated sample survey of all households at each year's end (issue 18, item 3).

S1 App. V and §4.5.2 (docs/sources.md) ask for results measured in the *population* as
well as in the caseload: a municipality cannot see every household's ZRM, it draws a
sample. At the end of every reported year, :class:`YearEndSurvey` draws
``survey.sample_size`` households without replacement in each neighbourhood (a city's
neighbourhoods each get their own sample, as a municipality surveys per wijk) and notes
what a survey would find: need group, whether any domain is at ZRM 1 (acute), and whether
any access point knows the household (status other than UNKNOWN).

The survey only reads the state. Its draws come from its own named stream
(``model.streams.get("survey")``), spawned apart from every other stream, so they change
no other stream's draws and no result (ODD element 7, stochasticity).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
import pandas as pd
from pydantic import Field
from wijksim.model.config.base import Section
from wijksim.model.core.domains import ACUTE
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel

SURVEY_STREAM = "survey"
"""The named random stream of the survey's draws."""
SAMPLE_COLUMNS = ("year", "neighbourhood", "households", "need_group", "acute", "unknown")
"""One row per surveyed household: the neighbourhood's size is kept for the finite
population correction and the city's weights."""


class SurveyParams(Section):
    """``[survey]``: the simulated sample survey of all households (S1 App. V)."""

    enabled: bool = True
    """Survey the population at each year's end (``false``: no population indicators)."""
    sample_size: Annotated[int, Field(ge=1, le=1_000_000)] = 400
    """Households drawn per neighbourhood and year (all of them if it has fewer).
    Assumption (no source gives a size): 400 households estimate a share near 0.2 to
    about ±3.3 percentage points (90%: 1.645 × √(0.2 × 0.8 / 400) = 0.033), for a
    survey cost a municipality can bear every year in every neighbourhood."""


class YearEndSurvey:
    """The surveys of one run: every sampled household's answers, year by year."""

    def __init__(self, params: SurveyParams) -> None:
        self.params = params
        self._frames: list[pd.DataFrame] = []

    def observe(self, model: NeighbourhoodModel, year: int) -> None:
        """Survey every neighbourhood at the end of ``year`` (reads state, changes none)."""
        if not self.params.enabled:
            return
        stream = model.streams.get(SURVEY_STREAM)
        population = model.population
        for hood in model.neighbourhoods:
            rows = np.arange(hood.rows.start, hood.rows.stop)
            size = min(self.params.sample_size, rows.size)
            picked = np.sort(stream.choice(rows, size=size, replace=False))
            self._frames.append(
                pd.DataFrame(
                    {
                        "year": np.int16(year),
                        "neighbourhood": hood.name,
                        "households": rows.size,
                        "need_group": population.need_group[picked].astype(np.int16),
                        "acute": (population.zrm[picked] <= ACUTE).any(axis=1),
                        "unknown": population.status[picked] == Status.UNKNOWN,
                    }
                )
            )

    def samples(self) -> pd.DataFrame:
        """Every surveyed household so far (:data:`SAMPLE_COLUMNS`)."""
        if not self._frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in SAMPLE_COLUMNS})
        return pd.concat(self._frames, ignore_index=True)[list(SAMPLE_COLUMNS)]
