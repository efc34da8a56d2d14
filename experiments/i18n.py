"""Dutch and English for the dashboard and the reports: gettext for text, Babel for numbers.

Shared by the command line's analysis and reports and by :mod:`wijksim.dashboard`, which
is built on them; it lives here, below the dashboard, so that the reports need not import
the dashboard (issue 20, item 1; ``wijksim.dashboard.i18n`` re-exports it). The catalogue
is ``dashboard/locale/<lang>/LC_MESSAGES/wijksim_dashboard.po`` (installed as package data
of :mod:`wijksim.dashboard`). The command line's headline, figures and ``summary.md`` (the
modules of :data:`CATALOGUE_SOURCES`) share it, so that one term has one translation. Its compiled
``.mo`` is committed beside it, so that a fresh clone works after ``pip install -e .``
without a build step (``tests/test_dashboard_i18n.py`` checks that the ``.mo`` matches
the ``.po`` and that every string marked in these files has a Dutch translation). To
update after changing a marked string::

    pybabel extract -F dashboard/babel.cfg -k N_ --no-location --sort-output \
        -o dashboard/locale/wijksim_dashboard.pot dashboard \
        experiments/reports/headline.py experiments/plots/run_figures.py \
        experiments/reports/run_report.py experiments/reports/sweep_report.py \
        experiments/plots/sweep_plots.py experiments/analysis/funding_analysis.py \
        experiments/analysis/funding_catalogue.py experiments/analysis/funding_origins.py \
        experiments/plots/figure_tools.py \
        experiments/plots/funding_plots.py experiments/analysis/teams_analysis.py \
        experiments/analysis/teams_catalogue.py \
        experiments/plots/teams_plots.py experiments/analysis/transition_spending.py \
        experiments/plots/transition_plots.py experiments/reports/uncertainty.py \
        experiments/analysis/multiplicity.py experiments/reports/funding_report.py \
        experiments/reports/funding_incentives_report.py \
        experiments/reports/teams_report.py experiments/reports/transition_report.py \
        experiments/analysis/sweep_indicators.py experiments/reports/sweep_context.py
    pybabel update -i dashboard/locale/wijksim_dashboard.pot -d dashboard/locale \
        -D wijksim_dashboard --no-fuzzy-matching -w 88
    # translate the new entries in the .po, then
    pybabel compile -d dashboard/locale -D wijksim_dashboard

English is the source language: its "translation" is the marked text itself.
"""

from __future__ import annotations

import gettext
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd
from babel.numbers import format_currency, format_decimal, format_percent

DOMAIN = "wijksim_dashboard"
# experiments/ and dashboard/ are siblings both in the repository and when installed
# (wijksim/experiments, wijksim/dashboard), so this path holds in either layout.
LOCALE_DIR = Path(__file__).parents[1] / "dashboard" / "locale"
CATALOGUE_SOURCES: tuple[str, ...] = (
    "reports/headline.py",
    "plots/run_figures.py",
    "reports/run_report.py",
    "reports/sweep_report.py",
    "reports/sweep_context.py",
    "plots/sweep_plots.py",
    "analysis/funding_analysis.py",
    "analysis/funding_catalogue.py",
    "analysis/funding_origins.py",
    "reports/funding_report.py",
    "reports/funding_incentives_report.py",
    "plots/funding_plots.py",
    "plots/figure_tools.py",
    "analysis/teams_analysis.py",
    "analysis/teams_catalogue.py",
    "reports/teams_report.py",
    "plots/teams_plots.py",
    "analysis/transition_spending.py",
    "reports/transition_report.py",
    "plots/transition_plots.py",
    "reports/uncertainty.py",
    "analysis/multiplicity.py",
    "analysis/sweep_indicators.py",
)
"""The modules of :mod:`wijksim.experiments` whose marked strings are in this catalogue
(besides every module of :mod:`wijksim.dashboard`): the pybabel command above extracts them."""
LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
"""The dashboard is for Dutch municipalities: it opens in Dutch."""
BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
"""Babel locales for numbers: nl_NL writes € 1.234.567,89 (a non-breaking space after the
euro sign); en_GB writes €1,234,567.89."""

Translate = Callable[[str], str]


def N_(text: str) -> str:
    """Mark ``text`` for extraction without translating it now (translated where shown)."""
    return text


@cache
def translator(language: str) -> Translate:
    """The gettext function of ``language`` (``nl`` or ``en``).

    Raises:
        ValueError: For a language other than :data:`LANGUAGES`.
    """
    if language not in LANGUAGES:
        raise ValueError(f"expected a language in {LANGUAGES}, found {language!r}")
    if language == "en":
        return gettext.NullTranslations().gettext
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language]).gettext


def money(value: float, language: str, cents: bool = False) -> str:
    """An amount in euros as the language writes it: ``€ 1.234.568`` or ``€1,234,568``."""
    pattern = None if cents else "¤#,##0;¤-#,##0"
    if language == "nl" and not cents:
        # Dutch puts a (non-breaking, as Babel's own Dutch pattern) space after the sign.
        pattern = "¤\u00a0#,##0;¤\u00a0-#,##0"
    return format_currency(
        value, "EUR", format=pattern, locale=BABEL_LOCALES[language], currency_digits=cents
    )


def number(value: float, language: str, digits: int = 0) -> str:
    """A number with the language's grouping and decimal signs: ``1.234,5`` or ``1,234.5``."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=BABEL_LOCALES[language])


def percent(share: float, language: str, digits: int = 1) -> str:
    """A share as a percentage: ``12,5%`` or ``12.5%``."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(share, format=pattern, locale=BABEL_LOCALES[language])


MINUS = "\u2212"
"""The typographic minus sign: a hyphen before a number is easily missed in a table."""


def display_scale(unit: str, language: str = "en") -> tuple[float, str]:
    """Factor and unit for display: euros in millions, shares in per cent."""
    if unit == "€":
        return 1e-6, "€ M" if language == "en" else "€ mln"
    if unit == "share":
        return 100.0, "%"
    return 1.0, translator(language)(unit)


def significant_decimals(*values: float) -> int:
    """Decimals for about three significant figures of the largest value (at most 4)."""
    size = max((abs(v) for v in values if pd.notna(v)), default=0.0)
    if size == 0:
        return 2
    return int(min(4, max(0, 2 - math.floor(math.log10(size)))))


def signed_number(value: float, decimals: int | None = None, language: str = "en") -> str:
    """A number with thousands separators and a real minus sign ("–" if missing)."""
    if pd.isna(value):
        return "–"
    decimals = significant_decimals(value) if decimals is None else decimals
    text = number(abs(value), language, decimals)
    return (MINUS + text) if value < 0 and round(abs(value), decimals) != 0 else text


def with_interval(
    centre: float, low: float, high: float, around: str = "[{} – {}]", language: str = "en"
) -> str:
    """``centre [low – high]``, all three with the decimals the largest of them needs."""
    if pd.isna(centre):
        return "–"
    decimals = significant_decimals(centre, low, high)
    bounds = around.format(
        signed_number(low, decimals, language), signed_number(high, decimals, language)
    )
    return f"{signed_number(centre, decimals, language)} {bounds}"
