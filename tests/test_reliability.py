"""``wijksim reliability``: S1 App. VI by simulation, and misranking raw and shrunken.

Issue 18, item 4. Statistical tests are seeded; each states its tolerance and where it
comes from (the binomial standard error of a simulated share).
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from scipy.special import expit, logit
from wijksim.experiments.analysis.reliability import (
    INDICATORS,
    fit_beta_binomial,
    misranking,
    settle,
    shrink,
    simulate_counts,
)
from wijksim.experiments.analysis.reliability_power import (
    SOURCE_TABLE,
    exact_power,
    fit_effect,
    required_n,
    rule_fits,
    simulated_power,
)
from wijksim.experiments.cli import main
from wijksim.experiments.runner.reliability_input import from_yearly

ESCALATIONS = INDICATORS["escalations"]


# --------------------------------------------------------------------- App. VI's table


def test_simulated_power_matches_the_exact_binomial_power():
    """The Monte Carlo test is the exact test: at every source threshold, green and
    yellow, the simulated power lies within 4 binomial standard errors of the exact
    power (two-sided; seeded; 4 SE: a false alarm once in ~16,000 comparisons)."""
    rng = np.random.default_rng(18)
    replications = 20_000
    for colour in ("green", "yellow"):
        effect, _ = fit_effect("odds_ratio", colour)
        for row in SOURCE_TABLE:
            n = np.array([getattr(row, colour)])
            exact = exact_power(n, row.p, effect, "odds_ratio")[0]
            simulated = simulated_power(n, row.p, effect, "odds_ratio", replications, rng)[0]
            tolerance = 4 * np.sqrt(exact * (1 - exact) / replications)
            assert abs(simulated - exact) <= tolerance, (colour, row.band, simulated, exact)


def test_an_odds_ratio_reproduces_the_table_better_than_a_difference():
    """The rule behind App. VI: a fixed odds ratio fits every row within 30%; a relative
    or absolute difference at the same α and power fits far worse."""
    fits = rule_fits().set_index(["colour", "rule"])["rms_log_error"]
    for colour in ("green", "yellow"):
        assert fits[(colour, "odds_ratio")] < 0.2
        assert fits[(colour, "odds_ratio")] < fits[(colour, "relative")] / 2
        assert fits[(colour, "odds_ratio")] < fits[(colour, "absolute")] / 2
        effect, _ = fit_effect("odds_ratio", colour)
        for row in SOURCE_TABLE:
            ratio = required_n(row.p, effect, "odds_ratio") / getattr(row, colour)
            assert 0.7 < ratio < 1.3, (colour, row.band, ratio)


# --------------------------------------------------------------------- the fit


def test_beta_binomial_fit_is_the_maximum_likelihood_of_scipy_betabinom():
    rng = np.random.default_rng(3)
    exposure = np.array([3000, 6000, 10000] * 6) * 3
    events = rng.binomial(exposure, rng.beta(20, 2600, size=len(exposure)))
    mean, precision = fit_beta_binomial(events, exposure)

    def negative(x):
        a, b = np.exp(x[1]) * expit(x[0]), np.exp(x[1]) * (1 - expit(x[0]))
        return -np.sum(stats.betabinom.logpmf(events, exposure, a, b))

    found = optimize.minimize(
        negative, [logit(mean), np.log(precision) + 0.5], method="Nelder-Mead"
    )
    assert negative([logit(mean), np.log(precision)]) <= found.fun + 1e-6


def test_against_the_fitted_mean_shrinkage_never_changes_a_side():
    """The posterior mean lies between the raw rate and the fitted mean."""
    rng = np.random.default_rng(4)
    for _ in range(50):
        exposure = rng.integers(100, 5000, size=12)
        events = rng.binomial(exposure, rng.beta(5, 400, size=12))
        mean, _ = fit_beta_binomial(events, exposure)
        shrunk = shrink(events, exposure)
        raw = events / exposure
        assert np.all(np.sign(shrunk - mean) * np.sign(raw - mean) >= 0)
        assert np.all(np.abs(shrunk - mean) <= np.abs(raw - mean) + 1e-15)


# --------------------------------------------------------------------- misranking


def test_without_spread_shrinkage_pulls_every_unit_to_the_mean():
    """No true spread: shrunken rates spread less than a tenth as much as raw ones (on
    average over 200 cities; seen: ~5%), and no unit has a right or wrong side."""
    table = simulate_counts([3000, 6000, 10000] * 6, replace(ESCALATIONS, spread=0.0), 1, 200, 5)
    settled = settle(table, lower_is_better=True)
    spread = settled.groupby(["estimator", "replication"])["estimate"].std()
    assert (spread["shrunk"] / spread["raw"]).mean() < 0.1
    summary = misranking(table, lower_is_better=True)
    assert list(summary["estimator"]) == ["raw", "shrunk"]
    assert summary["wrong_side_share"].isna().all()
    assert (summary["units"] == 0).all()


def test_identical_rates_are_shrunk_onto_the_mean_and_nobody_is_settled():
    """Every unit observed at the same rate: the likelihood's maximum is the binomial
    (no spread), every posterior is the mean exactly, nobody is rewarded or penalised."""
    exposure = np.array([1000, 2000, 4000, 1000])
    events = exposure // 100
    assert np.isinf(fit_beta_binomial(events, exposure)[1])
    table = pd.DataFrame(
        {"unit": ["a", "b", "c", "d"], "period": 2025, "events": events, "exposure": exposure}
    )
    shrunk = settle(table, lower_is_better=True).query("estimator == 'shrunk'")
    assert np.allclose(shrunk["estimate"], 0.01) and (shrunk["side"] == 0).all()


def test_huge_units_rank_the_same_raw_and_shrunken():
    table = simulate_counts([10_000_000, 20_000_000, 50_000_000] * 4, ESCALATIONS, 2, 30, 6)
    settled = settle(table, lower_is_better=True)
    raw = settled[settled["estimator"] == "raw"].reset_index(drop=True)
    shrunk = settled[settled["estimator"] == "shrunk"].reset_index(drop=True)
    assert (raw["side"] == shrunk["side"]).all()
    for _, rows in raw.assign(shrunk=shrunk["estimate"]).groupby(["replication", "window"]):
        assert (rows["estimate"].rank().to_numpy() == rows["shrunk"].rank().to_numpy()).all()


def test_shrinkage_settles_small_units_against_a_target_more_often_right():
    """Thirty neighbourhoods of 200 households settled on escalations against a target
    above the mean: shrunken rates put fewer on the wrong side (seen: 28% against 37%).
    Tolerance: 4 binomial standard errors of the difference of two shares of ~12,000
    settlements (treated as independent, which overstates the error: both come from the
    same counts)."""
    table = simulate_counts([200] * 30, replace(ESCALATIONS, spread=0.3), 1, 400, 7)
    summary = misranking(table, lower_is_better=True, target=0.009).set_index("estimator")
    raw, shrunk = summary.loc["raw"], summary.loc["shrunk"]
    error = np.sqrt(
        sum(s.wrong_side_share * (1 - s.wrong_side_share) / s.settled for s in (raw, shrunk))
    )
    assert shrunk.wrong_side_share < raw.wrong_side_share - 4 * error


def test_pooling_years_lowers_the_wrong_side_share():
    table = simulate_counts([3000] * 12, ESCALATIONS, 4, 300, 8)
    summary = misranking(table, lower_is_better=True).query("estimator == 'raw'")
    shares = summary.set_index("window")["wrong_side_share"]
    settled = summary.set_index("window")["settled"]
    error = np.sqrt(shares * (1 - shares) / settled)
    assert shares[4] < shares[1] - 4 * np.sqrt(error[1] ** 2 + error[4] ** 2)


def test_a_tidy_table_of_any_units_and_periods_is_accepted():
    """The city's tables plug in: unit names, calendar years, no replication column."""
    table = simulate_counts([500, 800, 1200, 900], ESCALATIONS, 3, 1, 9).drop(columns="replication")
    table["unit"] = table["unit"].map(dict(enumerate(["Noord", "Oost", "Zuid", "West"])))
    table["period"] += 2024
    summary = misranking(table, lower_is_better=True)
    assert list(summary["window"].unique()) == [1, 2, 3]
    assert set(settle(table, True)["unit"]) == {"Noord", "Oost", "Zuid", "West"}
    with pytest.raises(ValueError, match="every unit needs a row"):
        misranking(table.iloc[1:], lower_is_better=True)


# --------------------------------------------------------------------- the command


def test_the_command_writes_tables_summary_and_figure(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["reliability", "--replications", "20", "--years", "2", "--out", "rel", "--quiet"]
    assert main(argv) == 0
    out = tmp_path / "rel"
    for name in ("summary.md", "reliability.json", "tables.xlsx", "figures/settlement.png"):
        assert (out / name).is_file(), name
    power = pd.read_parquet(out / "app_vi_table.parquet")
    assert sorted(power["source_n"].unique()) == sorted(
        {row.green for row in SOURCE_TABLE} | {row.yellow for row in SOURCE_TABLE}
    )
    assert json.loads((out / "reliability.json").read_text())["replications"] == 20
    assert "3,000 households" in (out / "summary.md").read_text()
    assert main([*argv, "--indicator", "self_reliant", "--lang", "nl"]) == 0  # replaces it
    assert "3.000 huishoudens" in (out / "summary.md").read_text()


def test_a_sweeps_yearly_table_becomes_the_tidy_input():
    """Conditions are the units, seeds the replications; the truth is the unit's mean."""
    rows = [
        {"condition": c, "seed": s, "year": y, "metric": m, "value": v}
        for c, size in (("weak", 3000), ("strong", 10000))
        for s in (1, 2)
        for y in (1, 2)
        for m, v in (("escalations_total", size * 0.008 + s + y), ("share_self_reliant", 0.8))
    ]
    yearly = pd.DataFrame(rows)
    table = from_yearly(yearly, "escalations", {"weak": 3000, "strong": 10000})
    assert len(table) == 8 and set(table["unit"]) == {"weak", "strong"}
    weak = table[table["unit"] == "weak"]
    assert np.isclose(weak["true_rate"].iloc[0], (weak["events"] / 3000).mean())
    assert list(misranking(table, lower_is_better=True)["window"]) == [1, 1, 2, 2]
    shares = from_yearly(yearly, "self_reliant", 5000)
    assert (shares["events"] == 4000).all()
    with pytest.raises(ValueError, match="no number of households"):
        from_yearly(yearly, "escalations", {"weak": 3000})


def test_the_command_settles_on_a_sweeps_results(tmp_path, monkeypatch):
    """``--from``: a sweep's conditions are the neighbourhoods, its seeds the cities."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(
        'name = "units"\nscenario = "old_system"\nseeds = 2\n[set]\nyears = 1\n'
        '[grid]\n"population.households" = [40, 50, 60]\n'
    )
    assert main(["sweep", "tiny.toml", "--out", "sweep", "--backend", "serial", "--quiet"]) == 0
    assert main(["reliability", "--from", "sweep", "--out", "rel", "--quiet"]) == 0
    by_size = pd.read_parquet(tmp_path / "rel" / "misranking_by_size.parquet")
    assert sorted(by_size["households"].unique()) == [40, 50, 60]
    assert "from the sweep `sweep`" in (tmp_path / "rel" / "summary.md").read_text()


def test_a_folder_with_a_stranger_in_it_is_not_replaced(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["reliability", "--replications", "5", "--years", "1", "--out", "rel", "--quiet"]
    assert main(argv) == 0
    (tmp_path / "rel" / "notes.txt").write_text("mine")
    assert main(argv) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (tmp_path / "rel" / "notes.txt").read_text() == "mine"
