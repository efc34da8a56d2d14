"""Model quantities that observed targets are compared with (issue 16, item 1).

Every metric is a function of one run's outputs (:class:`RunOutputs`: the per-step
table, the final household table and what the manifest says about the scenario) and of
a window of reported years; it returns a number, or ``None`` when the run has nothing to
measure (no team, no admissions in the window). All metrics are registered in one place,
:data:`METRICS`, under the name a target's ``metric`` field uses; ``of`` is the
metric's argument (a need group, specialist kind, escalation kind, payer or cost column).

Flows (costs, escalations, admissions) are summed per year and averaged over the years
of the window; states (shares, caseloads) are averaged over the window's weeks.

Over 300 lines because most of it is the registry of target metrics (:data:`METRICS`), one
short function each, so that a target's metric has one home.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

Window = tuple[int, int]
"""First and last reported year of a window, inclusive."""


@dataclass
class RunOutputs:
    """What a target metric reads from one run.

    Attributes:
        steps: The tidy per-step table (``step, year, metric, value``).
        households: One row per household at the end of the run (``need_group``,
            ``has_children``, ``cost_eur``, ...).
        scenario: The scenario as the manifest records it (``model_dump`` of it).
    """

    steps: pd.DataFrame
    households: pd.DataFrame
    scenario: dict
    _wide: pd.DataFrame | None = field(default=None, repr=False)

    @classmethod
    def from_result(cls, result) -> RunOutputs:
        """From a :class:`~wijksim.experiments.runner.run.RunResult`."""
        return cls(result.steps, result.households, result.manifest["scenario"])

    @classmethod
    def from_folder(cls, folder: Path) -> RunOutputs:
        """From a folder written by ``wijksim run`` (its Parquet tables and manifest)."""
        folder = Path(folder)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return cls(
            pd.read_parquet(folder / "steps.parquet"),
            pd.read_parquet(folder / "households.parquet"),
            manifest["scenario"],
        )

    @property
    def household_count(self) -> int:
        """Households in the run (from the scenario where the household table is absent)."""
        if len(self.households):
            return len(self.households)
        return int(self.scenario["population"]["households"])

    @property
    def wide(self) -> pd.DataFrame:
        """The per-step table as one row per week (index ``step``; ``year`` a column)."""
        if self._wide is None:
            wide = self.steps.pivot(index="step", columns="metric", values="value")
            years = self.steps.drop_duplicates("step").set_index("step")["year"]
            wide.insert(0, "year", years.reindex(wide.index))
            self._wide = wide
        return self._wide

    @property
    def years(self) -> list[int]:
        """The reported years of the run, ascending."""
        return sorted(int(y) for y in self.wide["year"].unique())

    def weeks(self, window: Window) -> pd.DataFrame:
        """The weeks of the years in ``window``."""
        first, last = window
        wide = self.wide
        return wide[(wide["year"] >= first) & (wide["year"] <= last)]

    def column(self, window: Window, name: str) -> pd.Series:
        """One weekly metric over ``window``; a metric the run lacks is all zeros."""
        weeks = self.weeks(window)
        if name in weeks.columns:
            return weeks[name].astype(float)
        return pd.Series(0.0, index=weeks.index)

    def yearly_sum(self, window: Window, name: str) -> float | None:
        """A weekly flow summed per year, averaged over the window's years."""
        weeks = self.weeks(window)
        if weeks.empty:
            return None
        per_year = self.column(window, name).groupby(weeks["year"]).sum()
        return float(per_year.mean())

    def kinds_paid_by(self, payer: str) -> list[str]:
        """The specialist kinds whose care ``payer`` pays (crisis care excluded)."""
        return [
            kind
            for kind, params in self.scenario["specialists"].items()
            if params["payer"] == payer and not params.get("forced_admission", False)
        ]

    @property
    def care_kinds(self) -> list[str]:
        """Every specialist kind but crisis care (which only takes escalations)."""
        return [
            kind
            for kind, params in self.scenario["specialists"].items()
            if not params.get("forced_admission", False)
        ]


Metric = Callable[[RunOutputs, Window, str | None], float | None]


@dataclass(frozen=True)
class MetricSpec:
    """A registered metric: its function, unit and whether it needs an argument."""

    function: Metric
    unit: str
    needs_of: bool
    description: str


METRICS: dict[str, MetricSpec] = {}
"""Every metric a target may name, by name."""


def metric(name: str, unit: str, needs_of: bool = True):
    """Register a metric function under ``name`` (a decorator)."""

    def register(function: Metric) -> Metric:
        description = (function.__doc__ or "").strip().splitlines()[0]
        METRICS[name] = MetricSpec(function, unit, needs_of, description)
        return function

    return register


def per_1000(count: float | None, households: int) -> float | None:
    """``count`` per 1,000 households."""
    return None if count is None else count / households * 1000


@metric("need_group_share", "share of households")
def need_group_share(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Mean share of households in need group ``of`` over the window's weeks."""
    weeks = run.weeks(window)
    column = f"share_{of}"
    if weeks.empty or column not in weeks.columns:
        return None
    return float(weeks[column].mean())


@metric("escalations_per_1000_households_year", "per 1,000 households a year")
def escalations_per_1000(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Escalations of kind ``of`` per 1,000 households a year."""
    return per_1000(run.yearly_sum(window, f"escalations_{of}"), run.household_count)


@metric("cost_per_household_year", "EUR per household a year")
def cost_per_household(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Euros of cost column ``cost_<of>_eur`` per household a year."""
    total = run.yearly_sum(window, f"cost_{of}_eur")
    return None if total is None else total / run.household_count


def reach_per_year(run: RunOutputs, window: Window, kind: str) -> float | None:
    """Care episodes of ``kind`` under way at some time in a year, averaged over years.

    Those in care when the year began plus those admitted during it. The per-step table
    holds the clients at the *end* of each week and the week's admissions, so the stock
    at the start of a year is its first week's clients less that week's admissions (the
    week's discharges are counted as admitted later; they are a few per cent).
    """
    weeks = run.weeks(window)
    if weeks.empty:
        return None
    clients = run.column(window, f"clients_{kind}")
    admissions = run.column(window, f"admissions_{kind}")
    frame = pd.DataFrame({"year": weeks["year"], "clients": clients, "admissions": admissions})
    per_year = frame.groupby("year").agg(
        first_clients=("clients", "first"),
        first_admissions=("admissions", "first"),
        admissions=("admissions", "sum"),
    )
    reach = per_year["first_clients"] - per_year["first_admissions"] + per_year["admissions"]
    return float(reach.mean())


@metric("specialist_reach_per_1000_households_year", "per 1,000 households a year")
def specialist_reach(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Care episodes of specialist kind ``of`` in a year per 1,000 households."""
    return per_1000(reach_per_year(run, window, of), run.household_count)


@metric("payer_reach_per_1000_households_year", "per 1,000 households a year")
def payer_reach(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Care episodes in a year of the kinds payer ``of`` pays, per 1,000 households.

    A household is with one provider at a time, so episodes of different kinds at once
    cannot occur; one after the other within a year they count twice.
    """
    kinds = run.kinds_paid_by(of)
    if not kinds:
        return None
    reaches = [reach_per_year(run, window, kind) for kind in kinds]
    if any(r is None for r in reaches):
        return None
    return per_1000(sum(reaches), run.household_count)


@metric("specialist_reach_share_any", "share of households a year", needs_of=False)
def reach_any(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Care episodes of every kind (crisis care excepted) in a year, per household.

    An upper bound on the share of households in any care: a household seen by two
    kinds in a year counts twice.
    """
    reaches = [reach_per_year(run, window, kind) for kind in run.care_kinds]
    if not reaches or any(r is None for r in reaches):
        return None
    return sum(reaches) / run.household_count


@metric("mean_specialist_wait_weeks", "weeks")
def mean_wait(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Mean wait of the households admitted to kind ``of`` in the window, in weeks.

    Each week's mean wait weighted by that week's admissions; ``None`` without any.
    """
    admissions = run.column(window, f"admissions_{of}")
    waits = run.column(window, f"mean_wait_weeks_{of}").fillna(0.0)
    if admissions.sum() <= 0:
        return None
    return float((waits * admissions).sum() / admissions.sum())


@metric("team_intake_wait_weeks", "weeks", needs_of=False)
def team_intake_wait(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Mean wait from application to a team's admission, in weeks (``None`` without one)."""
    admitted = run.column(window, "team_admissions").sum()
    if admitted <= 0:
        return None
    return float(run.column(window, "team_intake_wait_weeks").sum() / admitted)


@metric("team_caseload_per_fte", "households per FTE", needs_of=False)
def team_caseload_per_fte(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Households in a team's casework per front-line FTE, over weeks a team was staffed."""
    fte = run.column(window, "team_frontline_fte")
    staffed = fte > 0
    if not staffed.any():
        return None
    caseload = run.column(window, "team_caseload_households")
    return float(caseload[staffed].mean() / fte[staffed].mean())


@metric("escalation_ratio_after_team_start", "ratio to the years before the team")
def escalation_ratio_after_team_start(
    run: RunOutputs, window: Window, of: str | None
) -> float | None:
    """Escalations of the kinds in ``of`` (joined by ``+``) a year, over the years before the team.

    The window's yearly mean divided by the yearly mean of the reported years before
    ``transition.team_start_year``: the same neighbourhood before and after its team
    opened, as Leeuwarden's figures compare it (docs/sources.md §2, S1 App. I.3).
    ``None`` when the team opens in the first reported year (nothing before it), or no
    such escalation happened before.
    """
    start = int((run.scenario.get("transition") or {}).get("team_start_year", 1))
    first = run.years[0]
    if start <= first or not of:
        return None
    kinds = [f"escalations_{kind}" for kind in of.split("+")]
    after = [run.yearly_sum(window, kind) for kind in kinds]
    before = [run.yearly_sum((first, start - 1), kind) for kind in kinds]
    if None in after or None in before or sum(before) <= 0:
        return None
    return float(sum(after) / sum(before))


@metric(
    "team_households_over_period_per_year",
    "ratio to the households supported a year",
    needs_of=False,
)
def team_households_over_period_per_year(
    run: RunOutputs, window: Window, of: str | None
) -> float | None:
    """Households a team supported in the window, each once, over those it supported a year.

    Leeuwarden's front-line team supported about 600 households a year and 800 over four
    years, "because most households are supported for several years and cannot be let
    go" (docs/sources.md §2, S1 App. I.3): 1.33. A team that lets go soon supports new
    households every year, and the ratio nears the number of years. The window must begin
    in the year the team opens (``transition.team_start_year``), so that every household
    supported in it is supported for the first time in the run; ``None`` otherwise, or
    when the team supported nobody.
    """
    start = int((run.scenario.get("transition") or {}).get("team_start_year", 1))
    if window[0] != start:
        return None
    weeks = run.weeks(window)
    if weeks.empty:
        return None
    unique = run.column(window, "team_supported_first_ever").sum()
    per_year = run.column(window, "team_supported_first_in_year").groupby(weeks["year"]).sum()
    if per_year.mean() <= 0:
        return None
    return float(unique / per_year.mean())


def _last_group(run: RunOutputs) -> str:
    """The most severe need group of the run's scheme (``complex``, ``top``)."""
    return str(run.households["need_group"].cat.categories[-1])


@metric("complex_with_children_share", "share of households", needs_of=False)
def complex_with_children(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Share of households in the most severe group with children, at the end of the run."""
    households = run.households
    chosen = (households["need_group"] == _last_group(run)) & households["has_children"]
    return float(chosen.mean())


@metric("cost_per_complex_household_with_children_year", "EUR per household a year", False)
def cost_per_complex_family(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Mean yearly cost of the most severe group's households with children (end of run).

    The households' own cost (specialist and escalation bookings) over all reported
    years, divided by the years.
    """
    households = run.households
    chosen = (households["need_group"] == _last_group(run)) & households["has_children"]
    if not chosen.any():
        return None
    return float(households.loc[chosen, "cost_eur"].mean() / len(run.years))


def _half_cost_share(costs: np.ndarray) -> float | None:
    """Smallest share of ``costs``' households whose costs add up to half of the total."""
    costs = np.sort(costs.astype(float))[::-1]
    total = costs.sum()
    if total <= 0:
        return None
    needed = int(np.searchsorted(np.cumsum(costs), total / 2) + 1)
    return needed / costs.size


@metric("share_of_households_with_half_the_cost", "share of households", needs_of=False)
def half_cost_share(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """Smallest share of households whose costs add up to half of all households' costs.

    Read from the households' own costs (specialist care and escalations) summed over
    all reported years; ``None`` when nothing was booked on households. Pooled over years
    the costs spread over more households than in any one year (a household in costly
    care one year is often not the next): the Dutch figure is yearly, see
    :func:`half_year_cost_share`.
    """
    return _half_cost_share(run.households["cost_eur"].to_numpy())


@metric("share_of_households_with_half_the_year_cost", "share of households", needs_of=False)
def half_year_cost_share(run: RunOutputs, window: Window, of: str | None) -> float | None:
    """As :func:`half_cost_share`, over the costs of the run's last year only.

    The VNG cumulation monitor behind the Dutch figure ("about half of the costs fall on
    fewer than 5% of households", docs/sources.md, S19) counts one year's provisions, so
    the comparable model figure is one year's too. Read from the household table's
    ``cost_eur_last_year``; ``None`` for a run written before that column existed or
    with nothing booked on households in its last year.
    """
    if "cost_eur_last_year" not in run.households:
        return None
    return _half_cost_share(run.households["cost_eur_last_year"].to_numpy())
