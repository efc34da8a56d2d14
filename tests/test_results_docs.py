"""Results documents: blocks regenerated from results folders, with their provenance."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from wijksim.experiments.cli import main
from wijksim.experiments.runner import manifest as manifest_module
from wijksim.experiments.runner.results import load_manifest

TINY = """
name = "tiny"
scenario = "integral_team"
seeds = 1
reference = "old"
[set]
years = 1
"population.households" = 400
[[variants]]
name = "old"
without = ["team"]
[[variants]]
name = "team"
"""

DOCUMENT = """# Funding forms

Prose the author wrote, kept as it is.

<!-- results:begin tiny -->
stale figures of an older run
<!-- results:end tiny -->

More prose.
"""


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    """A real two-run sweep, with its report and figures."""
    folder = tmp_path_factory.mktemp("results-doc")
    spec = folder / "tiny.toml"
    spec.write_text(TINY)
    out = folder / "tiny"
    assert main(["sweep", str(spec), "--backend", "serial", "--out", str(out), "--quiet"]) == 0
    return out


def with_manifest(folder: Path, tmp_path: Path, **changes) -> Path:
    """A copy of ``folder``'s report and manifest with some manifest fields changed."""
    copy = tmp_path / folder.name
    shutil.copytree(folder / "report", copy / "report")
    manifest = {**load_manifest(folder), **changes}
    (copy / "sweep.json").write_text(json.dumps(manifest))
    return copy


def test_the_command_line_is_recorded_as_typed(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/home/x/.venv/bin/wijksim", "transition", "--seeds", "4"])
    assert manifest_module.command_line() == "wijksim transition --seeds 4"
    monkeypatch.setattr(sys, "argv", ["/x/experiments/headline.py", "--a b"])
    assert manifest_module.command_line() == "python /x/experiments/headline.py '--a b'"


def test_a_sweep_records_its_command(sweep_folder):
    assert "command" in load_manifest(sweep_folder)


def test_a_block_is_replaced_with_the_report_and_where_it_came_from(sweep_folder, tmp_path):
    folder = with_manifest(
        sweep_folder, tmp_path, git_commit="0123abcd" * 5, command="wijksim sweep tiny.toml"
    )
    document = tmp_path / "docs" / "results_demo.md"
    document.parent.mkdir()
    document.write_text(DOCUMENT)

    assert main(["results-doc", str(document), "--block", f"tiny={folder}"]) == 0

    text = document.read_text()
    assert "stale figures" not in text
    assert text.startswith("# Funding forms\n\nProse the author wrote, kept as it is.\n")
    assert text.endswith("<!-- results:end tiny -->\n\nMore prose.\n")
    assert "- **Command:** `wijksim sweep tiny.toml`" in text
    assert f"`{'0123abcd' * 5}` (model revision" in text
    assert "1 seeds; the shipped defaults" in text
    # The report's own title is dropped and its sections sit below the document's.
    assert "\n# Sweep" not in text and "\n### " in text
    images = [line for line in text.splitlines() if line.startswith("![")]
    assert images, "the report's figures are linked"
    for line in images:
        link = line[line.index("(") + 1 : -1]
        assert link.startswith("figures/results_demo/tiny/")
        assert (document.parent / link).is_file()
    # Regenerating from the same folder changes nothing.
    assert main(["results-doc", str(document), "--block", f"tiny={folder}"]) == 0
    assert document.read_text() == text


@pytest.mark.parametrize(
    ("changes", "document_text", "expected"),
    [
        ({"git_commit": "0123abcd-dirty"}, DOCUMENT, "expected results of a clean commit"),
        ({"git_commit": "unknown"}, DOCUMENT, "expected results of a clean commit"),
        ({"command": None}, DOCUMENT, "expected a manifest naming its command"),
        ({}, DOCUMENT.replace("<!-- results:end tiny -->\n", ""), "marker, found 1 and 0"),
    ],
    ids=["dirty", "no-commit", "no-command", "no-end-marker"],
)
def test_a_bad_block_leaves_the_document_and_figures_untouched(
    sweep_folder, tmp_path, capsys, changes, document_text, expected
):
    fields = {"git_commit": "0123abcd", "command": "wijksim sweep tiny.toml", **changes}
    folder = with_manifest(sweep_folder, tmp_path, **fields)
    document = tmp_path / "results_demo.md"
    document.write_text(document_text)
    capsys.readouterr()

    assert main(["results-doc", str(document), "--block", f"tiny={folder}"]) == 2

    error = capsys.readouterr().err
    assert expected in error and error.count("\n") == 1 and "Traceback" not in error
    assert document.read_text() == document_text
    assert not (tmp_path / "figures").exists()


def test_an_older_folder_takes_its_command_from_the_command_line(sweep_folder, tmp_path):
    folder = with_manifest(sweep_folder, tmp_path, git_commit="0123abcd", command=None)
    document = tmp_path / "results_demo.md"
    document.write_text(DOCUMENT)
    command = "wijksim transition --seeds 4 --parameter-sets 6"
    args = ["results-doc", str(document), "--block", f"tiny={folder}"]
    assert main([*args, "--command", f"tiny={command}"]) == 0
    assert f"- **Command:** `{command}`" in document.read_text()


def test_a_block_can_keep_only_some_sections_of_the_report(sweep_folder, tmp_path, capsys):
    folder = with_manifest(sweep_folder, tmp_path, git_commit="0123abcd", command="wijksim x")
    document = tmp_path / "results_demo.md"
    document.write_text(DOCUMENT)
    args = ["results-doc", str(document), "--block", f"tiny={folder}"]

    assert main([*args, "--sections", "tiny=Figures|Difference from"]) == 0

    headings = [line for line in document.read_text().splitlines() if line.startswith("#")]
    assert headings == [
        "# Funding forms",
        "### Difference from `old` on the same seeds",
        "### Figures",
    ]
    # A title with its level picks headings of that level only (the report's own levels).
    assert main([*args, "--sections", "tiny=## Figures"]) == 0
    headings = [line for line in document.read_text().splitlines() if line.startswith("#")]
    assert headings == ["# Funding forms", "### Figures"]
    capsys.readouterr()
    assert main([*args, "--sections", "tiny=### Figures"]) == 2
    assert main([*args, "--sections", "tiny=No such section"]) == 2
    assert "expected a section 'No such section'" in capsys.readouterr().err


def test_a_sensitivity_folder_says_its_parameters_varied(sweep_folder, tmp_path):
    folder = with_manifest(sweep_folder, tmp_path, git_commit="0123abcd", command="wijksim x")
    pd.DataFrame({"point": range(7), "team.support_effect_per_hour": 0.1}).to_parquet(
        folder / "report" / "design.parquet"
    )
    document = tmp_path / "results_demo.md"
    document.write_text(DOCUMENT)
    assert main(["results-doc", str(document), "--block", f"tiny={folder}"]) == 0
    assert "at each of 7 sample points of the design" in document.read_text()
    assert "the shipped defaults" not in document.read_text()


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        ("sweep.json", "[1, 2]", "expected a JSON object, found list"),
        ("report/design.parquet", "not parquet", "expected a Parquet table"),
    ],
)
def test_a_damaged_folder_is_one_line(sweep_folder, tmp_path, capsys, file, content, expected):
    folder = with_manifest(sweep_folder, tmp_path, git_commit="0123abcd", command="wijksim x")
    (folder / file).write_text(content)
    document = tmp_path / "results_demo.md"
    document.write_text(DOCUMENT)
    capsys.readouterr()
    assert main(["results-doc", str(document), "--block", f"tiny={folder}"]) == 2
    error = capsys.readouterr().err
    assert expected in error and error.count("\n") == 1 and "Traceback" not in error
    assert document.read_text() == DOCUMENT
