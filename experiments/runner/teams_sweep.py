"""The team-split experiment: configurations × funding forms × neighbourhood types.

``wijksim compare-teams [SCENARIO]`` (issue 6, ODD §7.6) builds one sweep from three lists:

* **configurations** — the team's split: ``integral`` (one team) or the ``[team.split]`` of
  a scenario file (default the shipped ``team_focus_life_phase`` and ``team_front_back``);
  the split replaces the base scenario's, so every configuration has the same total FTE;
* **funding forms** — the variants of the shipped ``compare_funding`` sweep (the cost
  centre and the six forms) with its common settings (an adapting operator);
* **neighbourhood types** — Utrecht's weak (3,000 households), vulnerable (6,000) and
  strong (10,000) neighbourhoods, each served by one team of the scenario's size
  (S1 App. IV: 10 FTE per team; docs/sources.md §1).

The funding forms' sums were sized for the default team in its own neighbourhood
(6,000 households: €732,000 a year). Since every neighbourhood type is served by the
same team, the sums are **scaled with the team, not the neighbourhood**
(:func:`contract_for_team`): the lump sum per household is set so that each type's team
receives what the default team receives, so that neighbourhood types differ in load and
not in how large a contract they happen to get. (Scaling the team with the neighbourhood
instead would take away the difference in load per team that the types exist to show.)
Tariffs per hour, trajectory, result and escalation pay for work or events, not a
neighbourhood's sum, and the bonus per point and the ceiling are already sums per
contract: they stay as they are.

Each combination is a variant named ``configuration__form__neighbourhood``; every variant
runs on the same seeds, so within a neighbourhood type all runs of a seed share their
random streams (paired). The report compares every split with the integral team under
the same form in the same neighbourhood.
"""

from __future__ import annotations

from typing import Any

from wijksim.experiments.analysis.team_configurations import INTEGRAL
from wijksim.experiments.runner.sweep_spec import SweepSpec, VariantSpec, load_sweep
from wijksim.model.config.city import NEIGHBOURHOOD_TYPES
from wijksim.model.config.scenario import Scenario
from wijksim.model.config.team_split import TeamSplit
from wijksim.model.inputs.scaling import scale_to_households, sets_households
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, with_overrides

DEFAULT_CONFIGURATIONS: tuple[str, ...] = (INTEGRAL, "team_focus_life_phase", "team_front_back")


NEIGHBOURHOODS = NEIGHBOURHOOD_TYPES
"""Utrecht's weak, vulnerable and strong neighbourhoods.

One table, :mod:`wijksim.model.config.city`.
"""


def _type_overrides(name: str) -> dict[str, Any]:
    """The scenario fields a neighbourhood type sets, run as a neighbourhood of its own."""
    kind = NEIGHBOURHOOD_TYPES[name]
    return {
        "population.households": kind.households,
        "population.vulnerability_alpha": kind.vulnerability_alpha,
    }


LUMP_SUM = "funding.lump_sum_per_household_year_eur"
"""The contract's sum paid per household: the one that grows with the neighbourhood."""


def contract_for_team(variant: Scenario, sized_for: Scenario) -> dict[str, Any]:
    """The lump sum per household that pays ``variant``'s team what ``sized_for``'s got.

    The lump sum per household × ``sized_for``'s households is what the contract pays the
    team it was sized for; a team of another size gets that × the ratio of frontline
    FTE, whatever the number of households it serves.

    Args:
        variant: A run's scenario (its neighbourhood, team and contract).
        sized_for: The scenario whose neighbourhood and team the contract was sized for
            (the ``compare_funding`` sweep's own).

    Returns:
        ``{LUMP_SUM: value}``, or nothing without a contract or a team to size it for.
    """
    if variant.funding is None or variant.team is None or sized_for.team is None:
        return {}
    team_ratio = variant.team.frontline_fte / sized_for.team.frontline_fte
    households_ratio = sized_for.population.households / variant.population.households
    scaled = variant.funding.lump_sum_per_household_year_eur * households_ratio * team_ratio
    return {LUMP_SUM: scaled}


def configuration_split(name: str) -> dict[str, Any]:
    """The ``team.split`` of a configuration, as a plain dict for an override.

    Raises:
        ScenarioError: The scenario is unknown, invalid, or has no ``[team]``.
    """
    if name == INTEGRAL:
        return TeamSplit().model_dump(mode="json")
    resolved = load_scenario(name)
    if resolved.scenario.team is None:
        raise ScenarioError(resolved.path, "expected a scenario with a [team] and its [team.split]")
    return resolved.scenario.team.split.model_dump(mode="json")


def configuration_label(name: str) -> str:
    """Short label of a configuration: ``team_front_back`` → ``front_back``."""
    return name.removeprefix("team_")


def teams_sweep(
    scenario: str,
    configurations: list[str],
    forms: list[str] | None,
    neighbourhoods: list[str],
    seeds: int,
    first_seed: int,
    overrides: dict[str, Any],
) -> tuple[SweepSpec, Any]:
    """The sweep of every configuration × form × neighbourhood type.

    Args:
        scenario: Base scenario with a ``[team]`` (its split is replaced).
        configurations: ``integral`` and/or scenario names whose split to use; the
            first is the reference (``integral`` by default).
        forms: Names of ``compare_funding`` variants (``None``: all).
        neighbourhoods: Keys of :data:`NEIGHBOURHOODS`.
        seeds: Replicates.
        first_seed: The first seed.
        overrides: Dotted-field overrides for every run (``--years``, ``--set``).

    Returns:
        The sweep and the path of the funding sweep it takes its forms from.

    Raises:
        ScenarioError: An unknown configuration, form or neighbourhood type.
    """
    funding, funding_path = load_sweep("compare_funding")
    known_forms = {variant.name: variant for variant in funding.variants}
    chosen_forms = forms or list(known_forms)
    unknown = [f for f in chosen_forms if f not in known_forms]
    if unknown:
        raise ScenarioError(
            "--forms", f"expected funding forms from {list(known_forms)}, found {unknown}"
        )
    strange = [n for n in neighbourhoods if n not in NEIGHBOURHOODS]
    if strange:
        raise ScenarioError(
            "--neighbourhoods",
            f"expected neighbourhood types from {list(NEIGHBOURHOODS)}, found {strange}",
        )
    splits = {configuration_label(c): configuration_split(c) for c in configurations}
    base_scenario = load_scenario(scenario).scenario
    sized_for = load_scenario(funding.scenario).scenario
    variants = []
    for label, split in splits.items():
        for form in chosen_forms:
            for neighbourhood in neighbourhoods:
                base = known_forms[form]
                chosen = {
                    **base.set,
                    **_type_overrides(neighbourhood),
                    "team.split": split,
                    **overrides,  # the user's --households, --years, --set win
                }
                resolved = _resolve(base_scenario, {**funding.set, **chosen}, base.without)
                if sets_households(overrides):  # size the contract for the scaled team
                    resolved, _ = scale_to_households(
                        resolved, base_scenario.population.households, explicit=chosen
                    )
                # The contract sized for the team; a lump sum the user --set stays as given.
                sized = contract_for_team(resolved, sized_for)
                sized = {k: v for k, v in sized.items() if k not in overrides}
                variants.append(
                    VariantSpec(
                        name=f"{label}__{form}__{neighbourhood}",
                        set={**chosen, **sized},
                        without=base.without,
                    )
                )
    reference = variants[0].name
    spec = SweepSpec(
        name=f"compare-teams-{load_scenario(scenario).name}",
        scenario=scenario,
        analysis="teams",
        seeds=seeds,
        first_seed=first_seed,
        reference=reference,
        # The neighbourhood types are sized against one team of the scenario's size
        # (S1 App. IV), so their households do not scale it; the user's --households
        # (every type at that size) does, as in every other command (issue 15, item 14).
        scale_with_households=sets_households(overrides),
        set=funding.set,
        variants=variants,
    )
    return spec, funding_path


def _resolve(base: Scenario, settings: dict[str, Any], without: list[str]) -> Scenario:
    """A variant's scenario, to size its contract (:func:`plan_runs` checks it again)."""
    try:
        return with_overrides(base, {**settings, **dict.fromkeys(without)})
    except ScenarioError as error:
        raise ScenarioError("--set", error.message, error.field) from None
