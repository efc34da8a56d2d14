"""Funding forms compared: what each form rewards, measured against a neutral reference.

docs/sources.md §5 (S1 App. III.4) tabulates what each funding form gives the team's operator
an incentive to do, on four dimensions: **volume** (how many clients), **effort per
client**, **quality** (results) and **selection** (taking the easy clients, passing the
hard ones on). A funding sweep runs every form on the same seeds, so each form can be
compared with the reference *per seed* (paired): the neutral reference is the team as a
municipal cost centre, where the municipality pays the staff and fixes the policy, so no
payment depends on what the team does and nobody moves a knob for money.

The method:

1. :func:`funding_indicators`: per run, indicators over an evaluation window of years
   ``start..end`` (default from year :data:`DEFAULT_START`: the operator has then had two
   years to adapt its policy, so the window measures the adapted operator, not the
   transient). Flows are summed over the window and ratios formed from the sums (a
   ratio of sums weighs every client alike; a mean of yearly ratios would weigh a
   quiet year like a busy one). A ratio with a zero or missing denominator is NaN, and
   so is any indicator whose metric the run did not record.
2. :func:`incentive_table`: per form and dimension, the mean paired difference from the
   reference with its 90% confidence interval
   (:func:`~wijksim.experiments.analysis.statistics.paired_differences`), the same relative to the
   reference's mean, and an arrow: "↑" when the whole interval lies above zero, the
   paired t-test's p-value, adjusted across the table's cells (Holm,
   :mod:`~wijksim.experiments.analysis.multiplicity`), is below the family-wise α of 0.10, *and*
   the change is at least :data:`DEFAULT_THRESHOLD` (5%) of the reference; "↓" likewise
   below; "≈" otherwise. A change under 5% is practically nothing even when many seeds
   make it significant; the arrows are about what a form rewards, not what a test can
   detect. The table calls some forty cells at once: without the correction about one
   in ten cells with no effect would still get an arrow. Conditions that differ in a
   grid value (``per_hour [funding.operator.ethos=0]``, as ``wijksim compare-funding
   --ethos 0,0.3`` makes them) form a family each (:func:`family_of`).
3. :func:`agreement`: how many of the model's arrows match the source's
   (:data:`EXPECTED_ARROWS`); all of it for a reader is
   :func:`wijksim.experiments.reports.funding_report.summary_markdown`.
4. :func:`origins`: whether each arrow holds by construction (the same arrow with an
   operator that does not adapt, ``wijksim compare-funding --fixed-operator``) or
   emerges from the operator's adaptation (:data:`ORIGIN_LABELS`).

Every dimension is measured by what happens to households, never by a policy knob read
back: the operator's settings (discharge level, intake level, share of complex
households offloaded, hours per case, …) are reported apart as **policy chosen**
(:data:`POLICY_INDICATORS`). Closing at ZRM ≥ 4 is 100% "self-reliant at closure"
whenever the discharge level is 4, so quality is measured a year on instead: the share
of team closures whose household is still at ZRM ≥ 4 on every domain 52 weeks later
(``model/outcomes.py``). Beside it, two kinds of relapse (lower is better): a fall to
ZRM ≤ 2 within that year (state-based, whether or not the household comes back), and
returns to care within a year (counted when a household re-enters care).

Selection and offloading are two columns here: the source has one column "selection"
but, for population funding, says the form closes the gate (selection ↓) while
tempting the operator to pass clients on to specialists (offloading ↑) unless it is
settled on specialist use. The model measures the two apart: selection as the share of
the team's admissions that are not complex households (who the team actually took on),
offloading as specialist referrals per client. The source's selection arrow is compared
with the model's selection; its offloading arrow only where the source states one.

Over 300 lines because about half of it is the catalogue of indicators, dimensions and
expected arrows (docs/sources.md §5) that every step of the method reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.multiplicity import (
    DEFAULT_METHOD,
    FAMILY_ALPHA,
    called,
    family_tests,
)
from wijksim.experiments.analysis.statistics import (
    paired_differences,
    paired_rows,
)
from wijksim.experiments.i18n import N_, number, translator
from wijksim.model.scenario import PAYERS, STREAMS

DEFAULT_START = 3
"""First year of the evaluation window. The operator reviews its policy during years 1
and 2; from year 3 it has had two years to adapt, so the window shows the adapted
operator rather than the transient from the common starting policy."""
DEFAULT_THRESHOLD = 0.05
"""Smallest relative change (of the reference's mean) that earns an arrow. Smaller
changes count as "practically nothing" (≈), however significant: with many paired seeds
even a 1% change is detectable, but it is no incentive a contract manager would notice."""
ID_COLUMNS: tuple[str, ...] = ("run_id", "condition", "seed")
"""What identifies a run in the indicator table."""
NEUTRAL_FORM = "cost_centre"
"""The form the source's arrows are read against: no payment depends on what the team
does and its policy is fixed, so any difference from it is the incentive of the other
form."""

UP, DOWN, SAME, NOT_AVAILABLE = "↑", "↓", "≈", N_("n/a")


@dataclass(frozen=True)
class Indicator:
    """One per-run indicator over the evaluation window.

    Attributes:
        name: The indicator's name (the ``metric`` column of the indicator table).
        label: English label for tables.
        unit: Unit of the value: ``"€"``, ``"share"`` (0–1), or a count or quantity.
        how: ``"total"``: Σ ``plus`` − Σ ``minus`` over the window's years;
            ``"ratio"``: (Σ ``plus`` − Σ ``minus``) / Σ ``per`` over the window's years;
            ``"window_mean"``: the mean of the yearly means of ``plus`` over the window;
            ``"last_year_mean"``: the mean of ``plus`` in the window's last year.
        plus: Metrics added (the numerator of a ratio).
        minus: Metrics subtracted (totals and numerators of ratios).
        per: Metrics added up into the denominator (ratios only).
    """

    name: str
    label: str
    unit: str
    how: str
    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()
    per: tuple[str, ...] = ()

    @property
    def formula(self) -> str:
        """How the indicator is computed, in words (for definitions under a table)."""
        return self.formula_in("en")

    def formula_in(self, language: str) -> str:
        """:attr:`formula` in ``language`` (the metric names stay as the code names them)."""
        _ = translator(language)
        top = " + ".join(self.plus) + "".join(f" − {m}" for m in self.minus)
        if self.how == "ratio":
            bottom = " + ".join(self.per)
            return _("Σ({top}) / Σ({bottom}) over the window").format(top=top, bottom=bottom)
        if self.how == "total":
            return _("Σ({top}) over the window").format(top=top)
        if self.how == "window_mean":
            return _("mean of {top} over the window").format(top=top)
        return _("mean of {top} in the window's last year").format(top=top)

    def label_in(self, language: str) -> str:
        """The indicator's label in ``language``."""
        return translator(language)(self.label)

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every yearly metric the indicator reads."""
        return (*self.plus, *self.minus, *self.per)


REFERRALS = ("referrals_consult", "referrals_handover")
STREAM_LABELS = {
    "zeroth_line": N_("spending: zeroth line"),
    "team": N_("spending: team"),
    "specialist": N_("spending: specialist"),
    "escalation": N_("spending: escalation"),
    "friction": N_("spending: friction"),
}
"""The indicator of each cost stream (:data:`~wijksim.model.scenario.STREAMS`)."""
PAYER_LABELS = {
    "municipality_wmo": N_("paid by municipality wmo"),
    "municipality_youth": N_("paid by municipality youth"),
    "insurer": N_("paid by insurer"),
    "other": N_("paid by other"),
}
"""The indicator of each payer (:data:`~wijksim.model.scenario.PAYERS`)."""
# fmt: off
FUNDING_INDICATORS: tuple[Indicator, ...] = (
    Indicator("clients_served", N_("clients served (cases opened)"), N_("clients"), "total",
              ("team_admissions",)),
    Indicator("hours_per_client", N_("casework hours per client"), N_("hours"), "ratio",
              ("team_hours_casework",), per=("team_admissions",)),
    Indicator("mean_intake_wait_weeks", N_("mean wait for intake"), N_("weeks"), "ratio",
              ("team_intake_wait_weeks",), per=("team_admissions",)),
    Indicator("held_year_share", N_("team closures at ZRM ≥ 4 on every domain a year later"),
              "share", "ratio", ("closures_team_held_year",), per=("closures_team_year_done",)),
    Indicator("relapse_share",
              N_("team closures fallen to ZRM ≤ 2 within a year (lower is better)"), "share",
              "ratio", ("closures_team_relapsed_year",), per=("closures_team_year_done",)),
    Indicator("return_rate", N_("returns to care within a year per closure (lower is better)"),
              "share", "ratio", ("relapses",), per=("closures",)),
    Indicator("admissions_not_complex_share", N_("team admissions not complex (selection)"),
              "share", "ratio", ("team_admissions",), minus=("team_admissions_complex",),
              per=("team_admissions",)),
    Indicator("referrals_per_client", N_("specialist referrals per client"), N_("referrals"),
              "ratio", REFERRALS, per=("team_admissions",)),
    Indicator("specialist_referrals", N_("specialist referrals"), N_("referrals"), "total",
              REFERRALS),
    Indicator("escalations", N_("escalations"), N_("escalations"), "total", ("escalations_total",)),
    Indicator("cost_total_eur", N_("spending, all streams"), "€", "total", ("cost_total_eur",)),
    *(
        Indicator(f"cost_{stream}_eur", STREAM_LABELS[stream], "€", "total",
                  (f"cost_{stream}_eur",))
        for stream in STREAMS
    ),
    *(
        Indicator(f"cost_paid_by_{payer}_eur", PAYER_LABELS[payer], "€", "total",
                  (f"cost_paid_by_{payer}_eur",))
        for payer in PAYERS
    ),
    Indicator("operator_margin_eur", N_("operator's margin"), "€", "total",
              # Specialist charges (options D–E) are already deducted from revenue.
              ("operator_revenue_eur",), minus=("operator_staff_cost_eur",)),
    # Already deducted from revenue, as the municipality deducts it from the payment.
    Indicator("operator_clawback_eur", N_("clawed back for staff below the formation"), "€",
              "total", ("operator_clawback_eur",)),
    Indicator("frontline_fte", N_("frontline staff (mean)"), "FTE", "window_mean",
              ("team_frontline_fte",)),
    Indicator("households_in_need", N_("households in need (last year)"), N_("households"),
              "last_year_mean", ("households_in_need",)),
    Indicator("share_self_reliant", N_("share self-reliant (last year)"), "share",
              "last_year_mean", ("share_self_reliant",)),
    # Policy chosen: the operator's settings, recorded every week (model/metrics.py).
    Indicator("policy_discharge_min_level", N_("policy: lowest ZRM level at closure (mean)"),
              N_("level"), "window_mean", ("team_discharge_min_level",)),
    Indicator("policy_intake_max_level", N_("policy: highest ZRM level taken on (mean)"),
              N_("level"), "window_mean", ("team_intake_max_level",)),
    Indicator("policy_referral_max_level", N_("policy: highest ZRM level referred (mean)"),
              N_("level"), "window_mean", ("team_referral_max_level",)),
    Indicator("policy_complex_offload_share", N_("policy: share of complex households to offload"),
              "share", "window_mean", ("team_complex_offload_share",)),
    Indicator("policy_complex_offloaded_share",
              N_("policy applied: complex households refused or passed on at intake"), "share",
              "ratio", ("intake_complex_offloaded",), per=("intake_complex_assessed",)),
    Indicator("policy_hours_per_case_factor", N_("policy: hours per case (× the norm, mean)"),
              "×", "window_mean", ("team_hours_per_case_factor",)),
    Indicator("policy_outreach_share", N_("policy: share of hours on outreach (mean)"), "share",
              "window_mean", ("team_outreach_share",)),
)
# fmt: on
"""The indicators, in reading order (one row each in the tables)."""
INDICATORS_BY_NAME = {indicator.name: indicator for indicator in FUNDING_INDICATORS}

MAIN_INDICATORS: tuple[str, ...] = (
    "clients_served",
    "hours_per_client",
    "mean_intake_wait_weeks",
    "held_year_share",
    "relapse_share",
    "return_rate",
    "admissions_not_complex_share",
    "referrals_per_client",
    "escalations",
    "cost_total_eur",
    "operator_margin_eur",
    "frontline_fte",
    "households_in_need",
    "share_self_reliant",
)
"""The indicators of the summary's tables (the spending per stream and payer are in the
indicator table and the figures)."""
POLICY_INDICATORS: tuple[str, ...] = (
    "policy_discharge_min_level",
    "policy_intake_max_level",
    "policy_referral_max_level",
    "policy_complex_offload_share",
    "policy_complex_offloaded_share",
    "policy_hours_per_case_factor",
    "policy_outreach_share",
)
"""The operator's settings, reported apart as "policy chosen": a form's incentive shows
in them, but they are what the operator decided, not what became of the households."""

INCENTIVE_DIMENSIONS: dict[str, str] = {
    "volume": "clients_served",
    "effort": "hours_per_client",
    "quality": "held_year_share",
    "selection": "admissions_not_complex_share",
    "offloading": "referrals_per_client",
}
"""The columns of the incentive table → the indicator measuring each: the source's four
(App. III.4) and offloading as a fifth column (see the module docstring)."""
SOURCE_DIMENSIONS: tuple[str, ...] = ("volume", "effort", "quality", "selection")
"""The source's four columns, in its order."""
DETAIL_DIMENSIONS: dict[str, str] = {
    "volume": "clients_served",
    "effort": "hours_per_client",
    "quality": "held_year_share",
    "relapses": "relapse_share",
    "returns": "return_rate",
    "selection": "admissions_not_complex_share",
    "offloading": "referrals_per_client",
}
"""The rows of the detail table: the incentive dimensions and, after quality, the
secondary quality measures (relapses to ZRM ≤ 2 and returns to care, where lower is
better; no column of their own)."""
DIMENSION_LABELS: dict[str, str] = {
    "volume": N_("volume (clients)"),
    "effort": N_("effort per client"),
    "quality": N_("quality (held a year later)"),
    "relapses": N_("quality: relapses to ZRM ≤ 2 (lower is better)"),
    "returns": N_("quality: returns to care (lower is better)"),
    "selection": N_("selection (admissions not complex)"),
    "offloading": N_("offloading (referrals per client)"),
}

EXPECTED_ARROWS: dict[str, dict[str, str]] = {
    "function_budget": {"volume": DOWN, "effort": DOWN, "quality": DOWN, "selection": UP},
    "per_hour": {"volume": UP, "effort": UP, "quality": DOWN, "selection": DOWN},
    "per_trajectory": {"volume": UP, "effort": DOWN, "quality": DOWN, "selection": UP},
    # The gate closes (selection ↓) but passing clients on to specialists pays (↑) ...
    "population": {
        "volume": DOWN,
        "effort": DOWN,
        "quality": UP,
        "selection": DOWN,
        "offloading": UP,
    },
    # ... unless the form is settled on specialist use: the source then claims no
    # offloading arrow, so none is compared.
    "shared_savings": {"volume": DOWN, "effort": DOWN, "quality": UP, "selection": DOWN},
    "result_per_client": {"volume": UP, "effort": DOWN, "quality": UP, "selection": UP},
}
"""The source's arrows (S1 App. III.4) per funding form, against a neutral form.
Shared savings is population funding settled on specialist use (S1 §4.5.1), so it takes
population funding's arrows. The cost centre is the neutral reference itself."""


def funding_form(condition: str) -> str | None:
    """The funding form of a condition label, or None if it is not a known form.

    ``"per_hour [team.frontline_fte=8]"`` and ``"funding_per_hour"`` are both ``per_hour``:
    grid values are dropped and a ``funding_`` prefix (the shipped scenarios' names) too.
    """
    name = str(condition).split(" [")[0].strip().removeprefix("funding_")
    return name if name in EXPECTED_ARROWS or name == NEUTRAL_FORM else None


def expected_arrows(condition: str) -> dict[str, str]:
    """The source's arrows for a condition's funding form by dimension ({} if unknown)."""
    return dict(EXPECTED_ARROWS.get(funding_form(condition) or "", {}))


def required_metrics() -> list[str]:
    """Every yearly metric the indicators read (others in a yearly table are ignored)."""
    return list(dict.fromkeys(m for indicator in FUNDING_INDICATORS for m in indicator.metrics))


def evaluation_window(
    yearly_table: pd.DataFrame, start: int = DEFAULT_START, end: int | None = None
) -> tuple[int, int]:
    """The first and last year of the evaluation window.

    Args:
        yearly_table: A tidy yearly table with a ``year`` column.
        start: The window's first year.
        end: The window's last year; default the table's last year.

    Raises:
        ValueError: If the table has no years or the window holds no simulated year.
    """
    years = pd.to_numeric(yearly_table["year"]).dropna()
    if years.empty:
        raise ValueError("the yearly table holds no years")
    last = int(years.max()) if end is None else int(end)
    if start > last or start > int(years.max()):
        raise ValueError(
            f"evaluation window {start}..{last} holds no simulated year "
            f"(the table has years {int(years.min())}..{int(years.max())})"
        )
    return int(start), last


def check_yearly_columns(yearly_table: pd.DataFrame) -> None:
    """Raise ValueError if ``yearly_table`` lacks a column of the tidy yearly table."""
    missing = {*ID_COLUMNS, "year", "metric", "value"} - set(yearly_table.columns)
    if missing:
        raise ValueError(f"yearly table lacks column(s) {sorted(missing)}")


def sum_of(frame: pd.DataFrame, metrics: tuple[str, ...]) -> pd.Series:
    """The sum of some metrics' columns per run; NaN where any of them is missing."""
    total = pd.Series(0.0, index=frame.index)
    for metric in metrics:
        total = total + frame.get(metric, np.nan)
    return total


def indicator_value(indicator: Indicator, sums, means, last_year) -> pd.Series:
    """One indicator per run from the window's sums, yearly means and last year's means."""
    if indicator.how == "total":
        return sum_of(sums, indicator.plus) - sum_of(sums, indicator.minus)
    if indicator.how == "ratio":
        denominator = sum_of(sums, indicator.per)
        # Zero clients (or closures, or assessments): a share of nothing is undefined.
        numerator = sum_of(sums, indicator.plus) - sum_of(sums, indicator.minus)
        return numerator / denominator.where(denominator > 0)
    if indicator.how == "window_mean":
        return sum_of(means, indicator.plus)
    if indicator.how == "last_year_mean":
        return sum_of(last_year, indicator.plus)
    raise ValueError(f"unknown way to compute indicator {indicator.name!r}: {indicator.how!r}")


def funding_indicators(
    yearly_table: pd.DataFrame, start: int = DEFAULT_START, end: int | None = None
) -> pd.DataFrame:
    """Per run, every indicator of :data:`FUNDING_INDICATORS` over the evaluation window.

    Args:
        yearly_table: From :func:`~wijksim.experiments.analysis.statistics.yearly`: columns
            ``run_id, condition, seed, year, metric, value`` (more columns and metrics may
            be present; they are ignored).
        start: The window's first year (default :data:`DEFAULT_START`).
        end: The window's last year (default the table's last year).

    Returns:
        Long format: ``run_id, condition, seed, metric, value``, one row per run and
        indicator, runs in the order of the table, indicators in the order of
        :data:`FUNDING_INDICATORS`. A value is NaN where a metric is missing or a ratio's
        denominator is zero.

    Raises:
        ValueError: If a column is missing or the window holds no simulated year.
    """
    check_yearly_columns(yearly_table)
    first, last = evaluation_window(yearly_table, start, end)
    ids = list(ID_COLUMNS)
    runs = yearly_table[ids].drop_duplicates().set_index(ids).index
    years = yearly_table["year"].between(first, last)
    window = yearly_table[years & yearly_table["metric"].isin(required_metrics())]
    grouped = window.groupby([*ids, "metric"], sort=False)["value"]
    # min_count: a metric recorded only as NaN stays NaN rather than summing to 0.
    sums = grouped.sum(min_count=1).unstack("metric").reindex(runs)
    yearly_means = window.groupby([*ids, "metric", "year"], sort=False)["value"].mean()
    means = yearly_means.groupby(level=[*ids, "metric"], sort=False).mean()
    means = means.unstack("metric").reindex(runs)
    final = window[window["year"] == last].groupby([*ids, "metric"], sort=False)["value"]
    last_year = final.mean().unstack("metric").reindex(runs)
    wide = pd.DataFrame(
        {ind.name: indicator_value(ind, sums, means, last_year) for ind in FUNDING_INDICATORS},
        index=runs,
    )
    # Long format run by run, each run's indicators in reading order.
    long = runs.to_frame(index=False)
    long = long.loc[long.index.repeat(wide.shape[1])].reset_index(drop=True)
    long["metric"] = np.tile(wide.columns.to_numpy(dtype=object), len(runs))
    long["value"] = wide.to_numpy(dtype=float).ravel()
    return long


def _arrow(
    relative: float,
    low: float,
    high: float,
    threshold: float,
    p_adjusted: float | None = None,
    alpha: float = FAMILY_ALPHA,
) -> str:
    """The arrow rule: interval on one side of 0, adjusted p < alpha, change ≥ threshold.

    ``p_adjusted`` ``None``: not tested, the interval alone decides.
    """
    if any(pd.isna(v) for v in (relative, low, high)):
        return NOT_AVAILABLE
    if p_adjusted is not None and not called(p_adjusted, alpha):
        return SAME
    if low > 0 and relative >= threshold:
        return UP
    if high < 0 and relative <= -threshold:
        return DOWN
    return SAME


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


INCENTIVE_COLUMNS: tuple[str, ...] = (
    "condition",
    "form",
    "dimension",
    "indicator",
    "reference",
    "reference_mean",
    "mean_difference",
    "ci_low",
    "ci_high",
    "n",
    "relative_effect",
    "relative_ci_low",
    "relative_ci_high",
    "arrow",
    "expected",
    "agrees",
    "threshold",
    "p_value",
    "p_adjusted",
    "family",
    "family_size",
    "correction",
    "alpha",
    "origin",
)


def incentive_table(
    indicators: pd.DataFrame,
    reference: str,
    threshold: float = DEFAULT_THRESHOLD,
    method: str = DEFAULT_METHOD,
    alpha: float = FAMILY_ALPHA,
) -> pd.DataFrame:
    """The model's incentive table: each form's effect on each dimension, with an arrow.

    Args:
        indicators: From :func:`funding_indicators`.
        reference: The condition compared against (normally the cost centre).
        threshold: Smallest relative change that earns an arrow (default 5%).
        method: The multiplicity correction across each family's cells (``"holm"``,
            ``"fdr_bh"``; :data:`~wijksim.experiments.analysis.multiplicity.METHODS`).
        alpha: The family-wise significance level an adjusted p-value must be under.

    Returns:
        Long format, one row per non-reference condition and dimension of
        :data:`DETAIL_DIMENSIONS` (the relapse row included; :func:`incentive_markdown`
        turns it into one row per condition): ``condition, form`` (the recognised funding
        form or None), ``dimension, indicator, reference``, ``reference_mean`` (mean over
        the reference's seeds), ``mean_difference, ci_low, ci_high, n`` (mean paired
        difference and its 90% t-interval over ``n`` seeds), ``relative_effect,
        relative_ci_low, relative_ci_high`` (the same divided by the reference's mean; NaN
        if that is zero), ``arrow`` (↑ ↓ ≈ or n/a), ``expected`` (the source's arrow, or
        None), ``agrees`` (True/False, or NA when there is nothing to compare),
        ``threshold``; ``p_value`` (two-sided paired t-test) and ``p_adjusted`` (across
        the cells of the condition's ``family``, :func:`family_of`, which has
        ``family_size`` testable cells), ``correction`` and ``alpha``; ``origin`` (whether
        the arrow holds by construction or emerges, :func:`origins`). The relative
        interval treats the reference's mean as known.

    Raises:
        ScenarioError: If ``reference`` is not a condition of the table.
    """
    wanted = list(DETAIL_DIMENSIONS.values())
    chosen = indicators[indicators["metric"].isin(wanted)]
    differences = paired_differences(chosen, reference, keys=("metric",))
    differences = differences.set_index(["condition", "metric"])
    tests = _family_tests(chosen, reference, method)
    base = chosen[chosen["condition"] == reference].groupby("metric")["value"].mean()
    conditions = [c for c in pd.unique(indicators["condition"]) if c != reference]
    rows = []
    for condition in conditions:
        expected = expected_arrows(condition)
        for dimension, metric in DETAIL_DIMENSIONS.items():
            key = (condition, metric)
            found = differences.loc[key] if key in differences.index else None
            stats = {
                name: float(found[name]) if found is not None else np.nan
                for name in ("mean_difference", "ci_low", "ci_high")
            }
            reference_mean = float(base.get(metric, np.nan))
            # A share changes in percentage points (a reference share may well be 0); any
            # other change is relative to the reference's level: none if that is zero (or
            # missing). abs(): a change keeps its sign if the level is < 0.
            if INDICATORS_BY_NAME[metric].unit == "share":
                scale = 1.0
            else:
                scale = abs(reference_mean) if reference_mean else np.nan
            relative = {f"relative_{k}": stats[k] / scale for k in ("ci_low", "ci_high")}
            relative_effect = stats["mean_difference"] / scale
            tested = tests.loc[key] if key in tests.index else None
            p_value = float(tested["p_value"]) if tested is not None else np.nan
            p_adjusted = float(tested["p_adjusted"]) if tested is not None else np.nan
            arrow = _arrow(
                relative_effect,
                relative["relative_ci_low"],
                relative["relative_ci_high"],
                threshold,
                p_adjusted,
                alpha,
            )
            wanted_arrow = expected.get(dimension)
            comparable = wanted_arrow is not None and arrow != NOT_AVAILABLE
            agrees = arrow == wanted_arrow if comparable else pd.NA
            rows.append(
                {
                    "condition": condition,
                    "form": funding_form(condition),
                    "dimension": dimension,
                    "indicator": metric,
                    "reference": reference,
                    "reference_mean": reference_mean,
                    **stats,
                    "n": int(found["n"]) if found is not None else 0,
                    "relative_effect": relative_effect,
                    **relative,
                    "arrow": arrow,
                    "expected": wanted_arrow,
                    "agrees": agrees,
                    "threshold": threshold,
                    "p_value": p_value,
                    "p_adjusted": p_adjusted,
                    "family": family_of(condition),
                    "family_size": int(tested["family_size"]) if tested is not None else 0,
                    "correction": method,
                    "alpha": alpha,
                    "origin": None,  # below, from the other rows
                }
            )
    table = pd.DataFrame(rows, columns=list(INCENTIVE_COLUMNS))
    table["agrees"] = table["agrees"].astype("boolean")
    table["origin"] = origins(table)
    return table


def _family_tests(chosen: pd.DataFrame, reference: str, method: str) -> pd.DataFrame:
    """Paired t-tests of every (condition, indicator) cell, adjusted family by family."""
    rows = paired_rows(chosen, reference, keys=("metric",))
    rows["family"] = rows["condition"].map(family_of)
    tests = family_tests(
        rows, keys=("family", "condition", "metric"), family="family", method=method
    )
    return tests.set_index(["condition", "metric"])


class Agreement(NamedTuple):
    """How far the model's arrows match the source's.

    Attributes:
        matches: Cells where the model's arrow is the source's.
        compared: Cells with both a source arrow and a model arrow (not n/a).
        unavailable: Cells with a source arrow but no model arrow (n/a).
    """

    matches: int
    compared: int
    unavailable: int

    def __str__(self) -> str:
        text = f"{self.matches} of {self.compared}"
        return text + (f" ({self.unavailable} n/a)" if self.unavailable else "")


def agreement(table: pd.DataFrame, condition: str | None = None) -> Agreement:
    """Count the model's arrows that match the source's (:data:`EXPECTED_ARROWS`).

    Only cells for which the source states an arrow count: the four source columns of
    each recognised form, and offloading for population funding.

    Args:
        table: From :func:`incentive_table`.
        condition: Only this condition's cells (default: all).
    """
    if condition is not None:
        table = table[table["condition"] == condition]
    claimed = table[table["expected"].notna()]
    available = claimed[claimed["arrow"] != NOT_AVAILABLE]
    matches = int((available["arrow"] == available["expected"]).sum())
    return Agreement(matches, len(available), len(claimed) - len(available))


def percent(share: float, language: str) -> str:
    """A share as whole per cent (``90%``), as :func:`format` with ``.0%`` wrote it."""
    return number(100 * share, language) + "%"
