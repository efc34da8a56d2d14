"""Run manifests: what produced a result (scenario as resolved, seed, versions, commit)."""

from __future__ import annotations

import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

SHORT_NAMES = {"population.households": "households", "years": "years"}
"""How ``--households`` and ``--years`` appear in folder names, headers and captions."""


def overrides_text(overrides: dict[str, object]) -> list[str]:
    """``["households=3000", "team.frontline_fte=12"]``: sorted, with short names."""
    return sorted(f"{SHORT_NAMES.get(key, key)}={value}" for key, value in overrides.items())


def model_provenance() -> dict[str, object]:
    """The model's revision and wijksim's version: runs that differ in them differ.

    Read at call time (not import time), so that a test can change the revision.
    """
    from wijksim.model import revision

    import wijksim

    return {"model_revision": revision.MODEL_REVISION, "wijksim_version": wijksim.__version__}


PACKAGES = ("wijksim", "mesa", "numpy", "networkx", "pandas", "scipy", "pyarrow", "matplotlib")


def package_versions() -> dict[str, str]:
    """Installed versions of wijksim and the libraries that shape its results."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str:
    """The git commit of the wijksim source tree, or ``"unknown"`` outside a checkout."""
    source = Path(__file__).resolve().parent
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if result.returncode != 0:
        return "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=5,
    ).stdout.strip()
    return result.stdout.strip() + ("-dirty" if dirty else "")


def command_line() -> str:
    """The command that started this process, as a user would type it again.

    ``wijksim compare-funding --seeds 10`` when run through the ``wijksim`` script (its
    path is shortened to its name, which differs between machines), else the Python
    invocation. A results document quotes it (docs/results_*.md), so that its figures
    name the command that produced them.
    """
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program == "wijksim":
        return shlex.join(["wijksim", *sys.argv[1:]])
    return shlex.join(["python", *sys.argv])


def utc_now() -> str:
    """The current time, ISO 8601 in UTC."""
    return datetime.now(UTC).isoformat(timespec="seconds")
