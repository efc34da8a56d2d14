"""Team splits compared: what dividing the neighbourhood team gains or costs against one team.

``wijksim compare-teams`` (:mod:`wijksim.experiments.runner.teams_sweep`) runs every team
configuration (the integral team and its splits) under several funding forms in several
neighbourhood types, every variant on the same seeds. A condition is named
``configuration__form__neighbourhood`` (:func:`parse_condition`). Each split is compared
with the integral team under the same form in the same neighbourhood, seed by seed
(paired: the two runs share their random streams).

The method:

1. :func:`team_indicators`: per run, the indicators of :data:`TEAM_INDICATORS` over an
   evaluation window of years ``start..end`` (by default from year
   :data:`~wijksim.experiments.analysis.funding_runs.DEFAULT_START`, as in the funding
   comparison: an adapting operator has then had two years to settle). Flows are summed
   over the window and ratios formed from the sums; stocks are the mean over the window;
   the share self-reliant is the last year's. Indicators marked ``per_team`` are also
   computed per team of a split from its ``__<team>`` metrics; the integral team is one
   team named ``"integral"``.
2. :func:`team_differences`: each split minus the integral team with the same form,
   neighbourhood (and grid values) and seed, with the mean difference and its 90%
   t-interval over seeds (:func:`~wijksim.experiments.analysis.statistics.paired_differences`).
3. :func:`split_verdicts`: where a split pays (:func:`verdict`); all of it for a reader is
   :func:`wijksim.experiments.reports.teams_report.summary_markdown`. A verdict is called
   for every split × form × neighbourhood type at once (dozens of cells), so the p-values
   of Δ spending (paired t-test) are adjusted across all of them (Holm,
   :mod:`~wijksim.experiments.analysis.multiplicity`) and a verdict needs an adjusted
   p-value below the family-wise α of 0.10 besides its interval.

One piece over 300 lines: the team indicators, the paired differences and the verdicts are
the steps of one method, described above.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from wijksim.experiments.analysis import funding_catalogue, funding_runs
from wijksim.experiments.analysis.funding_catalogue import Indicator
from wijksim.experiments.analysis.funding_runs import DEFAULT_START, evaluation_window
from wijksim.experiments.analysis.multiplicity import (
    DEFAULT_METHOD,
    FAMILY_ALPHA,
    adjust,
    called,
    paired_t_tests,
)
from wijksim.experiments.analysis.statistics import (
    paired_differences,
    paired_rows,
)
from wijksim.experiments.analysis.team_configurations import INTEGRAL
from wijksim.experiments.i18n import N_, translator
from wijksim.model.metrics import PER_TEAM_FLOWS

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
INDICATOR_COLUMNS: tuple[str, ...] = (
    "condition",
    "configuration",
    "form",
    "neighbourhood",
    "seed",
    "metric",
    "team",
    "value",
)
DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "condition",
    "configuration",
    "form",
    "neighbourhood",
    "reference_condition",
    "metric",
    "n",
    "mean_difference",
    "ci_low",
    "ci_high",
    "p05",
    "p95",
    "reference_mean",
    "p_value",
)

PAYS, COSTS, UNCLEAR = N_("pays"), N_("costs"), N_("no clear difference")


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
DIFFERENCE_KEYS = ("mean_difference", "ci_low", "ci_high")
VERDICT_KEYS = ("difference", "ci_low", "ci_high")


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


class _Window(NamedTuple):
    """Per run (rows) and metric (columns): the window's sum, yearly mean and last year."""

    sums: pd.DataFrame
    means: pd.DataFrame
    last_year: pd.DataFrame

    def columns(self, renamed: dict[str, str], rows) -> _Window:
        """Some columns, renamed, for some runs."""
        return _Window(*(frame.loc[rows, list(renamed)].rename(columns=renamed) for frame in self))


def _value(indicator: TeamIndicator, window: _Window) -> pd.Series:
    if indicator.how == "ratio" and indicator.less:
        sums = window.sums
        denominator = funding_runs.sum_of(sums, indicator.per) - funding_runs.sum_of(
            sums, indicator.less
        )
        return funding_runs.sum_of(sums, indicator.plus) / denominator.where(denominator > 0)
    return funding_runs.indicator_value(indicator, *window)


def _teams_of(columns) -> list[str]:
    """The teams of a split named in some metric names, in order of appearance."""
    return list(dict.fromkeys(found[1] for m in columns if (found := split_metric(m))))


def team_indicators(
    yearly_table: pd.DataFrame, start: int = DEFAULT_START, end: int | None = None
) -> pd.DataFrame:
    """Per run, every indicator of :data:`TEAM_INDICATORS` over the evaluation window.

    Args:
        yearly_table: From :func:`~wijksim.experiments.analysis.statistics.yearly`: columns
            ``run_id, condition, seed, year, metric, value`` (more columns and metrics may
            be present; they are ignored).
        start: The window's first year (default
            :data:`~wijksim.experiments.analysis.funding_runs.DEFAULT_START`).
        end: The window's last year (default the table's last year).

    Returns:
        Long format: ``condition, configuration, form, neighbourhood, seed, metric, team,
        value``. Runs in the order of the table; per run first every indicator of the
        whole run (``team`` empty) in the order of :data:`TEAM_INDICATORS`, then the
        ``per_team`` indicators of each of its teams (a run without a split: one team,
        ``"integral"``). NaN where a metric is missing or a ratio's denominator is zero.

    Raises:
        ValueError: If a column is missing or the window holds no simulated year.
    """
    funding_runs.check_yearly_columns(yearly_table)
    first, last = evaluation_window(yearly_table, start, end)
    ids = list(funding_runs.ID_COLUMNS)
    runs = pd.MultiIndex.from_frame(yearly_table[ids].drop_duplicates())
    metrics = pd.Series(pd.unique(yearly_table["metric"]), dtype=object)
    wanted = set(required_metrics()) | {m for m in metrics if split_metric(m)}
    in_window = yearly_table["year"].between(first, last) & yearly_table["metric"].isin(wanted)
    window = yearly_table[in_window]
    per_year = window.set_index([*ids, "year", "metric"])["value"].unstack("metric")
    by_run = per_year.groupby(level=ids, sort=False)
    final = per_year[per_year.index.get_level_values("year") == last].droplevel("year")
    frames = _Window(
        # min_count: a metric recorded only as NaN stays NaN rather than summing to 0.
        by_run.sum(min_count=1).reindex(runs),
        by_run.mean().reindex(runs),
        final.reindex(runs),
    )
    per_team = [i for i in TEAM_INDICATORS if i.per_team]
    pieces = [pd.DataFrame({i.name: _value(i, frames) for i in TEAM_INDICATORS}).assign(team="")]
    split = pd.Series(False, index=runs)
    for team in _teams_of(metrics):  # in the order of the table
        renamed = {f"{b}__{team}": b for b in PER_TEAM_METRICS if f"{b}__{team}" in per_year}
        has_team = frames.sums[list(renamed)].notna().any(axis=1)
        split |= has_team
        mine = frames.columns(renamed, has_team)
        pieces.append(pd.DataFrame({i.name: _value(i, mine) for i in per_team}).assign(team=team))
    alone = frames.columns({b: b for b in PER_TEAM_METRICS if b in per_year}, ~split)
    pieces.insert(
        1, pd.DataFrame({i.name: _value(i, alone) for i in per_team}).assign(team=INTEGRAL)
    )
    return _long(pieces, runs)


def _long(pieces: list[pd.DataFrame], runs: pd.MultiIndex) -> pd.DataFrame:
    """Wide pieces (runs × indicators, and a ``team``) as one tidy table in reading order."""
    position = {run: i for i, run in enumerate(runs)}
    order = {i.name: k for k, i in enumerate(TEAM_INDICATORS)}
    parts = []
    for number, piece in enumerate(pieces):
        long = piece.rename_axis(runs.names).reset_index()
        long = long.melt(id_vars=[*runs.names, "team"], var_name="metric", value_name="value")
        long["piece"] = number
        parts.append(long)
    table = pd.concat(parts, ignore_index=True)
    table["run"] = [position[run] for run in zip(*(table[n] for n in runs.names), strict=True)]
    table["rank"] = table["metric"].map(order)
    table = table.sort_values(["run", "piece", "rank"], kind="stable", ignore_index=True)
    names = table["condition"].map({c: parse_condition(c) for c in pd.unique(table["condition"])})
    for field in Condition._fields:
        table[field] = [getattr(name, field) for name in names]
    table["value"] = table["value"].astype(float)
    return table[list(INDICATOR_COLUMNS)]


def team_differences(indicators: pd.DataFrame, reference: str = INTEGRAL) -> pd.DataFrame:
    """Each split minus the reference configuration, paired by form, neighbourhood and seed.

    Args:
        indicators: From :func:`team_indicators`; only the whole-run indicators (empty
            ``team``) are compared.
        reference: The configuration subtracted (default ``"integral"``).

    Returns:
        Columns :data:`DIFFERENCE_COLUMNS`: per split condition and indicator, the
        ``reference_condition`` it is paired with, ``n`` (seeds run under both), the mean
        difference with its 90% t-interval (``ci_low, ci_high``; NaN for one seed), the band
        of the per-seed differences (``p05, p95``), the reference's mean over its seeds and
        the two-sided paired t-test's ``p_value`` (unadjusted: :func:`split_verdicts`
        adjusts the ones it calls).
        Seeds are matched by number; a split without a reference run is left out (see
        :func:`unpaired_conditions`). Splits in the order of the table, indicators in
        reading order; empty if there is no split to compare.
    """
    whole = indicators[indicators["team"] == NO_TEAM]
    conditions = list(pd.unique(whole["condition"]))
    partner = {c: counterpart(c, reference) for c in conditions}
    parts = []
    for base in conditions:
        group = [c for c in conditions if partner[c] == base]
        if parse_condition(base).configuration != reference or len(group) < 2:
            continue
        chosen = whole[whole["condition"].isin(group)]
        found = paired_differences(chosen, base, keys=("metric",))
        levels = chosen[chosen["condition"] == base].groupby("metric")["value"].mean()
        found["reference_condition"] = base
        found["reference_mean"] = found["metric"].map(levels)
        rows = paired_rows(chosen, base, keys=("metric",))
        tests = paired_t_tests(rows, ("condition", "metric"))[["condition", "metric", "p_value"]]
        found = found.merge(tests, on=["condition", "metric"], how="left")
        parts.append(found)
    if not parts:
        return pd.DataFrame(columns=list(DIFFERENCE_COLUMNS))
    table = pd.concat(parts, ignore_index=True)
    # The splits in the sweep's order, each with its indicators in reading order.
    position = table["condition"].map({c: i for i, c in enumerate(conditions)})
    table = table.iloc[np.argsort(position.to_numpy(), kind="stable")].reset_index(drop=True)
    for field in Condition._fields:
        table[field] = [getattr(parse_condition(c), field) for c in table["condition"]]
    return table[list(DIFFERENCE_COLUMNS)]


def unpaired_conditions(indicators: pd.DataFrame, reference: str = INTEGRAL) -> list[str]:
    """The split conditions without a run of the reference configuration to pair with."""
    conditions = set(pd.unique(indicators["condition"]))
    return [
        c
        for c in pd.unique(indicators["condition"])
        if parse_condition(c).configuration != reference
        and counterpart(c, reference) not in conditions
    ]


def verdict(
    spending: tuple[float, float],
    escalations: tuple[float, float],
    spending_p_adjusted: float | None = None,
    alpha: float = FAMILY_ALPHA,
) -> str:
    """Whether a split pays, from the 90% intervals of its paired differences.

    Args:
        spending: ``(ci_low, ci_high)`` of Δ spending (split − integral).
        escalations: ``(ci_low, ci_high)`` of Δ escalations.
        spending_p_adjusted: Δ spending's p-value adjusted across every verdict called
            (``None``: not tested, the intervals alone decide); a verdict other than "no
            clear difference" needs it below ``alpha``.
        alpha: The family-wise significance level.

    Returns:
        ``"pays"`` if the whole spending interval lies below zero and the escalations'
        interval is known and not entirely above zero (saving money by letting more
        households escalate does not count); ``"costs"`` if the whole spending interval
        lies above zero; ``"no clear difference"`` otherwise (also when an interval is
        unknown, e.g. with one seed).
    """
    low, high = spending
    if spending_p_adjusted is not None and not called(spending_p_adjusted, alpha):
        return UNCLEAR
    if pd.notna(high) and high < 0 and pd.notna(escalations[0]) and not escalations[0] > 0:
        return PAYS
    if pd.notna(low) and low > 0:
        return COSTS
    return UNCLEAR


def split_verdicts(differences: pd.DataFrame, method: str = DEFAULT_METHOD) -> pd.DataFrame:
    """Per split condition: Δ spending, Δ escalations, Δ mean wait, and the verdict.

    Args:
        differences: From :func:`team_differences`.
        method: The correction of Δ spending's p-values across all verdicts
            (:data:`~wijksim.experiments.analysis.multiplicity.METHODS`).

    Returns:
        Columns ``condition, neighbourhood, form, configuration``, then per entry of
        :data:`VERDICT_INDICATORS` its ``<name>_difference, <name>_ci_low,
        <name>_ci_high`` (NaN if not recorded), then ``verdict``, then
        ``spending_p_value`` and ``spending_p_adjusted`` (across every verdict of the
        table; NaN for differences from before p-values were recorded, whose verdicts
        the intervals alone decide); in the order of the table's neighbourhoods, forms
        and configurations.
    """
    rows = []
    cells = differences.set_index(["condition", "metric"])
    for condition, group in differences.groupby("condition", sort=False):
        row = {"condition": condition, **parse_condition(condition)._asdict()}
        for name, metric in VERDICT_INDICATORS.items():
            found = cells.loc[(condition, metric)] if metric in set(group["metric"]) else None
            for key, column in zip(VERDICT_KEYS, DIFFERENCE_KEYS, strict=True):
                row[f"{name}_{key}"] = float(found[column]) if found is not None else np.nan
            if name == "spending":
                tested = found is not None and "p_value" in found.index
                row["spending_p_value"] = float(found["p_value"]) if tested else np.nan
        rows.append(row)
    p_values = [row["spending_p_value"] for row in rows]
    tested = "p_value" in differences.columns
    for row, p_adjusted in zip(rows, adjust(p_values, method), strict=True):
        row["spending_p_adjusted"] = p_adjusted
        row["verdict"] = verdict(
            (row["spending_ci_low"], row["spending_ci_high"]),
            (row["escalations_ci_low"], row["escalations_ci_high"]),
            p_adjusted if tested else None,
        )
    columns = ["condition", "neighbourhood", "form", "configuration"]
    columns += [f"{n}_{k}" for n in VERDICT_INDICATORS for k in VERDICT_KEYS]
    columns += ["verdict", "spending_p_value", "spending_p_adjusted"]
    table = pd.DataFrame(rows, columns=columns)
    order = {
        field: {v: i for i, v in enumerate(pd.unique(differences[field]))}
        for field in ("neighbourhood", "form", "configuration")
    }
    keys = [table[f].map(order[f]) for f in order]
    sort = np.lexsort(tuple(k.to_numpy() for k in reversed(keys))) if len(table) else []
    return table.iloc[sort].reset_index(drop=True)


# --- markdown -------------------------------------------------------------------------------


def in_order(values) -> list[str]:
    """The distinct values as strings, in order of appearance."""
    return [str(v) for v in pd.unique(pd.Series(values))]
