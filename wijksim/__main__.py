"""``python -m wijksim`` runs the command line.

``python -m`` puts the current folder first on the import path, so a sweep's
``plugins = ["x"]`` would import ``x.py`` from whatever folder the user happens to be in:
running a downloaded folder's sweep file from inside it would execute that folder's code
(issue 19, item 6). It is taken off again, so that ``python -m wijksim`` finds plugins
exactly where the ``wijksim`` command does: installed, or on ``PYTHONPATH`` by choice.
"""

import os
import sys


def _drop_current_folder(path: list[str]) -> None:
    """Remove the entry ``python -m`` added for the current folder, unless asked for."""
    given = os.environ.get("PYTHONPATH")
    asked = {os.path.abspath(p or ".") for p in given.split(os.pathsep)} if given else set()
    if path and os.path.abspath(path[0] or ".") == os.getcwd() and os.getcwd() not in asked:
        del path[0]


_drop_current_folder(sys.path)

from wijksim.experiments.cli import main  # noqa: E402 (after the path is made safe)

sys.exit(main())
