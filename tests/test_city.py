"""A city: several neighbourhoods in one model (issue 18, item 1; model/config/city.py).

Small cities over one or two years: the tests look at the bookkeeping and the wiring,
which do not need a settled population.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from wijksim.model.config.city import neighbourhood_plans
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

from tests.conftest import small

WEEKS = 78
STATE = ("zrm", "status", "own_strength", "cost_cents", "need_group", "network_help", "provider")


def city_of(scenario, neighbourhoods: dict, **settings):
    """``scenario`` with a ``[city]`` of ``neighbourhoods`` (and city ``settings``)."""
    return with_overrides(scenario, {"city": {**settings, "neighbourhoods": neighbourhoods}})


def exact(record: dict) -> str:
    """A record as text: equal texts are equal floats, NaN included."""
    return json.dumps(record, sort_keys=True, default=float)


def run(scenario, seed: int = 5, weeks: int = WEEKS) -> NeighbourhoodModel:
    model = NeighbourhoodModel(scenario, seed=seed)
    model.run(weeks)
    return model


# --- the key test: a one-neighbourhood city is today's model ---------------------------


@pytest.mark.parametrize("name", ["transition", "team_front_back", "team_focus_life_phase"])
def test_a_one_neighbourhood_city_gives_the_same_results(name):
    # Everything the run reports, compared exactly: weekly records, the final state of
    # every household, and the ledger (the city's extra columns aside).
    scenario = small(name, households=800, years=2, **{"transition.team_start_year": 1})
    plain = run(scenario)
    city = run(city_of(scenario, {"centre": {"households": 800, "provider": "p"}}))

    assert [exact(r) for r in city.records] == [exact(r) for r in plain.records]  # NaN is NaN
    for field in STATE:
        assert np.array_equal(getattr(city.population, field), getattr(plain.population, field))
    ledger = city.ledger.to_frame()
    pd.testing.assert_frame_equal(
        ledger.drop(columns=["neighbourhood", "provider"]), plain.ledger.to_frame()
    )
    assert set(ledger["neighbourhood"]) == {"centre"} and set(ledger["provider"]) == {"p"}
    # ... and its per-neighbourhood metrics are the city's.
    hood, last = city.neighbourhood_records, city.records[-1]
    assert len(hood) == len(city.records) and not plain.neighbourhood_records
    for metric in ("share_complex", "cost_total_eur", "escalations_total", "team_admissions"):
        assert sum(r[f"{metric}@centre"] for r in hood) == sum(r[metric] for r in city.records), (
            metric
        )
    assert hood[-1]["team_intake_queue@centre"] == last["team_intake_queue"]


# --- one ledger, booked to neighbourhood and provider ----------------------------------

NEIGHBOURHOODS = {
    "north": {"households": 400, "vulnerability_alpha": 3.0, "provider": "alpha"},
    "south": {"households": 300, "vulnerability_alpha": 1.4, "provider": "beta"},
    "east": {"households": 500, "provider": "alpha"},
}


@pytest.fixture(scope="module")
def city_model() -> NeighbourhoodModel:
    scenario = small("transition", households=600, years=2, **{"transition.team_start_year": 1})
    return run(city_of(scenario, NEIGHBOURHOODS, cross_neighbourhood_tie_share=0.2), seed=3)


def test_every_euro_is_booked_to_a_neighbourhood_and_provider(city_model):
    ledger = city_model.ledger.to_frame()
    total = int(ledger["amount_cents"].sum())
    by_neighbourhood = ledger.groupby("neighbourhood")["amount_cents"].sum()
    by_provider = ledger.groupby("provider")["amount_cents"].sum()
    assert ledger["neighbourhood"].notna().all() and ledger["provider"].notna().all()
    assert set(by_neighbourhood.index) == set(NEIGHBOURHOODS)
    assert set(by_provider.index) == {"alpha", "beta"}
    assert int(by_neighbourhood.sum()) == total == int(by_provider.sum())
    assert total == city_model.ledger.total_cents()
    # A provider's euros are its neighbourhoods' euros.
    assert by_provider["alpha"] == by_neighbourhood["north"] + by_neighbourhood["east"]
    # Every stream is booked per neighbourhood, not only the households' own costs.
    assert (ledger.groupby(["stream", "neighbourhood"]).size() > 0).all()
    assert ledger.groupby("stream")["neighbourhood"].nunique().min() == len(NEIGHBOURHOODS)


def test_households_costs_are_booked_to_their_own_neighbourhood(city_model):
    # Specialist care and escalations are attributed per household too: the two books
    # must agree per neighbourhood, to the cent.
    ledger = city_model.ledger.to_frame()
    own = ledger[ledger["stream"].isin(["specialist", "escalation"])]
    booked = own.groupby("neighbourhood")["amount_cents"].sum()
    for hood in city_model.neighbourhoods:
        spent = int(city_model.population.cost_cents[hood.rows].sum())
        assert spent == booked.get(hood.name, 0), hood.name


def test_weekly_spending_per_neighbourhood_sums_to_the_city(city_model):
    for record, hood in zip(city_model.records, city_model.neighbourhood_records, strict=True):
        assert hood["step"] == record["step"]
        record = {**record, **hood}
        parts = sum(record[f"cost_total_eur@{name}"] for name in NEIGHBOURHOODS)
        assert parts == pytest.approx(record["cost_total_eur"], abs=1e-6)
        escalations = sum(record[f"escalations_total@{name}"] for name in NEIGHBOURHOODS)
        assert escalations == record["escalations_total"]
        admissions = sum(record[f"team_admissions@{name}"] for name in NEIGHBOURHOODS)
        assert admissions == record["team_admissions"]


# --- households, teams, network, specialists -------------------------------------------


def test_each_neighbourhood_has_its_households_and_its_team(city_model):
    sizes = [hood.households for hood in city_model.neighbourhoods]
    assert sizes == [400, 300, 500] and city_model.population.size == 1200
    assert np.bincount(city_model.neighbourhood_of).tolist() == sizes
    # The scenario's team (for population.households = 600) scaled to each neighbourhood.
    reference = city_model.params.team
    assert city_model.params.population.households == 600
    for hood, size in zip(city_model.neighbourhoods, sizes, strict=True):
        (team,) = hood.teams
        assert team.neighbourhood is hood
        assert team.params.frontline_fte == pytest.approx(reference.frontline_fte * size / 600)
    # Team cases hold only their own neighbourhood's households.
    cases = city_model.cases
    held = np.flatnonzero(cases.team >= 0)
    team_hood = np.array([city_model.teams[t].neighbourhood.index for t in cases.team[held]])
    assert np.array_equal(team_hood, city_model.neighbourhood_of[held])


def test_a_weak_neighbourhood_is_more_vulnerable(city_model):
    vulnerability = city_model.population.vulnerability
    north, south, _ = city_model.neighbourhoods
    # Beta(3, 5) against Beta(1.4, 5): means 0.375 and 0.219, sd ~0.16 and ~0.15, so with
    # 300–400 households each the difference is ~15 standard errors.
    assert vulnerability[north.rows].mean() > vulnerability[south.rows].mean() + 0.1


def test_specialists_are_shared_city_wide(city_model):
    kinds = city_model.params.specialists
    assert [s.kind for s in city_model.specialists] == list(kinds)
    for specialist in city_model.specialists:
        per_1000 = kinds[specialist.kind].capacity_per_1000_households
        assert specialist.capacity == max(1, round(per_1000 * 1200 / 1000))
    # One waiting list (and one client list) per kind, holding every neighbourhood.
    held = np.concatenate(
        [s.client_rows() for s in city_model.specialists]
        + [np.array([r for r, _ in s.waiting], dtype=np.intp) for s in city_model.specialists]
    )
    assert set(city_model.neighbourhood_of[held].tolist()) == {0, 1, 2}


def test_a_neighbourhoods_referrals_lengthen_anothers_wait():
    # The same neighbourhood "quiet" beside a calm or a very troubled neighbourhood: its
    # households wait longer for the shared specialists when the other refers more.
    # Seeded; the effect is large (seeds 1–4: mean waits of 1.5–3.4 weeks beside a calm
    # neighbourhood, 19–21 beside a troubled one), so a threefold margin cannot fail
    # by chance.
    scenario = small("old_system", households=500, years=2)

    def quiet_wait(other_alpha: float) -> float:
        hoods = {
            "quiet": {"households": 500},
            "other": {"households": 1000, "vulnerability_alpha": other_alpha},
        }
        waits = admissions = 0.0
        for seed in (1, 2):
            model = run(city_of(scenario, hoods), seed=seed, weeks=104)
            waits += sum(r["specialist_wait_weeks@quiet"] for r in model.neighbourhood_records)
            admissions += sum(r["admissions_specialist@quiet"] for r in model.neighbourhood_records)
        return waits / admissions

    assert quiet_wait(6.0) > 3 * quiet_wait(1.0)


def test_the_stated_share_of_ties_crosses_neighbourhoods(city_model):
    adjacency = city_model.network.adjacency.tocoo()
    upper = adjacency.row < adjacency.col
    hood = city_model.neighbourhood_of
    across = hood[adjacency.row[upper]] != hood[adjacency.col[upper]]
    ties = int(upper.sum())
    # Each tie crosses with probability 0.2 (binomial); 4 standard errors either side.
    tolerance = 4 * np.sqrt(0.2 * 0.8 / ties)
    assert across.mean() == pytest.approx(0.2, abs=tolerance)
    # The mean degree stays what the scenario asks (a tie drawn twice is lost: rare).
    assert city_model.network.degree.mean() == pytest.approx(8, rel=0.02)


def test_without_ties_across_each_neighbourhood_is_its_own_network():
    scenario = small("old_system", households=600, years=1)
    model = NeighbourhoodModel(
        city_of(scenario, NEIGHBOURHOODS, cross_neighbourhood_tie_share=0.0), seed=1
    )
    adjacency = model.network.adjacency.tocoo()
    hood = model.neighbourhood_of
    assert np.array_equal(hood[adjacency.row], hood[adjacency.col])


def test_the_same_seed_gives_the_same_city():
    start = {"transition.team_start_year": 1}
    scenario = city_of(small("transition", households=600, years=1, **start), NEIGHBOURHOODS)
    first, second = run(scenario, seed=4, weeks=20), run(scenario, seed=4, weeks=20)
    assert [exact(r) for r in first.records] == [exact(r) for r in second.records]
    assert first.neighbourhood_records == second.neighbourhood_records
    assert np.array_equal(first.population.zrm, second.population.zrm)


# --- scenarios and validation -----------------------------------------------------------


def test_the_shipped_cities_load():
    utrecht = load_scenario("utrecht_like").scenario
    types = {hood.type for hood in utrecht.city.neighbourhoods.values()}
    assert types == {"weak", "vulnerable", "strong"}
    eindhoven = load_scenario("eindhoven_like").scenario
    households = sum(hood.size for hood in eindhoven.city.neighbourhoods.values())
    assert 95_000 <= households <= 105_000
    # S1 App. IV (Eindhoven): 280 FTE for 100,000 households, 2.8 per 1,000.
    team = eindhoven.team
    per_1000 = (team.frontline_fte + team.overhead_fte) / eindhoven.population.households * 1000
    assert per_1000 == pytest.approx(2.8, rel=0.01)


@pytest.mark.parametrize(
    ("city", "field", "words"),
    [
        ({"neighbourhoods": {"west": {"provider": "p"}}}, "city.neighbourhoods.west", "type"),
        ({"neighbourhoods": {"west": {"type": "posh"}}}, "city.neighbourhoods.west.type", "weak"),
        ({"neighbourhoods": {}}, "city.neighbourhoods", "at least 1"),
        (
            {"neighbourhoods": {"west": {"households": 6}}},
            "city.neighbourhoods.west.households",
            "mean_degree",
        ),
        (
            {"neighbourhoods": {"west": {"type": "weak", "team": {"frontline_fte": -1}}}},
            "city.neighbourhoods.west.team.frontline_fte",
            "greater than 0",
        ),
        (
            {"cross_neighbourhood_tie_share": 1.5, "neighbourhoods": {"w": {"type": "weak"}}},
            "city.cross_neighbourhood_tie_share",
            "1",
        ),
    ],
)
def test_a_bad_city_is_one_line_naming_the_field(city, field, words):
    with pytest.raises(ScenarioError) as caught:
        with_overrides(small("integral_team"), {"city": city})
    message = str(caught.value)
    assert "\n" not in message and field in message and words in message


def test_a_city_with_funding_is_refused():
    with pytest.raises(ScenarioError, match="funding"):
        city_of(small("funding_per_hour"), {"west": {"type": "weak"}})


def test_team_settings_need_a_team():
    with pytest.raises(ScenarioError, match=r"city\.neighbourhoods\.west\.team"):
        city_of(small("old_system"), {"west": {"type": "weak", "team": {"frontline_fte": 3.0}}})


# --- a city run's outputs -----------------------------------------------------------------


def test_a_city_run_writes_its_table_per_neighbourhood(tmp_path):
    from wijksim.experiments.cli import main

    out = tmp_path / "city"
    argv = ["run", "utrecht_like", "--households", "1000", "--years", "3", "--seed", "2"]
    argv += ["--set", "burn_in_years=0", "--out", str(out), "--quiet", "--no-figures"]
    assert main(argv) == 0
    # --households on a city: the whole city, every neighbourhood in proportion.
    households = pd.read_parquet(out / "households.parquet")
    assert len(households) == 1000
    table = pd.read_parquet(out / "neighbourhoods.parquet")
    assert list(table.columns) == ["year", "neighbourhood", "provider", "metric", "value"]
    names = list(load_scenario("utrecht_like").scenario.city.neighbourhoods)
    assert list(dict.fromkeys(table["neighbourhood"])) == names
    assert set(table["provider"]) == {"provider_a", "provider_b"}
    wide = table.pivot_table(index=["year", "neighbourhood"], columns="metric", values="value")
    for metric in ("share_complex", "escalations_total", "cost_total_eur", "households"):
        assert metric in wide.columns, metric
    assert {"team_mean_intake_wait_weeks", "specialist_mean_wait_weeks"} <= set(wide.columns)
    assert wide.groupby("year")["households"].sum().eq(1000).all()
    # Each year's spending per neighbourhood sums to the city's.
    steps = pd.read_parquet(out / "steps.parquet")
    city = steps[steps["metric"] == "cost_total_eur"].groupby("year")["value"].sum()
    parts = wide.groupby("year")["cost_total_eur"].sum()
    assert np.allclose(parts.to_numpy(), city.to_numpy(), rtol=0, atol=0.01)
    ledger = pd.read_csv(out / "ledger.csv")
    assert {"Neighbourhood", "Provider"} <= set(ledger.columns)
    # Run again into the same folder: a run replaces its own result, the city's table included
    # (it was refused as a folder holding a file the run did not write).
    assert main(argv) == 0


# --- wijksim bench --city (issue 18, item 6): measured and reported, never asserted ------

SMALL_CITY = """
extends = "transition"
years = 1
burn_in_years = 0
[transition]
team_start_year = 1
[city.neighbourhoods.a]
households = 300
[city.neighbourhoods.b]
type = "weak"
households = 200
"""


def test_bench_city_reports_the_city_beside_one_neighbourhood(tmp_path, capsys):
    from wijksim.experiments.benchmarks.bench_city import city_scenarios, peak_memory_of_city_run
    from wijksim.experiments.cli import main

    path = tmp_path / "small_city.toml"
    path.write_text(SMALL_CITY, encoding="utf-8")
    city, single = city_scenarios(str(path))
    assert single.city is None and single.population.households == city.total_households == 500
    # The same staff per household: the single neighbourhood's team is the city's teams'.
    fte = sum(plan.team.frontline_fte for plan in neighbourhood_plans(city))
    assert single.team.frontline_fte == pytest.approx(fte)

    out = tmp_path / "bench"
    argv = ["bench", "--city", str(path), "--years", "1", "--memory-years", "0"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    timings = pd.read_parquet(out / "bench_city.parquet")
    assert list(timings["implementation"]) == ["city", "single"]
    assert (timings["households"] == 500).all() and (timings["weeks"] == 52).all()
    targets = pd.read_parquet(out / "targets.parquet")
    assert targets["target"].str.contains("1.5×").any()
    # Its folder is a benchmark's: measuring again replaces it.
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    # The memory run (here in this process, without a fresh one) reports its peak.
    memory = peak_memory_of_city_run(str(path), seed=1)
    assert memory["households"] == 500 and memory["peak_memory_mb"] > 0


def test_bench_city_needs_a_city(capsys):
    from wijksim.experiments.cli import main

    assert main(["bench", "--city", "transition", "--memory-years", "0", "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "[city]" in error


def test_households_on_a_city_scale_the_whole_city_and_say_so():
    from wijksim.model.inputs.scaling import describe_scaling, with_overrides_scaled

    city = load_scenario("utrecht_like").scenario
    scaled, changes = with_overrides_scaled(city, {"population.households": 2800})
    assert scaled.total_households == 2800
    assert [hood.size for hood in scaled.city.neighbourhoods.values()] == [
        300,
        300,
        600,
        600,
        1000,
    ]
    # [team] stays sized for its reference; each neighbourhood's own FTE scale with it.
    assert scaled.population.households == city.population.households
    assert scaled.city.neighbourhoods["weak_north"].team["frontline_fte"] == pytest.approx(0.8)
    line = describe_scaling(changes, scaled.population.households)
    assert line.startswith("scaled to 2,800 households: city households 28000 → 2800")


def test_a_neighbourhoods_own_team_settings_cap_its_collective_work():
    # A split neighbourhood whose team settings lower collective_network_max: its teams'
    # gains together are capped at its own maximum, not at the scenario's.
    scenario = small(
        "team_focus_life_phase", households=600, years=1, **{"transition.team_start_year": 1}
    )
    cap = 0.01
    hoods = {
        "capped": {"households": 300, "team": {"collective_network_max": cap}},
        "free": {"households": 300},
    }
    model = run(city_of(scenario, hoods), seed=2, weeks=52)
    capped, free = model.network_capacity_factors()
    assert len(model.neighbourhoods[0].teams) == 3
    assert sum(t.network_gain for t in model.neighbourhoods[0].teams) > cap  # the cap binds
    assert capped == pytest.approx(1.0 + cap) and free > capped
    last = model.neighbourhood_records[-1]
    assert last["network_capacity_factor@capped"] == pytest.approx(1.0 + cap)


def test_the_dashboard_sizes_a_city_by_all_its_households():
    from wijksim.dashboard.compute import sized

    city = load_scenario("utrecht_like").scenario
    same, scaled = sized(city, city.total_households)  # the knob's default: as shipped
    assert scaled == {} and same is city
    smaller, scaled = sized(city, 2800)
    assert smaller.total_households == 2800 and scaled["city households"] == [28000, 2800]


def test_a_neighbourhoods_own_team_settings_set_how_fast_own_strength_fades():
    # One neighbourhood's team settings make own strength fall back at once (fade 1): its
    # households never keep support's gain from one week to the next; the other's do.
    scenario = small("transition", households=600, years=1, **{"transition.team_start_year": 1})
    hoods = {
        "fading": {"households": 300, "team": {"empowerment_fade_per_week": 1.0}},
        "keeping": {"households": 300},
    }
    model = run(city_of(scenario, hoods), seed=2, weeks=30)
    population = model.population
    gain = population.own_strength - population.own_strength_baseline
    fading, keeping = model.neighbourhoods
    supported = model.cases.team >= 0
    # Support raises own strength after the fade each week: at most one week's gain stays.
    week = model.params.team.empowerment_per_week
    assert gain[fading.rows].max() <= week + 1e-6
    assert gain[keeping.rows][supported[keeping.rows]].max() > 2 * week
