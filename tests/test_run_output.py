"""Where results go and what they say produced them (issue 15, item 18).

Overrides name the default folder; an earlier result is replaced with a note, a user's
folder only with --overwrite; sweep reports and figures name scenario, overrides,
households and years.
"""

from __future__ import annotations

import json
import re

import pytest
from wijksim.experiments.cli import main, sweep_commands
from wijksim.experiments.cli.common import MAX_LABEL, overrides_label
from wijksim.experiments.plots import run_figures as plots
from wijksim.model.inputs.scenario_io import load_scenario

BURN_IN = load_scenario("old_system").scenario.burn_in_years
"""The shipped burn-in, which every caption names (14 years since fe6928b)."""

SMALL = ["--years", "1", "--households", "300", "--quiet", "--no-figures"]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_overrides_name_the_default_folder(in_tmp):
    assert main(["run", "integral_team", *SMALL, "--set", "team.frontline_fte=2"]) == 0
    assert main(["run", "integral_team", *SMALL, "--set", "team.frontline_fte=3"]) == 0
    folders = sorted(p.name for p in (in_tmp / "results").iterdir())
    assert folders == [
        "integral_team-seed0-households=300-team.frontline_fte=2-years=1",
        "integral_team-seed0-households=300-team.frontline_fte=3-years=1",
    ]
    manifest = json.loads((in_tmp / "results" / folders[0] / "manifest.json").read_text())
    assert manifest["overrides"] == {
        "team.frontline_fte": 2,
        "population.households": 300,
        "years": 1,
    }


def test_long_overrides_are_cut_and_keep_a_hash():
    many = {f"team.policy.field_number_{i}": 0.123456 for i in range(6)}
    other = {**many, "team.policy.field_number_5": 0.5}
    label, other_label = overrides_label(many), overrides_label(other)
    assert len(label) <= MAX_LABEL and label != other_label
    assert label.startswith("team.policy.field_number_0=0.123456")
    assert re.fullmatch(r"[A-Za-z0-9._=+-]+", overrides_label({"label": 'a "b"/c d'}))


def test_transition_default_folder_names_the_overrides(in_tmp, monkeypatch):
    chosen = []
    monkeypatch.setattr(
        sweep_commands, "execute_sweep", lambda spec, tasks, out, *a, **k: chosen.append(out) or 0
    )
    assert main(["transition", "--households", "3000", "--seeds", "1"]) == 0
    assert str(chosen[0]) == "results/transition-transition-households=3000"


def test_a_second_run_replaces_the_first_and_says_so(in_tmp, capsys):
    """What `make demo` does twice: the same --out, so the earlier result is replaced."""
    command = ["run", "old_system", "--seed", "0", "--out", "results/old_system-seed0", *SMALL]
    assert main(command) == 0
    assert "replaced" not in capsys.readouterr().err
    assert main(command) == 0
    assert "wijksim: replaced earlier result in results/old_system-seed0/" in (
        capsys.readouterr().err
    )


def test_a_folder_that_is_not_a_result_is_kept_unless_overwrite(in_tmp, capsys):
    mine = in_tmp / "my_thesis"
    mine.mkdir()
    (mine / "chapter1.md").write_text("months of work")
    assert main(["run", "old_system", "--out", str(mine), *SMALL]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "is not a wijksim result" in error
    assert "--overwrite" in error
    assert (mine / "chapter1.md").read_text() == "months of work"
    assert main(["run", "old_system", "--out", str(mine), "--overwrite", *SMALL]) == 0
    assert (mine / "manifest.json").is_file() and not (mine / "chapter1.md").exists()


def test_run_figures_name_scenario_overrides_households_and_years(in_tmp, monkeypatch):
    captions = []
    original = plots.caption
    monkeypatch.setattr(
        plots, "caption", lambda f, text: captions.append(text) or original(f, text)
    )
    command = ["run", "integral_team", "--years", "1", "--households", "300", "--quiet"]
    assert main([*command, "--set", "team.frontline_fte=2"]) == 0
    expected = (
        "integral_team (seed 0) · households=300, team.frontline_fte=2, years=1 "
        f"· 300 households · 1 years after a {BURN_IN}-year burn-in of the old system (not shown)"
    )
    assert captions == [expected] * 4  # shares, escalations, cost, team


TINY = """
name = "tiny"
scenario = "integral_team"
seeds = 1
[set]
years = 1
"population.households" = 300
[grid]
"team.frontline_fte" = [1.0, 2.0]
"""


def test_sweep_report_header_and_figures_name_what_produced_them(in_tmp, monkeypatch):
    captions = []
    original = plots.caption
    monkeypatch.setattr(
        plots, "caption", lambda f, text: captions.append(text) or original(f, text)
    )
    (in_tmp / "tiny.toml").write_text(TINY)
    out = in_tmp / "sweep"
    assert main(["sweep", "tiny.toml", "--backend", "serial", "--out", str(out), "--quiet"]) == 0
    summary = (out / "report" / "summary.md").read_text()
    context = (
        "integral_team · households=300, years=1 · 300 households · 1 years after a "
        f"{BURN_IN}-year burn-in of the old system (not shown) · varied: team.frontline_fte in "
        "[1.0, 2.0]"
    )
    assert f"**{context}**" in summary.splitlines()[2]
    assert "scaled to 300 households: team.overhead_fte 2 → 0.1" in summary
    assert captions and set(captions) == {context}
