"""Team splits compared: what dividing the neighbourhood team gains or costs against one team.

``wijksim compare-teams`` (:mod:`wijksim.experiments.runner.teams_sweep`) runs every team
configuration (the integral team and its splits) under several funding forms in several
neighbourhood types, every variant on the same seeds. A condition is named
``configuration__form__neighbourhood`` (:func:`~.teams_catalogue.parse_condition`). Each
split is compared with the integral team under the same form in the same neighbourhood, seed by seed
(paired: the two runs share their random streams).

The method:

1. :func:`~.teams_runs.team_indicators`: per run, the indicators of
   :data:`~.teams_catalogue.TEAM_INDICATORS` over an
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

The steps live apart: the catalogue of indicators and the condition names in
:mod:`~wijksim.experiments.analysis.teams_catalogue`, step 1 in
:mod:`~wijksim.experiments.analysis.teams_runs`; the differences and verdicts (steps 2
and 3) here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
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
from wijksim.experiments.analysis.teams_catalogue import (
    NO_TEAM,
    VERDICT_INDICATORS,
    Condition,
    counterpart,
    parse_condition,
)
from wijksim.experiments.i18n import N_

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


DIFFERENCE_KEYS = ("mean_difference", "ci_low", "ci_high")
VERDICT_KEYS = ("difference", "ci_low", "ci_high")


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
