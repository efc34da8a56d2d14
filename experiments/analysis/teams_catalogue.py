"""The team-split comparison's catalogue: its indicators and how its conditions are named.

What :mod:`~wijksim.experiments.analysis.teams_analysis` measures (:data:`TEAM_INDICATORS`,
the metrics recorded per team of a split) and the condition names
``configuration__form__neighbourhood`` it pairs (:func:`parse_condition`,
:func:`counterpart`). Data and lookups; no computation over runs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import NamedTuple

import pandas as pd
from wijksim.experiments.analysis import funding_catalogue
from wijksim.experiments.analysis.funding_catalogue import Indicator
from wijksim.experiments.analysis.team_configurations import INTEGRAL
from wijksim.experiments.i18n import N_, translator
from wijksim.model.observation.metrics import PER_TEAM_FLOWS

PER_TEAM_STOCKS: tuple[str, ...] = (
    "team_intake_queue",
    "team_caseload_households",
    "team_frontline_fte",
)
"""States also recorded per team of a split (``team_intake_queue__youth``)."""


PER_TEAM_METRICS: tuple[str, ...] = (*PER_TEAM_FLOWS, *PER_TEAM_STOCKS)


SPLIT_METRICS: tuple[str, ...] = (
    "team_idle_hours",
    "team_hours_coordination",
    "households_two_team_workers",
    "team_referral_delay_weeks",
)
"""Metrics every run records since team splits exist: results without them predate the
split and get no team section."""


NO_TEAM = ""
"""The ``team`` of an indicator of the whole run."""


@dataclass(frozen=True)
class TeamIndicator(Indicator):
    """One per-run indicator of the team comparison: a funding indicator, and more.

    Attributes:
        less: Metrics subtracted from a ratio's denominator (ratios only).
        per_team: Also computed per team: for a split from the metrics suffixed
            ``__<team>``, for a run without a split from the unsuffixed ones.
    """

    less: tuple[str, ...] = ()
    per_team: bool = False

    def formula_in(self, language: str) -> str:
        """How the indicator is computed, in words, in ``language``."""
        if not self.less:
            return super().formula_in(language)
        text = translator(language)(N_("Σ({top}) / (Σ({bottom}) − Σ({less})) over the window"))
        return text.format(
            top=" + ".join(self.plus), bottom=" + ".join(self.per), less=" + ".join(self.less)
        )

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every yearly metric the indicator reads."""
        return (*super().metrics, *self.less)


def _adopted(name: str, per_team: bool = False) -> TeamIndicator:
    """An indicator of the funding comparison, as it is defined there."""
    return TeamIndicator(**asdict(funding_catalogue.INDICATORS_BY_NAME[name]), per_team=per_team)


# fmt: off
TEAM_INDICATORS: tuple[TeamIndicator, ...] = (
    _adopted("clients_served", per_team=True),
    _adopted("mean_intake_wait_weeks", per_team=True),
    TeamIndicator("idle_hours", N_("idle hours"), N_("hours"), "total", ("team_idle_hours",),
                  per_team=True),
    TeamIndicator("intake_queue", N_("intake queue (mean)"), N_("households"), "window_mean",
                  ("team_intake_queue",), per_team=True),
    TeamIndicator("caseload_households", N_("households in the caseload (mean)"),
                  N_("households"), "window_mean", ("team_caseload_households",), per_team=True),
    TeamIndicator("frontline_fte", N_("frontline staff (mean)"), "FTE", "window_mean",
                  ("team_frontline_fte",), per_team=True),
    TeamIndicator("casework_hours", N_("casework hours"), N_("hours"), "total",
                  ("team_hours_casework",)),
    TeamIndicator("coordination_hours", N_("coordination hours"), N_("hours"), "total",
                  ("team_hours_coordination",)),
    TeamIndicator("second_worker_hours", N_("second workers' hours"), N_("hours"), "total",
                  ("team_hours_second_worker",)),
    TeamIndicator("second_workers_added", N_("second workers added"), N_("households"),
                  "total", ("team_second_workers",)),
    TeamIndicator("households_two_team_workers", N_("households with two team workers (mean)"),
                  N_("households"), "window_mean", ("households_two_team_workers",)),
    TeamIndicator("households_multiple_workers",
                  N_("households with more than one worker (mean)"), N_("households"),
                  "window_mean", ("households_multiple_workers",)),
    TeamIndicator("forwarded_to_backing", N_("forwarded to the backing team"), N_("households"),
                  "total", ("team_forwarded_to_backing",)),
    TeamIndicator("offloads_between_teams", N_("offloaded to another team"), N_("households"),
                  "total", ("team_offloads_between_teams",)),
    _adopted("referrals_per_client"),
    # Referrals at intake have no casework before them: no delay to count.
    TeamIndicator("time_to_referral_weeks", N_("time to referral"), N_("weeks"), "ratio",
                  ("team_referral_delay_weeks",), per=funding_catalogue.REFERRALS,
                  less=("referrals_at_intake",)),
    # Quality as the funding comparison measures it: what became of the households a
    # year after the team closed their cases, and how many came back to care.
    _adopted("held_year_share"),
    _adopted("relapse_share"),
    _adopted("return_rate"),
    _adopted("escalations"),
    *(_adopted(i.name) for i in funding_catalogue.FUNDING_INDICATORS if i.name.startswith("cost_")),
    _adopted("share_self_reliant"),
)
# fmt: on
"""The indicators, in reading order: spending per stream (``cost_<stream>_eur``) and per
payer (``cost_paid_by_<payer>_eur``) as in the funding comparison."""


INDICATORS_BY_NAME = {indicator.name: indicator for indicator in TEAM_INDICATORS}


MAIN_INDICATORS: tuple[str, ...] = (
    "clients_served",
    "mean_intake_wait_weeks",
    "idle_hours",
    "coordination_hours",
    "households_two_team_workers",
    "time_to_referral_weeks",
    "held_year_share",
    "relapse_share",
    "return_rate",
    "escalations",
    "cost_total_eur",
)
"""The columns of the summary's tables (the rest are in ``team_indicators.parquet``)."""


VERDICT_INDICATORS: dict[str, str] = {
    "spending": "cost_total_eur",
    "escalations": "escalations",
    "wait": "mean_intake_wait_weeks",
}
"""The differences a verdict shows → the indicator of each."""


class Condition(NamedTuple):
    """The parts of a condition's name ``configuration__form__neighbourhood``."""

    configuration: str
    form: str
    neighbourhood: str


def parse_condition(condition: str) -> Condition:
    """The configuration, form and neighbourhood type of a condition label.

    A grid suffix (``" [team.frontline_fte=8]"``) is dropped. A label that is not three
    parts joined by ``__`` is a configuration of its own, with empty form and neighbourhood.

    Example:
        >>> parse_condition("front_back__per_hour__weak [years=6]")
        Condition(configuration='front_back', form='per_hour', neighbourhood='weak')
    """
    name = str(condition).split(" [")[0].strip()
    parts = name.split("__")
    return Condition(*parts) if len(parts) == 3 else Condition(name, "", "")


def counterpart(condition: str, configuration: str) -> str | None:
    """The condition with the same form, neighbourhood and grid values in ``configuration``.

    None if the label does not name a configuration, form and neighbourhood.
    """
    _, bracket, grid = str(condition).partition(" [")
    parts = parse_condition(condition)
    if not parts.form:
        return None
    return f"{configuration}__{parts.form}__{parts.neighbourhood}" + bracket + grid


def reference_configuration(conditions, reference: str | None = None) -> str:
    """The configuration the splits are compared with.

    Args:
        conditions: The sweep's conditions.
        reference: The sweep's reference condition, used when no condition is
            :data:`INTEGRAL`.

    Returns:
        ``"integral"`` if a condition has it; else the configuration of ``reference``;
        else of the first condition.
    """
    configurations = [parse_condition(c).configuration for c in pd.unique(pd.Series(conditions))]
    if INTEGRAL in configurations or not configurations:
        return INTEGRAL
    return parse_condition(reference).configuration if reference else configurations[0]


def split_metric(metric: str) -> tuple[str, str] | None:
    """``("team_admissions", "youth")`` for ``team_admissions__youth``; None if not per team."""
    for base in PER_TEAM_METRICS:
        if metric.startswith(base + "__") and len(metric) > len(base) + 2:
            return base, metric[len(base) + 2 :]
    return None


def required_metrics() -> list[str]:
    """Every unsuffixed yearly metric the indicators read."""
    return list(dict.fromkeys(m for indicator in TEAM_INDICATORS for m in indicator.metrics))


def missing_team_metrics(yearly_table: pd.DataFrame) -> list[str]:
    """The metrics of :data:`SPLIT_METRICS` the table lacks (results from before splits)."""
    present = set(pd.unique(yearly_table["metric"]))
    return [metric for metric in SPLIT_METRICS if metric not in present]
