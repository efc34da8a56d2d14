"""Writing so that a result appears complete or not at all.

A file is written to a temporary sibling and renamed; a folder is built in a hidden
staging sibling and swapped in at the end: the old result is renamed aside, the new one
renamed in, and only then is the old one deleted (issue 19, item 1). A crash, a kill or
an exception at any moment leaves the old result or the new one whole, never half of
either; what a killed writer leaves behind (``.wijksim-new-…``, ``.wijksim-old-…``) is
cleaned up, or the old result put back, when the same target is next written.

Files and folders are created with the modes the user's umask gives, as ``open`` and
``mkdir`` do; :func:`tempfile.mkstemp` and :func:`tempfile.mkdtemp` create them 0600
and 0700, which would hide results from collaborators on a shared folder (item 7).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wijksim.experiments.runner.out_folder import refuse_working_folder

STAGING_PREFIX = ".wijksim-new-"
"""Start of the hidden folder a new result is built in, next to its target."""
ASIDE_PREFIX = ".wijksim-old-"
"""Start of the hidden name an old result has between being moved aside and deleted."""


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows.

    Linux reports it in ``/proc/self/status``; elsewhere it is read by setting and
    restoring it (``os.umask`` is the only portable way to read it).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode ``open`` gives a new file under the current umask (0644 under 022)."""
    return 0o666 & ~current_umask()


def folder_mode() -> int:
    """The mode ``mkdir`` gives a new folder under the current umask (0755 under 022)."""
    return 0o777 & ~current_umask()


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, file_mode())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _tag(target: Path) -> str:
    """A short tag of the target's name: hidden names stay short whatever its length."""
    return hashlib.sha256(os.fsencode(target.name)).hexdigest()[:8]


def _hidden_prefix(kind: str, target: Path) -> str:
    """``.wijksim-new-<tag>-<pid>-``: whose it is, and which process made it."""
    return f"{kind}{_tag(target)}-{os.getpid()}-"


def _pid_of(name: str, kind: str, target: Path) -> int | None:
    """The writer's process id in a hidden name of ``target``'s, else ``None``."""
    start = f"{kind}{_tag(target)}-"
    if not name.startswith(start):
        return None
    pid, _, _rest = name[len(start) :].partition("-")
    return int(pid) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove(path: Path) -> None:
    """Delete a file, a symlink or a folder tree (never following a symlink)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def recover(target: Path) -> None:
    """Clean up after a writer of ``target`` that was killed.

    Only hidden names this module makes for ``target`` are touched, and only those of
    processes that no longer run. A killed writer's staging folder is deleted (it may
    be incomplete). An old result moved aside is put back if ``target`` is missing (the
    kill fell between the two renames of :func:`replace_folder`), else deleted (the new
    result is in place).
    """
    parent = target.parent
    if not parent.is_dir():
        return
    for entry in sorted(parent.iterdir()):
        for kind in (STAGING_PREFIX, ASIDE_PREFIX):
            pid = _pid_of(entry.name, kind, target)
            if pid is None or pid == os.getpid() or _alive(pid):
                continue
            if kind == ASIDE_PREFIX and not (target.exists() or target.is_symlink()):
                entry.rename(target)
            else:
                _remove(entry)
    _remove_legacy_staging(target)


LEGACY_STAGING = r"\.{name}\.[a-z0-9_]{{8}}"
"""Staging folders of wijksim before issue 19: ``tempfile.mkdtemp(prefix=".<name>.")``."""
RESULT_LIKE = frozenset({"figures", "manifest.json", "summary.md", "bench.md", "settings.json"})
"""What a staging folder of a run, report or benchmark holds, besides ``*.parquet``."""


def _remove_legacy_staging(target: Path) -> None:
    """Delete what an earlier wijksim's killed writer left (``.report.k2j4x9qa``).

    Only a hidden folder named as that version named its staging folders and holding
    nothing but what a result holds, so a user's own hidden folder is never touched.
    It is removed as a new result for ``target`` is being written.
    """
    pattern = re.compile(LEGACY_STAGING.format(name=re.escape(target.name)))
    for entry in target.parent.iterdir():
        if not (pattern.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()):
            continue
        names = [p.name for p in entry.iterdir()]
        if all(n in RESULT_LIKE or n.endswith(".parquet") for n in names):
            shutil.rmtree(entry)


def replace_folder(staging: Path, target: Path) -> None:
    """Put the finished ``staging`` folder in place of ``target``.

    Old aside, new in, old deleted: whenever the process dies, one of the two results
    is whole on disk, and :func:`recover` finds it.
    """
    aside = None
    if target.exists() or target.is_symlink():
        aside = target.parent / f"{_hidden_prefix(ASIDE_PREFIX, target)}{secrets.token_hex(4)}"
        os.rename(target, aside)
    os.rename(staging, target)
    if aside is not None:
        _remove(aside)


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a staging folder that replaces ``target`` when the block succeeds.

    The caller decides whether ``target`` may be replaced
    (:mod:`wijksim.experiments.runner.out_folder`), before any work.

    Example:
        >>> with atomic_folder(Path("results/x")) as staging:  # doctest: +SKIP
        ...     (staging / "table.parquet").write_bytes(data)
    """
    target = Path(target)
    refuse_working_folder(target)  # the last guard; callers check before any work
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)
    prefix = _hidden_prefix(STAGING_PREFIX, target)
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    try:
        staging.chmod(folder_mode())
        yield staging
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write to; renamed to ``path`` at the end.

    For writers that want a path rather than bytes (``DataFrame.to_parquet``,
    openpyxl): the file appears whole or not at all, as with
    :func:`write_bytes_atomically`.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        os.chmod(temporary, file_mode())
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
