"""Where a command may write: checked before any simulation runs (issue 19, item 1).

A results folder (``--out``) is only ever replaced or written into if it is new, empty,
or a wijksim result of the same kind; anything else needs ``--overwrite`` (where the
command has one), and the working folder or one of its parents is never replaced. The
path itself is checked too (a file in the way, a name too long, a read-only file
system), so a mistake costs a second, not a simulation.

A wijksim result is recognised by the manifest it writes:

* a run (``wijksim run``): ``manifest.json`` with ``scenario_name``, ``seed`` and
  ``versions``, and nothing but the files a run writes;
* a sweep (``sweep``, ``transition``, ``compare-*``): ``sweep.json`` with ``sweep`` and
  ``runs``; a sweep writes into its folder (and resumes there) and leaves other files
  alone, except its ``report/``, which must be a wijksim report if it exists;
* a sweep's report: ``summary.md`` and ``yearly_summary.parquet``;
* a benchmark: ``bench.md`` and ``settings.json``;
* a reliability analysis (``wijksim reliability``): ``summary.md`` and
  ``reliability.json``.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path

from wijksim.model.inputs.scenario_io import ScenarioError

TABLE_SUFFIXES = (".parquet", ".csv")
"""Every table is written as both (:mod:`wijksim.experiments.reports.table_files`)."""
WORKBOOK = "tables.xlsx"
"""The one workbook of a results folder (:data:`~.table_files.WORKBOOK`)."""

RUN_TABLES = ("steps", "households", "ledger", "indicators", "neighbourhoods")
RUN_FILES = frozenset(
    {"manifest.json", "figures", "summary.md", WORKBOOK}
    | {f"{name}{suffix}" for name in RUN_TABLES for suffix in TABLE_SUFFIXES}
)
"""Everything ``write_run`` puts in a run's folder."""
WRITTEN = {
    "run": (RUN_FILES, False),
    "report": (frozenset({"summary.md", "figures"}), True),
    "bench": (frozenset({"bench.md", "settings.json", "figures"}), True),
    "reliability": (frozenset({"summary.md", "reliability.json", "figures"}), True),
    "allocation": (frozenset({"summary.md", "allocation.json"}), True),
    "providers": (frozenset({"summary.md", "providers.json"}), True),
}
"""Per kind of result replaced as a whole: the names it writes, and whether it also
writes tables of varying names (``*.parquet``, ``*.csv``, ``tables.xlsx``); figures are
``figures/*.png``."""
ADVICE = {
    "run": "choose another --out or pass --overwrite",
    "bench": "choose another --out or move it away",
    "reliability": "choose another --out or move it away",
    "allocation": "choose another --out or move it away",
    "providers": "choose another --out or move it away",
    "report": "move it away",
}
"""What the user can do; only ``wijksim run`` has ``--overwrite``."""
SWEEP_MANIFEST = "sweep.json"
"""The sweep manifest (:data:`wijksim.experiments.runner.sweep.MANIFEST_NAME`)."""


def _json_keys(path: Path) -> set[str]:
    """The top-level keys of a JSON object file; empty if it is anything else."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return set(found) if isinstance(found, dict) else set()


def result_kind(folder: Path) -> str | None:
    """The kind of result wijksim wrote in ``folder`` (``None``: not a wijksim result).

    One of ``"run"``, ``"sweep"``, ``"report"``, ``"bench"``, ``"reliability"``,
    ``"allocation"`` or ``"providers"``.
    """
    if {"scenario_name", "seed", "versions"} <= _json_keys(folder / "manifest.json"):
        return "run"
    if {"sweep", "runs"} <= _json_keys(folder / SWEEP_MANIFEST):
        return "sweep"
    if (folder / "summary.md").is_file() and (folder / "yearly_summary.parquet").is_file():
        return "report"
    if (folder / "bench.md").is_file() and (folder / "settings.json").is_file():
        return "bench"
    if (folder / "summary.md").is_file() and (folder / "reliability.json").is_file():
        return "reliability"
    if (folder / "summary.md").is_file() and (folder / "allocation.json").is_file():
        return "allocation"
    if (folder / "summary.md").is_file() and (folder / "providers.json").is_file():
        return "providers"
    return None


def contains_working_folder(path: Path) -> bool:
    """Whether ``path`` is the working folder or one of its parents."""
    here = Path.cwd().resolve()
    there = Path(path).resolve()
    return there == here or there in here.parents


def refuse_working_folder(path: Path) -> None:
    """Raise if replacing ``path`` would remove the working folder.

    Raises:
        ScenarioError: ``path`` is ``.``, or a folder that contains it.
    """
    if contains_working_folder(path):
        raise ScenarioError(
            path,
            "is the current folder or one of its parents, which wijksim never replaces; "
            "choose a new folder for --out",
        )


def check_path(out: Path, replacing: bool = False) -> None:
    """Raise unless a folder can be created (or written) at ``out``.

    Checks, in order: every part of the path fits the file system's name limit; no
    existing part of the path above ``out`` is a file; ``out`` is not a file (unless
    ``replacing`` it was allowed); and a folder can be created next to ``out`` and in
    it (a probe that is removed at once), which catches read-only file systems and
    missing permissions.

    Raises:
        ScenarioError: The first problem found, in one line.
    """
    out = Path(out)
    absolute = Path.cwd() / out
    existing = next(p for p in (absolute, *absolute.parents) if os.path.lexists(p))
    limit = _name_limit(existing if os.path.isdir(existing) else existing.parent)
    for part in out.parts:
        size = len(os.fsencode(part))
        if size > limit:
            raise ScenarioError(out, f"a name in the path is {size} bytes, the limit is {limit}")
    for parent in reversed(absolute.parents):
        if os.path.lexists(parent) and not os.path.isdir(parent):
            raise ScenarioError(out, f"'{parent}' is a file, not a folder")
    if os.path.lexists(out) and not os.path.isdir(out) and not replacing:
        raise ScenarioError(out, "exists as a file; choose a folder for --out")
    _probe(existing if os.path.isdir(existing) else existing.parent, out)
    if os.path.isdir(out):
        _probe(out, out)


def _name_limit(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not on every system
        return 255


def _probe(folder: Path, out: Path) -> None:
    """Create and remove a hidden folder in ``folder``: can wijksim write there?"""
    try:
        probe = tempfile.mkdtemp(prefix=".wijksim-probe-", dir=folder)
        os.rmdir(probe)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        if error.errno == errno.EROFS:
            reason = "the file system is read-only"
        raise ScenarioError(out, f"cannot write in '{folder}': {reason}") from None


def check_replaceable(out: Path, kind: str, overwrite: bool = False) -> bool:
    """Check that a folder result of ``kind`` may replace ``out``; before any work.

    Args:
        out: The folder to be replaced as a whole (a run's or benchmark's ``--out``, a
            sweep's ``report/``).
        kind: The :func:`result_kind` the command writes.
        overwrite: Whether the user allowed replacing what wijksim did not write.

    Returns:
        Whether ``out`` holds something (an earlier result) that will be replaced.

    Raises:
        ScenarioError: ``out`` is the working folder or a parent of it; or it holds
            something wijksim did not write and ``overwrite`` is false; or the path
            cannot be written (:func:`check_path`).
    """
    out = Path(out)
    check_path(out, replacing=overwrite)
    if not os.path.lexists(out):
        return False
    refuse_working_folder(out)
    is_folder = os.path.isdir(out) and not os.path.islink(out)
    if is_folder and not any(out.iterdir()):
        return False
    found = result_kind(out) if is_folder else None
    if found == kind:
        strangers = _not_written_by(out, kind)
        if strangers and not overwrite:
            advice = ADVICE[kind]
            raise ScenarioError(
                out,
                f"is a wijksim {kind} result but also holds {strangers}, which would be "
                f"deleted; {advice}",
            )
        return True
    if not overwrite:
        what = f"a wijksim {found} result, not a {kind}" if found else "not a wijksim result"
        raise ScenarioError(out, f"exists and is {what}; {ADVICE[kind]}")
    return True


def _not_written_by(folder: Path, kind: str) -> str | None:
    """The first entry of a result folder that wijksim does not write there, if any."""
    names, tables = WRITTEN[kind]
    strangers = [
        p.name
        for p in folder.iterdir()
        if p.name not in names and not (tables and _is_table_file(p))
    ]
    figures = folder / "figures"
    if os.path.isdir(figures):
        strangers += [
            f"figures/{p.name}" for p in figures.iterdir() if p.suffix != ".png" or p.is_dir()
        ]
    return f"'{sorted(strangers)[0]}'" if strangers else None


def _is_table_file(path: Path) -> bool:
    """A table file as :func:`~wijksim.experiments.reports.table_files.write_tables` writes them."""
    return path.is_file() and (path.suffix in TABLE_SUFFIXES or path.name == WORKBOOK)


def check_sweep_folder(out: Path) -> None:
    """Check that a sweep may write (and resume) in ``out``; before any run.

    A sweep adds ``runs/``, ``failed/``, ``sweep.json`` and ``report/`` to its folder and
    touches nothing else, so it may use a new or empty folder, or an earlier sweep's
    folder; its ``report/`` is replaced as a whole, so it must be a wijksim report.

    Raises:
        ScenarioError: ``out`` is a file, holds something other than a sweep, has a
            ``report/`` that wijksim did not write, or cannot be written.
    """
    out = Path(out)
    check_path(out)
    if os.path.isdir(out) and any(out.iterdir()) and not _is_sweep_folder(out):
        found = result_kind(out)
        what = f"a wijksim {found} result" if found else "not a wijksim sweep result"
        raise ScenarioError(out, f"exists and is {what}; choose a new or empty folder for --out")
    report = out / "report"
    if os.path.lexists(report):
        check_replaceable(report, "report")


def _is_sweep_folder(folder: Path) -> bool:
    """A sweep's folder, or what a sweep killed before its first manifest leaves."""
    if result_kind(folder) == "sweep":
        return True
    entries = [p for p in folder.iterdir() if not _is_sweep_leftover(p.name)]
    return all(
        p.name in ("runs", "failed") and p.is_dir() and not any(p.iterdir()) for p in entries
    )


def _is_sweep_leftover(name: str) -> bool:
    """A temporary file of the sweep manifest, left by a kill mid-write."""
    return name.startswith(f".{SWEEP_MANIFEST}.") and name.endswith(".tmp")
