"""The parameter reference: every scenario field with its unit, default, range and source.

Read from the scenario schema itself (:mod:`wijksim.model.config.scenario` and the modules it
imports), so that the reference cannot drift from the model: the defaults are those of a
default :class:`Scenario` (and of a default team and funding contract), the allowed
ranges are the fields' pydantic constraints (``ge``, ``gt``, ``le``, ``lt``, choices), and
the sources are the docstrings written under the fields. ``wijksim params [SECTION]``
prints it; ``docs/parameters.md`` is generated from it (``wijksim params --markdown``).

The docstrings are read from the source with :mod:`ast`, only when the reference is
asked for, rather than by pydantic's ``use_attribute_docstrings``: that option would parse
the source of every section class whenever the schema is imported, that is in every run
and every worker process, and would change the configuration of a schema whose validation
the model's results depend on, for text that only this reference and the dashboard's help
read.

Units come from the field's name where it carries one (``_eur``, ``_weeks``,
``_per_week``, ``_fte``, ``_per_1000_households``, ``share``), and from
:data:`EXPLICIT_UNITS` where it does not; ``tests/test_parameters.py`` fails for a
numeric field that has neither.

Why one module: the parameter reference is one walk over the schema with its tables of
units, ranges and sources, which only this walk reads.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap
import types
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from wijksim.model.config.scenario import Scenario
from wijksim.model.config.team_params import TeamParams
from wijksim.model.contracts.funding import FundingParams
from wijksim.model.core.domains import DOMAINS
from wijksim.model.inputs.scenario_io import nearest

GENERAL = "general"
"""The section of the scenario's own top-level fields (label, years, schedule, ...)."""
KIND = "<kind>"
"""Stands for the name of an entry of a table of kinds (``specialists.<kind>.label``)."""
ITEM = "[]"
"""Marks the items of a list of tables (``team.split.teams[].name``)."""
NO_UNIT = "—"
"""The unit of a field that is not a number (text, a choice, true or false)."""
SHARE = "share 0–1"
OPTIONAL_DEFAULTS: dict[str, BaseModel] = {"team": TeamParams(), "funding": FundingParams()}
"""Sections that are absent by default; a file that opens one gets these defaults."""

MARKDOWN_COMMAND = "wijksim params --markdown > docs/parameters.md"


@dataclass(frozen=True)
class Parameter:
    """One scenario field as the reference shows it.

    Attributes:
        path: Dotted, as in a scenario file or ``--set`` (``team.frontline_fte``);
            :data:`KIND` for an entry of a table of kinds, :data:`ITEM` for a list item.
        section: The top-level section (:data:`GENERAL` for top-level fields).
        unit: Its unit (:data:`NO_UNIT` for text, choices and true/false; '' if unknown).
        default: The default, as it would be written in TOML ("required" if none).
        allowed: The values the schema accepts.
        description: The docstring under the field: its meaning and source.
    """

    path: str
    section: str
    unit: str
    default: str
    allowed: str
    description: str


# ----------------------------------------------------------------------------- units

NAME_UNITS: tuple[tuple[str, str], ...] = (
    # Money: € and what it is per.
    (r"_per_fte_year_eur$", "€ per FTE per year"),
    (r"_per_household_year_eur$", "€ per household per year"),
    (r"_per_1000_eur$", "€ per 1,000 households per year"),
    (r"_per_point_eur$", "€ per percentage point"),
    (r"_per_(week|hour|year|trajectory|result|escalation)_eur$", r"€ per \1"),
    (r"_eur$", "€"),
    # Staff and time.
    (r"_fte_per_1000_households$", "FTE per 1,000 households"),
    (r"_households_per_fte$", "households per FTE"),
    (r"^hours_per_fte_week$", "hours per FTE per week"),
    (r"_hours_per_case_per_professional$", "hours per case per professional"),
    (r"_hours_per_professional_week$", "hours per professional per week"),
    (r"_hours_per_contact$", "hours per contact"),
    (r"_hours$", "hours"),
    (r"_fte$", "FTE"),
    (r"_weeks$", "weeks"),
    (r"_years$", "years"),
    # Rates and counts per population.
    (r"_per_1000_households$", "per 1,000 households"),
    (r"_per_1000(_year)?$", "per 1,000 households per year"),
    (r"_per_100_referrals$", "per 100 referrals"),
    # Dimensionless.
    (r"(^|_)shares?($|_)", SHARE),
    (r"(^|_)(max|min)_level$|_to_level$", "ZRM level (1 acute … 5 self-reliant)"),
    (r"_levels$", "ZRM levels"),
    (r"_(factor|multiplier)$", "factor (×)"),
    (r"_probability$", "probability 0–1"),
    (r"(^|_)households$", "households"),
)
"""(pattern on the field's name, unit), the first match wins."""

WEEKLY_PROBABILITY = "probability per week"

EXPLICIT_UNITS: dict[str, str] = {
    # general
    "years": "years",
    "burn_in_years": "years",
    # the year-end survey (model/observation/survey.py)
    "survey.sample_size": "households per neighbourhood and year",
    # population
    "population.vulnerability_alpha": "Beta shape (dimensionless)",
    "city.neighbourhoods.<kind>.vulnerability_alpha": "Beta shape (dimensionless)",
    "population.vulnerability_beta": "Beta shape (dimensionless)",
    "population.own_strength_noise_sd": "own strength (0–1 scale)",
    "population.initial_severity": "probability 0–1 per domain",
    # classification
    f"classification.groups{ITEM}.any_of{ITEM}.min_domains": "domains",
    # network
    "network.mean_degree": "households (links per household)",
    "network.homophily_noise_sd": "vulnerability (0–1 scale)",
    "network.helper_min_own_strength": "own strength (0–1 scale)",
    "network.helper_capacity_households": "needy households helped",
    "network.help_units_for_full_support": "helper capacity units",
    "network.isolation_reference_neighbours": "self-reliant neighbours",
    # hazards
    "hazards.drift_per_week": WEEKLY_PROBABILITY,
    "hazards.drift_scale": "factor (×)",
    "hazards.vulnerability_effect": "coefficient (per unit of vulnerability)",
    "hazards.correlated_problem_effect": "coefficient (per spill-over domain)",
    "hazards.isolation_effect": "coefficient (per unit of isolation)",
    "hazards.domain_weight": "factor (×), per domain",
    "hazards.recovery_scale": "factor (×)",
    "hazards.own_strength_effect": "coefficient (per unit of own strength)",
    "hazards.network_help_effect": "coefficient (per unit of informal help)",
    "hazards.recovery_factor_by_level": "factor (×), per ZRM level 1–4",
    # life events, specialists, escalations
    f"life_events.{KIND}.per_year": "probability per year",
    f"specialists.{KIND}.capacity_per_1000_households": "places per 1,000 households",
    f"escalations.{KIND}.marks": "ZRM levels, per domain",
    # team
    "team.caseload_limit_per_fte": "weighted households per frontline FTE",
    "team.competence": "competence 0–1, per domain",
    "team.default_competence": "competence 0–1",
    "team.seconded_referral_lean": "factor (× 1 + this)",
    "team.support_effect_per_hour": "probability per week, per weekly hour",
    "team.escalation_protection": "share 0–1 of the hazard",
    "team.protection_hours_scale": "hours per week",
    "team.empowerment_per_week": "share 0–1 of the gap, per week",
    "team.empowerment_fade_per_week": "share 0–1 of the gain, per week",
    "team.collective_network_gain_per_hour": "capacity gain per weekly hour per 1,000 households",
    "team.collective_network_max": "share 0–1 of helpers' capacity",
    "team.collective_network_decay_per_week": "share 0–1 of the gain, per week",
    "team.substitution_max": SHARE,
    "team.substituted_hours_effect": "weight 0–1 (of a professional's hour)",
    "team.split.focus_competence_gain": "share 0–1 of competence",
    "team.split.outside_focus_competence_loss": "share 0–1 of competence",
    "team.split.focus_recognition_gain": "factor (× 1 + this)",
    "team.split.backing_min_problem_domains": "domains",
    # funding
    "funding.vulnerability_adjustment": "coefficient (per unit of mean vulnerability)",
    "funding.population_results.self_reliant_target": SHARE,
    "funding.specialist_access.quota_released_at_start": "share 0–1 of the quota",
    "funding.specialist_access.quota_per_1000_year": "referrals per 1,000 households per year",
    "funding.specialist_access.intervention_per_1000_year": (
        "referrals per 1,000 households per year"
    ),
    "funding.population_results.escalations_target_per_1000": (
        "escalations per 1,000 households per year"
    ),
    "funding.operator.ethos": "weight 0–1",
    "funding.operator.outcome_value_eur": "€ per household-week",
    "funding.operator.case_length_per_discharge_level": "share of a case's length, per ZRM level",
    "funding.operator.min_gain_share": "share of a week's staff cost",
    "funding.formation.staffing_factor": "factor (× team.frontline_fte)",
    "funding.formation.clawback_share": "factor (× the missing share of the lump sum)",
    "funding.operator.staffing_min_factor": "factor (× team.frontline_fte)",
    "funding.operator.staffing_max_factor": "factor (× team.frontline_fte)",
    # transition
    "transition.team_start_year": "year (1 = the first reported year)",
    "transition.friction_cost_eur": "€ in total",
    # calibrated (written by ``wijksim calibrate``)
    "calibrated.seeds": "runs",
    "calibrated.evaluations": "runs of the optimiser",
    "calibrated.achieved": "each target's own unit (data/targets.toml)",
    "calibrated.waves": "waves",
    "calibrated.points": "parameter sets",
    "calibrated.not_ruled_out": "parameter sets",
}
"""Units of the numeric fields whose name does not say it, keyed by path."""


def unit_of(path: str, annotation: Any) -> str:
    """The unit of a field: explicit, from its name, or :data:`NO_UNIT` for non-numbers.

    Returns:
        '' for a number whose unit is nowhere given (a test lists these).
    """
    # A city provider's contract is a [funding] table: the same fields, the same units.
    path = re.sub(r"^city\.providers\.[^.]+\.funding\.", "funding.", path)
    if path in EXPLICIT_UNITS:
        return EXPLICIT_UNITS[path]
    if not _is_numeric(annotation):
        return NO_UNIT
    name = path.rsplit(".", 1)[-1]
    if name.endswith("_per_week") and _upper_bound(annotation) == 1:
        return WEEKLY_PROBABILITY
    for pattern, unit in NAME_UNITS:
        match = re.search(pattern, name)
        if match:
            return match.expand(unit)
    return ""


def _is_numeric(annotation: Any) -> bool:
    """Whether a number is (part of) what the field holds: a number, or a table or list of them."""
    base, _ = _unwrap(annotation)
    if base is bool:
        return False
    if base in (int, float):
        return True
    origin = get_origin(base)
    if origin is dict:
        return _is_numeric(get_args(base)[1])
    if origin in (list, tuple):
        return any(_is_numeric(arg) for arg in get_args(base) if arg is not Ellipsis)
    return False


# ----------------------------------------------------------------------------- types


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type without ``Annotated`` and ``Optional``, and the constraints found on the way.

    A ``None`` among the options is recorded as the constraint ``None``.
    """
    constraints: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                constraints.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin is Union or origin is types.UnionType:
            options = [a for a in get_args(annotation) if a is not type(None)]
            if len(options) != len(get_args(annotation)):
                constraints.append(None)
            if len(options) != 1:
                return annotation, constraints
            annotation = options[0]
        else:
            return annotation, constraints


def _upper_bound(annotation: Any) -> float | None:
    _, constraints = _unwrap(annotation)
    bounds = [c.le for c in constraints if isinstance(c, annotated_types.Le)]
    return bounds[0] if bounds else None


def _number(value: float) -> str:
    return f"{value:g}"


def _bounds(constraints: list[Any]) -> str:
    """``0–1``, ``≥ 0``, ``> 0``, ``1–5``, ``even, ≥ 2`` from pydantic's constraints."""
    lows = [c for c in constraints if isinstance(c, annotated_types.Ge | annotated_types.Gt)]
    highs = [c for c in constraints if isinstance(c, annotated_types.Le | annotated_types.Lt)]
    low, high = (lows or [None])[0], (highs or [None])[0]
    parts = []
    if isinstance(low, annotated_types.Ge) and isinstance(high, annotated_types.Le):
        parts.append(f"{_number(low.ge)}–{_number(high.le)}")
    else:
        if isinstance(low, annotated_types.Ge):
            parts.append(f"≥ {_number(low.ge)}")
        elif isinstance(low, annotated_types.Gt):
            parts.append(f"> {_number(low.gt)}")
        if isinstance(high, annotated_types.Le):
            parts.append(f"≤ {_number(high.le)}")
        elif isinstance(high, annotated_types.Lt):
            parts.append(f"< {_number(high.lt)}")
    for constraint in constraints:
        if isinstance(constraint, annotated_types.MultipleOf):
            step = constraint.multiple_of
            parts.insert(0, "even" if step == 2 else f"multiple of {_number(step)}")
    return ", ".join(parts)


def _choices(values: tuple[Any, ...]) -> str:
    if tuple(values) == DOMAINS:
        return "a domain"
    return "one of " + ", ".join(f'"{v}"' for v in values)


def allowed_values(annotation: Any) -> str:
    """What a field of this type accepts, in words (``whole number 1–5``, ``0–1``, ...)."""
    base, constraints = _unwrap(annotation)
    optional = None in constraints
    constraints = [c for c in constraints if c is not None]
    bounds = _bounds(constraints)
    origin = get_origin(base)
    lengths = [c.min_length for c in constraints if isinstance(c, annotated_types.MinLen)]
    patterns = [getattr(c, "pattern", None) for c in constraints if getattr(c, "pattern", None)]
    if base is bool:
        text = "true or false"
    elif base is int:
        text = f"whole number {bounds}".strip().replace("whole number even, ", "even whole number ")
    elif base is float:
        text = bounds or "number"
    elif base is str:
        text = "text"
        if patterns == [r"^[a-z][a-z0-9_]*$"]:
            text = "name: a–z, 0–9 and _, starting with a letter"
        elif lengths:
            text = "non-empty text"
    elif origin is Literal:
        text = _choices(get_args(base))
    elif origin is list:
        item = allowed_values(get_args(base)[0])
        if isinstance(get_args(base)[0], type) and issubclass(get_args(base)[0], BaseModel):
            item = "table"
        text = f"list, each: {item}"
        if lengths:
            text += f"; at least {lengths[0]}"
    elif origin is tuple:
        items = [allowed_values(a) for a in get_args(base)]
        if len(set(items)) == 1:
            text = f"[{len(items)} values], each: {items[0]}"
        else:
            text = "[" + ", ".join(items) + "]"
    elif origin is dict:
        key, value = get_args(base)
        keys = "name" if key is str else allowed_values(key).removeprefix("one of ")
        text = f"table: {keys} = {allowed_values(value)}"
    elif isinstance(base, type) and issubclass(base, BaseModel):
        text = "table"
    elif base is Any:  # a rule's parameter: its own model checks it (``[rules.<name>]``)
        text = "value the rule's parameters check"
    else:  # pragma: no cover - every type of the schema is handled above
        text = str(base)
    return f"{text}, or not set" if optional else text


# ----------------------------------------------------------------------------- values


def render_value(value: Any) -> str:
    """A value as it would be written in TOML, shortened where that helps a reader."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, BaseModel):
        return render_value(value.model_dump())
    if isinstance(value, list | tuple):
        if tuple(value) == DOMAINS:
            return "all 11 domains"
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {render_value(v)}" for k, v in value.items()) + "}"
    return str(value)  # pragma: no cover


def _default_of(info: FieldInfo) -> Any:
    return info.get_default(call_default_factory=True)


def _kinds_default(name: str, info: FieldInfo, kinds: dict[str, BaseModel]) -> str:
    """The defaults of one field of a table of kinds: each kind's, and a new kind's."""
    values = {kind: getattr(entry, name) for kind, entry in kinds.items()}
    if info.is_required():
        per_kind = "; ".join(f"{kind} {render_value(v)}" for kind, v in values.items())
        return f"{per_kind} (a new kind: required)"
    default = _default_of(info)
    others = {kind: v for kind, v in values.items() if v != default}
    shown = render_value(default)
    if others:
        shown += ", except " + "; ".join(f"{kind} {render_value(v)}" for kind, v in others.items())
    return shown


# ----------------------------------------------------------------------------- docstrings


@cache
def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings written under a pydantic model's fields, inherited ones included.

    Args:
        cls: A :class:`BaseModel` subclass defined in a source file.

    Returns:
        Field name → docstring with its whitespace collapsed ({} without source).
    """
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, BaseModel)) or klass is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for field, following in itertools.pairwise(body):
            named = isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
            text = isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
            if named and text and isinstance(following.value.value, str):
                docs[field.target.id] = " ".join(following.value.value.split())
    return docs


def section_description(cls: type) -> str:
    """The first paragraph of a section class's docstring, on one line."""
    doc = inspect.getdoc(cls) or ""
    return " ".join(doc.split("\n\n")[0].split())


# ----------------------------------------------------------------------------- the walk


def _model_in(annotation: Any) -> type[BaseModel] | None:
    base, _ = _unwrap(annotation)
    return base if isinstance(base, type) and issubclass(base, BaseModel) else None


def _container_model(annotation: Any, container: type) -> type[BaseModel] | None:
    """The model of ``dict[str, Model]`` (container ``dict``) or ``list[Model]`` (``list``)."""
    base, _ = _unwrap(annotation)
    if get_origin(base) is not container:
        return None
    return _model_in(get_args(base)[-1])


def _walk(
    cls: type[BaseModel],
    instance: BaseModel | None,
    prefix: str,
    section: str | None,
    kinds: dict[str, BaseModel] | None = None,
    open_absent: bool = True,
) -> list[Parameter]:
    """The fields of ``cls`` under ``prefix``; defaults from ``instance`` (or each of ``kinds``).

    An absent optional section (no ``[team]``) shows the defaults it opens with, or with
    ``open_absent`` false is left out.
    """
    rows: list[Parameter] = []
    docs = attribute_docstrings(cls)
    for name, info in cls.model_fields.items():
        path = f"{prefix}{name}"
        own = section or (name if _is_section(info) else GENERAL)
        value = getattr(instance, name) if instance is not None else None
        model = _model_in(info.annotation)
        if model is not None:
            if value is None and path in OPTIONAL_DEFAULTS and not open_absent:
                continue
            default = value if value is not None else OPTIONAL_DEFAULTS.get(path)
            rows += _walk(model, default, f"{path}.", own, open_absent=open_absent)
            continue
        entry = _container_model(info.annotation, dict)
        if entry is not None:
            rows += _walk(entry, None, f"{path}.{KIND}.", own, kinds=value or {})
            continue
        if kinds is not None:
            default = _kinds_default(name, info, kinds)
        elif instance is not None:
            default = render_value(value)
        else:
            default = "required" if info.is_required() else render_value(_default_of(info))
        rows.append(
            Parameter(
                path=path,
                section=own,
                unit=unit_of(path, _annotation(info)),
                default=default,
                allowed=allowed_values(_annotation(info)),
                description=docs.get(name, "").replace("``", "`"),
            )
        )
        item = _container_model(info.annotation, list)
        if item is not None:  # a list of tables: the list, then the fields of an item
            rows += _walk(item, None, f"{path}{ITEM}.", own)
    return rows


def _annotation(info: FieldInfo) -> Any:
    """The field's type with its constraints.

    Pydantic moves a field's own ``Annotated`` constraints from ``info.annotation`` to
    ``info.metadata``.
    """
    if not info.metadata:
        return info.annotation
    return Annotated[(info.annotation, *info.metadata)]  # type: ignore[return-value]


def _is_section(info: FieldInfo) -> bool:
    """A top-level field that is a table of its own (a model, or a table of kinds)."""
    return (
        _model_in(info.annotation) is not None
        or _container_model(info.annotation, dict) is not None
    )


@cache
def parameters() -> tuple[Parameter, ...]:
    """Every field of the scenario schema, by section, each in schema order.

    The top-level fields come first, though ``schedule`` is the schema's last field.
    """
    rows = _walk(Scenario, Scenario(), "", None)
    order = list(dict.fromkeys([GENERAL, *(row.section for row in rows)]))
    return tuple(sorted(rows, key=lambda row: order.index(row.section)))


def scenario_values(scenario: Scenario) -> dict[str, str]:
    """Each field's value in ``scenario``, written as the defaults are (path → text).

    The fields of an optional section the scenario does not have (no ``[team]``) are left
    out; a table of kinds gives each of the scenario's kinds.
    """
    return {row.path: row.default for row in _walk(Scenario, scenario, "", None, open_absent=False)}


def sections() -> list[str]:
    """The section names, in schema order: :data:`GENERAL` first."""
    return list(dict.fromkeys([GENERAL, *(p.section for p in parameters())]))


@cache
def section_descriptions() -> dict[str, str]:
    """Each section's description: its class's docstring, or its field's for a table of kinds."""
    docs = attribute_docstrings(Scenario)
    described = {GENERAL: "The scenario's own fields: its name, length, schedule and plugins."}
    docs = {name: text.replace("``", "`") for name, text in docs.items()}
    for name, info in Scenario.model_fields.items():
        model = _model_in(info.annotation) or _container_model(info.annotation, dict)
        if model is None:
            continue
        text = section_description(model)
        if name in docs:
            text = f"{text} {docs[name]}".strip()
        if _container_model(info.annotation, dict) is not None:
            text = f"A table per kind, [{name}.NAME]: {text}"
        described[name] = text
    return described


# ----------------------------------------------------------------------------- selecting


def _subsections() -> list[str]:
    """Every dotted table a reader may ask for: sections and their nested tables."""
    names = set(sections())
    for parameter in parameters():
        parts = parameter.path.replace(ITEM, "").split(".")
        for end in range(1, len(parts)):
            if parts[end - 1] != KIND:
                names.add(".".join(p for p in parts[:end] if p != KIND))
    return sorted(names)


class UnknownSection(ValueError):
    """``wijksim params`` was asked for a section the schema does not have.

    Attributes:
        name: What was asked for.
        suggestion: The nearest section or field, or ``None``.
    """

    def __init__(self, name: str, suggestion: str | None) -> None:
        self.name = name
        self.suggestion = suggestion
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        super().__init__(f"unknown section '{name}'{hint} Sections: {', '.join(sections())}")


def select(name: str | None) -> list[Parameter]:
    """The parameters of a section, a nested table (``team.policy``) or one field.

    ``rules`` and ``rules.NAME`` are the parameters of the registered rules (a
    partner's, once its plugin is imported), read from each rule's ``Params``.

    Raises:
        UnknownSection: If nothing has that name; with the nearest name.
    """
    if name == "rules" or (name or "").startswith("rules."):
        return rule_parameters(name)
    return _select_in_schema(name)


def rule_parameters(name: str) -> list[Parameter]:
    """The parameters of every registered rule (``rules``), one rule's, or one field's.

    Raises:
        UnknownSection: If no registered rule has a parameter of that name.
    """
    from wijksim.model.rules import RULES

    rows: list[Parameter] = []
    for rule_name, rule in sorted(RULES.items()):
        rows += _walk(rule.Params, rule.Params(), f"rules.{rule_name}.", f"rules.{rule_name}")
    chosen = [p for p in rows if name == "rules" or p.path == name or p.path.startswith(f"{name}.")]
    if not chosen:
        raise UnknownSection(name, nearest(name, [p.path for p in rows] or ["rules"]))
    return chosen


def _select_in_schema(name: str | None) -> list[Parameter]:
    if not name:
        return list(parameters())
    if name in sections():
        return [p for p in parameters() if p.section == name]
    plain = [(p, p.path.replace(ITEM, "").replace(f"{KIND}.", "")) for p in parameters()]
    chosen = [p for p, path in plain if path == name or path.startswith(f"{name}.")]
    if chosen:
        return chosen
    paths = [path for _, path in plain]
    suggestion = nearest(name, [*_subsections(), *paths])
    if suggestion is None:  # a field's own name without its section: frontline_fte
        leaves = {path.rsplit(".", 1)[-1]: path for path in paths}
        leaf = nearest(name, list(leaves))
        suggestion = leaves[leaf] if leaf else None
    raise UnknownSection(name, suggestion)


# ----------------------------------------------------------------------------- rendering


def format_text(
    chosen: list[Parameter],
    width: int = 100,
    values: dict[str, str] | None = None,
    scenario_name: str = "",
) -> str:
    """The reference for a terminal: per section a heading, per field two or more lines.

    Args:
        chosen: The parameters to show (:func:`select`).
        width: Wrap the text at this many characters.
        values: A scenario's values (:func:`scenario_values`); each one that differs from
            the default is shown under it, as ``in NAME: value``.
        scenario_name: The scenario's name, for those lines.
    """
    lines: list[str] = []
    described = section_descriptions()
    indent = {"initial_indent": " " * 6, "subsequent_indent": " " * 8}
    for section, group in itertools.groupby(chosen, key=lambda p: p.section):
        lines += ["", f"[{section}]" if section != GENERAL else "(top level)"]
        lines += textwrap.wrap(described.get(section, ""), width)
        group = list(group)
        if values is not None and all(p.path not in values for p in group):
            absent = f"({scenario_name} has no [{section}]; a file opening it gets these defaults)"
            lines += textwrap.wrap(absent, width, initial_indent="  ", subsequent_indent="  ")
        for parameter in group:
            unit = "" if parameter.unit == NO_UNIT else f"  [{parameter.unit}]"
            lines.append(f"  {parameter.path}{unit}")
            facts = f"default {parameter.default}; allowed: {parameter.allowed}"
            lines += textwrap.wrap(facts, width, **indent)
            value = (values or {}).get(parameter.path)
            if value is not None and value != parameter.default:
                lines += textwrap.wrap(f"in {scenario_name}: {value}", width, **indent)
            lines += textwrap.wrap(
                parameter.description or "(no description)",
                width,
                initial_indent=" " * 6,
                subsequent_indent=" " * 6,
            )
    return "\n".join(lines[1:]) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def _code_cell(text: str) -> str:
    return f"`{text}`".replace("|", "\\|")


MARKDOWN_HEADER = f"""\
# Scenario parameters

<!-- Generated from the scenario schema by `{MARKDOWN_COMMAND}`: do not edit by hand.
tests/test_parameters.py fails when this file differs from what the code generates. -->

Every field a scenario file (TOML) or `--set KEY=VALUE` can set, with its unit, its
default, the values it accepts and, in the last column, its meaning and source
(docs/sources.md) or the word *assumption*. Generated from the schema
(`model/config/scenario.py`, `model/config/team_params.py`, `model/config/team_split.py`,
`model/contracts/funding.py`).
To regenerate it after changing the schema:

    {MARKDOWN_COMMAND}

The same reference is printed, for all or one section, by `wijksim params [SECTION]`
(`wijksim params team`, `wijksim params specialists`, `wijksim params team.policy`).

Defaults are the schema's. The shipped scenarios set some fields differently (the
calibrated hazards of `old_system`, the team of `integral_team`): `wijksim params
--scenario old_system` shows where a scenario differs, and their files are in `scenarios/`.
`[team]` and `[funding]` are absent unless a file opens them, and then start from the
defaults shown. `{KIND}` stands for the name of a kind (`[specialists.youth_care]`);
a new kind must give every field marked *required*. `{ITEM}` marks the items of a list of
tables (`[[team.split.teams]]`). A domain is one of the eleven ZRM domains:
{", ".join(f"`{d}`" for d in DOMAINS[:6])},
{", ".join(f"`{d}`" for d in DOMAINS[6:])}.
"""


COLUMNS = ("Field", "Unit", "Default", "Allowed", "Meaning and source")


def format_markdown(chosen: list[Parameter] | None = None) -> str:
    """The reference as Markdown: ``docs/parameters.md``."""
    chosen = list(parameters()) if chosen is None else chosen
    described = section_descriptions()
    lines = [MARKDOWN_HEADER]
    for section, group in itertools.groupby(chosen, key=lambda p: p.section):
        title = "Top level" if section == GENERAL else f"`[{section}]`"
        lines += [f"## {title}", "", described.get(section, ""), ""]
        lines += [f"| {' | '.join(COLUMNS)} |", "|---" * len(COLUMNS) + "|"]
        for p in group:
            cells = [
                _code_cell(p.path),
                _cell(p.unit),
                _cell(p.default),
                _cell(p.allowed),
                _cell(p.description),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
