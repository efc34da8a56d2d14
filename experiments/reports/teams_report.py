"""The teams comparison for a reader: its tables and summary in markdown.

Renders what :mod:`wijksim.experiments.analysis.teams_analysis` computes (the method is
described there): :func:`summary_markdown`, in English or Dutch.
"""

from __future__ import annotations

import pandas as pd
from wijksim.experiments.analysis import funding_analysis as fa
from wijksim.experiments.analysis.multiplicity import (
    DEFAULT_METHOD,
    FAMILY_ALPHA,
    METHODS,
)
from wijksim.experiments.analysis.statistics import (
    BAND,
    CONFIDENCE,
    summarise,
)
from wijksim.experiments.analysis.team_configurations import INTEGRAL
from wijksim.experiments.analysis.teams_analysis import (
    DIFFERENCE_KEYS,
    UNCLEAR,
    VERDICT_KEYS,
    in_order,
    split_verdicts,
    unpaired_conditions,
)
from wijksim.experiments.analysis.teams_catalogue import (
    INDICATORS_BY_NAME,
    MAIN_INDICATORS,
    NO_TEAM,
    VERDICT_INDICATORS,
)
from wijksim.experiments.i18n import N_, display_scale, signed_number, translator, with_interval
from wijksim.experiments.i18n import number as localised_number


def _header(name: str, difference: bool = False, language: str = "en") -> str:
    """The indicator's label with its display unit (points for a change of a share)."""
    indicator = INDICATORS_BY_NAME[name]
    unit = display_scale(indicator.unit, language)[1]
    if difference and indicator.unit == "share":
        unit = translator(language)(N_("pp"))
    label = indicator.label_in(language)
    return label if unit in label else f"{label} ({unit})"


def _cell(name: str, found, keys: tuple[str, str, str], around: str, language: str = "en") -> str:
    """``centre [low – high]`` of a row of a summary or difference table, scaled for display."""
    if found is None:
        return "–"
    factor = display_scale(INDICATORS_BY_NAME[name].unit)[0]
    values = (factor * float(found[k]) for k in keys)
    return with_interval(*values, around=around, language=language)


def _pairs(cells: pd.DataFrame) -> list[tuple[str, str]]:
    """The (configuration, form) pairs in ``cells``: by configuration, then form."""
    present = set(zip(cells["configuration"], cells["form"], strict=True))
    return [
        (configuration, form)
        for configuration in in_order(cells["configuration"])
        for form in in_order(cells["form"])
        if (configuration, form) in present
    ]


def _rows_table(
    cells: pd.DataFrame, keys: tuple[str, str, str], around: str, names, language: str = "en"
) -> pd.DataFrame:
    """One row per configuration and form present in ``cells``, one column per indicator.

    ``cells`` has columns ``configuration, form, metric`` and ``keys``.
    """
    _ = translator(language)
    indexed = cells.set_index(["configuration", "form", "metric"])
    rows = []
    for configuration, form in _pairs(cells):
        row = {_("configuration"): configuration, _("form"): form}
        for name in names:
            key = (configuration, form, name)
            found = indexed.loc[key] if key in indexed.index else None
            header = _header(name, keys == DIFFERENCE_KEYS, language)
            row[header] = _cell(name, found, keys, around, language)
        rows.append(row)
    return pd.DataFrame(rows)


def _per_team_table(teams: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """Mean wait and idle hours per team: one row per configuration and form."""
    _ = translator(language)
    medians = teams.groupby(["configuration", "form", "team", "metric"], sort=False)["value"]
    medians = medians.median()
    rows = []
    for configuration, form in _pairs(teams):
        row = {_("configuration"): configuration, _("form"): form}
        mine = teams[(teams["configuration"] == configuration) & (teams["form"] == form)]
        for name, digits in (("mean_intake_wait_weeks", 1), ("idle_hours", 0)):
            row[_header(name, language=language)] = " · ".join(
                f"{team} "
                + signed_number(medians.get((configuration, form, team, name)), digits, language)
                for team in in_order(mine["team"])
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _recorded(indicators: pd.DataFrame) -> list[str]:
    """The main indicators with a value in at least one run, in reading order."""
    present = set(indicators.loc[indicators["value"].notna(), "metric"])
    return [name for name in MAIN_INDICATORS if name in present]


def _verdict_table(verdicts: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    _ = translator(language)
    rows = []
    for row in verdicts.itertuples(index=False):
        cells = {}
        for name, metric in VERDICT_INDICATORS.items():
            found = {k: getattr(row, f"{name}_{k}") for k in VERDICT_KEYS}
            label = f"Δ {_header(metric, True, language)}"
            cells[label] = _cell(metric, found, VERDICT_KEYS, "[{}, {}]", language)
        shown = _(row.verdict)
        rows.append(
            {
                _("neighbourhood"): row.neighbourhood,
                _("form"): row.form,
                _("split"): row.configuration,
                **cells,
                _("verdict"): f"**{shown}**" if row.verdict != UNCLEAR else shown,
            }
        )
    return pd.DataFrame(rows)


def _correction_lines(verdicts: pd.DataFrame, language: str) -> list[str]:
    """The sentence on the multiplicity correction of the verdicts (none if not tested)."""
    tested = int(verdicts["spending_p_value"].notna().sum())
    if not tested:
        return []
    _ = translator(language)
    text = _(
        "The table calls {cells} verdicts at once, so the p-value of each Δ spending "
        "(two-sided paired t-test over seeds) is adjusted with the {method} correction "
        "across all of them, and a split pays or costs only where the adjusted p-value is "
        "also below {alpha} (family-wise; {alpha} matches the {confidence} intervals)."
    )
    shown = text.format(
        cells=tested,
        method=_(METHODS[DEFAULT_METHOD]),
        alpha=localised_number(FAMILY_ALPHA, language, 2),
        confidence=fa.percent(CONFIDENCE, language),
    )
    return [shown, ""]


def summary_markdown(
    indicators: pd.DataFrame,
    differences: pd.DataFrame,
    start: int,
    end: int,
    reference: str = INTEGRAL,
    language: str = "en",
) -> str:
    """The team comparison for a reader: levels, paired differences and verdicts.

    Args:
        indicators: From :func:`team_indicators`.
        differences: From :func:`team_differences`.
        start: The window's first year (for the text).
        end: The window's last year (for the text).
        reference: The configuration compared against.
        language: ``"en"`` or ``"nl"``: the text, headers and numbers.

    Returns:
        Markdown: an introduction; per neighbourhood type the main indicators per
        configuration and form (median [5%–95% of seeds]), the mean wait and idle hours per
        team, and each split's difference from the reference (mean [90% CI]); the table
        "Where a split pays" with its rule; definitions.
    """
    from wijksim.experiments.reports.markdown import markdown_table

    _ = translator(language)
    whole = indicators[indicators["team"] == NO_TEAM]
    names = _recorded(whole)
    seeds = whole["seed"].nunique()
    splits = [c for c in in_order(whole["configuration"]) if c != reference]
    confidence = fa.percent(CONFIDENCE, language)
    intro = _(
        "Indicators over years {start}–{end} ({seeds} seeds per condition): flows summed over "
        "the window and ratios taken of the sums, stocks averaged over the window, "
        "self-reliance the last year's. Each split is paired with the `{reference}` team "
        "under the same funding form in the same neighbourhood type, on the same seed (the "
        "two runs share their random streams), and the differences are averaged over seeds "
        "with a {confidence} confidence interval (t-distribution)."
    )
    lines = [
        _("## Team splits against the `{reference}` team (years {start}–{end})").format(
            reference=reference, start=start, end=end
        ),
        "",
        intro.format(start=start, end=end, seeds=seeds, reference=reference, confidence=confidence),
        "",
    ]
    if not splits:
        only = _("Only the `{reference}` configuration was run: no split to compare.")
        lines += [only.format(reference=reference), ""]
    unpaired = unpaired_conditions(indicators, reference)
    if unpaired:
        listed = ", ".join(f"`{c}`" for c in unpaired)
        text = _("No `{reference}` run to pair with (left out of the differences): {listed}.")
        lines += [text.format(reference=reference, listed=listed), ""]
    missing = [name for name in MAIN_INDICATORS if name not in names]
    if missing:
        not_recorded = _("Not recorded in these runs: {metrics}.")
        lines += [not_recorded.format(metrics=", ".join(missing)), ""]
    summary = summarise(
        whole[whole["metric"].isin(names)],
        by=("neighbourhood", "configuration", "form", "metric"),
    )
    teams = indicators[
        (indicators["team"] != NO_TEAM)
        & indicators["metric"].isin(["mean_intake_wait_weeks", "idle_hours"])
    ]
    band = {"low": fa.percent(BAND[0], language), "high": fa.percent(BAND[1], language)}
    for neighbourhood in in_order(whole["neighbourhood"]):
        if neighbourhood:
            title = _("neighbourhood type `{name}`").format(name=neighbourhood)
        else:
            title = _("all runs")
        levels = summary[summary["neighbourhood"] == neighbourhood]
        level_keys = ("median", "p05", "p95")
        lines += [
            _("### Indicators per configuration and form: {title}").format(title=title),
            "",
            _(
                "Median [{low}–{high} of seeds]: a spread of replicate neighbourhoods, not a "
                "confidence interval."
            ).format(**band),
            "",
            markdown_table(_rows_table(levels, level_keys, "[{} – {}]", names, language))
            if names
            else _("(no indicator recorded)"),
            "",
            _("Per team (median over seeds):"),
            "",
            markdown_table(
                _per_team_table(teams[teams["neighbourhood"] == neighbourhood], language)
            ),
            "",
        ]
        changes = differences[differences["neighbourhood"] == neighbourhood]
        if changes.empty:
            continue
        lines += [
            _("### Difference from `{reference}`: {title}").format(
                reference=reference, title=title
            ),
            "",
            _(
                "Split minus `{reference}` on the same seeds: mean [{confidence} confidence "
                "interval]; shares in percentage points."
            ).format(reference=reference, confidence=confidence),
            "",
            markdown_table(_rows_table(changes, DIFFERENCE_KEYS, "[{}, {}]", names, language)),
            "",
        ]
    if not differences.empty:
        rule = _(
            "A split **pays** where the whole {confidence} confidence interval of Δ spending "
            "(all streams, split minus `{reference}`) lies below zero and that of Δ "
            "escalations does not lie entirely above zero (a saving bought with more "
            "escalations does not count); it **costs** where the whole interval of Δ spending "
            "lies above zero; otherwise there is no clear difference (so too with one seed, "
            "which has no interval)."
        )
        verdicts = split_verdicts(differences)
        lines += [
            _("### Where a split pays"),
            "",
            rule.format(confidence=confidence, reference=reference),
            "",
            *_correction_lines(verdicts, language),
            markdown_table(_verdict_table(verdicts, language)),
            "",
        ]
    definitions = [*names, "households_multiple_workers", "referrals_per_client"]
    defined = "; ".join(
        f"*{INDICATORS_BY_NAME[name].label_in(language)}*: "
        + INDICATORS_BY_NAME[name].formula_in(language)
        for name in dict.fromkeys(definitions)
    )
    closing = _(
        "Definitions: {definitions}. Per team: the same from the team's own metrics "
        "(`…__<team>`); the `{integral}` team is the whole team of a run without a split."
    )
    lines += [closing.format(definitions=defined, integral=INTEGRAL), ""]
    return "\n".join(lines)
