"""A rule a partner might add, used to show that a failing run does not stop a sweep.

Imported through a sweep's ``plugins`` list, in the driver and in every worker.
"""

from __future__ import annotations

from wijksim.model.rules.base import Rule, register_rule

FAILING_SEED = 2


@register_rule
class FailOnOneSeed(Rule):
    """Raise in week 3 of the run with seed ``FAILING_SEED``; do nothing otherwise."""

    name = "fail_on_one_seed"

    def step(self, model) -> None:
        if model.streams.seed == FAILING_SEED and model.week == 3:
            raise RuntimeError(f"deliberate failure for seed {FAILING_SEED} (test plugin)")
