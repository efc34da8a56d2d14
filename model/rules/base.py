"""The rule interface and registry (ODD element 3, process overview).

A rule is a small class with a ``name``, ``setup(model)`` and ``step(model)``. Rules
register themselves by name with :func:`register_rule`; a scenario's ``schedule`` (or
:data:`~wijksim.model.rules.schedule.DEFAULT_SCHEDULE`) lists the names in run order. A
partner adds a rule by writing one module with one registered class, importing it with
``--plugin`` or ``plugins = [...]``, and placing it with ``after``/``before`` in the
scenario's ``[rules.<name>]`` table, which also holds the rule's parameters (its
``Params`` model); nothing in ``model/`` needs to change (docs/extending.md). Each rule
draws only from its own random stream, ``model.streams.get(rule.name)``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from wijksim.model.config.base import Section
from wijksim.model.observation.counters import Metric, declare

if TYPE_CHECKING:
    import numpy as np
    from wijksim.model.model import NeighbourhoodModel

RULES: dict[str, type[Rule]] = {}


PLACEMENT_KEYS: tuple[str, ...] = ("after", "before")
"""Keys of a ``[rules.<name>]`` table that place the rule in the schedule; the other
keys are the rule's parameters."""


class RuleParams(Section):
    """Base of a rule's parameter model: unknown keys are errors, types are strict."""


class Rule:
    """Base class of all rules.

    Attributes:
        name: The name the schedule and ``[rules.<name>]`` use.
        Params: The rule's parameter model, validated from ``[rules.<name>]``; the
            instance's ``params`` holds the validated values (defaults without a table).
        metrics: The metrics the rule records, each a flow (counted in
            ``model.counters``) or a state (returned by :meth:`record`).
    """

    name: ClassVar[str] = ""
    Params: ClassVar[type[RuleParams]] = RuleParams
    metrics: ClassVar[tuple[Metric, ...]] = ()

    def __init__(self, params: RuleParams | None = None) -> None:
        self.params = params if params is not None else self.Params()

    def setup(self, model: NeighbourhoodModel) -> None:
        """Prepare anything the rule needs once, before the first step."""

    def step(self, model: NeighbourhoodModel) -> None:
        """Apply the rule for one week."""
        raise NotImplementedError

    def record(self, model: NeighbourhoodModel) -> dict[str, Any]:
        """This week's values of the rule's declared state metrics (none by default)."""
        return {}

    def rng(self, model: NeighbourhoodModel) -> np.random.Generator:
        """This rule's own random stream."""
        return model.streams.get(self.name)


def register_rule(cls: type[Rule]) -> type[Rule]:
    """Class decorator: make a rule available under its ``name``.

    Declares the rule's metrics with their kind, so that reports sum its flows and
    average its states.

    Raises:
        ValueError: If the name is empty or already taken by another class, a parameter
            is called ``after`` or ``before``, or a metric is already declared with
            another kind.
    """
    if not cls.name:
        raise ValueError(f"rule {cls.__qualname__} has no name")
    earlier = RULES.get(cls.name)
    if earlier is not None and _where(earlier) != _where(cls):  # re-importing replaces
        raise ValueError(f"rule name '{cls.name}' is already registered by {_where(earlier)}")
    reserved = sorted(set(PLACEMENT_KEYS) & set(cls.Params.model_fields))
    if reserved:
        raise ValueError(f"rule '{cls.name}': parameters may not be called {reserved}")
    for metric in cls.metrics:
        declare(metric, owner=cls.name)
    RULES[cls.name] = cls
    return cls


def _where(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def params_for(rule: type[Rule], tables: dict[str, dict[str, Any]]) -> RuleParams:
    """The rule's parameters from the scenario's ``rules`` tables (its defaults without).

    Raises:
        pydantic.ValidationError: A parameter is unknown or has a wrong type or value.
    """
    given = {k: v for k, v in tables.get(rule.name, {}).items() if k not in PLACEMENT_KEYS}
    # Through JSON, as the scenario itself is validated: the same strict rules apply.
    return rule.Params.model_validate_json(json.dumps(given))
