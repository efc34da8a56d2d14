"""Reading scenario files: TOML, ``extends`` chains, validation and clear errors.

A scenario file is a TOML document that sets only what differs from the defaults of
:class:`~wijksim.model.scenario.Scenario` or from the file named by its top-level
``extends`` key (a path relative to the file, or the name of a shipped scenario). Every
error names the file that set the offending field, the field, what was expected and
what was found, and is raised as :class:`ScenarioError` for the CLI to print.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from wijksim.model.funding import FundingParams
from wijksim.model.scenario import REPLACED_WHOLE, Scenario
from wijksim.model.team_params import TeamParams

OPTIONAL_SECTIONS: dict[str, type[BaseModel]] = {"team": TeamParams, "funding": FundingParams}
"""Scenario sections that are absent unless a file sets them."""

SCENARIO_SUFFIX = ".toml"


class ScenarioError(Exception):
    """A scenario cannot be read; the message is one line meant for the user.

    Args:
        file: The file at fault.
        message: What was expected and what was found.
        field: The dotted field name, if the error is about one field.
    """

    def __init__(self, file: Path | str, message: str, field: str | None = None) -> None:
        self.file = str(file)
        self.field = field
        self.message = message
        where = f"{self.file}: field '{field}'" if field else self.file
        super().__init__(f"{where}: {message}")


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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, f"malformed TOML: {error}") from None
    except OSError as error:
        raise ScenarioError(path, f"cannot be read: {error.strerror}") from None


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


def _load_chain(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[Path, dict]]:
    resolved = path.resolve()
    if resolved in seen:
        cycle = " -> ".join(str(p) for p in (*seen, resolved))
        raise ScenarioError(path, f"expected no cycle of extends, found {cycle}", "extends")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return [(path, data)]
    if not isinstance(parent, str):
        found = type(parent).__name__
        raise ScenarioError(path, f"expected a file name (string), found {found}", "extends")
    parent_path = find_scenario(parent, referenced_from=path)
    return [*_load_chain(parent_path, (*seen, resolved)), (path, data)]


def _describe(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


def _valid_fields(model: type[BaseModel], location: tuple) -> list[str]:
    """The field names allowed at ``location`` (for unknown-key errors)."""
    current: Any = model
    for part in location:
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        annotation = fields[part].annotation
        # An optional section (``TeamParams | None``) lists the section's fields.
        options = [a for a in get_args(annotation) if isinstance(a, type) and a is not type(None)]
        if not isinstance(annotation, type) and len(options) == 1:
            annotation = options[0]
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


def _error_from_validation(error: ValidationError, provenance: dict, path: Path) -> ScenarioError:
    first = error.errors()[0]
    location = tuple(str(p) for p in first["loc"])
    dotted = ".".join(location)
    file = _file_for(dotted, provenance, path)
    kind = first["type"]
    if kind == "extra_forbidden":
        valid = _valid_fields(Scenario, location[:-1])
        hint = f"; valid fields here: {', '.join(valid)}" if valid else ""
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
    return ScenarioError(
        file, f"expected {expected[0].lower()}{expected[1:]}, found {found}", dotted
    )


def _defaults_for(given: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with the defaults of every optional section that ``given`` switches on.

    An optional section (``[team]``) is ``None`` by default; a file that sets any of its
    fields gets the section's own defaults for the rest, nested ones included.
    """
    for name, section in OPTIONAL_SECTIONS.items():
        if isinstance(given.get(name), dict) and base.get(name) is None:
            base = {**base, name: section().model_dump(mode="json")}
    return base


def _check_schedule(scenario: Scenario, provenance: dict[str, Path], path: Path) -> None:
    from wijksim.model.rules import RULES  # registers the built-in rules

    unknown = [name for name in scenario.schedule or () if name not in RULES]
    if unknown:
        file = _file_for("schedule", provenance, path)
        raise ScenarioError(
            file,
            f"expected registered rule names ({', '.join(sorted(RULES))}), found {unknown}",
            "schedule",
        )


def load_scenario(name_or_path: str | Path) -> ResolvedScenario:
    """Read, merge and validate a scenario.

    Args:
        name_or_path: A TOML file, or the name of a shipped scenario.

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
    try:
        scenario = Scenario.model_validate_json(json.dumps(complete))
    except ValidationError as error:
        raise _error_from_validation(error, provenance, path) from None
    _check_schedule(scenario, provenance, path)
    return ResolvedScenario(scenario, path.stem, path, [p for p, _ in chain], provenance)


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """Return a copy of ``scenario`` with dotted-key overrides, validated again.

    Args:
        scenario: The base scenario.
        overrides: ``{"population.households": 1000, "years": 2}``.

    Raises:
        ScenarioError: If an override names an unknown field or has a wrong value.
    """
    nested: dict[str, Any] = {}
    for dotted, value in overrides.items():
        cursor = nested
        *parents, leaf = dotted.split(".")
        for part in parents:
            cursor = cursor.setdefault(part, {})
        cursor[leaf] = value
    source = Path("<overrides>")
    complete = _merge(_defaults_for(nested, scenario.model_dump(mode="json")), nested, source, {})
    try:
        return Scenario.model_validate_json(json.dumps(complete))
    except ValidationError as error:
        raise _error_from_validation(error, {}, source) from None
