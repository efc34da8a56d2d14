"""Check the import-linter contracts of pyproject.toml (issue 20, item 1): ``make test``.

import-linter (through grimp) finds a package's modules by walking its folder on disk,
but wijksim's sub-packages live in the repository's top-level folders (``model/``,
``agents/``, ...), mapped into ``wijksim`` by ``[tool.setuptools.package-dir]``; the
editable install resolves that mapping at import time, where grimp cannot see it (it
reports "Module 'wijksim.model' does not exist"), and it does not follow symbolic links.
So this script copies the ``.py`` files into a temporary folder laid out as installed
(``wijksim/model/...``) and runs ``lint-imports`` there. Usage::

    .venv/bin/python .ci/lint_imports.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
PYPROJECT = REPOSITORY / "pyproject.toml"


def package_folders() -> dict[str, Path]:
    """Each package's folder in the repository, from pyproject's setuptools mapping."""
    with PYPROJECT.open("rb") as handle:
        mapping = tomllib.load(handle)["tool"]["setuptools"]["package-dir"]
    return {package: REPOSITORY / folder for package, folder in mapping.items()}


def lay_out_as_installed(target: Path) -> None:
    """Copy every package's own ``.py`` files to ``target/<package as path>/``."""
    for package, folder in package_folders().items():
        destination = target.joinpath(*package.split("."))
        destination.mkdir(parents=True, exist_ok=True)
        # Only the package's own files: its sub-packages have their own entry.
        for source in folder.glob("*.py"):
            shutil.copy2(source, destination / source.name)


def main() -> int:
    """Run ``lint-imports`` on the installed layout; its exit code is this script's."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    with tempfile.TemporaryDirectory(prefix="wijksim-import-lint-") as folder:
        lay_out_as_installed(Path(folder))
        # lint-imports puts its working folder first on sys.path: run it in the copy, so
        # that the repository's own wijksim/ folder does not shadow the copy's.
        environment = {**os.environ, "PYTHONPATH": folder}
        command = [str(lint_imports), "--no-cache", "--config", str(PYPROJECT)]
        return subprocess.run(command, cwd=folder, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
