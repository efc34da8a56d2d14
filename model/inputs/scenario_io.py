"""Reading scenario files: TOML, ``extends`` chains, validation and clear errors.

A scenario file is a TOML document that sets only what differs from the defaults of
:class:`~wijksim.model.config.scenario.Scenario` or from the file named by its top-level
``extends`` key (a path relative to the file, or the name of a shipped scenario). Every
error names the file that set the offending field, the field, what was expected and
what was found, and is raised as :class:`ScenarioError` for the CLI to print.

Why one module: reading, merging and validating a scenario file is one pipeline in which
every step carries where each field was set, so that any error can name its file and
field.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from wijksim.model.config.scenario import REPLACED_WHOLE, Scenario
from wijksim.model.config.team_params import TeamParams
from wijksim.model.contracts.funding import FundingParams
from wijksim.model.inputs.plugins import import_plugins

# Re-exported: the command line and the experiments read them from here.
from wijksim.model.inputs.user_errors import MAX_MESSAGE, ScenarioError, one_line  # noqa: F401

OPTIONAL_SECTIONS: dict[str, type[BaseModel]] = {"team": TeamParams, "funding": FundingParams}
"""Scenario sections that are absent unless a file sets them."""

SCENARIO_SUFFIX = ".toml"
MAX_EXTENDS = 100
"""Most files in one ``extends`` chain: far more than any real layering of scenarios,
few enough that a runaway chain is stopped with a clear line (issue 19, item 4)."""
MAX_LISTED = 8
"""Most items of a list quoted in an error message."""
NEAR_NAME = 0.6
"""A misspelt field is shown the valid name nearest to it if their similarity
(:class:`difflib.SequenceMatcher` ratio) is at least this: difflib's own default."""
NEAR_KIND = 0.8
"""A table of kinds (``[specialists.mental_heath]``) that lacks a new kind's required
fields is taken for a misspelt known kind if the names are at least this similar: a
letter or two apart in names of ten or more (``mental_heath`` ~ ``mental_health`` 0.96,
but ``youth_care_light`` ~ ``youth_care`` 0.77 is a new kind)."""
KIND_NOUNS: dict[str, str] = {
    "life_events": "life event",
    "specialists": "specialist kind",
    "escalations": "escalation kind",
}
"""What an entry of each table of kinds is called in a message."""


def listing(items: list | tuple, limit: int = MAX_LISTED) -> str:
    """A list for a message, the first ``limit`` items and how many more."""
    items = list(items)
    shown = ", ".join(repr(item) for item in items[:limit])
    more = f", … and {len(items) - limit} more" if len(items) > limit else ""
    return f"[{shown}{more}]"


@dataclass
class ResolvedScenario:
    """A validated scenario with where it came from.

    Attributes:
        scenario: The validated parameters.
        name: The file's stem (``old_system``), used to name result folders.
        path: The file itself.
        chain: The files merged, base first.
        provenance: For every field set in a file, the file that set it last.
    """

    scenario: Scenario
    name: str
    path: Path
    chain: list[Path]
    provenance: dict[str, Path] = field(default_factory=dict)


def shipped_scenarios_dir() -> Path:
    """The folder of the scenarios that ship with wijksim."""
    return Path(str(resources.files("wijksim.scenarios")))


def shipped_scenario_names() -> list[str]:
    """Names (file stems) of the shipped scenarios, sorted."""
    return sorted(p.stem for p in shipped_scenarios_dir().glob(f"*{SCENARIO_SUFFIX}"))


def find_scenario(name_or_path: str | Path, referenced_from: Path | None = None) -> Path:
    """Locate a scenario by path, or by the name of a shipped scenario.

    Args:
        name_or_path: A path to a TOML file, or a shipped scenario's name.
        referenced_from: The file whose ``extends`` names it; a relative path is tried
            first against that file's folder.

    Raises:
        ScenarioError: If neither a file nor a shipped scenario has that name.
    """
    candidate = Path(name_or_path)
    tries = [referenced_from.parent / candidate] if referenced_from is not None else []
    tries.append(candidate)
    stem = candidate.name.removesuffix(SCENARIO_SUFFIX)
    tries.append(shipped_scenarios_dir() / f"{stem}{SCENARIO_SUFFIX}")
    for path in tries:
        if path.is_file():
            return path
    shipped = ", ".join(shipped_scenario_names())
    raise ScenarioError(
        referenced_from or name_or_path,
        f"scenario '{name_or_path}' not found: expected a .toml file or one of: {shipped}",
        field="extends" if referenced_from is not None else None,
    )


def nearest(name: str, candidates: list[str] | tuple[str, ...], cutoff: float = NEAR_NAME):
    """The candidate nearest to a misspelt ``name`` (difflib), or ``None`` if none is near."""
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...]) -> str:
    """``"; did you mean 'x'?"`` for the nearest candidate, or ``""``."""
    near = nearest(name, candidates)
    return f" (did you mean '{near}'?)" if near else ""


LINE_KEY = re.compile(r"^\s*(?P<key>[A-Za-z0-9_\-.\"' ]+?)\s*=")
"""The key that a TOML line sets (``price_per_week_eur =``, ``"a".b =``)."""
DECIMAL_COMMA = re.compile(r"=\s*(?P<whole>[-+]?\d[\d_]*),(?P<part>\d+)(?!,\d)")
"""``= 350,5``: a Dutch decimal comma, which TOML cannot read; also in an inline table
(``{adult = 0,5}``). Never valid TOML right after ``=``; in an array (``[1,5]``) it is two
numbers, which TOML reads without error."""
TABLE_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\[\]]+?)\s*\]\]?\s*(#.*)?$")
TOML_POSITION = re.compile(r"\(at line (?P<line>\d+), column \d+\)")


def decimal_comma_hint(text: str, line: int) -> tuple[str, str] | None:
    """The field and advice if ``line`` (1-based) of a TOML text has a decimal comma.

    Returns:
        ``(dotted field, message)`` (the field of the line's key, under its table), or
        ``None`` if the line has no ``= 1,5`` outside a string.
    """
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    match = next(
        (
            m
            for m in DECIMAL_COMMA.finditer(lines[line - 1])
            if lines[line - 1][: m.start()].count('"') % 2 == 0
            and lines[line - 1][: m.start()].count("'") % 2 == 0
        ),
        None,
    )
    key = LINE_KEY.match(lines[line - 1])
    if match is None or key is None:
        return None
    headers = [TABLE_HEADER.match(previous) for previous in lines[: line - 1]]
    table = next((h["name"] for h in reversed(headers) if h), "")
    dotted = ".".join(part.strip().strip("\"'") for part in f"{table}.{key['key']}".split("."))
    return dotted.strip("."), f"line {line}: {decimal_comma_advice(match['whole'], match['part'])}"


DECIMAL_COMMA_VALUE = re.compile(r"(?P<whole>[-+]?\d[\d_]*),(?P<part>\d+)")


def decimal_comma_advice(whole: str, part: str) -> str:
    """``"2,8 has a decimal comma; use a decimal point: 2.8"``."""
    advice = f"{whole},{part} has a decimal comma; use a decimal point: {whole}.{part}"
    if len(part) == 3:  # 1,000 may be an English thousands separator
        advice += f" (or {whole}{part} if you meant thousands)"
    return advice


def read_toml_file(path: Path) -> dict[str, Any]:
    """Parse a TOML file; every way it can fail is a :class:`ScenarioError` naming it.

    A Dutch decimal comma (``drift_scale = 2,8``) is named as such, with the number as it
    should be written.

    Raises:
        ScenarioError: Unreadable, not UTF-8, malformed, or nested too deeply.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ScenarioError(path, f"cannot be read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        found = data[error.start : error.start + 1].hex()
        raise ScenarioError(
            path, f"expected UTF-8 text, found byte 0x{found} on line {line}"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        position = TOML_POSITION.search(str(error))
        line = getattr(error, "lineno", None) or (int(position["line"]) if position else 0)
        hint = decimal_comma_hint(text, line)
        if hint is not None:
            raise ScenarioError(path, hint[1], hint[0] or None) from None
        raise ScenarioError(path, f"malformed TOML: {error}") from None
    except RecursionError:
        raise ScenarioError(path, "malformed TOML: arrays or tables nested too deeply") from None


_read_toml = read_toml_file


def reject_dates(value: Any, file: Path | str, where: str, provenance: dict | None = None) -> None:
    """Refuse TOML dates and times: no field of a scenario or sweep is one.

    Raises:
        ScenarioError: Naming the field (and, with ``provenance``, the file that set it).
    """
    if isinstance(value, dict):
        for key, item in value.items():
            reject_dates(item, file, f"{where}.{key}" if where else str(key), provenance)
    elif isinstance(value, list):
        for item in value:
            reject_dates(item, file, where, provenance)
    elif isinstance(value, datetime.date | datetime.time):
        source = _file_for(where, provenance, Path(file)) if provenance else file
        kind = type(value).__name__
        raise ScenarioError(
            source,
            f"expected a number, text or table, found a TOML {kind} ({value.isoformat()})",
            where or None,
        )


def _merge(base: dict, override: dict, source: Path, provenance: dict, prefix: str = "") -> dict:
    """Deep-merge ``override`` into a copy of ``base``; tables merge, other values replace."""
    merged = dict(base)
    for key, value in override.items():
        dotted = f"{prefix}{key}"
        if (
            isinstance(value, dict)
            and isinstance(merged.get(key), dict)
            and dotted not in REPLACED_WHOLE
        ):
            merged[key] = _merge(merged[key], value, source, provenance, f"{dotted}.")
        else:
            merged[key] = value
            provenance[dotted] = source
    return merged


def _load_chain(path: Path) -> list[tuple[Path, dict]]:
    """The files of an ``extends`` chain, base first (a loop, not recursion: any length)."""
    chain: list[tuple[Path, dict]] = []
    seen: list[Path] = []
    while True:
        resolved = path.resolve()
        if resolved in seen:
            cycle = " -> ".join(str(p) for p in (*seen, resolved))
            raise ScenarioError(path, f"expected no cycle of extends, found {cycle}", "extends")
        if len(seen) == MAX_EXTENDS:
            raise ScenarioError(
                chain[0][0],
                f"expected at most {MAX_EXTENDS} files in a chain of extends, found more",
                "extends",
            )
        seen.append(resolved)
        data = _read_toml(path)
        parent = data.pop("extends", None)
        chain.append((path, data))
        if parent is None:
            return chain[::-1]
        if not isinstance(parent, str):
            found = type(parent).__name__
            raise ScenarioError(path, f"expected a file name (string), found {found}", "extends")
        path = find_scenario(parent, referenced_from=path)


def _describe(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):  # as TOML spells them
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    text = json.dumps(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def valid_fields(model: type[BaseModel], location: tuple) -> list[str]:
    """The field names allowed at ``location`` (for unknown-key errors).

    An entry of a table of kinds (``specialists.youth_care``) or of a list of tables
    (``team.split.teams.0``) has the fields of its kind or item.
    """
    current: Any = model
    parts = list(location)
    while parts:
        part = parts.pop(0)
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        annotation = fields[part].annotation
        # An optional section (``TeamParams | None``) lists the section's fields.
        options = [a for a in get_args(annotation) if a is not type(None)]
        if get_origin(annotation) in (Union, UnionType) and len(options) == 1:
            annotation = options[0]
        if get_origin(annotation) in (dict, list) and parts:
            entry = get_args(annotation)[-1]
            if isinstance(entry, type) and issubclass(entry, BaseModel):
                parts.pop(0)  # the kind's name or the item's index
                annotation = entry
        current = annotation if isinstance(annotation, type) else None
    return sorted(getattr(current, "model_fields", {}))


def _file_for(dotted: str, provenance: dict[str, Path], default: Path) -> Path:
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        if key in provenance:
            return provenance[key]
    # A field nobody set (missing, or a whole-object check): the file being read.
    return default


PYDANTIC_TAG = re.compile(
    r"^(constrained-|function-[a-z]+-|lax-|strict-)?"
    r"(int|float|str|bool|list|dict|tuple|none|literal|union|json-or-python)(\[.*\])?$"
    r"|\[|^function-"
)
"""Parts of a pydantic error location that name a member of a union type, not a field
(``seeds.constrained-int``): the user's field is the location without them."""


def user_location(location: tuple) -> tuple[str, ...]:
    """The dotted parts of a pydantic error location that the user wrote."""
    return tuple(str(p) for p in location if not PYDANTIC_TAG.search(str(p)))


TYPE_MISMATCHES = frozenset(
    {
        "bool_type",
        "int_type",
        "float_type",
        "string_type",
        "list_type",
        "dict_type",
        "tuple_type",
        "model_type",
        "bool_parsing",
        "int_parsing",
        "float_parsing",
    }
)


def first_error(error: ValidationError) -> dict[str, Any]:
    """The error to show, of the first field that failed.

    For a union (``bool | int | float | str``), the member that had the right type but a
    wrong value (``nan`` for a float), not "expected a boolean".
    """
    errors = error.errors()
    where = user_location(errors[0]["loc"])
    same = [e for e in errors if user_location(e["loc"]) == where]
    return next((e for e in same if e["type"] not in TYPE_MISMATCHES), errors[0])


def _misspelling_first(error: ValidationError, first: dict[str, Any]) -> dict[str, Any]:
    """For a missing field, the unknown field beside it if there is one: the misspelling.

    ``fte_shar = 0.5`` makes pydantic report both ``fte_share`` missing and ``fte_shar``
    unknown; the unknown one, with the name it is near, is what the user must fix.
    """
    if first["type"] != "missing":
        return first
    parent = user_location(first["loc"])[:-1]
    beside = [
        e
        for e in error.errors()
        if e["type"] == "extra_forbidden" and user_location(e["loc"])[:-1] == parent
    ]
    return beside[0] if beside else first


def _error_from_validation(
    error: ValidationError,
    provenance: dict,
    path: Path,
    root: type[BaseModel] = Scenario,
    prefix: tuple[str, ...] = (),
) -> ScenarioError:
    """The one-line error of a failed validation of ``root``, found at ``prefix``."""
    first = _misspelling_first(error, first_error(error))
    location = prefix + user_location(first["loc"])
    dotted = ".".join(location)
    file = _file_for(dotted, provenance, path)
    kind = first["type"]
    if kind == "extra_forbidden":
        valid = valid_fields(root, location[len(prefix) : -1])
        # The nearest name first: the list of valid fields may be cut at MAX_MESSAGE.
        hint = did_you_mean(location[-1], valid) if location else ""
        hint += f"; valid fields here: {', '.join(valid)}" if valid else ""
        return ScenarioError(file, f"unknown field{hint}", dotted)
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        # A whole-scenario check names its field first: "team.own_functions: expected …".
        named, sep, rest = message.partition(": ")
        if not dotted and sep and named.replace("_", "").replace(".", "").isalpha():
            return ScenarioError(_file_for(named, provenance, path), rest, named)
        return ScenarioError(file, message, dotted or None)
    if kind == "missing":
        return ScenarioError(file, "expected a value, found none", dotted)
    found = _describe(first.get("input"))
    expected = message.removeprefix("Input should be ")
    hint = ""
    if kind == "literal_error" and isinstance(first.get("input"), str):
        # A misspelt choice (payer = "insurrer", a domain, a life phase): the nearest one.
        choices = re.findall(r"'([^']*)'", str(first.get("ctx", {}).get("expected", "")))
        hint = did_you_mean(first["input"], choices)
    return ScenarioError(
        file, f"expected {expected[0].lower()}{expected[1:]}, found {found}{hint}", dotted
    )


def _kind_tables() -> dict[str, type[BaseModel]]:
    """The scenario's tables of kinds (``specialists``) and the model of one kind."""
    tables = {}
    for name, info in Scenario.model_fields.items():
        if get_origin(info.annotation) is dict:
            entry = get_args(info.annotation)[1]
            if isinstance(entry, type) and issubclass(entry, BaseModel):
                tables[name] = entry
    return tables


def check_new_kinds(complete: dict[str, Any], provenance: dict, path: Path) -> None:
    """A kind that is not complete must be a misspelt known kind, or is an error saying so.

    A table of kinds merges key by key, so ``[specialists.mental_heath]`` with a price is
    read as a new specialist kind, which then lacks its label. A new kind must give every
    field its model requires (label, domains, ...); an entry that does not, and whose name
    is near a complete kind's (:data:`NEAR_KIND`), is named as the misspelling it is.

    Raises:
        ScenarioError: Naming the entry, the nearest kind, or the fields a new one needs.
    """
    for table, model in _kind_tables().items():
        entries = complete.get(table)
        if not isinstance(entries, dict):
            continue  # a wrong type: validation says so
        required = [name for name, info in model.model_fields.items() if info.is_required()]
        whole = [k for k, v in entries.items() if isinstance(v, dict) and set(required) <= set(v)]
        for name, entry in entries.items():
            if not isinstance(entry, dict) or set(required) <= set(entry):
                continue
            noun = KIND_NOUNS.get(table, f"entry of {table}")
            dotted = f"{table}.{name}"
            file = _file_for(dotted, provenance, path)
            needs = f"a new one must give {', '.join(required)}"
            near = nearest(name, whole, NEAR_KIND)
            if near is None and set(entry) - set(model.model_fields):
                continue  # a new kind with a misspelt field: validation names that field
            if near is not None:
                message = f"unknown {noun}; did you mean '{near}'? ({needs})"
            else:
                message = f"unknown {noun}: {needs} (known: {', '.join(whole)})"
            raise ScenarioError(file, message, dotted)


def _defaults_for(given: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with the defaults of every optional section that ``given`` switches on.

    An optional section (``[team]``) is ``None`` by default; a file that sets any of its
    fields gets the section's own defaults for the rest, nested ones included.
    """
    for name, section in OPTIONAL_SECTIONS.items():
        if isinstance(given.get(name), dict) and base.get(name) is None:
            base = {**base, name: section().model_dump(mode="json")}
    return base


def check_schedule(
    scenario: Scenario, provenance: dict[str, Path], path: Path, field: str = "schedule"
) -> None:
    """Every rule the schedule names is registered, every ``[rules.<name>]`` valid.

    Registered by wijksim or by an imported plugin.

    Raises:
        ScenarioError: Naming the unknown rules (the first few, and how many more).
    """
    from wijksim.model.rules import RULES  # registers the built-in rules

    unknown = [name for name in scenario.schedule or () if name not in RULES]
    if unknown:
        file = _file_for("schedule", provenance, path)
        raise ScenarioError(
            file,
            f"expected registered rule names ({', '.join(sorted(RULES))}), "
            f"found {listing(unknown)}",
            field,
        )
    _check_rule_tables(scenario, provenance, path, field.removesuffix("schedule"))


def _check_rule_tables(
    scenario: Scenario, provenance: dict[str, Path], path: Path, prefix: str
) -> None:
    """Each ``[rules.<name>]`` names a registered rule, placed well, with valid parameters.

    The parameters are validated by the rule's own model (``Rule.Params``).

    Args:
        scenario: The validated scenario.
        provenance: Which file set each field.
        path: The scenario file (for fields nobody set).
        prefix: Put before every field named (a sweep's ``variants.x.``).

    Raises:
        ScenarioError: The first table at fault, naming its file and field.
    """
    from wijksim.model.rules.base import RULES, params_for
    from wijksim.model.rules.schedule import PlacementError, resolved_schedule

    for name in scenario.rules:
        if name not in RULES:
            file = _file_for(f"rules.{name}", provenance, path)
            hint = did_you_mean(name, sorted(RULES))
            message = f"expected a registered rule, found '{name}'{hint} (import it with --plugin)"
            raise ScenarioError(file, message, f"{prefix}rules.{name}")
    try:
        order = resolved_schedule(scenario.schedule, scenario.rules)
    except PlacementError as error:
        file = _file_for(error.field, provenance, path)
        raise ScenarioError(file, error.message, prefix + error.field) from None
    for name in scenario.rules:
        where = f"rules.{name}"
        file = _file_for(where, provenance, path)
        if name not in order:
            message = "expected after = or before = a scheduled rule, found the rule unscheduled"
            raise ScenarioError(file, message, prefix + where)
        rule = RULES[name]
        try:
            params_for(rule, scenario.rules)
        except ValidationError as error:
            found = _error_from_validation(error, provenance, path, rule.Params, ("rules", name))
            field = prefix + (found.field or where)
            raise ScenarioError(found.file, found.message, field) from None


_check_schedule = check_schedule


def _validate(complete: dict[str, Any], provenance: dict, path: Path) -> Scenario:
    """Validate merged data as a :class:`Scenario`, every failure a :class:`ScenarioError`."""
    reject_dates(complete, path, "", provenance)
    check_new_kinds(complete, provenance, path)
    try:
        return Scenario.model_validate_json(json.dumps(complete))
    except ValidationError as error:
        raise _error_from_validation(error, provenance, path) from None
    except RecursionError:
        raise ScenarioError(path, "expected a scenario, found tables nested too deeply") from None


def load_scenario(name_or_path: str | Path, check_rules: bool = True) -> ResolvedScenario:
    """Read, merge and validate a scenario.

    Args:
        name_or_path: A TOML file, or the name of a shipped scenario.
        check_rules: Import the scenario's plugins, then check that the schedule names
            registered rules and every ``[rules.<name>]`` is valid; a sweep does this
            later, after importing its own plugins.

    Returns:
        The validated scenario with its chain of files and field provenance.

    Raises:
        ScenarioError: For a missing file, malformed TOML, an unknown field, a wrong
            type or value, shares that do not sum to one, or a missing ``extends``.
    """
    path = find_scenario(name_or_path)
    provenance: dict[str, Path] = {}
    merged: dict[str, Any] = {}
    chain = _load_chain(path)
    for source, data in chain:
        merged = _merge(merged, data, source, provenance)
    # Validate the defaults merged with the files, so a partial table (one specialist's
    # price) keeps the other defaults of that table.
    defaults = _defaults_for(merged, Scenario().model_dump(mode="json"))
    complete = _merge(defaults, merged, path, {})
    scenario = _validate(complete, provenance, path)
    if check_rules:
        # Plugins are code: imported only now that the rest of the file is valid.
        import_plugins(scenario.plugins, _file_for("plugins", provenance, path), "plugins")
        check_schedule(scenario, provenance, path)
    return ResolvedScenario(scenario, path.stem, path, [p for p, _ in chain], provenance)


def nest_overrides(overrides: dict[str, Any], source: Path | str) -> dict[str, Any]:
    """``{"a.b": 1}`` → ``{"a": {"b": 1}}``.

    Raises:
        ScenarioError: If one key is both a value and a table (``years`` and
            ``years.x``, or ``population`` and ``population.households``).
    """
    nested: dict[str, Any] = {}
    for dotted, value in overrides.items():
        cursor = nested
        *parents, leaf = dotted.split(".")
        if value is None:  # a removed optional section (a sweep's ``without``) wins
            for part in parents:
                cursor = cursor.setdefault(part, {})
            cursor[leaf] = None
            continue
        for depth, part in enumerate(parents):
            child = cursor.setdefault(part, {})
            if child is None:  # inside a removed section: nothing to set
                break
            if not isinstance(child, dict):
                where = ".".join(parents[: depth + 1])
                raise ScenarioError(
                    source, f"set both as a value and as a table (by '{dotted}')", where
                )
            cursor = child
        else:
            if isinstance(cursor.get(leaf), dict) and not isinstance(value, dict):
                raise ScenarioError(source, "set both as a table and as a value", dotted)
            # A table replaces the table before it (``funding`` then
            # ``funding.specialist_access``); copied, since later keys write into it.
            cursor[leaf] = copy.deepcopy(value) if isinstance(value, dict) else value
    return nested


def with_overrides(
    scenario: Scenario, overrides: dict[str, Any], check_rules: bool = False
) -> Scenario:
    """Return a copy of ``scenario`` with dotted-key overrides, validated again.

    Args:
        scenario: The base scenario.
        overrides: ``{"population.households": 1000, "years": 2}``.
        check_rules: Check that a schedule names registered rules (off by default: a
            sweep's plugin rules are checked once its plugins are imported).

    Raises:
        ScenarioError: If an override names an unknown field or has a wrong value.
    """
    source = Path("<overrides>")
    nested = nest_overrides(overrides, source)
    complete = _merge(_defaults_for(nested, scenario.model_dump(mode="json")), nested, source, {})
    validated = _validate(complete, {}, source)
    if check_rules:
        check_schedule(validated, {}, source)
    return validated


ESTIMATED_BASE_MB = 190.0
"""Peak memory of a run before its households: interpreter and libraries
(docs/performance.md, Memory)."""
ESTIMATED_MB_PER_HOUSEHOLD = 0.003
"""Memory per household while building (network edges, Mesa agents, arrays):
(473 − 190) MB for 100,000 households (docs/performance.md, Memory), rounded up."""
ESTIMATED_MB_PER_YEAR = 1.0
"""The weekly records of a simulated year, ~1 MB (docs/performance.md, Memory)."""
LARGE_RUN_MB = 8192.0
"""Runs estimated above this need ``--allow-large``. A fixed limit rather than this
machine's memory, so that a scenario validates alike everywhere (assumption: 8 GB, what
a laptop can spare; 10⁹ households was killed at 24 GB, issue 19)."""


def estimated_peak_mb(scenario: Scenario) -> float:
    """The estimated peak memory of one run of ``scenario``, in MB."""
    years = scenario.years + scenario.burn_in_years
    return (
        ESTIMATED_BASE_MB
        + ESTIMATED_MB_PER_HOUSEHOLD * scenario.total_households
        + ESTIMATED_MB_PER_YEAR * years
    )


def check_size(scenario: Scenario, file: Path | str, allow_large: bool = False) -> None:
    """Refuse a run too large for an ordinary machine unless the user says otherwise.

    Raises:
        ScenarioError: The estimate exceeds :data:`LARGE_RUN_MB` without ``allow_large``.
    """
    estimate = estimated_peak_mb(scenario)
    if allow_large or estimate <= LARGE_RUN_MB:
        return
    households = scenario.total_households
    field = (
        ("city" if scenario.city else "population.households")
        if households * ESTIMATED_MB_PER_HOUSEHOLD > (scenario.years * ESTIMATED_MB_PER_YEAR)
        else "years"
    )
    raise ScenarioError(
        file,
        f"a run of {households:,} households for {scenario.years:,} years needs an "
        f"estimated {estimate / 1024:,.1f} GB of memory (limit {LARGE_RUN_MB / 1024:.0f} GB); "
        "pass --allow-large to run it anyway",
        field,
    )
