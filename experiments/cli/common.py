"""What every subcommand shares: the one-line parser, scenarios and overrides, out folders."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

from wijksim.experiments.runner.manifest import SHORT_NAMES
from wijksim.model.inputs.scaling import with_overrides_scaled
from wijksim.model.inputs.scenario_io import (
    DECIMAL_COMMA_VALUE,
    ResolvedScenario,
    ScenarioError,
    check_schedule,
    decimal_comma_advice,
    load_scenario,
    one_line,
)

EXIT_USAGE = 2


DEFAULT_SCENARIO = "old_system"


COMMAND_LINE = "<command line>"


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line, exit 2, like every other mistake (no usage block)."""

    def error(self, message: str) -> None:  # noqa: D102 (argparse's hook, documented there)
        print(f"wijksim: {COMMAND_LINE}: {one_line(message)} (see --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _parse_setting(text: str) -> tuple[str, object]:
    """``key=value`` from ``--set``; the value is read as TOML (``40``, ``0.2``, ``"x"``).

    A value that is not TOML is taken as text only if it is a bare word
    (``--set team.label=Zuid``); anything else that does not parse is an error, never
    silently dropped or kept as text (issue 19, item 4).
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError(COMMAND_LINE, f"expected --set KEY=VALUE, found '{text}'")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        comma = DECIMAL_COMMA_VALUE.fullmatch(raw.strip())
        if comma is not None:  # --set hazards.drift_scale=2,8
            advice = decimal_comma_advice(comma["whole"], comma["part"])
            raise ScenarioError(COMMAND_LINE, advice, key.strip()) from None
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ .-]*", raw.strip()):
            raise ScenarioError(
                COMMAND_LINE,
                f"expected a TOML value (40, 0.2, \"text\", [1, 2]), found '{raw.strip()}'",
                key.strip(),
            ) from None
        value = raw.strip()  # a bare word is a string
    return key.strip(), value


def positive_count(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found '{text}'")
    return value


def resolve_scenario(
    name: str, overrides: dict[str, object]
) -> tuple[ResolvedScenario, dict[str, list[float]]]:
    """The scenario with the command line's overrides, scaled if they set the households.

    Returns:
        The resolved scenario and what was scaled (``{field: [from, to]}``).
    """
    resolved = load_scenario(name)
    try:
        resolved.scenario, scaled = with_overrides_scaled(resolved.scenario, overrides)
        check_schedule(resolved.scenario, {}, Path(COMMAND_LINE))
    except ScenarioError as error:  # the overrides came from the command line: say so
        raise ScenarioError(COMMAND_LINE, error.message, error.field) from None
    return resolved, scaled


def overrides_from_options(
    households: int | None, years: int | None, settings: list[str] | None
) -> dict[str, object]:
    """Dotted-field overrides from ``--households``, ``--years`` and ``--set``.

    Raises:
        ScenarioError: A field set twice, by two ``--set`` or by ``--set`` and an option
            (``--set years=ten --years 1`` must not quietly drop one of them).
    """
    overrides: dict[str, object] = {}
    options = {"population.households": households, "years": years}
    given = [_parse_setting(text) for text in settings or []]
    given += [(key, value) for key, value in options.items() if value is not None]
    for key, value in given:
        if key in overrides:
            raise ScenarioError(COMMAND_LINE, "set twice on the command line", key)
        overrides[key] = value
    return overrides


MAX_LABEL = 60
"""Longer override labels are cut and end in a hash, to keep folder names bounded."""


def overrides_label(overrides: dict[str, object]) -> str:
    """The overrides in a folder name: ``households=3000-team.frontline_fte=12``.

    Sorted, so the same overrides in any order name the same folder; characters other
    than letters, digits and ``. _ = +`` become ``-`` (safe on every filesystem); longer
    than :data:`MAX_LABEL`, the label is cut and ends in a hash of all the overrides, so
    different overrides never share a folder.
    """
    parts = sorted(
        f"{SHORT_NAMES.get(key, key)}={_value_text(value)}" for key, value in overrides.items()
    )
    label = re.sub(r"[^A-Za-z0-9._=+]+", "-", "-".join(parts)).strip("-")
    if len(label) <= MAX_LABEL:
        return label
    digest = hashlib.sha256(json.dumps(overrides, sort_keys=True).encode()).hexdigest()[:8]
    return f"{label[: MAX_LABEL - 9].rstrip('-._=')}-{digest}"


def _value_text(value: object) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value).lower() if isinstance(value, bool) else str(value)


def default_folder(name: str, overrides: dict[str, object]) -> Path:
    """``results/NAME`` or, with overrides, ``results/NAME-<overrides label>``."""
    label = overrides_label(overrides) if overrides else ""
    return Path("results") / "-".join(filter(None, [name, label]))


def check_out_folder(out: Path, overwrite: bool = False, kind: str = "run") -> bool:
    """Check ``--out`` before any simulation (:mod:`wijksim.experiments.runner.out_folder`).

    Args:
        out: The folder the command writes.
        overwrite: Whether ``--overwrite`` allows replacing what wijksim did not write.
        kind: ``"run"`` or ``"bench"`` (replaced as a whole), ``"sweep"`` (written into
            and resumed) or ``"report"`` (a sweep's ``report/``, replaced as a whole).

    Returns:
        Whether an earlier result will be replaced.

    Raises:
        ScenarioError: ``out`` may not or cannot be written; one line naming it.
    """
    from wijksim.experiments.runner.out_folder import check_replaceable, check_sweep_folder

    if kind == "sweep":
        check_sweep_folder(out)
        return False
    return check_replaceable(out, kind, overwrite)


def comma_list(text: str) -> list[str]:
    """A comma-separated list: ``"a, b"`` → ``["a", "b"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]
