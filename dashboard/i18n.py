"""Re-export of :mod:`wijksim.experiments.i18n`, where the gettext and Babel helpers live.

They moved below the dashboard so that the command line's reports need not import it
(issue 20, item 1); this module keeps ``wijksim.dashboard.i18n`` importable for partners'
code written against it.
"""

from wijksim.experiments.i18n import (
    BABEL_LOCALES,
    CATALOGUE_SOURCES,
    DEFAULT_LANGUAGE,
    DOMAIN,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    Translate,
    money,
    number,
    percent,
    translator,
)

__all__ = [
    "BABEL_LOCALES",
    "CATALOGUE_SOURCES",
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Translate",
    "money",
    "number",
    "percent",
    "translator",
]
