"""Readable headers for the tables wijksim writes: one label and unit per column.

Parquet keeps the raw column names (``spending_eur``): code and tests read them. The CSV
files and the Excel workbook written beside it (:mod:`wijksim.experiments.reports.table_files`)
carry the header this registry gives, in English or Dutch: ``Spending (EUR)``,
``Uitgaven (EUR)`` (issue 17, item 3).

A column is found in :data:`COLUMNS` by its exact name, else by one of the families in
:func:`label_of` (a scenario field such as ``team.frontline_fte``, a ZRM domain, a
calibration target's mean or spread). A column no entry covers gets its raw name as
header; under ``WIJKSIM_STRICT_LABELS=1`` (set by ``tests/conftest.py``) it is an
error instead, so that any test of a command that writes a new column without a label
fails (:func:`wijksim.experiments.reports.table_files.headers`).

The Dutch is in the gettext catalogue ``wijksim_tables`` beside the dashboard's
(``dashboard/locale/nl/LC_MESSAGES/wijksim_tables.po``, compiled ``.mo`` committed).
After adding an entry::

    pybabel extract -k N_ --no-location --sort-output --project wijksim --version 0.1.0 \
        --copyright-holder wijksim -o dashboard/locale/wijksim_tables.pot \
        experiments/reports/table_labels.py experiments/reports/table_files.py
    pybabel update -i dashboard/locale/wijksim_tables.pot -d dashboard/locale \
        -D wijksim_tables --no-fuzzy-matching
    # translate the new entries in the .po, then
    pybabel compile -d dashboard/locale -D wijksim_tables

``tests/test_table_files.py`` fails while an entry has no Dutch translation.

Over 300 lines because most of it is the one table of column labels (:data:`COLUMNS`), kept
whole so that every column's label and unit has one home.
"""

from __future__ import annotations

import gettext
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from wijksim.experiments.i18n import LOCALE_DIR, N_

DOMAIN = "wijksim_tables"
"""The gettext domain of the table headers."""
LANGUAGES = ("en", "nl")


@dataclass(frozen=True)
class Column:
    """A column's header: what it holds and in which unit (``""``: none)."""

    label: str
    unit: str = ""


EUR = N_("EUR")
SHARE = N_("share, 0–1")
COUNT = N_("number")
WEEKS = N_("weeks")
SECONDS = N_("seconds")
SCALE = N_("0–1")

COLUMNS: dict[str, Column] = {
    # --- identity, time and tidy (long) tables
    "step": Column(N_("Step"), N_("weeks since the start")),
    "year": Column(N_("Year of the run")),
    "years": Column(N_("Years simulated")),
    "metric": Column(N_("Metric")),
    "value": Column(N_("Value"), N_("unit of the metric")),
    "seed": Column(N_("Seed")),
    "run_id": Column(N_("Run")),
    "variant": Column(N_("Variant")),
    "condition": Column(N_("Condition")),
    "point": Column(N_("Sample point")),
    "wave": Column(N_("Wave")),
    "view": Column(N_("View (MKBA: society, GKBA: municipality)")),
    "component": Column(N_("Spending component")),
    "indicator": Column(N_("Indicator")),
    "quantity": Column(N_("Quantity (level or difference)")),
    "output": Column(N_("Output")),
    "parameter": Column(N_("Parameter")),
    "target": Column(N_("Target")),
    "label": Column(N_("Description")),
    "unit": Column(N_("Unit")),
    "note": Column(N_("Note")),
    "verdict": Column(N_("Verdict")),
    # --- households at the end of a run (wijksim run)
    "household_id": Column(N_("Household number")),
    "vulnerability": Column(N_("Vulnerability"), SCALE),
    "own_strength": Column(N_("Own strength"), SCALE),
    "life_phase": Column(N_("Life phase")),
    "has_children": Column(N_("Has children")),
    "status": Column(N_("Status")),
    "need_group": Column(N_("Need group")),
    "escalations": Column(N_("Escalations"), COUNT),
    "cost_eur": Column(N_("Spending"), EUR),
    "cost_eur_last_year": Column(N_("Spending in the last year"), EUR),
    "network_degree": Column(N_("Social contacts"), COUNT),
    # --- the ledger: every booking
    "stream": Column(N_("Spending stream")),
    "payer": Column(N_("Payer")),
    "agent_id": Column(N_("Booked for (agent number)")),
    "agent_kind": Column(N_("Booked for (kind of agent)")),
    "amount_cents": Column(N_("Amount"), N_("euro cents")),
    "amount_eur": Column(N_("Amount"), EUR),
    # --- a city: the provider contracted in each neighbourhood (model/config/city.py)
    "provider": Column(N_("Provider")),
    # --- spread over seeds and paired differences (sweep reports)
    "median": Column(N_("Median")),
    "mean": Column(N_("Mean")),
    "p05": Column(N_("5th percentile")),
    "p95": Column(N_("95th percentile")),
    "q05": Column(N_("5th percentile")),
    "q95": Column(N_("95th percentile")),
    "n": Column(N_("Runs or pairs"), COUNT),
    "runs": Column(N_("Runs"), COUNT),
    "mean_difference": Column(N_("Mean paired difference")),
    "ci_low": Column(N_("Confidence interval (90%), low")),
    "ci_high": Column(N_("Confidence interval (90%), high")),
    # --- the yearly indicators of S1 App. V (experiments/analysis/indicators.py)
    "level": Column(N_("Level (caseload or population)")),
    "standard_error": Column(N_("Standard error (sampling)")),
    "sample_households": Column(N_("Households in the sample behind the estimate"), COUNT),
    "reference": Column(N_("Reference")),
    "reference_condition": Column(N_("Reference condition")),
    "reference_mean": Column(N_("Mean of the reference")),
    "parameters_sd": Column(N_("Standard deviation between parameter sets")),
    "seeds_sd": Column(N_("Standard deviation between seeds")),
    "parameters_share": Column(N_("Parameters' share of the variance"), SHARE),
    # --- the transition curve (wijksim transition)
    "scenario_eur": Column(N_("Spending with the neighbourhood team"), EUR),
    "reference_eur": Column(N_("Spending, old system continued"), EUR),
    "extra_eur": Column(N_("Extra spending"), EUR),
    "investment_hump_year": Column(N_("Hump 1 (investment): year")),
    "investment_hump_eur": Column(N_("Hump 1 (investment): extra per year"), EUR),
    "safety_net_hump_year": Column(N_("Hump 2 (found need, safety net): year")),
    "safety_net_hump_eur": Column(N_("Hump 2 (found need, safety net): extra per year"), EUR),
    "peak_extra_year": Column(N_("Year of the most extra spending")),
    "peak_extra_eur": Column(N_("Most extra spending in a year"), EUR),
    "break_even_year": Column(N_("Break-even year")),
    "payback_year": Column(N_("Payback year")),
    "cumulative_investment_eur": Column(N_("To pre-finance (most cumulative extra)"), EUR),
    "cumulative_extra_eur": Column(N_("Cumulative extra spending"), EUR),
    "pv_costs_eur": Column(N_("Present value of the costs"), EUR),
    "pv_benefits_eur": Column(N_("Present value of the benefits"), EUR),
    "npv_eur": Column(N_("Net present value"), EUR),
    "bcr": Column(N_("Benefit–cost ratio")),
    "n_seeds": Column(N_("Seeds"), COUNT),
    "share_of_seeds": Column(N_("Share of seeds"), SHARE),
    # --- funding forms (wijksim compare-funding)
    "form": Column(N_("Funding form")),
    "dimension": Column(N_("Dimension")),
    "relative_effect": Column(N_("Relative effect"), SHARE),
    "relative_ci_low": Column(N_("Relative effect, interval (90%), low"), SHARE),
    "relative_ci_high": Column(N_("Relative effect, interval (90%), high"), SHARE),
    "arrow": Column(N_("Direction found")),
    "expected": Column(N_("Direction expected")),
    "agrees": Column(N_("Agrees with the expectation")),
    "threshold": Column(N_("Threshold for a clear effect"), SHARE),
    "p_value": Column(N_("p-value, paired t-test (two-sided)")),
    "p_adjusted": Column(N_("p-value adjusted for the many cells called")),
    "family": Column(N_("Family of cells adjusted together (grid values)")),
    "family_size": Column(N_("Cells in the family"), COUNT),
    "correction": Column(N_("Multiplicity correction (holm or fdr_bh)")),
    "alpha": Column(N_("Family-wise significance level")),
    "origin": Column(N_("Arrow by construction or emerging")),
    # --- team splits (wijksim compare-teams)
    "configuration": Column(N_("Team configuration")),
    # compare-teams: its type (weak, vulnerable, strong); a city (ledger, neighbourhoods): its name
    "neighbourhood": Column(N_("Neighbourhood")),
    "team": Column(N_("Team")),
    # --- sensitivity analysis (wijksim sensitivity)
    "mu": Column(N_("Morris mu (mean elementary effect)")),
    "mu_star": Column(N_("Morris mu* (mean absolute elementary effect)")),
    "mu_star_conf": Column(N_("Morris mu*, half-width of its interval (95%)")),
    "sigma": Column(N_("Morris sigma (spread of the elementary effects)")),
    "noise_mu_star": Column(N_("Morris mu* of the seed noise alone")),
    "S1": Column(N_("Sobol first-order index"), SCALE),
    "S1_conf": Column(N_("Sobol first-order index, half-width of its interval (95%)")),
    "ST": Column(N_("Sobol total index"), SCALE),
    "ST_conf": Column(N_("Sobol total index, half-width of its interval (95%)")),
    "noise_share": Column(N_("Share of the variance from seed noise"), SHARE),
    # --- benchmark (wijksim bench)
    "implementation": Column(N_("Implementation")),
    "households": Column(N_("Households"), COUNT),
    "weeks": Column(N_("Weeks simulated"), COUNT),
    "seconds": Column(N_("Time"), SECONDS),
    "seconds_per_step": Column(N_("Time per week"), SECONDS),
    "setup_seconds": Column(N_("Time to set up"), SECONDS),
    "household_steps_per_second": Column(N_("Speed"), N_("household-weeks per second")),
    "core_household_steps_per_second": Column(
        N_("Speed of the array core"), N_("household-weeks per second")
    ),
    "reference_household_steps_per_second": Column(
        N_("Speed of the idiomatic Mesa reference"), N_("household-weeks per second")
    ),
    "speedup": Column(N_("Speed-up"), N_("times")),
    "peak_memory_mb": Column(N_("Peak memory"), N_("MB")),
    "table_rows": Column(N_("Rows of the per-week table"), COUNT),
    "rule": Column(N_("Rule")),
    "ms_per_step": Column(N_("Time per week"), N_("milliseconds")),
    "measured": Column(N_("Measured")),
    "met": Column(N_("Target met")),
    # --- calibration by history matching (wijksim calibrate --spec)
    "best": Column(N_("Best point's value")),
    "best_I": Column(N_("Best point's implausibility")),
    "ensemble_q05": Column(N_("Not ruled out: 5th percentile")),
    "ensemble_median": Column(N_("Not ruled out: median")),
    "ensemble_q95": Column(N_("Not ruled out: 95th percentile")),
    "points_meeting": Column(N_("Points within the target range"), COUNT),
    "low": Column(N_("Low")),
    "high": Column(N_("High")),
    "nroy_low": Column(N_("Not ruled out: lowest")),
    "nroy_high": Column(N_("Not ruled out: highest")),
    "nroy_share_of_range": Column(N_("Not ruled out: share of the range"), SHARE),
    "informed_by": Column(N_("Informed by")),
    "I_max": Column(N_("Largest implausibility")),
    # --- reliability of settling on results (wijksim reliability, S1 App. VI)
    "colour": Column(N_("Colour of S1 App. VI (green: meets, yellow: partly)")),
    "band": Column(N_("Band of the indicator's mean proportion")),
    "p": Column(N_("Mean proportion tested against"), SHARE),
    "odds_ratio": Column(N_("Provider's odds ratio against the mean")),
    "source_n": Column(N_("Observations needed, source"), COUNT),
    "formula_n": Column(N_("Observations needed, normal approximation"), COUNT),
    "simulated_n": Column(N_("Observations needed, simulated"), COUNT),
    "simulated_power": Column(N_("Power at the source's number, simulated"), SHARE),
    "exact_power": Column(N_("Power at the source's number, exact binomial"), SHARE),
    "power_se": Column(N_("Monte Carlo standard error of the simulated power"), SHARE),
    "effect": Column(N_("Fitted difference (log odds ratio, relative or absolute)")),
    "rms_log_error": Column(N_("Root-mean-square error of log observations")),
    "window": Column(N_("Years pooled"), COUNT),
    "estimator": Column(N_("Estimate (raw or shrunken)")),
    "units": Column(N_("Neighbourhoods × simulated cities"), COUNT),
    "settled": Column(N_("Rewarded or penalised"), COUNT),
    "money": Column(N_("Bonus–malus settled"), N_("events")),
    "wrong_side_share": Column(N_("Settled on the wrong side"), SHARE),
    "right_share": Column(N_("Settled on the right side"), SHARE),
    "wrong_money_share": Column(N_("Share of the money paid in the wrong direction"), SHARE),
}
"""Every column by its exact name. Where a name appears in several commands' tables it
means the same there (``low``/``high``: a target's or a parameter's range)."""

PREFIXED: dict[str, str] = {
    "mean_": N_("Mean of {target}"),
    "sd_": N_("Standard deviation of {target}"),
    "I_": N_("Implausibility of {target}"),
    "rho_": N_("Rank correlation with {target}"),
}
"""Calibration tables: a target's mean, spread, implausibility or correlation per point
(``mean_evictions``); the target's own column (``evictions``) is its simulated value."""

ZRM_LABEL = N_("Self-sufficiency (ZRM): {domain}")
ZRM_UNIT = N_("level 1–5")
DOMAIN_NAMES: dict[str, str] = {
    "finances": N_("finances"),
    "daytime_activity": N_("daytime activity"),
    "housing": N_("housing"),
    "family_and_parenting": N_("family and parenting"),
    "mental_health": N_("mental health"),
    "physical_health": N_("physical health"),
    "addiction": N_("addiction"),
    "adl": N_("daily living (ADL)"),
    "social_network": N_("social network"),
    "community_participation": N_("community participation"),
    "justice": N_("justice"),
}
"""The ZRM domains (:data:`wijksim.model.core.domains.DOMAINS`) as a reader names them."""
FIELD_LABEL = N_("Scenario field {field}")
SIMULATED_LABEL = N_("Simulated: {target}")
METRIC_LABEL = N_("Metric {metric} (per year: flows summed, states averaged)")
"""A model metric as a column of a wide table (the dashboard's per-seed tables): its
name, which the README's list of metrics explains, and how a year's value is formed."""
STATISTICS: dict[str, str] = {
    "_median": N_("{label}: median over seeds"),
    "_p05": N_("{label}: 5th percentile over seeds"),
    "_p95": N_("{label}: 95th percentile over seeds"),
}
"""A column of :data:`COLUMNS` summarised over seeds (``scenario_eur_median``: the
transition curves)."""

Template = tuple[str, dict[str, str], str]
"""A label with ``{placeholders}``, their values (not translated) and a unit."""


@cache
def _target_names() -> frozenset[str]:
    """The shipped targets' names (``data/targets.toml``): calibration columns."""
    from wijksim.experiments.analysis.targets import load_targets

    return frozenset(load_targets())


def template_of(column: str, metrics: Collection[str] = ()) -> Template | None:
    """The untranslated label template of a column; ``None`` when no entry covers it.

    A family is translated as its template (``Mean of {target}``) and filled afterwards,
    so one catalogue entry serves every target and scenario field. ``metrics`` are the
    columns of a wide table that hold model metrics (:data:`METRIC_LABEL`).
    """
    if column in COLUMNS:
        entry = COLUMNS[column]
        return entry.label, {}, entry.unit
    if column in metrics:
        unit = EUR if column.endswith("_eur") else SHARE if column.startswith("share_") else ""
        return METRIC_LABEL, {"metric": column}, unit
    for suffix, text in STATISTICS.items():
        base = column.removesuffix(suffix)
        if column.endswith(suffix) and base in COLUMNS:
            return text, {"label": COLUMNS[base].label}, COLUMNS[base].unit
    if "." in column:  # a scenario field varied over a grid or sampled in a design
        return FIELD_LABEL, {"field": column}, ""
    if column.startswith("zrm_") and column[4:] in DOMAIN_NAMES:
        return ZRM_LABEL, {"domain": DOMAIN_NAMES[column[4:]]}, ZRM_UNIT
    for prefix, text in PREFIXED.items():
        target = column[len(prefix) :]
        if column.startswith(prefix) and target in _target_names():
            return text, {"target": target}, ""
    if column in _target_names():
        return SIMULATED_LABEL, {"target": column}, ""
    return None


@cache
def translator(language: str):
    """The gettext function of ``language`` for table headers (English: the text itself).

    Raises:
        ValueError: For a language other than ``en`` and ``nl``.
    """
    if language not in LANGUAGES:
        raise ValueError(f"expected a language in {LANGUAGES}, found {language!r}")
    if language == "en":
        return gettext.NullTranslations().gettext
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language]).gettext


def header(column: str, language: str = "en", metrics: Collection[str] = ()) -> str | None:
    """``Spending (EUR)`` / ``Uitgaven (EUR)``; ``None`` for a column without a label.

    ``metrics``: columns that hold model metrics (:func:`template_of`).
    """
    found = template_of(column, metrics)
    if found is None:
        return None
    label, fields, unit = found
    translate = translator(language)
    text = translate(label).format(**{key: translate(value) for key, value in fields.items()})
    return f"{text} ({translate(unit)})" if unit else text
