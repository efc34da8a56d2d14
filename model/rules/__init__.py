"""Rules of the model, registered by name (importing this package registers them)."""

from wijksim.model.rules import care, funding, household, team  # noqa: F401  (registration on import)
from wijksim.model.rules.base import RULES, Rule, register_rule

__all__ = ["RULES", "Rule", "register_rule"]
