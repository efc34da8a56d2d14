"""Results documents regenerated from results folders, never edited by hand.

A results document (``docs/results_funding.md``, ``docs/results_teams.md``,
``docs/results_transition.md``, ``docs/results_sensitivity.md``) is prose around blocks
of figures. Each block sits between two markers::

    <!-- results:begin funding -->
    ...
    <!-- results:end funding -->

and ``wijksim results-doc docs/results_funding.md --block funding=results/compare_funding``
replaces what is between them with the report of that results folder (its
``report/summary.md``, or the ``summary.md`` of a sensitivity analysis), headed by where
it came from: the exact command, the commit and model revision it ran on, the seeds and
parameter sets, the runs done and failed. The report's figures are copied beside the
document (``docs/figures/<document>/<block>/``), overwriting only files of the same name,
and only once every block has been rendered. A folder produced from a checkout with
uncommitted changes is refused: a published figure must name a commit anyone can check
out (``--allow-dirty`` says so in the block instead, for drafts).

The prose outside the blocks is the author's; it should quote figures only from the
blocks, so that regenerating them cannot leave a stale number behind.

One piece over 300 lines: finding the blocks, rendering each from its folder with its
provenance, and writing the document and figures only once every block has rendered are one
transaction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from wijksim.experiments.runner.atomic import write_bytes_atomically
from wijksim.model.inputs.scenario_io import ScenarioError

BEGIN = "<!-- results:begin {name} -->"
END = "<!-- results:end {name} -->"
BLOCK_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\((?!https?://)([^)\s]+)\)")
RELATIVE_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\((?!https?://|#)([^)\s]+)\)")
REPORTS = ("report/summary.md", "summary.md")
# A shipped file named by its path on the machine that ran it: shown from the repository.
CHECKOUT_PATH = re.compile(r"/[^\s`'\"]*/((?:scenarios|experiments/sweeps|data)/[\w./-]+\.toml)")
MANIFESTS = ("sweep.json", "manifest.json")


@dataclass(frozen=True)
class Provenance:
    """What produced a results folder, from its manifest.

    Attributes:
        command: The command line as typed, or ``None`` when the manifest predates it.
        commit: The git commit, ``-dirty`` when the checkout had uncommitted changes.
        model_revision: The model revision (``model/revision.py``).
        versions: Installed versions of wijksim, Mesa, Python and the numeric libraries.
        seeds: Seeds per condition and parameter set.
        parameter_sets: Parameter sets drawn from an ensemble (0: the defaults only).
        done: Runs that finished.
        failed: Runs that failed.
        started: When the sweep began (UTC).
        backend: Where the runs executed.
        sample_points: Points of a sensitivity design (``report/design.parquet``), whose
            parameters vary over their ranges; ``None`` for other folders.
    """

    command: str | None
    commit: str
    model_revision: object
    versions: dict[str, str]
    seeds: int | None
    parameter_sets: int
    done: int | None
    failed: int | None
    started: str | None
    backend: str | None
    sample_points: int | None = None


def read_provenance(folder: Path) -> Provenance:
    """The provenance of a results folder, from its ``sweep.json`` or ``manifest.json``.

    Raises:
        ScenarioError: The folder has no manifest, or one that is not JSON.
    """
    for name in MANIFESTS:
        path = folder / name
        if path.is_file():
            break
    else:
        raise ScenarioError(
            folder, f"expected a results folder with {' or '.join(MANIFESTS)}, found neither"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ScenarioError(path, f"expected a JSON manifest, found {error}") from None
    if not isinstance(manifest, dict):
        raise ScenarioError(path, f"expected a JSON object, found {type(manifest).__name__}")
    sweep = manifest.get("sweep") or {}
    counts = manifest.get("counts") or {}
    return Provenance(
        command=manifest.get("command"),
        commit=str(manifest.get("git_commit", "unknown")),
        model_revision=manifest.get("model_revision", "unknown"),
        versions=manifest.get("versions") or {},
        seeds=sweep.get("seeds"),
        parameter_sets=len(sweep.get("parameter_sets") or []),
        done=counts.get("done"),
        failed=counts.get("failed"),
        started=manifest.get("started_utc") or manifest.get("created_utc"),
        backend=manifest.get("backend"),
        sample_points=_design_points(folder),
    )


def _design_points(folder: Path) -> int | None:
    """How many sample points a sensitivity analysis's design holds, if it is one."""
    design = folder / "report" / "design.parquet"
    if not design.is_file():
        return None
    try:
        return pq.ParquetFile(design).metadata.num_rows
    except (OSError, pa.ArrowException) as error:
        raise ScenarioError(design, f"expected a Parquet table, found {error}") from None


def find_report(folder: Path) -> Path:
    """The Markdown report a results folder holds.

    Raises:
        ScenarioError: It has none.
    """
    for name in REPORTS:
        if (folder / name).is_file():
            return folder / name
    raise ScenarioError(folder, f"expected a report at {' or '.join(REPORTS)}, found none")


def provenance_lines(provenance: Provenance, folder_name: str, command: str | None) -> list[str]:
    """The block's header: command, commit, runs, versions."""
    shown_command = command or provenance.command
    versions = provenance.versions
    library = ", ".join(
        f"{name} {versions[name]}" for name in ("wijksim", "mesa", "python") if name in versions
    )
    seeds = f"{provenance.seeds} seeds" if provenance.seeds is not None else "seeds: see below"
    if provenance.sample_points is not None:
        sets = (
            f"at each of {provenance.sample_points} sample points of the design, the "
            "screened parameters varied over their ranges and the others at their defaults"
        )
    elif provenance.parameter_sets:
        sets = (
            f"{provenance.parameter_sets} parameter sets of the calibrated ensemble, each on "
            "its own seeds"
        )
    else:
        sets = "the shipped defaults (no parameter sets drawn)"
    runs = (
        f"{provenance.done} runs done, {provenance.failed} failed"
        if provenance.done is not None
        else "runs: see below"
    )
    dirty = provenance.commit.endswith("-dirty")
    lines = [
        f"*Generated by `wijksim results-doc` from the results folder `{folder_name}`; "
        "regenerate, do not edit by hand.*",
        "",
        f"- **Command:** `{shown_command}`",
        f"- **Commit:** `{provenance.commit}` (model revision {provenance.model_revision})"
        + (" — **with uncommitted changes: a draft, not a result**" if dirty else ""),
        f"- **Replicates:** {seeds}; {sets}",
        f"- **Runs:** {runs}"
        + (f", backend {provenance.backend}" if provenance.backend else "")
        + (f", started {provenance.started}" if provenance.started else ""),
    ]
    if library:
        lines.append(f"- **Versions:** {library}")
    return lines


def shift_headings(text: str, levels: int) -> str:
    """Every Markdown heading ``levels`` deeper (outside fenced code), from one to six."""
    shifted, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"^#{1,6} ", line):
            hashes = len(line) - len(line.lstrip("#"))
            line = "#" * max(1, min(6, hashes + levels)) + line[hashes:]
        shifted.append(line)
    return "\n".join(shifted)


def select_sections(text: str, titles: list[str], where: Path) -> str:
    """The text before the first section, and the sections whose heading starts with a title.

    A title may name the heading's level (``### Difference from``) where the same words
    head sections at two levels. A section runs from its heading to the next heading of
    the same or a higher level, so a chosen section keeps its subsections. The chosen
    sections keep the report's order.

    Raises:
        ScenarioError: A title matches no heading.
    """
    lines = text.splitlines()
    headings = [
        (number, len(line) - len(line.lstrip("#")), line.strip())
        for number, line in enumerate(lines)
        if re.match(r"^#{1,6} ", line)
    ]

    def matches(heading: str, title: str) -> bool:
        """A title without hashes matches a heading of any level; ``### T`` only level 3."""
        return (
            heading.startswith(title)
            if title.startswith("#")
            else (heading.lstrip("#").strip().startswith(title))
        )

    if not headings:
        return text
    kept = lines[: headings[0][0]]
    missing = [t for t in titles if not any(matches(h[2], t) for h in headings)]
    if missing:
        found = "; ".join(h[2].lstrip("#").strip() for h in headings)
        raise ScenarioError(where, f"expected a section '{missing[0]}', found only: {found}")
    covered = 0  # lines before this index are in a section already kept
    for index, (start, level, title) in enumerate(headings):
        if start < covered or not any(matches(title, t) for t in titles):
            continue
        covered = next((n for n, lv, _ in headings[index + 1 :] if lv <= level), len(lines))
        kept.extend(lines[start:covered])
    return "\n".join(kept)


def render_block(
    folder: Path,
    figures_folder: Path,
    figures_link: str,
    command: str | None = None,
    allow_dirty: bool = False,
    sections: list[str] | None = None,
) -> tuple[str, list[tuple[Path, Path]]]:
    """A block's Markdown, and the figures to copy for it (source, destination).

    Args:
        folder: The results folder.
        figures_folder: Where the report's figures are to be copied.
        figures_link: How the document links that folder (relative to the document).
        command: The command that produced the folder, for manifests that predate the
            ``command`` field; it must match the recorded one if both exist.
        allow_dirty: Accept a folder produced with uncommitted changes (a draft).
        sections: Keep only the report's sections whose headings start with these
            (with their subsections), besides its opening lines; ``None``: all.

    Raises:
        ScenarioError: No manifest or report; no command known; a command that differs
            from the recorded one; uncommitted changes without ``allow_dirty``.
    """
    provenance = read_provenance(folder)
    report = find_report(folder)
    if provenance.command and command and command != provenance.command:
        raise ScenarioError(
            folder,
            f"expected --command to match the recorded command '{provenance.command}', "
            f"found '{command}'",
        )
    if not (command or provenance.command):
        raise ScenarioError(
            folder,
            "expected a manifest naming its command (folders written before it was "
            "recorded need --command), found none",
        )
    if provenance.commit == "unknown" or (provenance.commit.endswith("-dirty") and not allow_dirty):
        raise ScenarioError(
            folder,
            "expected results of a clean commit (a figure must name a commit anyone can "
            f"check out), found '{provenance.commit}'; rerun on a clean checkout",
        )
    body = report.read_text(encoding="utf-8")
    body = "\n".join(line for line in body.splitlines() if not line.startswith("# "))
    if sections:
        body = select_sections(body, sections, report)
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,6}) ", body, re.MULTILINE)]
    # A block sits under a "##" section of the document: its top headings become "###".
    body = shift_headings(body.strip("\n"), 3 - min(levels) if levels else 0)
    body = CHECKOUT_PATH.sub(r"\1", body)
    body, copies = _relink_figures(body, report.parent, figures_folder, figures_link)
    header = provenance_lines(provenance, folder.name, command)
    return "\n".join([*header, "", body.strip("\n")]), copies


def _relink_figures(
    body: str, report_folder: Path, target: Path, link: str
) -> tuple[str, list[tuple[Path, Path]]]:
    """Point the images ``body`` links at ``target``; list the copies that needs.

    Links to the folder's other files (tables, parquet) cannot resolve from the
    document, so they become the file's name in code.
    """
    copies: list[tuple[Path, Path]] = []

    def image(match: re.Match) -> str:
        source = (report_folder / match.group(2)).resolve()
        if not source.is_file():
            return f"*(figure {match.group(2)} missing from the results folder)*"
        copies.append((source, target / source.name))
        return f"![{match.group(1)}]({link}/{source.name})"

    body = IMAGE_LINK.sub(image, body)
    body = RELATIVE_LINK.sub(lambda m: f"{m.group(1)} (`{m.group(2)}` in the results folder)", body)
    return body, copies


def replace_block(document: str, name: str, block: str, path: Path) -> str:
    """``document`` with the text between block ``name``'s markers replaced.

    Raises:
        ScenarioError: The markers are missing, repeated or out of order.
    """
    begin, end = BEGIN.format(name=name), END.format(name=name)
    if document.count(begin) != 1 or document.count(end) != 1:
        raise ScenarioError(
            path,
            f"expected one '{begin}' and one '{end}' marker, found "
            f"{document.count(begin)} and {document.count(end)}",
        )
    start, stop = document.index(begin) + len(begin), document.index(end)
    if stop < start:
        raise ScenarioError(path, f"expected '{begin}' before '{end}', found it after")
    return document[:start] + "\n" + block.strip("\n") + "\n" + document[stop:]


def regenerate_document(
    document: Path,
    blocks: dict[str, Path],
    commands: dict[str, str] | None = None,
    allow_dirty: bool = False,
    sections: dict[str, list[str]] | None = None,
) -> list[str]:
    """Regenerate the named blocks of ``document`` from their results folders.

    Every block is rendered before the document is written, and the document is
    written atomically: an error leaves it as it was.

    Args:
        document: The Markdown document with the blocks' markers.
        blocks: Block name → results folder.
        commands: Block name → command, for folders written before commands were
            recorded.
        allow_dirty: Accept results of a checkout with uncommitted changes (drafts).
        sections: Block name → the report sections to keep (default: all).

    Returns:
        The names of the blocks regenerated.

    Raises:
        ScenarioError: An unreadable document, a bad block name, or any error of
            :func:`render_block` or :func:`replace_block`.
    """
    try:
        text = document.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(document, f"expected a readable Markdown file, found {error}") from None
    commands = commands or {}
    copies: list[tuple[Path, Path]] = []
    for name, folder in blocks.items():
        if not BLOCK_NAME.match(name):
            raise ScenarioError(
                document, f"expected a block name of lower-case letters, found '{name}'"
            )
        figures = document.parent / "figures" / document.stem / name
        rendered, block_copies = render_block(
            folder,
            figures,
            f"figures/{document.stem}/{name}",
            commands.get(name),
            allow_dirty,
            (sections or {}).get(name),
        )
        text = replace_block(text, name, rendered, document)
        copies.extend(block_copies)
    for source, destination in copies:  # only now: every block rendered without error
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(destination, source.read_bytes())
    write_bytes_atomically(document, text.encode("utf-8"))
    return list(blocks)
