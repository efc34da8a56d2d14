"""The team-split experiment: configurations × funding forms × neighbourhood types.

``wijksim compare-teams [SCENARIO]`` (issue 6, ODD §7.14) builds one sweep from three lists:

* **configurations** — the team's split: ``integral`` (one team) or the ``[team.split]`` of
  a scenario file (default the shipped ``team_focus_life_phase`` and ``team_front_back``);
  the split replaces the base scenario's, so every configuration has the same total FTE;
* **funding forms** — the variants of the shipped ``compare_funding`` sweep (the cost
  centre and the six forms) with its common settings (an adapting operator);
* **neighbourhood types** — Utrecht's weak (3,000 households), vulnerable (6,000) and
  strong (10,000) neighbourhoods, each served by one team of the scenario's size
  (S1 App. IV: 10 FTE per team; DOMAIN.md §1).

Each combination is a variant named ``configuration__form__neighbourhood``; every variant
runs on the same seeds, so within a neighbourhood type all runs of a seed share their
random streams (paired). The report compares every split with the integral team under
the same form in the same neighbourhood.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wijksim.experiments.sweep_spec import SweepSpec, VariantSpec, load_sweep
from wijksim.model.scaling import sets_households
from wijksim.model.scenario_io import ScenarioError, load_scenario
from wijksim.model.team_split import TeamSplit

INTEGRAL = "integral"
"""The reference configuration: one team, all domains, one queue."""

DEFAULT_CONFIGURATIONS: tuple[str, ...] = (INTEGRAL, "team_focus_life_phase", "team_front_back")


@dataclass(frozen=True)
class NeighbourhoodType:
    """A neighbourhood type: its size and how vulnerable its households are."""

    households: int
    vulnerability_alpha: float
    """Of the Beta(alpha, 5) latent vulnerability (default 2.0: mean 0.29)."""

    def overrides(self) -> dict[str, Any]:
        """The scenario fields this type sets."""
        return {
            "population.households": self.households,
            "population.vulnerability_alpha": self.vulnerability_alpha,
        }


NEIGHBOURHOODS: dict[str, NeighbourhoodType] = {
    # Utrecht's sizes per team (DOMAIN.md §1, S1 App. IV). How much more or less
    # vulnerable a weak or strong neighbourhood is: an assumption (mean 0.38 / 0.22),
    # chosen so that each type gives one team of 10 FTE a different load.
    "weak": NeighbourhoodType(3000, 3.0),
    "vulnerable": NeighbourhoodType(6000, 2.0),
    "strong": NeighbourhoodType(10000, 1.4),
}


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
    variants = []
    for label, split in splits.items():
        for form in chosen_forms:
            for neighbourhood in neighbourhoods:
                base = known_forms[form]
                variants.append(
                    VariantSpec(
                        name=f"{label}__{form}__{neighbourhood}",
                        set={
                            **base.set,
                            **NEIGHBOURHOODS[neighbourhood].overrides(),
                            "team.split": split,
                            **overrides,  # the user's --households, --years, --set win
                        },
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
