"""Rules of the model, registered by name (importing this package registers them).

The weekly rules (``household``, ``care``, ``team``, ``funding``), their interface and
registry (``base``, the partner's import path: ``from wijksim.model.rules import Rule``)
and the order they run in (``schedule``). A rule changes the state through the model it is
handed: it may import :mod:`wijksim.model.contracts`, :mod:`wijksim.model.observation`,
the state, the schema and :mod:`wijksim.model.core`, never the agents or the wiring.
"""

from wijksim.model.observation.counters import Metric
from wijksim.model.rules import care, funding, household, team  # noqa: F401  (registration on import)
from wijksim.model.rules.base import RULES, Rule, RuleParams, register_rule

__all__ = ["RULES", "Metric", "Rule", "RuleParams", "register_rule"]
