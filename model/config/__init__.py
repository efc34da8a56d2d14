"""The scenario schema: what a scenario can say, with units and sources; no behaviour.

The top-level :class:`~wijksim.model.config.scenario.Scenario` and its sections: the team
(``team_params``), its split (``team_split``), a city's neighbourhoods and providers
(``city``) and the need groups (``classification``), on one base class and shared field
types (``base``). Imports only :mod:`wijksim.model.core`,
except the two sections that still live beside their mechanism (the funding terms in
``contracts/funding.py``, the survey's sample in ``observation/survey.py``; pyproject.toml
says why).
"""
