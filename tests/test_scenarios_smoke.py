"""Every shipped scenario validates and runs end to end through the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from wijksim.experiments.cli import main
from wijksim.model.inputs.scenario_io import load_scenario, shipped_scenario_names

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("name", shipped_scenario_names())
def test_shipped_scenario_runs(name, tmp_path, capsys):
    out = tmp_path / name
    # Two years, or enough to reach the year a team opens (transition: year 3).
    resolved = load_scenario(name).scenario
    years = max(2, resolved.transition.team_start_year if resolved.team else 1)
    code = main(
        [
            "run",
            name,
            "--households",
            "600",
            "--years",
            str(years),
            "--seed",
            "4",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    steps = pd.read_parquet(out / "steps.parquet")
    assert list(steps.columns) == ["step", "year", "metric", "value"]
    assert steps["step"].max() == 52 * years
    households = pd.read_parquet(out / "households.parquet")
    assert len(households) == 600
    ledger = pd.read_parquet(out / "ledger.parquet")
    assert ledger["amount_cents"].sum() > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["households"] == 600
    if not resolved.city:  # a city's population.households is what [team] is sized for
        assert manifest["scenario"]["population"]["households"] == 600
    assert {"mesa", "numpy", "python"} <= set(manifest["versions"])
    for figure in ("group_shares.png", "escalations.png", "cost_by_stream.png"):
        assert (out / "figures" / figure).stat().st_size > 1000


def test_list_names_every_scenario(capsys):
    assert main(["list"]) == 0
    printed = capsys.readouterr().out
    for name in shipped_scenario_names():
        assert name in printed
