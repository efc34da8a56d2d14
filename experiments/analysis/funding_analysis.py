"""Funding forms compared: what each form rewards, measured against a neutral reference.

docs/sources.md §5 (S1 App. III.4) tabulates what each funding form gives the team's operator
an incentive to do, on four dimensions: **volume** (how many clients), **effort per
client**, **quality** (results) and **selection** (taking the easy clients, passing the
hard ones on). A funding sweep runs every form on the same seeds, so each form can be
compared with the reference *per seed* (paired): the neutral reference is the team as a
municipal cost centre, where the municipality pays the staff and fixes the policy, so no
payment depends on what the team does and nobody moves a knob for money.

The method:

1. :func:`.funding_indicators`: per run, indicators over an evaluation window of years
   ``start..end`` (default from year :data:`.DEFAULT_START`: the operator has then had two
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
   --ethos 0,0.3`` makes them) form a family each (:func:`.family_of`).
3. :func:`agreement`: how many of the model's arrows match the source's
   (:data:`.EXPECTED_ARROWS`); all of it for a reader is
   :func:`wijksim.experiments.reports.funding_report.summary_markdown`.
4. :func:`.origins`: whether each arrow holds by construction (the same arrow with an
   operator that does not adapt, ``wijksim compare-funding --fixed-operator``) or
   emerges from the operator's adaptation (:data:`.ORIGIN_LABELS`).

Every dimension is measured by what happens to households, never by a policy knob read
back: the operator's settings (discharge level, intake level, share of complex
households offloaded, hours per case, …) are reported apart as **policy chosen**
(:data:`.POLICY_INDICATORS`). Closing at ZRM ≥ 4 is 100% "self-reliant at closure"
whenever the discharge level is 4, so quality is measured a year on instead: the share
of team closures whose household is still at ZRM ≥ 4 on every domain 52 weeks later
(``model/observation/outcomes.py``). Beside it, two kinds of relapse (lower is better): a fall to
ZRM ≤ 2 within that year (state-based, whether or not the household comes back), and
returns to care within a year (counted when a household re-enters care).

Selection and offloading are two columns here: the source has one column "selection"
but, for population funding, says the form closes the gate (selection ↓) while
tempting the operator to pass clients on to specialists (offloading ↑) unless it is
settled on specialist use. The model measures the two apart: selection as the share of
the team's admissions that are not complex households (who the team actually took on),
offloading as specialist referrals per client. The source's selection arrow is compared
with the model's selection; its offloading arrow only where the source states one.

The steps live apart: the catalogue of indicators, dimensions and expected arrows in
:mod:`~wijksim.experiments.analysis.funding_catalogue`, step 1 in
:mod:`~wijksim.experiments.analysis.funding_runs`, families and origins (step 4) in
:mod:`~wijksim.experiments.analysis.funding_origins`; the incentive table and the
agreement (steps 2 and 3) here.

About 300 lines, a fifth of them this description of the method, which the incentive
table and the agreement carry out.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from wijksim.experiments.analysis.funding_catalogue import (
    DETAIL_DIMENSIONS,
    DOWN,
    INDICATORS_BY_NAME,
    NOT_AVAILABLE,
    SAME,
    UP,
    expected_arrows,
    funding_form,
)
from wijksim.experiments.analysis.funding_origins import family_of, origins
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
from wijksim.experiments.i18n import number

DEFAULT_THRESHOLD = 0.05
"""Smallest relative change (of the reference's mean) that earns an arrow. Smaller
changes count as "practically nothing" (≈), however significant: with many paired seeds
even a 1% change is detectable, but it is no incentive a contract manager would notice."""


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
        indicators: From :func:`.funding_indicators`.
        reference: The condition compared against (normally the cost centre).
        threshold: Smallest relative change that earns an arrow (default 5%).
        method: The multiplicity correction across each family's cells (``"holm"``,
            ``"fdr_bh"``; :data:`~wijksim.experiments.analysis.multiplicity.METHODS`).
        alpha: The family-wise significance level an adjusted p-value must be under.

    Returns:
        Long format, one row per non-reference condition and dimension of
        :data:`DETAIL_DIMENSIONS` (the relapse row included;
        :func:`~.funding_incentives_report.incentive_markdown` turns it into one row per
        condition): ``condition, form`` (the recognised funding
        form or None), ``dimension, indicator, reference``, ``reference_mean`` (mean over
        the reference's seeds), ``mean_difference, ci_low, ci_high, n`` (mean paired
        difference and its 90% t-interval over ``n`` seeds), ``relative_effect,
        relative_ci_low, relative_ci_high`` (the same divided by the reference's mean; NaN
        if that is zero), ``arrow`` (↑ ↓ ≈ or n/a), ``expected`` (the source's arrow, or
        None), ``agrees`` (True/False, or NA when there is nothing to compare),
        ``threshold``; ``p_value`` (two-sided paired t-test) and ``p_adjusted`` (across
        the cells of the condition's ``family``, :func:`.family_of`, which has
        ``family_size`` testable cells), ``correction`` and ``alpha``; ``origin`` (whether
        the arrow holds by construction or emerges, :func:`.origins`). The relative
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
    """Count the model's arrows that match the source's (:data:`.EXPECTED_ARROWS`).

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
