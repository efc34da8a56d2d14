"""Dutch report folders: ``summary.md`` and figures under ``--lang nl`` (issue 17, item 1).

Each comparison runs once, small (300 households, 3 years, one seed, the serial
backend: a few seconds), with ``--lang nl``; the English report is then written from
the same runs (:func:`~wijksim.experiments.reports.sweep_report.write_report`), so that the two
versions can be compared line by line. Every figure's words are caught as it is saved.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from wijksim.experiments.cli import main
from wijksim.experiments.reports.sweep_report import write_report

SMALL = [
    "--households", "300", "--years", "3", "--seeds", "1", "--backend", "serial",
    "--set", "transition.team_start_year=2", "--quiet",
]  # fmt: skip
COMMANDS = {
    "transition": ["transition"],
    "compare-funding": ["compare-funding"],
    "compare-teams": ["compare-teams", "--forms", "cost_centre", "--neighbourhoods", "vulnerable"],
}
DUTCH_WORDS = {
    "transition": ("uitgaven", "wijkteam", "maatwerkvoorziening", "MKBA", "GKBA", "seeds"),
    "compare-funding": ("bekostigingsvorm", "uitgaven", "wijkteam", "seeds"),
    "compare-teams": ("wijkteam", "uitgaven", "escalaties", "seeds"),
}
"""Words a Dutch policy reader expects in each report."""
SAME_IN_BOTH = {
    *("MKBA", "GKBA", "FTE", "%"),
    *("transition", "counterfactual", "vulnerable", "integral", "population"),
}
"""Texts that are the same in Dutch: names of conditions, forms and neighbourhood types
(data, not words), and abbreviations."""


def _texts(figure: Figure) -> set[str]:
    """The words of a figure: titles, axis labels, legends and annotations (no tick labels)."""
    found = [figure.get_suptitle(), *(text.get_text() for text in figure.texts)]
    for legend in figure.legends:
        found += [text.get_text() for text in legend.get_texts()]
    for axis in figure.axes:
        found += [axis.get_title(), axis.get_xlabel(), axis.get_ylabel()]
        found += [text.get_text() for text in axis.texts]
        if axis.get_legend():
            found += [text.get_text() for text in axis.get_legend().get_texts()]
    return {text.strip() for text in found if text.strip()}


@pytest.fixture
def saved_figures(monkeypatch) -> dict[str, set[str]]:
    """The words of every figure saved while the test runs, by file name; its numbers
    (tick labels) under ``numbers:`` and the file name."""
    caught: dict[str, set[str]] = {}
    save = Figure.savefig

    def catch(figure, path, *args, **kwargs):
        saved = save(figure, path, *args, **kwargs)  # drawn: the tick labels are set
        ticks = [t for axis in figure.axes for t in axis.get_xticklabels() + axis.get_yticklabels()]
        caught[Path(path).name] = _texts(figure)
        caught["numbers:" + Path(path).name] = {t.get_text() for t in ticks}
        return saved

    monkeypatch.setattr(Figure, "savefig", catch)
    return caught


def _words(texts) -> set[str]:
    """Texts in words: not names shared by both languages, not bare numbers."""
    return {
        text
        for text in texts
        if text not in SAME_IN_BOTH
        and re.search(r"[A-Za-z]{3}", text)
        and not re.fullmatch(r"\w+_\w+", text)  # a condition's name: cost_centre
    }


def _lines(summary: str) -> dict[str, set[str]]:
    """The headings, the sentences and the table labels of a ``summary.md``."""
    lines = [line.strip() for line in summary.splitlines() if line.strip()]
    cells = set()
    for line in (line for line in lines if line.startswith("|")):
        # Column headers and row labels; data cells are numbers, names of conditions, and
        # per team its name and a number ("integral 0", "adults 2,0 · youth 41,0").
        row = [cell.strip() for cell in line.strip("|").split("|")]
        words = (cell for cell in row if " " in cell and "·" not in cell)
        cells.update(cell for cell in words if len(re.findall(r"[A-Za-z]{3,}", cell)) >= 2)
    return {
        "headings": {line for line in lines if line.startswith("#")},
        "sentences": {
            line for line in lines if not line.startswith(("#", "|", "![")) and " " in line
        },
        "table labels": cells,
    }


@pytest.mark.parametrize("command", COMMANDS)
def test_report_folder_is_dutch_under_lang_nl(command, tmp_path, saved_figures):
    out = tmp_path / command
    assert main([*COMMANDS[command], *SMALL, "--out", str(out), "--lang", "nl"]) == 0
    dutch = (out / "report" / "summary.md").read_text(encoding="utf-8")
    dutch_figures = dict(saved_figures)
    saved_figures.clear()
    write_report(out, language="en")
    english = (out / "report" / "summary.md").read_text(encoding="utf-8")

    dutch_lines, english_lines = _lines(dutch), _lines(english)
    for kind, lines in english_lines.items():
        assert lines, f"no {kind} in the English summary.md"
        assert not lines & dutch_lines[kind], f"English {kind} in the Dutch summary.md"
    assert len(dutch_lines["headings"]) == len(english_lines["headings"])
    for word in DUTCH_WORDS[command]:
        assert word in dutch
    # Babel's Dutch numbers in the tables: a decimal comma, never a decimal point.
    tables = "\n".join(line for line in dutch.splitlines() if line.startswith("|"))
    assert re.search(r"\d,\d\d", tables) and not re.search(r"\d\.\d\d", tables)

    assert dutch_figures.keys() == saved_figures.keys() and len(dutch_figures) >= 8
    for name, english_texts in saved_figures.items():
        if name.startswith("numbers:"):
            continue
        shared = _words(english_texts) & _words(dutch_figures[name])
        assert not shared, f"{name}: English in the Dutch figure: {sorted(shared)}"
    assert any("jaar" in text for texts in dutch_figures.values() for text in texts)
    # Dutch numbers on the axes too: 0,5 (the English figures have 0.5 somewhere).
    decimals = re.compile(r"\d[.,]\d")
    english_numbers, dutch_numbers = (
        {t for name, texts in figures.items() if name.startswith("numbers:") for t in texts}
        for figures in (saved_figures, dutch_figures)
    )
    english_numbers = {t for t in english_numbers if decimals.search(t)}
    dutch_numbers = {t for t in dutch_numbers if decimals.search(t)}
    assert any("." in t for t in english_numbers) and dutch_numbers
    assert not any(re.search(r"\d\.\d", t) for t in dutch_numbers), sorted(dutch_numbers)
    if command == "transition":  # `wijksim report --lang nl` writes the same Dutch report
        assert main(["report", str(out), "--lang", "nl", "--quiet"]) == 0
        assert (out / "report" / "summary.md").read_text(encoding="utf-8") == dutch


def test_run_summary_is_dutch_under_lang_nl(tmp_path):
    out = tmp_path / "run"
    command = ["run", "integral_team", "--households", "300", "--years", "2", "--quiet"]
    assert main([*command, "--out", str(out), "--lang", "nl", "--no-figures"]) == 0
    summary = (out / "summary.md").read_text(encoding="utf-8")
    heading, sentence, _blank, header = summary.splitlines()[0], *summary.splitlines()[2:5]
    assert "300 huishoudens" in heading and "2 jaar" in heading
    assert sentence.startswith("Per jaar:")
    assert header.startswith("| jaar | % ") and "| % zelfredzaam |" in header
    assert "| uitgaven: wijkteam of loket (€) |" in header
    assert not re.search(r"[a-z]_[a-z]|paid|spending", header)  # no English metric names
