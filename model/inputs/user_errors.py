"""The error every bad scenario or input file raises: one line for the user.

Its own module so that everything that reads user input (``scenario_io``, ``plugins``, the
experiments' file readers) can raise it without importing the scenario reader, and the
reader can import those without a cycle (issue 20, item 1). The command line prints the
line and exits with status 2 (``experiments/cli.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_MESSAGE = 400
"""Longest error message printed; a longer one is cut, saying how much was left out."""


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` as one printable line: control characters escaped, cut at ``limit``."""
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], str(text))
    if len(escaped) <= limit:
        return escaped
    return f"{escaped[:limit]}… ({len(escaped) - limit} more characters)"


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
        # One line whatever the user typed: a newline in a key or value is escaped and a
        # huge value is cut (issue 19, item 4).
        where = one_line(self.file, 200)
        if field:
            where += f": field '{one_line(field, 200)}'"
        super().__init__(f"{where}: {one_line(message)}")
