"""The rule interface and registry (ODD element 3, process overview).

A rule is a small class with a ``name``, ``setup(model)`` and ``step(model)``. Rules
register themselves by name with :func:`register_rule`; a scenario's ``schedule`` (or
:data:`~wijksim.model.schedule.DEFAULT_SCHEDULE`) lists the names in run order. A
partner adds a rule by writing one module with one registered class and naming it in a
scenario's schedule; nothing in ``model/`` needs to change. Each rule draws only from
its own random stream, ``model.streams.get(rule.name)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import numpy as np
    from wijksim.model.model import NeighbourhoodModel

RULES: dict[str, type[Rule]] = {}


class Rule:
    """Base class of all rules."""

    name: ClassVar[str] = ""

    def setup(self, model: NeighbourhoodModel) -> None:
        """Prepare anything the rule needs once, before the first step."""

    def step(self, model: NeighbourhoodModel) -> None:
        """Apply the rule for one week."""
        raise NotImplementedError

    def rng(self, model: NeighbourhoodModel) -> np.random.Generator:
        """This rule's own random stream."""
        return model.streams.get(self.name)


def register_rule(cls: type[Rule]) -> type[Rule]:
    """Class decorator: make a rule available under its ``name``.

    Raises:
        ValueError: If the name is empty or already taken by another class.
    """
    if not cls.name:
        raise ValueError(f"rule {cls.__qualname__} has no name")
    if cls.name in RULES and RULES[cls.name] is not cls:
        raise ValueError(f"rule name '{cls.name}' is already registered")
    RULES[cls.name] = cls
    return cls
