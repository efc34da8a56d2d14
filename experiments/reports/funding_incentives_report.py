"""The funding comparison's incentive table in markdown: arrows, corrections and origins.

:func:`incentive_markdown` renders
:func:`~wijksim.experiments.analysis.funding_analysis.incentive_table` with the source's
arrows, the multiplicity correction, the changes between families and where each arrow
comes from, in English or Dutch; the summary around it is
:func:`~wijksim.experiments.reports.funding_report.summary_markdown`.

One piece (about 300 lines): the table and its notes are one text in two languages.
"""

from __future__ import annotations

import pandas as pd
from wijksim.experiments.analysis.funding_analysis import (
    Agreement,
    agreement,
    percent,
)
from wijksim.experiments.analysis.funding_catalogue import (
    DIMENSION_LABELS,
    DOWN,
    INCENTIVE_DIMENSIONS,
    INDICATORS_BY_NAME,
    NEUTRAL_FORM,
    NOT_AVAILABLE,
    SAME,
    SOURCE_DIMENSIONS,
    UP,
    expected_arrows,
    funding_form,
)
from wijksim.experiments.analysis.funding_origins import (
    EMERGES,
    ORIGIN_LABELS,
    ORIGIN_REASONS,
    arrows_without_adaptation,
    form_name,
    is_fixed_operator,
)
from wijksim.experiments.analysis.multiplicity import (
    METHODS,
)
from wijksim.experiments.analysis.statistics import (
    CONFIDENCE,
)
from wijksim.experiments.i18n import (
    MINUS,
    N_,
    number,
    translator,
)


def _signed(value: float, digits: int, language: str = "en") -> str:
    text = number(abs(value), language, digits)
    if value < 0 and round(abs(value), digits) != 0:
        return MINUS + text
    return "+" + text


def relative_cell(row, language: str = "en") -> str:
    """``↑ +12% [+8, +16]``: the arrow, the relative effect and its 90% interval in %."""
    _ = translator(language)
    if row.arrow == NOT_AVAILABLE:
        return _("n/a (reference 0)") if row.reference_mean == 0 else _(NOT_AVAILABLE)
    values = [100 * row.relative_effect, 100 * row.relative_ci_low, 100 * row.relative_ci_high]
    # Whole percent are enough for changes of 10% and more; smaller ones need a decimal to
    # tell them from zero.
    digits = 0 if max(abs(v) for v in values) >= 10 else 1
    mid, low, high = (_signed(v, digits, language) for v in values)
    unit = " " + _("pp") if INDICATORS_BY_NAME[row.indicator].unit == "share" else "%"
    return f"{row.arrow} {mid}{unit} [{low}, {high}]"


def _expectation(arrows: dict[str, str], language: str = "en") -> str:
    if not arrows:
        return "–"
    text = " ".join(arrows.get(d, "·") for d in SOURCE_DIMENSIONS)
    if "offloading" in arrows:
        text += " " + translator(language)(N_("(offloading {arrow})")).format(
            arrow=arrows["offloading"]
        )
    return text


def incentive_markdown(
    table: pd.DataFrame, labels: dict[str, str] | None = None, language: str = "en"
) -> str:
    """The incentive table in the layout of S1 App. III.4, with the source's arrows beside.

    Args:
        table: From :func:`incentive_table`.
        labels: Column headers per dimension (default :data:`DIMENSION_LABELS`).
        language: ``"en"`` or ``"nl"``: the text, headers and numbers.

    Returns:
        Markdown: a sentence naming the reference and the rule, one on the multiplicity
        correction, then per family of conditions (:func:`family_of`; one without a grid)
        one row per funding form with a cell per column of :data:`INCENTIVE_DIMENSIONS`
        (``↑ +12% [+8, +16]``: arrow, relative effect and 90% interval, in % of the
        reference's mean), the source's arrows, and how many of them the model
        reproduces; with several families, the arrows that differ between them; and
        whether each dimension's arrows hold by construction or emerge.
    """
    from wijksim.experiments.reports.markdown import markdown_table

    _ = translator(language)
    labels = {**DIMENSION_LABELS, **(labels or {})}
    if table.empty:
        return _("(only one condition: no funding form to compare with the reference)")
    reference = table["reference"].iloc[0]
    threshold = float(table["threshold"].iloc[0])
    families = _families(table)
    rule = _(
        "Each funding form against `{reference}` on the same seeds. ↑ / ↓: the whole "
        "{confidence} confidence interval of the mean paired difference lies above / "
        "below zero *and* the change is at least {threshold} of the reference's mean; "
        "≈: otherwise (a change under {threshold} is practically nothing, however "
        "significant); n/a: not computable (no value, or a reference of zero). Cells: "
        "the change in {percent} of the reference's mean [{confidence} interval]. Source: the "
        "arrows of S1 App. III.4 for volume, effort, quality and selection."
    )
    lines = [
        rule.format(
            reference=reference,
            confidence=percent(CONFIDENCE, language),
            threshold=percent(threshold, language),
            percent="%",
        ),
        "",
    ]
    lines += _correction_lines(table, len(families), language)
    for family in families:
        cells = table[table["family"] == family] if "family" in table else table
        if len(families) > 1:
            named = f"`{family}`" if family else _("without grid values")
            lines += [_("#### Family {family}").format(family=named), ""]
        lines += [
            markdown_table(_incentive_rows(cells, labels, len(families) > 1, language)),
            "",
            _("The model reproduces {agreement} of the source's arrows.").format(
                agreement=_agreement_text(agreement(cells), language)
            ),
            "",
        ]
    compared = [f for f in families if not is_fixed_operator(f)]
    if len(compared) > 1:
        lines += _family_changes(table, compared, labels, language)
    lines += _origin_lines(table, labels, language)
    if funding_form(reference) != NEUTRAL_FORM:
        note = _(
            "Note: the source's arrows are read against a neutral form (`{neutral}`); here "
            "the reference is `{reference}`, so the comparison with the source is only "
            "indicative."
        )
        lines += [note.format(neutral=NEUTRAL_FORM, reference=reference), ""]
    return "\n".join(lines).rstrip("\n")


def _families(table: pd.DataFrame) -> list[str]:
    """The table's families in order ([""] for a table without the column)."""
    return [str(f) for f in pd.unique(table["family"])] if "family" in table else [""]


def _incentive_rows(
    table: pd.DataFrame, labels: dict[str, str], short: bool, language: str
) -> pd.DataFrame:
    """One row per condition: a cell per dimension, the source's arrows, the agreement.

    ``short``: name the form without its grid values (the family's heading gives them).
    """
    _ = translator(language)
    rows = []
    for condition, cells in table.groupby("condition", sort=False):
        by_dimension = cells.set_index("dimension")
        name = str(condition).split(" [")[0] if short else condition
        row = {_("funding form"): name}
        for dimension in INCENTIVE_DIMENSIONS:
            found = dimension in by_dimension.index
            cell = relative_cell(by_dimension.loc[dimension], language) if found else "–"
            row[_(labels[dimension])] = cell
        source = _("source (vol., effort, quality, sel.)")
        row[source] = _expectation(expected_arrows(condition), language)
        counted = agreement(cells)
        row[_("agrees")] = f"{counted.matches}/{counted.compared}" if counted.compared else "–"
        rows.append(row)
    return pd.DataFrame(rows)


def _correction_lines(table: pd.DataFrame, families: int, language: str) -> list[str]:
    """The sentence on the multiplicity correction (none for a table without p-values)."""
    if "p_adjusted" not in table:
        return []
    _ = translator(language)
    method = str(table["correction"].iloc[0])
    sizes = table.groupby("family", sort=False)["family_size"].first()
    text = _(
        "Many cells are called at once, so each cell's p-value (two-sided paired t-test "
        "over seeds) is adjusted with the {method} correction across the {cells} cells of "
        "its family (every form × dimension below, the quality measures included), and an "
        "arrow also needs an adjusted p-value below {alpha} (family-wise error rate for "
        "Holm, false discovery rate for Benjamini–Hochberg; {alpha} matches the "
        "{confidence} intervals). Families: {families}."
    )
    if families > 1:
        named = _("one per set of grid values, adjusted apart")
    else:
        named = _("one, the whole table")
    cells = "/".join(str(int(size)) for size in sizes)
    alpha = number(float(table["alpha"].iloc[0]), language, 2)
    return [
        text.format(
            method=_(METHODS.get(method, method)),
            cells=cells,
            alpha=alpha,
            confidence=percent(CONFIDENCE, language),
            families=named,
        ),
        "",
    ]


def _family_changes(
    table: pd.DataFrame, families: list[str], labels: dict[str, str], language: str
) -> list[str]:
    """The arrows that differ between ``families`` (e.g. between values of the ethos)."""
    from wijksim.experiments.reports.markdown import markdown_table

    _ = translator(language)
    forms = table[table["family"].isin(families)]
    forms = forms.assign(name=forms["condition"].map(form_name))
    wide = forms.pivot_table(
        index=["name", "dimension"], columns="family", values="arrow", aggfunc="first"
    )
    rows = []
    for (name, dimension), arrows in wide.iterrows():
        found = [arrows.get(family) for family in families]
        # n/a is no direction: a cell not computable in one family is no change.
        if len({a for a in found if a in (UP, DOWN, SAME)}) > 1:
            row = {_("funding form"): name, _("dimension"): _(labels[dimension])}
            row.update(
                {
                    f"`{f}`": a if isinstance(a, str) else "–"
                    for f, a in zip(families, found, strict=True)
                }
            )
            rows.append(row)
    lines = [_("#### Arrows that change between families"), ""]
    if not rows:
        return [*lines, _("No arrow changes between the families."), ""]
    order = {name: i for i, name in enumerate(pd.unique(forms["name"]))}
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(_("funding form"), key=lambda c: c.map(order), kind="stable")
    return [*lines, markdown_table(frame), ""]


def _origin_lines(table: pd.DataFrame, labels: dict[str, str], language: str) -> list[str]:
    """Per arrow: the form's arrow without adaptation, so by construction or emerging.

    Without fixed-operator runs: how to tell.
    """
    from wijksim.experiments.reports.markdown import markdown_table

    _ = translator(language)
    heading = [_("#### By construction or emerging"), ""]
    definition = _(
        "An arrow holds *by construction* where the payment rule itself moves the "
        "indicator whatever the operator does, and *emerges* where it comes only from the "
        "operator's adaptation."
    )
    without = arrows_without_adaptation(table)
    adaptive = table["family"].map(lambda f: not is_fixed_operator(f))
    called_rows = table[adaptive & table["arrow"].isin([UP, DOWN])]
    if not any(is_fixed_operator(f) for f in table["family"]):
        advice = _(
            "Not tested here: `wijksim compare-funding --fixed-operator` also runs every form "
            "with an operator that does not adapt (`funding.operator.adapts = false`); an "
            "arrow that holds there too holds by construction."
        )
        return [*heading, definition + " " + advice, ""]
    text = _(
        "Told by running every form also with an operator that does not adapt "
        "(`funding.operator.adapts = false`, the same seeds and other settings): an arrow "
        "that holds there too holds by construction; one that does not emerges. How: the "
        "operator's settings that move the dimension."
    )
    rows = []
    for index, row in called_rows.iterrows():
        origin = row["origin"]
        rows.append(
            {
                _("family"): f"`{row['family']}`",
                _("funding form"): form_name(row["condition"]),
                _("dimension"): _(labels[row["dimension"]]),
                _("arrow"): row["arrow"],
                _("without adaptation"): without[index] or "–",
                _("by construction or emerging"): _(ORIGIN_LABELS[origin]) if origin else "–",
                _("how"): _(ORIGIN_REASONS[row["dimension"]]) if origin == EMERGES else "–",
            }
        )
    table_text = markdown_table(pd.DataFrame(rows)) if rows else _("(no arrow)")
    return [*heading, definition + " " + text, "", table_text, ""]


def _agreement_text(counted: Agreement, language: str) -> str:
    """:class:`Agreement` as ``3 of 4 (1 n/a)`` in ``language``."""
    if language == "en":
        return str(counted)
    _ = translator(language)
    text = _("{matches} of {compared}").format(matches=counted.matches, compared=counted.compared)
    if counted.unavailable:
        text += " " + _("({count} n/a)").format(count=counted.unavailable)
    return text
