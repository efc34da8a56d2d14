"""The funding comparison for a reader: the summary in markdown.

Renders what :mod:`wijksim.experiments.analysis.funding_analysis` computes (the method is
described there): :func:`summary_markdown`, in English or Dutch, around the incentive
table of :mod:`~wijksim.experiments.reports.funding_incentives_report`. Its number
formats (:func:`~wijksim.experiments.i18n.signed_number`,
:func:`~wijksim.experiments.i18n.with_interval`) are in :mod:`wijksim.experiments.i18n`.
"""

from __future__ import annotations

import pandas as pd
from wijksim.experiments.analysis.funding_analysis import (
    DEFAULT_THRESHOLD,
    incentive_table,
    percent,
)
from wijksim.experiments.analysis.funding_catalogue import (
    DETAIL_DIMENSIONS,
    DIMENSION_LABELS,
    INDICATORS_BY_NAME,
    MAIN_INDICATORS,
    POLICY_INDICATORS,
)
from wijksim.experiments.analysis.statistics import (
    BAND,
    CONFIDENCE,
    paired_differences,
    summarise,
)
from wijksim.experiments.i18n import (
    N_,
    display_scale,
    number,
    signed_number,
    translator,
    with_interval,
)
from wijksim.experiments.reports.funding_incentives_report import incentive_markdown, relative_cell


def _label(name: str, language: str = "en") -> str:
    """The indicator's label with its unit, unless the label names it already."""
    indicator = INDICATORS_BY_NAME[name]
    unit = display_scale(indicator.unit, language)[1]
    label = indicator.label_in(language)
    return label if unit in label else f"{label} ({unit})"


def _recorded(indicators: pd.DataFrame) -> list[str]:
    """The main indicators with a value in at least one run, in reading order."""
    present = set(indicators.loc[indicators["value"].notna(), "metric"])
    return [name for name in MAIN_INDICATORS if name in present]


def _levels_table(indicators: pd.DataFrame, names: list[str], language: str = "en") -> pd.DataFrame:
    summary = summarise(indicators[indicators["metric"].isin(names)], by=("condition", "metric"))
    conditions = list(pd.unique(indicators["condition"]))
    cells = summary.set_index(["metric", "condition"])
    keys = ("median", "p05", "p95")
    return _condition_table(names, conditions, cells, keys, "[{} – {}]", language)


def _differences_table(indicators: pd.DataFrame, reference: str, names: list[str], language="en"):
    chosen = indicators[indicators["metric"].isin(names)]
    differences = paired_differences(chosen, reference, keys=("metric",))
    cells = differences.set_index(["metric", "condition"])
    conditions = [c for c in pd.unique(indicators["condition"]) if c != reference]
    keys = ("mean_difference", "ci_low", "ci_high")
    return _condition_table(names, conditions, cells, keys, "[{}, {}]", language)


def _condition_table(
    names: list[str],
    conditions: list[str],
    cells: pd.DataFrame,
    keys: tuple,
    around: str,
    language: str = "en",
) -> pd.DataFrame:
    """One row per indicator, one ``centre [low, high]`` column per condition.

    ``cells`` is indexed by (metric, condition); ``keys`` name its centre, low and high
    columns. A pair without a row shows as a dash.
    """
    header = translator(language)(N_("indicator"))
    rows = []
    for name in names:
        factor = display_scale(INDICATORS_BY_NAME[name].unit)[0]
        row = {header: _label(name, language)}
        for condition in conditions:
            if (name, condition) not in cells.index:
                row[condition] = "–"
                continue
            found = cells.loc[(name, condition)]
            values = (factor * found[k] for k in keys)
            row[condition] = with_interval(*values, around=around, language=language)
        rows.append(row)
    return pd.DataFrame(rows)


def _detail_table(table: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    _ = translator(language)
    rows = []
    for row in table.itertuples(index=False):
        factor, unit = display_scale(INDICATORS_BY_NAME[row.indicator].unit, language)
        difference = with_interval(
            factor * row.mean_difference,
            factor * row.ci_low,
            factor * row.ci_high,
            "[{}, {}]",
            language,
        )
        rows.append(
            {
                _("funding form"): row.condition,
                _("dimension"): _(DIMENSION_LABELS[row.dimension]),
                _(
                    "reference"
                ): f"{signed_number(factor * row.reference_mean, None, language)} {unit}",
                _("difference [90% CI]"): difference,
                _("relative"): relative_cell(row, language),
                _("p-value (adjusted)"): _p_text(row, language),
                _("source"): row.expected if isinstance(row.expected, str) else "–",
            }
        )
    return pd.DataFrame(rows)


def _p_text(row, language: str = "en") -> str:
    """``0.012 (0.25)``: the raw and the adjusted p-value; ``<0.001`` below that."""

    def shown(p: float) -> str:
        if pd.isna(p):
            return "–"
        if p < 0.001:
            return "<" + number(0.001, language, 3)
        return number(p, language, 3 if p < 0.01 else 2)

    return f"{shown(row.p_value)} ({shown(row.p_adjusted)})"


def _policy_section(indicators: pd.DataFrame, language: str = "en") -> list[str]:
    """The operator's settings per funding form, apart from the outcomes (none: no lines)."""
    from wijksim.experiments.reports.markdown import markdown_table

    _ = translator(language)
    present = set(indicators.loc[indicators["value"].notna(), "metric"])
    names = [name for name in POLICY_INDICATORS if name in present]
    if not names:
        return []
    return [
        _("### Policy chosen per funding form"),
        "",
        _(
            "The operator's settings over the window (median [{low}–{high} of seeds]): what it "
            "decided, not what became of the households, so none of them is read as quality "
            "or selection above."
        ).format(low="5%", high="95%"),
        "",
        markdown_table(_levels_table(indicators, names, language)),
        "",
    ]


def summary_markdown(
    indicators: pd.DataFrame,
    reference: str,
    start: int,
    end: int,
    threshold: float = DEFAULT_THRESHOLD,
    language: str = "en",
) -> str:
    """The funding comparison for a reader: levels, paired differences and incentives.

    Args:
        indicators: From :func:`funding_indicators`.
        reference: The condition compared against.
        start: The window's first year (for the text).
        end: The window's last year (for the text).
        threshold: Smallest relative change that earns an arrow.
        language: ``"en"`` or ``"nl"``: the text, headers and numbers.

    Returns:
        Markdown: the main indicators per funding form (median [5%–95% of seeds]), their
        paired differences from the reference (mean [90% CI]), the incentive table with
        the model's agreement with the source, and the detail behind each arrow.
    """
    from wijksim.experiments.reports.markdown import markdown_table

    _ = translator(language)
    names = _recorded(indicators)
    missing = [name for name in MAIN_INDICATORS if name not in names]
    seeds = indicators["seed"].nunique()
    band = {"low": percent(BAND[0], language), "high": percent(BAND[1], language)}
    intro = _(
        "Indicators over years {start}–{end}: the operator has had the years before to "
        "adapt its staffing and policy to the form. {seeds} seeds per form, each run with "
        "the same random streams under every form. Flows are summed over the window and "
        "ratios taken of the sums; staff is the window's mean, need and self-reliance "
        "the last year's."
    )
    no_indicator = _("(no indicator recorded)")
    lines = [
        _("## Funding forms: what each form rewards (years {start}–{end})").format(
            start=start, end=end
        ),
        "",
        intro.format(start=start, end=end, seeds=seeds),
        "",
        _("### Indicators per funding form"),
        "",
        _(
            "Median [{low}–{high} of seeds]: a spread of replicate neighbourhoods, not a "
            "confidence interval."
        ).format(**band),
        "",
        markdown_table(_levels_table(indicators, names, language)) if names else no_indicator,
        "",
    ]
    if missing:
        not_recorded = _("Not recorded in these runs: {metrics}.")
        lines += [not_recorded.format(metrics=", ".join(missing)), ""]
    lines += _policy_section(indicators, language)
    if indicators["condition"].nunique() < 2:
        return "\n".join(lines)
    table = incentive_table(indicators, reference, threshold)
    differences = _differences_table(indicators, reference, names, language)
    definitions = "; ".join(
        f"*{INDICATORS_BY_NAME[name].label_in(language)}*: "
        + INDICATORS_BY_NAME[name].formula_in(language)
        for name in DETAIL_DIMENSIONS.values()
    )
    lines += [
        _("### Difference from `{reference}` on the same seeds").format(reference=reference),
        "",
        _(
            "Mean paired difference [{confidence} confidence interval of the mean, "
            "t-distribution]; shares in percentage points."
        ).format(confidence=percent(CONFIDENCE, language)),
        "",
        markdown_table(differences) if names else "",
        "",
        _("### Incentives: the model against the source (S1 App. III.4)"),
        "",
        incentive_markdown(table, language=language),
        "",
        _(
            "Detail: the difference in the indicator's unit, per dimension; relapses to "
            "ZRM ≤ 2 and returns to care are further measures of quality (lower is better)."
        ),
        "",
        markdown_table(_detail_table(table, language)),
        "",
        _("Definitions: {definitions}.").format(definitions=definitions),
        "",
    ]
    return "\n".join(lines)
