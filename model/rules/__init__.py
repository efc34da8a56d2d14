"""Rules of the model, registered by name (importing this package registers them)."""

from wijksim.model.observation.counters import Metric
from wijksim.model.rules import care, funding, household, team  # noqa: F401  (registration on import)
from wijksim.model.rules.base import RULES, Rule, RuleParams, register_rule

__all__ = ["RULES", "Metric", "Rule", "RuleParams", "register_rule"]
