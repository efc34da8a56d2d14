"""The terminal summary is a headline, in € millions, in Dutch or English (issue 17, item 5).

``run``, ``transition``, ``compare-funding`` and ``compare-teams`` print at most
:data:`~wijksim.experiments.reports.headline.MAX_LINES` lines; the run's wide table per year goes
to its ``summary.md``. The comparisons run small (300 households, 3 years, the team from
year 2) on the serial backend: each takes a few seconds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from babel.messages.pofile import read_po
from wijksim.experiments import i18n
from wijksim.experiments.cli import main
from wijksim.experiments.plots import run_figures as plots
from wijksim.experiments.reports import headline

SMALL = ["--households", "300", "--years", "3"]
SWEEP = [*SMALL, "--backend", "serial", "--set", "transition.team_start_year=2"]
MILLIONS_NL = "€\u00a0"  # Babel's Dutch money pattern: a non-breaking space after the sign


def _printed(capsys) -> list[str]:
    return capsys.readouterr().out.strip().splitlines()


def test_run_prints_a_headline_and_writes_the_table_to_a_file(tmp_path, monkeypatch, capsys):
    # A relative --out, as a user types it: the line that names the files is measured
    # without pytest's temporary folder, whose length differs under xdist's workers.
    monkeypatch.chdir(tmp_path)
    out = Path("run")
    assert main(["run", "integral_team", *SMALL, "--out", str(out)]) == 0
    lines = _printed(capsys)
    assert len(lines) <= headline.MAX_LINES
    assert max(map(len, lines)) < 200  # the old table was 750 characters wide
    assert "mln" in lines[2] and lines[0].startswith("integral_team (seed 0) · 300 households")
    assert lines[-1].startswith(f"Table per year: {out / 'summary.md'}")
    table = (out / "summary.md").read_text(encoding="utf-8")
    assert table.startswith("# integral_team (seed 0) · households=300, years=3")
    assert "| year | %_basic |" in table and "cost_total_eur" in table


def test_run_headline_in_dutch(tmp_path, capsys):
    out = tmp_path / "r"
    assert (
        main(["run", "old_system", *SMALL, "--out", str(out), "--lang", "nl", "--no-figures"]) == 0
    )
    lines = _printed(capsys)
    assert lines[-1] == f"Tabel per jaar: {out / 'summary.md'}"  # no figures to name
    assert lines[0].startswith("old_system (seed 0) · 300 huishoudens · 3 jaar")
    assert lines[2].startswith("Uitgaven: " + MILLIONS_NL) and " mln" in lines[2]
    assert "centraal loket" in lines[2]  # no team: the desk
    assert "," in lines[2].split("mln")[0]  # a Dutch decimal comma: € 1,2 mln


def test_transition_headline_names_humps_break_even_payback_pre_finance_and_both_ratios(
    tmp_path, capsys
):
    out = tmp_path / "t"
    assert main(["transition", *SWEEP, "--seeds", "2", "--out", str(out)]) == 0
    lines = _printed(capsys)
    assert len(lines) <= headline.MAX_LINES
    text = "\n".join(lines)
    for phrase in ("Hump 1", "Hump 2", "Break-even", "Payback", "To pre-finance", "mln"):
        assert phrase in text
    assert "MKBA" in lines[-2] and "GKBA" in lines[-2] and "Benefit–cost ratio" in lines[-2]
    assert lines[-1].endswith(str(out / "report" / "summary.md"))


def test_transition_headline_in_dutch(tmp_path, capsys):
    command = ["transition", *SWEEP, "--seeds", "1", "--out", str(tmp_path / "t"), "--lang", "nl"]
    assert main(command) == 0
    text = "\n".join(_printed(capsys))
    assert "Voor te financieren: " + MILLIONS_NL in text and "Baten-kostenverhouding" in text


def test_compare_funding_headline(tmp_path, capsys):
    out = tmp_path / "f"
    assert main(["compare-funding", *SWEEP, "--seeds", "1", "--out", str(out)]) == 0
    lines = _printed(capsys)
    assert len(lines) <= headline.MAX_LINES
    assert lines[0].startswith("Funding forms compared: funding_function_budget")
    assert any(line.startswith("Spending: cost centre €") and "mln" in line for line in lines)


def test_compare_teams_headline(tmp_path, capsys):
    command = [
        "compare-teams", *SWEEP, "--seeds", "1", "--forms", "cost_centre",
        "--neighbourhoods", "vulnerable", "--out", str(tmp_path / "teams"),
    ]  # fmt: skip
    assert main(command) == 0
    lines = _printed(capsys)
    assert len(lines) <= headline.MAX_LINES
    assert lines[0].startswith("Team splits against one team: integral_team")
    assert any(line.startswith("focus life phase: ") and "mln" in line for line in lines)


@pytest.mark.parametrize(
    ("amount", "language", "shown"),
    [
        (1_234_567, "nl", "€\u00a01,2 mln"),
        (1_234_567, "en", "€1.2 mln"),
        (-130_000, "nl", "€\u00a0-0,13 mln"),
    ],
)
def test_millions(amount, language, shown):
    assert headline.millions(amount, language) == shown


@pytest.mark.parametrize("module", [headline, plots])
def test_every_headline_and_run_figure_string_has_a_dutch_translation(module):
    # They share the dashboard's catalogue; pybabel extracts them from these files.
    source = Path(module.__file__)
    marked = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "N_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            marked.add(node.args[0].value)
    assert len(marked) > 20
    with (i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as handle:
        catalogue = read_po(handle)
    missing = sorted(m for m in marked if m not in catalogue or not catalogue[m].string)
    assert not missing, f"no Dutch for: {missing}"


def test_run_figures_in_dutch():
    from conftest import small
    from wijksim.experiments.reports.run_report import run_figures
    from wijksim.experiments.runner.run import run_simulation

    result = run_simulation(small("old_system", households=300, years=2), seed=0)
    figures = run_figures(result, "nl")
    shares = figures["group_shares.png"].axes[0]
    assert shares.get_title() == "Zorgbehoeftegroepen door de tijd"
    assert "zelfredzaam" in [t.get_text() for t in shares.get_legend().get_texts()]
    costs = figures["cost_by_stream.png"].axes[0]
    assert "centraal loket (oude stelsel)" in [t.get_text() for t in costs.get_legend().get_texts()]
    assert "huishoudens" in figures["escalations.png"].texts[0].get_text()
    for figure in figures.values():
        plt.close(figure)
