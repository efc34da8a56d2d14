"""The policy analyst's dashboard: ``wijksim dashboard`` (issue 17, items 1, 2 and 4).

* :mod:`~wijksim.dashboard.i18n` — re-exports :mod:`wijksim.experiments.i18n`, the Dutch and
  English text (gettext) and numbers (Babel) it shares with the reports;
* :mod:`~wijksim.dashboard.knobs` — the knobs a municipality controls, with unit, range,
  default and source;
* :mod:`~wijksim.dashboard.compute` — runs, tables and comparisons, free of Streamlit so
  that they can be tested on their own;
* :mod:`~wijksim.dashboard.figures` — the figures, in either language;
* ``app.py`` — the Streamlit script that ``wijksim dashboard`` serves.
"""
