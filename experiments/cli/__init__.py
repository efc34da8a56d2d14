"""The ``wijksim`` command line: argument parsing over the experiment functions.

:func:`main` is the console script's entry point (``wijksim.experiments.cli:main`` in
``pyproject.toml``).
"""

from wijksim.experiments.cli.parser import main

__all__ = ["main"]
