"""What a run records: reading the state, never changing the course of a run.

The weekly ``metrics`` and the declared kind of every metric (``counters``), the
``outcomes`` of closures, the team's ``trajectories`` and the year-end ``survey``. May
import :mod:`wijksim.model.state`, :mod:`wijksim.model.config` and
:mod:`wijksim.model.core`.
"""
