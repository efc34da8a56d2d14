"""Importing plugins: a partner's modules that register rules (issue 20, item 4).

One place for every command: ``--plugin MODULE`` on the command line, ``plugins = [...]``
in a scenario file and in a sweep file all come here. A plugin is Python code and runs
with the user's permissions; callers import it only after the file that names it has
validated (issue 19, item 6). The modules imported in this process are remembered, so
that a sweep hands them on to its workers, which import them again before each run.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

from wijksim.model.inputs.user_errors import ScenarioError

_IMPORTED: dict[str, None] = {}
"""Modules imported through :func:`import_plugins` in this process, in order."""


def import_plugins(modules: Iterable[str], file: Path | str, field: str) -> None:
    """Import ``modules``; a module that cannot be imported is a one-line error.

    Args:
        modules: Module names, as ``import`` takes them (``debt_counselling``).
        file: Where the names came from (a file, or ``<command line>``), for errors.
        field: The field that lists them (``plugins`` gives ``plugins[0]``, …;
            ``--plugin`` is named as it is).

    Raises:
        ScenarioError: A module is not found, raises while imported, or calls
            ``sys.exit``; naming the module and the field.
    """
    for index, module in enumerate(modules):
        where = field if field.startswith("-") else f"{field}[{index}]"
        _import_one(module, file, where)
        _IMPORTED[module] = None


def _import_one(module: str, file: Path | str, where: str) -> None:
    try:
        importlib.import_module(module)
    except SystemExit as error:  # sys.exit() in a plugin must not end a command quietly
        message = f"plugin '{module}' called sys.exit({error.code!r}) while imported"
        raise ScenarioError(file, message, where) from None
    except Exception as error:  # any import failure is the user's to fix
        message = f"cannot import '{module}': {type(error).__name__}: {error}"
        if isinstance(error, ModuleNotFoundError) and error.name == module:
            message += " (put its folder on PYTHONPATH)"
        raise ScenarioError(file, message, where) from None


def imported_plugins() -> tuple[str, ...]:
    """The plugins imported so far in this process, in the order first imported."""
    return tuple(_IMPORTED)
