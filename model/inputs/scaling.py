"""Scaling a scenario to another number of households: the team and sums that go with it.

A scenario describes one neighbourhood: its households, the team that serves them and
some sums of money fixed for the whole neighbourhood. Overriding only
``population.households`` (``--households 3000``) would keep the 6,000-household team
for half the households, so whenever the households are overridden, the amounts in
:data:`PER_NEIGHBOURHOOD_FIELDS` are scaled in proportion, unless the same overrides set
them explicitly (issue 15, item 14). Amounts already given per household, per 1,000
households, per hour, per case or per event scale by themselves and are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.scenario_io import with_overrides

HOUSEHOLDS = "population.households"
CITY_HOUSEHOLDS = "city households"
"""What :func:`scale_city` reports the city's households as (from, to)."""

PER_NEIGHBOURHOOD_FIELDS: tuple[str, ...] = (
    "team.frontline_fte",
    "team.overhead_fte",
    "funding.ceiling_per_year_eur",
    "funding.population_results.bonus_per_point_eur",
    "transition.friction_cost_eur",
)
"""Absolute amounts for the whole neighbourhood, sized to its households.

* the team's FTE (``team.split`` divides them by shares, so every team of a split
  scales alike);
* the annual budget ceiling, which caps a revenue that is itself per household;
* the bonus per percentage point self-reliant: a point is 1% of the households (the
  shipped €7,320 is 1% of the 6,000-household lump sum);
* the one-off friction costs of the switch (reorganisation of the neighbourhood's
  access, assumption: in proportion to its size, like the team they rebuild).

Left alone, because they are per household, per 1,000, per unit of work or per event:
``funding.lump_sum_per_household_year_eur``, tariffs per hour, trajectory and result,
``malus_per_escalation_eur``, ``specialist_baseline_per_1000_eur``, quotas per 1,000,
``sample_households`` (a sample's size sets its precision, not its population's),
``operator.outcome_value_eur`` (per household and week), and everything outside these
sections (specialist capacities and the desk are per 1,000 households already).
"""


def _value(scenario: Scenario, dotted: str) -> Any:
    """A field's value, or ``None`` if it or its section is absent."""
    value: Any = scenario
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _is_explicit(dotted: str, explicit: Iterable[str]) -> bool:
    """Whether an override sets the field itself or a table that contains it."""
    return any(dotted == key or dotted.startswith(f"{key}.") for key in explicit)


def sets_households(overrides: Iterable[str]) -> bool:
    """Whether overrides with these keys change the number of households."""
    return any(_is_explicit(HOUSEHOLDS, [key]) for key in overrides)


def scale_to_households(
    scenario: Scenario, reference_households: int, explicit: Iterable[str] = ()
) -> tuple[Scenario, dict[str, list[float]]]:
    """Scale the per-neighbourhood amounts from ``reference_households`` to the scenario's.

    Args:
        scenario: The scenario with its new number of households.
        reference_households: The households its amounts were set for (the file's).
        explicit: Dotted keys the user set; these fields (and fields inside these
            tables) keep their values.

    Returns:
        The scaled scenario, and ``{field: [from, to]}`` for every field that changed.
    """
    if scenario.city is not None:
        return scale_city(scenario, reference_households, explicit)
    factor = scenario.population.households / reference_households
    explicit = list(explicit)
    changes: dict[str, list[float]] = {}
    for dotted in PER_NEIGHBOURHOOD_FIELDS:
        value = _value(scenario, dotted)
        if factor == 1 or value is None or value == 0 or _is_explicit(dotted, explicit):
            continue
        if dotted.startswith("transition.") and scenario.team is None:
            continue  # without a team there is no switch, and its costs are ignored
        changes[dotted] = [value, value * factor]
    if not changes:
        return scenario, {}
    scaled = with_overrides(scenario, {field: new for field, (_, new) in changes.items()})
    return scaled, changes


def scale_city(
    scenario: Scenario, reference_households: int, explicit: Iterable[str] = ()
) -> tuple[Scenario, dict[str, list[float]]]:
    """A city given ``population.households``: every neighbourhood scaled to a city that size.

    ``--households 3000`` on a city means 3,000 households in all: each neighbourhood
    gets its share in proportion to its size (whole households, summing exactly), and
    the FTE its own team settings give scale with it. ``population.households`` goes back
    to ``reference_households``: it is what ``[team]`` is sized for, which does not change.

    Returns:
        The scaled scenario, and ``{"city households": [from, to]}`` plus every
        neighbourhood's FTE that changed.
    """
    from wijksim.model.config.city import split_by_weights

    total = scenario.population.households
    hoods = scenario.city.neighbourhoods
    sizes = [hood.size for hood in hoods.values()]
    explicit = list(explicit)
    overrides: dict[str, Any] = {HOUSEHOLDS: reference_households}
    changes: dict[str, list[float]] = {CITY_HOUSEHOLDS: [sum(sizes), total]}
    for (name, hood), size in zip(hoods.items(), split_by_weights(total, sizes), strict=True):
        where = f"city.neighbourhoods.{name}"
        if _is_explicit(f"{where}.households", explicit):
            continue
        overrides[f"{where}.households"] = size
        for fte in ("frontline_fte", "overhead_fte"):
            dotted = f"{where}.team.{fte}"
            if fte in hood.team and not _is_explicit(dotted, explicit):
                changes[dotted] = [hood.team[fte], hood.team[fte] * size / hood.size]
                overrides[dotted] = changes[dotted][1]
    return with_overrides(scenario, overrides), changes


def with_overrides_scaled(
    scenario: Scenario, overrides: dict[str, Any]
) -> tuple[Scenario, dict[str, list[float]]]:
    """:func:`~wijksim.model.inputs.scenario_io.with_overrides`, then scaled if they set households.

    Returns:
        The scenario and what was scaled (``{field: [from, to]}``, empty if nothing).
    """
    changed = with_overrides(scenario, overrides) if overrides else scenario
    if not sets_households(overrides):
        return changed, {}
    return scale_to_households(changed, scenario.population.households, explicit=overrides)


def describe_scaling(scaled: dict[str, list[float]], households: int, hint: bool = True) -> str:
    """One line for the terminal: ``scaled to 3,000 households: team.frontline_fte 8 → 4``.

    Args:
        scaled: ``{field: [from, to]}`` from :func:`scale_to_households`.
        households: The households scaled to.
        hint: Add how to keep a field (for the command line, not for reports).
    """
    if CITY_HOUSEHOLDS in scaled:  # a city: population.households is its teams' reference
        households = round(scaled[CITY_HOUSEHOLDS][1])
    changes = ", ".join(f"{field} {old:g} → {new:g}" for field, (old, new) in scaled.items())
    line = f"scaled to {households:,} households: {changes}"
    return line + " (set a field with --set to keep it)" if hint else line
