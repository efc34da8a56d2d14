"""What became of households after their care closed, read from their ZRM levels.

A team that closes cases at ZRM ≥ 4 reports 100% "closed self-reliant" whatever happens
next: that share is its discharge policy read back, not a result. The outcome measures
here follow every closure for a year in the household's own state:

* **held a year later**: 52 weeks after the closure, every domain is at least ZRM 4
  ("adequately self-reliant", S1 App. V), the level a municipality's result contracts
  ask for (``funding.result_min_level``, ``population_results``).
* **state-based relapse**: within the 52 weeks after the closure, some domain fell to
  ZRM 2 ("not self-reliant") or worse; counted once per closure, whether or not the
  household came back to care. Returns to care are counted apart (``relapses``, see
  :meth:`~wijksim.model.model.NeighbourhoodModel.note_return`).

Closures are followed per kind: ``team`` (a team closed the case) and ``specialist``
(a specialist discharged a household no team holds: the old system, or clients of
before the transition). The record is this module's own and never reset by a return to
care (``Population.last_closed_week`` is), so a household closed twice within a year is
followed twice, once per closure.

Cost: the weekly update touches only the closures of the last 52 weeks (a few per cent
of the households), never all households.
"""

from __future__ import annotations

import numpy as np
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.core.domains import NOT_SELF_RELIANT, SUFFICIENT

FOLLOW_UP_WEEKS = WEEKS_PER_YEAR
"""How long a closure is followed: a year, the same window in which a return to care
counts as a relapse (``model.RELAPSE_WINDOW_WEEKS``)."""
HELD_MIN_LEVEL = SUFFICIENT
"""A closure held when every domain is at this level or better a year later."""
RELAPSE_MAX_LEVEL = NOT_SELF_RELIANT
"""A closure relapsed when some domain falls to this level or worse within the year."""
CLOSURE_KINDS: tuple[str, ...] = ("team", "specialist")
"""Who closed the care episode (see the module docstring)."""


def outcome_metric_names(kind: str) -> tuple[str, ...]:
    """The weekly flow metrics of one closure kind (each a count of closures).

    ``closures_{kind}_followed``: closures of this kind this week (they start a year's
    follow-up); ``closures_{kind}_relapsed``: closures of the last year whose household
    fell to ZRM ≤ 2 this week for the first time since (event time);
    ``closures_{kind}_year_done``: closures whose year ended this week (the closures of
    52 weeks ago, the denominator of the two shares below);
    ``closures_{kind}_held_year``: of those, every domain at ZRM ≥ 4 now;
    ``closures_{kind}_relapsed_year``: of those, relapsed at some week of their year.

    Example:
        >>> outcome_metric_names("team")[2]
        'closures_team_year_done'
    """
    return tuple(
        f"closures_{kind}_{suffix}"
        for suffix in ("followed", "relapsed", "year_done", "held_year", "relapsed_year")
    )


OUTCOME_FLOWS: tuple[str, ...] = tuple(
    name for kind in CLOSURE_KINDS for name in outcome_metric_names(kind)
)
"""Every outcome metric: all weekly flows (summed over a year)."""


class ClosureFollowUp:
    """The closures of the last year of one kind, and what became of each.

    Kept as three parallel arrays, one entry per closure (not per household): the
    household's row, the closure week and whether it relapsed since.
    """

    def __init__(self) -> None:
        self.rows = np.zeros(0, dtype=np.intp)
        self.closed_week = np.zeros(0, dtype=np.int32)
        self.relapsed = np.zeros(0, dtype=bool)
        self._new: list[tuple[np.ndarray, int]] = []

    def add(self, rows: np.ndarray, week: int) -> None:
        """Start following ``rows``, closed in ``week``."""
        if rows.size:
            self._new.append((np.asarray(rows, dtype=np.intp).copy(), week))

    def observe(self, week: int, zrm: np.ndarray) -> dict[str, int]:
        """Update the follow-up at the end of ``week`` and count this week's outcomes.

        Closures of this week are taken in but not yet judged (their year starts now).
        Closures of 1–52 weeks ago are checked for a fall to ZRM ≤ 2; those of exactly
        52 weeks ago are judged (held, relapsed) and dropped.

        Args:
            week: This week.
            zrm: The households' ZRM levels (households × domains).

        Returns:
            Counts by suffix of :func:`outcome_metric_names`.
        """
        counts = dict.fromkeys(("relapsed", "year_done", "held_year", "relapsed_year"), 0)
        if self.rows.size:
            levels = zrm[self.rows]
            newly = ~self.relapsed & (levels.min(axis=1) <= RELAPSE_MAX_LEVEL)
            self.relapsed |= newly
            counts["relapsed"] = int(newly.sum())
            done = self.closed_week <= week - FOLLOW_UP_WEEKS
            held = (levels[done] >= HELD_MIN_LEVEL).all(axis=1)
            counts["year_done"] = int(done.sum())
            counts["held_year"] = int(held.sum())
            counts["relapsed_year"] = int(self.relapsed[done].sum())
            if done.any():
                keep = ~done
                self.rows, self.closed_week = self.rows[keep], self.closed_week[keep]
                self.relapsed = self.relapsed[keep]
        counts["followed"] = self._take_in_new()
        return counts

    def _take_in_new(self) -> int:
        """Append the closures added since the last observation; return how many."""
        if not self._new:
            return 0
        rows = np.concatenate([r for r, _ in self._new])
        weeks = np.concatenate([np.full(r.size, w, dtype=np.int32) for r, w in self._new])
        self._new.clear()
        self.rows = np.concatenate([self.rows, rows])
        self.closed_week = np.concatenate([self.closed_week, weeks])
        self.relapsed = np.concatenate([self.relapsed, np.zeros(rows.size, dtype=bool)])
        return int(rows.size)


class ClosureOutcomes:
    """Follow-up of every closure, by kind; read once per week by the metrics."""

    def __init__(self) -> None:
        self.follow_ups = {kind: ClosureFollowUp() for kind in CLOSURE_KINDS}
        self._observed_week = -1
        self._last: dict[str, float] = {}

    def note_closure(self, rows: np.ndarray, week: int, by_team: np.ndarray) -> None:
        """``rows`` closed in ``week``; ``by_team`` marks those a team closed."""
        rows = np.asarray(rows, dtype=np.intp)
        self.follow_ups["team"].add(rows[by_team], week)
        self.follow_ups["specialist"].add(rows[~by_team], week)

    def metrics(self, week: int, zrm: np.ndarray) -> dict[str, float]:
        """This week's outcome flows (:data:`OUTCOME_FLOWS`).

        Observing advances the follow-up, so it happens once per week: a second call
        in the same week returns the same counts.
        """
        if week != self._observed_week:
            self._last = {}
            for kind, follow_up in self.follow_ups.items():
                counts = follow_up.observe(week, zrm)
                self._last.update(
                    {f"closures_{kind}_{suffix}": float(n) for suffix, n in counts.items()}
                )
            self._observed_week = week
        return dict(self._last)
