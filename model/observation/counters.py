"""What each recorded metric is: a weekly flow or an end-of-week state (issue 20, item 3).

Every metric the model records is declared here once with its kind, by wijksim
(:mod:`wijksim.model.observation.metrics`) or by a partner's rule (``Rule.metrics``). Tables by
year and reports read the kind from here: a **flow** counts or costs what happened *in*
a week and is summed over a year or a run; a **state** describes the end of a week and
is averaged. A metric nobody declared is a state, as every undeclared metric was before
declarations existed.

A declaration names one metric, or a family of metrics by their common start
(``cost_`` for ``cost_team_eur``, …), or a metric that a split's teams also record each
under their own name (``team_admissions__youth``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MetricKind(StrEnum):
    """How a metric adds up over time."""

    FLOW = "flow"
    """Events or euros of one week: summed over a year or a run."""
    STATE = "state"
    """The end of one week: averaged over a year, or the final year's mean."""


@dataclass(frozen=True)
class Metric:
    """A declared metric.

    Attributes:
        name: The metric's name, or the common start of a family's names.
        kind: ``"flow"`` or ``"state"``.
        description: What it counts or describes, with its unit.
        family: ``name`` is the start of every metric of the family.
        per_team: A split's teams each record it too, as ``name__<team>``.
    """

    name: str
    kind: MetricKind
    description: str = ""
    family: bool = False
    per_team: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", MetricKind(self.kind))  # "flow" → FLOW


_DECLARED: dict[str, Metric] = {}
_FAMILIES: dict[str, Metric] = {}
_BY_RULES: dict[str, Metric] = {}
"""The metrics that rules declare (a partner's), which reports add as they are."""
_OWN: dict[tuple[bool, str], Metric] = {}
"""The package's own declarations, by (family, name), whatever a rule declares later."""


def declare(metric: Metric, owner: str = "wijksim") -> Metric:
    """Declare ``metric``; declaring the same metric again with the same kind is allowed.

    Raises:
        ValueError: If the name is already declared with another kind.
    """
    table = _FAMILIES if metric.family else _DECLARED
    earlier = table.get(metric.name)
    if earlier is not None and earlier.kind is not metric.kind:
        raise ValueError(
            f"metric '{metric.name}' ({owner}) is declared a {metric.kind.value}, "
            f"but already a {earlier.kind.value}"
        )
    table[metric.name] = metric
    if owner != "wijksim":
        _BY_RULES[metric.name] = metric
    else:
        _OWN[(metric.family, metric.name)] = metric
    return metric


def declared_metrics() -> tuple[Metric, ...]:
    """The package's own declarations, families first, each in the order declared.

    The metrics that rules declared (a partner's, :func:`declared_by_rules`) are left out,
    so that the list does not depend on which plugins are imported.
    """
    return tuple(sorted(_OWN.values(), key=lambda m: not m.family))


def declared_by_rules() -> tuple[Metric, ...]:
    """The metrics declared by rules (imported plugins), in the order declared."""
    return tuple(_BY_RULES.values())


def declaration(metric: str) -> Metric | None:
    """The declaration that covers ``metric``, or ``None`` if none does.

    A metric's own declaration first, then the per-team one of its base name
    (``team_admissions`` for ``team_admissions__youth``), then a family's.
    """
    own = _DECLARED.get(metric)
    if own is not None:
        return own
    base, _, team = metric.partition("__")
    shared = _DECLARED.get(base)
    if team and shared is not None and shared.per_team:
        return shared
    return next((f for start, f in _FAMILIES.items() if metric.startswith(start)), None)


def kind_of(metric: str) -> MetricKind:
    """Whether ``metric`` is a flow or a state (a state if nobody declared it)."""
    found = declaration(metric)
    return found.kind if found is not None else MetricKind.STATE


def is_declared(metric: str) -> bool:
    """Whether any declaration covers ``metric``."""
    return declaration(metric) is not None
