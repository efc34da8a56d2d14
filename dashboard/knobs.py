"""The knobs a municipality controls, each with its unit, range, default and source.

A knob is a scenario field (or a choice that sets several) that a municipality decides
on: the size and type of the neighbourhood, the team's staff, when it starts, how it is
split and funded, how access to specialists is controlled, and how long and how often to
simulate. Its help text is the field's description in the scenario schema
(:mod:`wijksim.model.config.scenario` and the modules it uses), which cites the source or says
"assumption", so that the help and the model cannot drift apart.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel
from wijksim.experiments.i18n import N_, Translate
from wijksim.experiments.runner.teams_sweep import NEIGHBOURHOODS
from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.parameters import attribute_docstrings
from wijksim.model.inputs.scenario_io import load_scenario

AS_SCENARIO = "as_scenario"
"""The choice that keeps what the chosen scenario has."""
NO_FUNDING = "none"


@dataclass(frozen=True)
class Knob:
    """A number a municipality sets.

    Attributes:
        key: Widget key and name in the knob values.
        field: The dotted scenario field (``None``: not a scenario field, e.g. seeds).
        label: Shown beside the widget (marked for translation).
        unit: The unit (marked for translation).
        low: Lowest allowed value.
        high: Highest allowed value.
        step: Widget step; an ``int`` step makes a whole-number knob.
        needs: ``"team"`` or ``"funding"`` if the scenario must have that section.
    """

    key: str
    field: str | None
    label: str
    unit: str
    low: float
    high: float
    step: float
    needs: str | None = None

    @property
    def whole(self) -> bool:
        """Whether the knob takes whole numbers."""
        return isinstance(self.step, int)


# Ranges: the schema's own bounds where it has them (shares 0..1, FTE > 0); upper bounds
# are assumptions that keep one run within the dashboard's time cap on this machine.
NUMBER_KNOBS: tuple[Knob, ...] = (
    Knob("households", "population.households", N_("Households"), N_("households"),
         100, 100_000, 100),
    Knob("years", "years", N_("Years simulated"), N_("years"), 1, 30, 1),
    Knob("seeds", None, N_("Seeds (replicates)"), N_("runs"), 1, 50, 1),
    # From 0.1 FTE: a team scaled to a few hundred households is a fraction of a worker.
    Knob("frontline_fte", "team.frontline_fte", N_("Team frontline staff"), N_("FTE"),
         0.1, 200.0, 0.1, needs="team"),
    Knob("team_start_year", "transition.team_start_year", N_("Team start year"), N_("year"),
         1, 30, 1, needs="team"),
    Knob("seconded_share", "team.seconded_share", N_("Seconded staff share"),
         N_("share of frontline staff, 0–1"), 0.0, 1.0, 0.05, needs="team"),
    Knob("lump_sum", "funding.lump_sum_per_household_year_eur",
         N_("Lump sum (budget or capitation)"), N_("€ per household per year"),
         0.0, 2_000.0, 1.0, needs="funding"),
    Knob("tariff_hour", "funding.tariff_per_hour_eur", N_("Tariff per casework hour"),
         N_("€ per hour"), 0.0, 500.0, 1.0, needs="funding"),
    Knob("tariff_trajectory", "funding.tariff_per_trajectory_eur",
         N_("Tariff per trajectory"), N_("€ per admitted case"), 0.0, 50_000.0, 100.0,
         needs="funding"),
    Knob("tariff_result", "funding.tariff_per_result_eur", N_("Tariff per result"),
         N_("€ per case closed at the agreed result"), 0.0, 50_000.0, 100.0,
         needs="funding"),
)  # fmt: skip
KNOBS_BY_KEY = {knob.key: knob for knob in NUMBER_KNOBS}
TARIFF_KNOBS = ("lump_sum", "tariff_hour", "tariff_trajectory", "tariff_result")

NEIGHBOURHOOD_LABELS = {
    AS_SCENARIO: N_("as in the scenario"),
    "weak": N_("weak (more vulnerable households)"),
    "vulnerable": N_("vulnerable (the default neighbourhood)"),
    "strong": N_("strong (less vulnerable households)"),
}
SPLIT_SCENARIOS = {
    "integral": None,
    "focus_life_phase": "team_focus_life_phase",
    "front_back": "team_front_back",
}
"""Team splits: integral (no split) and the splits of the shipped scenarios."""
SPLIT_LABELS = {
    AS_SCENARIO: N_("as in the scenario"),
    "integral": N_("one integral team"),
    "focus_life_phase": N_("focus teams by life phase (youth, adults, elderly)"),
    "front_back": N_("front team with a backing team for complex households"),
}
FUNDING_SCENARIOS = {
    "function_budget": "funding_function_budget",
    "per_hour": "funding_per_hour",
    "per_trajectory": "funding_per_trajectory",
    "result_per_client": "funding_result_per_client",
    "population": "funding_population",
    "shared_savings": "funding_shared_savings",
}
"""Funding forms (docs/sources.md §5) as the shipped funding scenarios set them."""
FUNDING_LABELS = {
    AS_SCENARIO: N_("as in the scenario"),
    NO_FUNDING: N_("no contract: the municipality pays the staff costs"),
    "function_budget": N_("function budget (availability)"),
    "per_hour": N_("production per hour (P×Q)"),
    "per_trajectory": N_("production per trajectory (P×Q)"),
    "result_per_client": N_("result per client"),
    "population": N_("population funding with bonus–malus"),
    "shared_savings": N_("population funding with shared savings"),
}
ACCESS_LABELS = {
    AS_SCENARIO: N_("as in the scenario"),
    "free": N_("free access (no volume control)"),
    "A": N_("A: fixed referral quota"),
    "B": N_("B: quota released in part at the start"),
    "C": N_("C: municipality intervenes above a threshold"),
    "D": N_("D: specialist price charged to the team"),
    "E": N_("E: charged price rising with referrals"),
}
ACCESS_FIELD = "funding.specialist_access"
ACCESS_SOURCE = "specialist_access.toml"
"""The shipped sweep whose variants set options A–E (``wijksim sweep specialist_access``)."""


@cache
def access_options() -> dict[str, dict[str, Any]]:
    """The fields each specialist-access option sets, read from the shipped sweep.

    Returns:
        ``{"free": {}, "A": {"quota_per_1000_year": 35.0}, ...}`` (fields of
        ``funding.specialist_access``).
    """
    sweeps = resources.files("wijksim.experiments") / "sweeps" / ACCESS_SOURCE
    spec = tomllib.loads(sweeps.read_text(encoding="utf-8"))
    options: dict[str, dict[str, Any]] = {"free": {}}
    for variant in spec["variants"]:
        letter = variant["name"].split("_")[0].upper()
        if len(letter) == 1:
            prefix = f"{ACCESS_FIELD}."
            options[letter] = {
                key.removeprefix(prefix): value for key, value in variant.get("set", {}).items()
            }
    return options


@cache
def _section_of(name: str, section: str) -> dict[str, Any] | None:
    """A shipped scenario's section as plain data (``None`` if it has none)."""
    value = getattr(load_scenario(name).scenario, section)
    return None if value is None else value.model_dump(mode="json")


def split_of(choice: str) -> dict[str, Any]:
    """The ``team.split`` table of a split choice."""
    scenario = SPLIT_SCENARIOS[choice]
    if scenario is None:
        from wijksim.model.config.team_split import TeamSplit

        return TeamSplit().model_dump(mode="json")
    return _section_of(scenario, "team")["split"]


def funding_of(choice: str) -> dict[str, Any]:
    """The ``funding`` table of a funding form."""
    return copy.deepcopy(_section_of(FUNDING_SCENARIOS[choice], "funding"))


def current_value(scenario: Scenario, dotted: str) -> Any:
    """The value of a dotted field in ``scenario`` (``None`` if a section is absent)."""
    value: Any = scenario
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


# ----------------------------------------------------------------------------- help text


def field_description(dotted: str) -> str:
    """The schema's description of a dotted scenario field ('' if it has none).

    The descriptions are the docstrings under the fields of the pydantic schema; they
    name the source (docs/sources.md) or say "assumption".
    """
    from typing import get_args

    cls: Any = Scenario
    *parents, leaf = dotted.split(".")
    for part in parents:
        annotation = cls.model_fields[part].annotation
        options = [a for a in (annotation, *get_args(annotation)) if _is_model(a)]
        cls = options[0]
    return attribute_docstrings(cls).get(leaf, "")


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def knob_help(knob: Knob, default: Any, _: Translate, language: str) -> str:
    """Unit, range, default and source of a knob, in the chosen language."""
    from wijksim.experiments.i18n import number

    digits = 0 if knob.whole else 2
    low, high = number(knob.low, language, digits), number(knob.high, language, digits)
    shown = number(default, language, digits) if default is not None else _("not set")
    lines = [
        "**" + _("Unit") + ":** " + _(knob.unit),
        "**" + _("Range") + ":** " + f"{low} – {high}",
        "**" + _("Default") + ":** " + shown,
    ]
    description = field_description(knob.field) if knob.field else ""
    if knob.key in OWN_HELP:
        description = _(OWN_HELP[knob.key])
    if description:
        lines.append("**" + _("Source (scenario schema, in English)") + ":** " + description)
    return "\n\n".join(lines)


SEEDS_SOURCE = N_(
    "Each seed is one replicate neighbourhood; the runs of two configurations with the "
    "same seed share their random streams (paired seeds), so their difference shows the "
    "effect of the choice, not chance. Bands show the middle 90% (over seeds)."
)
YEARS_SOURCE = N_(
    "Reported years. The scenario's warm-up (burn_in_years of the old system) runs "
    "before year 1 and is not shown."
)
OWN_HELP = {"seeds": SEEDS_SOURCE, "years": YEARS_SOURCE}
"""Knobs whose field has no description in the schema, or that are no field."""
NEIGHBOURHOOD_SOURCE = N_(
    "Utrecht's neighbourhood types (docs/sources.md §1, S1 App. IV); how much more or "
    "less vulnerable a weak or strong neighbourhood is, is an assumption (mean "
    "vulnerability 0.38 / 0.22 instead of 0.29). Sets population.vulnerability_alpha; "
    "set the households separately."
)
SPLIT_SOURCE = N_(
    "Integral team, focus teams (variant A) or front and backing team (variant B), as "
    "in the shipped scenarios team_focus_life_phase and team_front_back "
    "(docs/sources.md §2, S1 §4.1). The FTE are divided, not added."
)
FUNDING_SOURCE = N_(
    "The funding forms of docs/sources.md §5 as the shipped funding_* scenarios set "
    "them; choosing one sets its tariffs below, which you can then change."
)
ACCESS_SOURCE_TEXT = N_(
    "Volume control on the team's referrals to specialists, options A–E "
    "(docs/sources.md §3, S1 §4.4.1), with the numbers of the shipped sweep "
    "specialist_access (quota 35 referrals per 1,000 households a year; D and E charge "
    "the full price)."
)


def neighbourhood_alpha(choice: str) -> float | None:
    """``population.vulnerability_alpha`` of a neighbourhood type (None: as scenario)."""
    if choice == AS_SCENARIO:
        return None
    return NEIGHBOURHOODS[choice].vulnerability_alpha
