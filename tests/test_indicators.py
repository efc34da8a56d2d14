"""The yearly indicators of S1 App. V and the simulated survey (issue 18, item 3)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
from wijksim.experiments.analysis.indicators import (
    ALL,
    COLUMNS,
    LEVELS,
    direct_standardised,
    population_rows,
)
from wijksim.experiments.reports.run_report import write_run
from wijksim.experiments.runner.run import run_simulation
from wijksim.model.core.domains import N_DOMAINS
from wijksim.model.model import NeighbourhoodModel
from wijksim.model.observation.survey import SurveyParams, YearEndSurvey
from wijksim.model.state.status import Status

from tests.conftest import small
from tests.test_city import city_of

CASELOAD = {
    "cases_opened",
    "cases_closed",
    "mean_duration_weeks",
    "mean_zrm_change_closed",
    "relapse_state_share",
    "held_year_share",
    "returns_to_care",
    "escalations_in_caseload",
    "referrals",
    "referral_cost_eur",
    "team_wait_weeks_mean",
    "specialist_wait_weeks_mean",
}
POPULATION = {
    "share_self_reliant",
    "share_acute",
    "missed_share",
    "missed_share_severity_corrected",
}


def team_scenario(**overrides):
    return small(
        "integral_team", households=600, years=2, **{"transition.team_start_year": 1, **overrides}
    )


@pytest.fixture(scope="module")
def result():
    return run_simulation(team_scenario(), seed=4)


def test_the_table_is_tidy_with_both_levels_every_year(result, tmp_path):
    table = result.indicators
    assert list(table.columns) == list(COLUMNS)
    assert set(table["level"]) == set(LEVELS)
    assert not table.duplicated(["year", "level", "indicator", "neighbourhood"]).any()
    for year in (1, 2):
        rows = table[table["year"] == year]
        assert set(rows[rows["level"] == "caseload"]["indicator"]) == CASELOAD
        assert set(rows[rows["level"] == "population"]["indicator"]) == POPULATION
    survey = table[table["level"] == "population"]
    assert survey["standard_error"].notna().all() and (survey["standard_error"] > 0).all()
    assert (survey["ci_low"] <= survey["value"]).all()
    assert (survey["value"] <= survey["ci_high"]).all()
    shares = survey[survey["indicator"].isin(["share_self_reliant", "share_acute"])]
    assert (shares["sample_households"] == 400).all()  # the default sample
    assert table[table["level"] == "caseload"]["standard_error"].isna().all()
    # Written with the run: Parquet, CSV and a sheet of the workbook.
    out = write_run(result, tmp_path / "run", figures=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "indicators.parquet"), table)
    assert (out / "indicators.csv").exists()
    assert "indicators" in openpyxl.load_workbook(out / "tables.xlsx", read_only=True).sheetnames


def test_without_a_survey_only_the_caseload_is_reported():
    run = run_simulation(team_scenario(**{"survey.enabled": False}), seed=4)
    assert set(run.indicators["level"]) == {"caseload"}


def test_the_survey_changes_no_result():
    # Its draws come from its own stream: the same records and final state with and
    # without it (the fingerprints of experiments/benchmarks/fingerprint.py rely on it).
    runs = []
    for enabled in (True, False):
        model = NeighbourhoodModel(team_scenario(**{"survey.enabled": enabled}), seed=9)
        model.run(2 * 52)
        runs.append(model)
    with_survey, without = runs
    assert len(with_survey.survey.samples()) == 2 * 400 and without.survey.samples().empty
    dump = [json.dumps(m.records, sort_keys=True, default=float) for m in runs]
    assert dump[0] == dump[1]
    for field in ("zrm", "status", "need_group", "cost_cents"):
        assert np.array_equal(
            getattr(with_survey.population, field), getattr(without.population, field)
        )


# --- the survey's sampling error, on one fixed population ------------------------------

HOUSEHOLDS = 3000
SURVEYS = 1000
COVERAGE_TOLERANCE = 0.035
"""Over 1,000 surveys the share of intervals that cover the truth has binomial spread
√(0.9 × 0.1 / 1000) = 0.0095; 3 of those (0.028, two-sided) plus 0.007 for the normal
interval's known under-coverage at a domain of ~130 households (Brown, Cai & DasGupta 2001,
Stat. Sci. 16: 101–133)."""


def fixed_population(stream: np.random.Generator) -> SimpleNamespace:
    """A model stand-in: 3,000 households, 80/15/5% need groups, some unknown and acute."""
    need = np.repeat([0, 1, 2], [2400, 450, 150]).astype(np.int8)
    zrm = np.full((HOUSEHOLDS, N_DOMAINS), 4, dtype=np.int8)
    zrm[stream.random(HOUSEHOLDS) < 0.06, 0] = 1
    status = np.full(HOUSEHOLDS, Status.UNKNOWN, dtype=np.int8)
    known = (need > 0) & (stream.random(HOUSEHOLDS) < np.where(need == 2, 0.8, 0.6))
    status[known] = Status.TEAM_SUPPORT
    population = SimpleNamespace(need_group=need, zrm=zrm, status=status)
    hood = SimpleNamespace(name="", rows=slice(0, HOUSEHOLDS))
    streams = SimpleNamespace(get=lambda name: stream)
    return SimpleNamespace(population=population, neighbourhoods=[hood], streams=streams)


def test_the_survey_interval_covers_the_true_share_at_its_stated_rate():
    model = fixed_population(np.random.default_rng(20261126))
    survey = YearEndSurvey(SurveyParams(sample_size=400))
    for year in range(1, SURVEYS + 1):  # one survey per "year" of one unchanging population
        survey.observe(model, year)
    rows = population_rows(survey.samples(), is_city=False)
    population = model.population
    in_need = population.need_group > 0
    truth = {
        "share_self_reliant": np.mean(population.need_group == 0),
        "share_acute": np.mean((population.zrm <= 1).any(axis=1)),
        "missed_share": np.mean(population.status[in_need] == Status.UNKNOWN),
    }
    for indicator, true_share in truth.items():
        mine = rows[rows["indicator"] == indicator]
        covered = ((mine["ci_low"] <= true_share) & (true_share <= mine["ci_high"])).mean()
        assert covered == pytest.approx(0.90, abs=COVERAGE_TOLERANCE), indicator
        # Unbiased: the mean estimate within 3 standard errors of the mean of the truth.
        spread = mine["value"].std() / np.sqrt(SURVEYS)
        assert abs(mine["value"].mean() - true_share) < 3 * spread, indicator


# --- the severity correction ------------------------------------------------------------


def survey_of(year: int, mix: dict[int, int], missed: dict[int, int]) -> pd.DataFrame:
    """A constructed survey: ``mix[g]`` households of need group g, ``missed[g]`` unknown."""
    groups = [0, *mix]
    counts = [400 - sum(mix.values()), *mix.values()]
    need = np.repeat(groups, counts)
    unknown = np.concatenate(
        [np.zeros(counts[0], bool)] + [np.arange(mix[g]) < missed[g] for g in mix]
    )
    return pd.DataFrame(
        {
            "year": year,
            "neighbourhood": "",
            "households": 6000,
            "need_group": need,
            "acute": False,
            "unknown": unknown,
        }
    )


def test_the_severity_correction_is_the_crude_rate_at_the_reference_mix():
    # Year 1 is the reference, so its corrected rate is its crude rate exactly; so is any
    # year with the same mix.
    samples = pd.concat(
        [
            survey_of(1, {1: 60, 2: 20}, {1: 12, 2: 10}),
            survey_of(2, {1: 60, 2: 20}, {1: 18, 2: 4}),
        ]
    )
    rows = population_rows(samples, is_city=False).set_index(["year", "indicator"])["value"]
    for year in (1, 2):
        assert rows[year, "missed_share_severity_corrected"] == pytest.approx(
            rows[year, "missed_share"], abs=1e-12
        )
    assert direct_standardised({1: 0.2, 2: 0.5}, {1: 3, 2: 1}, {1: 0, 2: 0})[0] == 0.275


def test_a_neighbourhood_grown_more_complex_is_not_read_as_a_worse_team():
    # The same rate per group (20% of basic, 50% of complex households missed), but year
    # 2 has three times the complex share: the crude rate rises, the corrected one does not.
    samples = pd.concat(
        [
            survey_of(1, {1: 60, 2: 20}, {1: 12, 2: 10}),
            survey_of(2, {1: 40, 2: 40}, {1: 8, 2: 20}),
        ]
    )
    rows = population_rows(samples, is_city=False).set_index(["year", "indicator"])["value"]
    assert rows[2, "missed_share"] == pytest.approx(28 / 80)
    assert rows[2, "missed_share"] > rows[1, "missed_share"]
    assert rows[2, "missed_share_severity_corrected"] == pytest.approx(rows[1, "missed_share"])
    assert set(population_rows(samples, False)["neighbourhood"]) == {ALL}


def test_a_city_has_rows_per_neighbourhood_at_both_levels():
    city = city_of(
        team_scenario(**{"survey.sample_size": 150}),
        {
            "west": {"households": 600, "provider": "p"},
            "east": {"households": 400, "provider": "q"},
        },
    )
    table = run_simulation(city, seed=2).indicators
    for level in LEVELS:
        assert set(table[table["level"] == level]["neighbourhood"]) == {ALL, "west", "east"}
    shares = table[(table["indicator"] == "share_self_reliant")].set_index(
        ["year", "neighbourhood"]
    )
    assert shares.loc[(2, "west"), "sample_households"] == 150
    assert shares.loc[(2, ALL), "sample_households"] == 300  # both neighbourhoods' samples
