"""The tables of docs/ODD.md that the code can say itself: parameters, state and metrics.

The model description keeps its prose by hand, but every table that lists what the code
declares is rendered from the code, so that it cannot drift from it:

- ``parameters TABLE``: the fields of one table of the scenario schema (``team``,
  ``team.policy``, ``specialists.<kind>``, ``general`` for the top-level fields), each
  with its unit, default and source (the docstring under the field), read through
  :mod:`wijksim.model.inputs.parameters` like ``docs/parameters.md``;
- ``kinds SECTION``: a table of kinds (``specialists``, ``life_events``,
  ``escalations``) as one row per default kind and one column per field;
- ``state CLASS``: the arrays of a state class (``Population``, ``CaseTable``), each
  with its dtype, shape, initial value and the line its class docstring gives it, or the
  members of a code table (``Status``, ``CaseRole``) with their docstrings;
- ``metrics``: every metric declared with its kind (flow or state,
  :mod:`wijksim.model.observation.counters`).

In the document each table stands between two marker comments,
``<!-- generated: NAME -->`` and ``<!-- end generated -->``; :func:`regenerate` renders
every such block again, and ``tests/test_odd_tables.py`` fails when the committed
document differs from what the code renders. To regenerate in place::

    wijksim params --odd docs/ODD.md
    python -m wijksim.experiments.reports.odd_tables docs/ODD.md

One piece over 300 lines: each generated block of docs/ODD.md, its rendering and the
regeneration that finds the blocks in the file.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import itertools
import re
import sys
import textwrap
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path

import numpy as np
from wijksim.model.config.scenario import PopulationParams, Scenario
from wijksim.model.core.domains import DOMAINS
from wijksim.model.inputs.parameters import (
    GENERAL,
    ITEM,
    KIND,
    NO_UNIT,
    Parameter,
    parameters,
)
from wijksim.model.observation import metrics as _metrics  # noqa: F401 (declares wijksim's own metrics)
from wijksim.model.observation.counters import declared_metrics
from wijksim.model.state.caseload import CaseRole, CaseTable
from wijksim.model.state.population import NEVER, NO_PROVIDER, Population, initialise_population
from wijksim.model.state.status import Status

ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
REGENERATE_COMMAND = "wijksim params --odd docs/ODD.md"
END = "<!-- end generated -->"
BLOCK = re.compile(
    r"(?P<start><!-- generated: (?P<name>[^\n]*?) -->\n)(?P<body>.*?)(?P<end>"
    + re.escape(END)
    + ")",
    re.S,
)
"""A generated block: its start marker (with the block's name), its body and its end."""

SAMPLE_HOUSEHOLDS = 50
"""Households drawn to tell arrays with one initial value from drawn ones."""


class UnknownBlock(ValueError):
    """A marker names a table the code cannot render (a typo, or a table that went)."""


# ----------------------------------------------------------------------------- cells


SPHINX_ROLE = re.compile(r":[a-z]+:`~?([\w.]+)`")
"""A cross-reference in a docstring (``:class:`~wijksim.model.state.status.Status```)."""


def _cell(text: str) -> str:
    """Docstring text for a Markdown table cell.

    On one line, Sphinx cross-references as the plain name in code, "ODD §" as "§" (the
    cell is in the ODD), and no pipes that would split the cell or raw tags.
    """
    text = SPHINX_ROLE.sub(lambda m: f"`{m.group(1).rsplit('.', 1)[-1]}`", text)
    text = " ".join(text.split()).replace("``", "`").replace("ODD §", "§")
    parts = text.replace("|", "\\|").split("`")
    # A "<" outside code could open a tag; inside code it is shown as it is.
    return "`".join(p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(parts))


def _code(text: str) -> str:
    return f"`{text}`".replace("|", "\\|")


def _table(header: tuple[str, ...], rows: list[list[str]]) -> str:
    lines = [f"| {' | '.join(header)} |", "|---" * len(header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- parameters


def _table_of(parameter: Parameter) -> str:
    """The dotted table a field belongs to (``team.policy``; ``general`` at top level)."""
    path = parameter.path.replace(ITEM, "")
    return path.rsplit(".", 1)[0] if "." in path else GENERAL


def parameters_in(table: str) -> list[Parameter]:
    """The fields directly in one table of the schema, in schema order.

    Args:
        table: ``general``, a section (``team``), a nested table (``team.policy``), a
            kind's table (``specialists.<kind>``) or a list item's (``team.split.teams``).

    Raises:
        UnknownBlock: If the schema has no field in such a table.
    """
    chosen = [p for p in parameters() if _table_of(p) == table]
    if not chosen:
        raise UnknownBlock(f"the schema has no table '{table}'")
    return chosen


PER_KIND = "each kind's own (a new kind: required)"
"""The default of a kind's field that every kind sets: the kinds' table shows the values."""


def render_parameters(table: str) -> str:
    """One table's fields: name, unit, default, and meaning and source.

    In a table of kinds, a field that each kind sets for itself shows :data:`PER_KIND`
    rather than every kind's value: the ``kinds`` table beside it has them.
    """
    rows = []
    for p in parameters_in(table):
        name = p.path.replace(ITEM, "").rsplit(".", 1)[-1]
        unit = "" if p.unit == NO_UNIT else p.unit
        default = PER_KIND if p.default.endswith("(a new kind: required)") else p.default
        rows.append([_code(name), _cell(unit), _cell(default), _cell(p.description)])
    header = ("field", "unit", "default", "meaning and source")
    prefix = "top level" if table == GENERAL else f"`[{table}]`"
    return f"Fields of {prefix}:\n\n" + _table(header, rows)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,g}" if abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple) and tuple(value) == DOMAINS:
        return "all 11 domains"
    if isinstance(value, list | tuple):
        return ", ".join(_toml_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k} {_toml_value(v)}" for k, v in value.items()) or "—"
    return "—" if value is None else str(value)


def render_kinds(argument: str) -> str:
    """The default kinds of a table of kinds: one row per kind, one column per field.

    Args:
        argument: The section (``specialists``) for every field, or the section, a colon
            and the optional fields to show (``specialists: extension_weeks``): the
            fields every kind must set are always shown, since the table of the fields
            (:func:`render_parameters`) leaves their values to this one.
    """
    section, colon, chosen = (part.strip() for part in argument.partition(":"))
    kinds = getattr(Scenario(), section, None)
    if not isinstance(kinds, dict) or not kinds:
        raise UnknownBlock(f"the schema has no table of kinds '{section}'")
    own = parameters_in(f"{section}.{KIND}")
    names = [p.path.rsplit(".", 1)[-1] for p in own]
    unknown = sorted(set(chosen.split()) - set(names))
    if unknown:
        raise UnknownBlock(f"[{section}.<kind>] has no field {', '.join(unknown)}")
    if colon:
        required = {n for n, p in zip(names, own, strict=True) if p.default.endswith("required)")}
        names = [n for n in names if n in required or n in chosen.split()]
    fields = names
    rows = [
        [_code(kind), *(_cell(_toml_value(getattr(entry, f))) for f in fields)]
        for kind, entry in kinds.items()
    ]
    return _table(("kind", *(_code(f) for f in fields)), rows)


# ----------------------------------------------------------------------------- state


def attribute_lines(cls: type) -> dict[str, str]:
    """The ``Attributes:`` section of a Google-style class docstring: name → text."""
    doc = inspect.getdoc(cls) or ""
    block = doc.split("Attributes:", 1)[1] if "Attributes:" in doc else ""
    described: dict[str, str] = {}
    name = None
    for line in block.splitlines():
        entry = re.match(r"^    (\w+): (.*)$", line)
        if entry:
            name = entry.group(1)
            described[name] = entry.group(2)
        elif line.startswith("        ") and name:
            described[name] += " " + line.strip()
        elif line.strip():
            break  # the next section of the docstring
    return described


def member_docstrings(cls: type[IntEnum]) -> dict[str, str]:
    """The docstrings written under the members of an enum: name → text."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs = {}
    for member, following in itertools.pairwise(body):
        named = isinstance(member, ast.Assign) and isinstance(member.targets[0], ast.Name)
        text = isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
        if named and text:
            docs[member.targets[0].id] = " ".join(str(following.value.value).split())
    return docs


SPECIAL_VALUES = {NEVER: "`NEVER`", NO_PROVIDER: "−1"}


def _initial(array: np.ndarray) -> str:
    """The one value every row starts with, or "drawn" if rows start apart."""
    values = np.unique(array)
    if len(values) > 1:
        return "drawn (§5)"
    value = values[0].item()
    if isinstance(value, bool):
        return "false" if not value else "true"
    if isinstance(value, int) and value in SPECIAL_VALUES:
        return SPECIAL_VALUES[value]
    return f"{value:g}".replace("-", "−")


def _dtype(array: np.ndarray) -> str:
    return array.dtype.name + (" (n × 11)" if array.ndim == 2 else "")


def _state_rows(cls: type, instance: object) -> list[list[str]]:
    described = attribute_lines(cls)
    rows = []
    for field in dataclasses.fields(cls):
        array = getattr(instance, field.name)
        text = _cell(described.get(field.name, ""))
        rows.append([_code(field.name), _dtype(array), _initial(array), text])
    return rows


def _population() -> str:
    rng = np.random.default_rng(0)
    population = initialise_population(PopulationParams(households=SAMPLE_HOUSEHOLDS), rng)
    header = ("variable", "dtype (shape)", "initial", "meaning")
    return _table(header, _state_rows(Population, population))


def _case_table() -> str:
    header = ("variable", "dtype", "initial", "meaning")
    return _table(header, _state_rows(CaseTable, CaseTable.empty(SAMPLE_HOUSEHOLDS)))


def _codes(cls: type[IntEnum], title: str) -> Callable[[], str]:
    def render() -> str:
        docs = member_docstrings(cls)
        rows = [[str(int(m)), _code(m.name), _cell(docs.get(m.name, ""))] for m in cls]
        return _table(("code", title, "meaning"), rows)

    return render


STATE_TABLES: dict[str, Callable[[], str]] = {
    "Population": _population,
    "CaseTable": _case_table,
    "Status": _codes(Status, "status"),
    "CaseRole": _codes(CaseRole, "role"),
}


# ----------------------------------------------------------------------------- metrics


def render_metrics() -> str:
    """Every declared metric with its kind; a family is every metric with that start."""
    rows = []
    for metric in declared_metrics():
        name = _code(f"{metric.name}…" if metric.family else metric.name)
        notes = [metric.description] if metric.description else []
        if metric.per_team:
            notes.append(f"also per team of a split, as `{metric.name}__<team>`")
        rows.append([name, metric.kind.value, _cell("; ".join(notes))])
    return _table(("metric", "kind", "what it counts in a week"), rows)


# ----------------------------------------------------------------------------- blocks


def render(name: str) -> str:
    """The body of the generated block called ``name`` (its marker's text).

    Raises:
        UnknownBlock: If no table has that name.
    """
    kind, _, argument = name.strip().partition(" ")
    if kind == "parameters" and argument:
        return render_parameters(argument)
    if kind == "kinds" and argument:
        return render_kinds(argument)
    if kind == "state" and argument in STATE_TABLES:
        return STATE_TABLES[argument]()
    if kind == "metrics" and not argument:
        return render_metrics()
    raise UnknownBlock(
        f"no generated table '{name}': expected 'parameters TABLE', 'kinds SECTION', "
        f"'state {' | '.join(STATE_TABLES)}' or 'metrics'"
    )


def block_names(text: str) -> list[str]:
    """The names of the generated blocks of a document, in order."""
    return [match.group("name") for match in BLOCK.finditer(text)]


def regenerate(text: str) -> str:
    """``text`` with the body of every generated block rendered again from the code."""
    return BLOCK.sub(lambda m: f"{m.group('start')}{render(m.group('name'))}{m.group('end')}", text)


def regenerate_file(path: Path) -> bool:
    """Render the blocks of the file at ``path`` in place.

    Returns:
        Whether the file changed.
    """
    text = path.read_text(encoding="utf-8")
    new = regenerate(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    """``python -m wijksim.experiments.reports.odd_tables [PATH] [--check]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=ODD_PATH)
    parser.add_argument(
        "--check", action="store_true", help="only say whether the file is stale (exit 1)"
    )
    args = parser.parse_args(argv)
    try:
        text = args.path.read_text(encoding="utf-8")
        new = regenerate(text)
    except (OSError, UnknownBlock) as error:
        print(f"{args.path}: {error}", file=sys.stderr)
        return 2
    if args.check:
        stale = new != text
        print(f"{args.path}: {'stale, run ' + REGENERATE_COMMAND if stale else 'up to date'}")
        return 1 if stale else 0
    if new != text:
        args.path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
