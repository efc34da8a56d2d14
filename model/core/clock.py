"""Simulated time: one step is one week, weeks are counted from 1, a year has 52 weeks.

The one home of the calendar (issue 20, item 3): every conversion between weeks and
years goes through here. Week 1 is the first reported week; the burn-in runs weeks
−N+1 … 0 (``model/model.py``), which fall in year 0 and below.
"""

from __future__ import annotations

WEEKS_PER_YEAR = 52
"""Weeks in a simulated year (a model year is 52 weeks, not 52.18: yearly rates and
amounts divide by this, and every year starts on a whole week)."""


def year_of(week: int) -> int:
    """The simulated year ``week`` falls in: weeks 1–52 are year 1."""
    return (week - 1) // WEEKS_PER_YEAR + 1


def week_of_year(week: int) -> int:
    """``week``'s place in its year: 1 … 52."""
    return (week - 1) % WEEKS_PER_YEAR + 1


def first_week_of(year: int) -> int:
    """The first week of ``year`` (year 1 starts in week 1)."""
    return (year - 1) * WEEKS_PER_YEAR + 1
