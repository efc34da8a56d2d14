"""The team's trajectories, opening to closure: duration and ZRM change (issue 18, item 3).

S1 App. V (docs/sources.md) measures a team's result in its caseload as the change on the
ZRM between the start and the end of a trajectory, and counts trajectories and their
length. The weekly records hold counts only; this log keeps, per team case, the mean ZRM
level over the eleven domains when the case opened and, at closure, the case's duration
and ZRM change, with the year and neighbourhood. It only reads the state.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CLOSURE_COLUMNS = ("year", "neighbourhood", "duration_weeks", "zrm_change")


class TrajectoryLog:
    """Every team case's ZRM at opening, and every closed case's duration and change.

    Args:
        households: The number of households (one slot per household row).
    """

    def __init__(self, households: int) -> None:
        self.zrm_at_opening = np.full(households, np.nan)
        self._closed: list[pd.DataFrame] = []

    def note_opening(self, rows: np.ndarray, zrm: np.ndarray) -> None:
        """A team opened the cases of ``rows`` now; ``zrm``: all households' levels."""
        if rows.size:
            self.zrm_at_opening[rows] = zrm[rows].mean(axis=1)

    def note_closure(
        self,
        rows: np.ndarray,
        week: int,
        year: int,
        opened_week: np.ndarray,
        zrm: np.ndarray,
        neighbourhood_of: np.ndarray,
        names: list[str],
    ) -> None:
        """A team closed the cases of ``rows`` in ``week`` (of reported ``year``).

        Args:
            rows: The closed cases' household rows.
            week: This week.
            year: This week's reported year.
            opened_week: The closed cases' opening weeks (before the case table forgets).
            zrm: All households' ZRM levels.
            neighbourhood_of: Every household row's neighbourhood index.
            names: The neighbourhoods' names by index.
        """
        if rows.size == 0 or week < 1:  # the unreported burn-in is not reported
            return
        change = zrm[rows].mean(axis=1) - self.zrm_at_opening[rows]
        self._closed.append(
            pd.DataFrame(
                {
                    "year": np.int16(year),
                    "neighbourhood": np.asarray(names, dtype=object)[neighbourhood_of[rows]],
                    "duration_weeks": (week - opened_week).astype(float),
                    "zrm_change": change,
                }
            )
        )
        self.zrm_at_opening[rows] = np.nan

    def closures(self) -> pd.DataFrame:
        """Every reported team closure (:data:`CLOSURE_COLUMNS`).

        A closure's ZRM change is NaN when its case opened before the log began.
        """
        if not self._closed:
            return pd.DataFrame({c: pd.Series(dtype=float) for c in CLOSURE_COLUMNS})
        return pd.concat(self._closed, ignore_index=True)[list(CLOSURE_COLUMNS)]
