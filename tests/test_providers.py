"""A city's providers, each its own operator and contract (issue 18, item 5; model/config/city.py).

Small cities of two years with the teams open from week 1: the tests look at who is paid
for what and what each operator reads, which needs no settled population.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.cli import main
from wijksim.experiments.reports.compare_allocation import restaff
from wijksim.experiments.reports.compare_providers import _compare
from wijksim.model.contracts.funding import lump_sum_year_eur
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel
from wijksim.model.state.caseload import CaseRole
from wijksim.model.state.ledger import to_cents

from tests.conftest import small

WEEKS = 104
PER_TRAJECTORY_EUR = 1_000.0
CAPITATION_EUR = 150.0

PER_TRAJECTORY = {
    "form": "per_trajectory",
    "funding": {
        "lump_sum_per_household_year_eur": 0.0,
        "tariff_per_trajectory_eur": PER_TRAJECTORY_EUR,
    },
}
POPULATION = {
    "form": "population",
    "funding": {
        "lump_sum_per_household_year_eur": CAPITATION_EUR,
        # Measured in a sample, but nothing paid on it: the revenue is the capitation alone.
        "population_results": {"sample_households": 100},
    },
}
NEIGHBOURHOODS = {
    "north": {"households": 400, "vulnerability_alpha": 3.0, "provider": "hourly"},
    "south": {"households": 300, "vulnerability_alpha": 1.4, "provider": "capitation"},
    "east": {"households": 500, "provider": "hourly"},
}


def city(providers: dict, neighbourhoods: dict = NEIGHBOURHOODS, **overrides):
    """A small city with teams open from week 1 and ``providers``."""
    scenario = small(
        "transition", households=600, years=2, **{"transition.team_start_year": 1, **overrides}
    )
    table = {"neighbourhoods": neighbourhoods, "providers": providers}
    return with_overrides(scenario, {"city": table})


def run(scenario, seed: int = 4, weeks: int = WEEKS) -> NeighbourhoodModel:
    model = NeighbourhoodModel(scenario, seed=seed)
    model.run(weeks)
    return model


@pytest.fixture(scope="module")
def two_providers() -> NeighbourhoodModel:
    return run(city({"hourly": PER_TRAJECTORY, "capitation": POPULATION}))


def test_each_provider_with_a_contract_gets_its_own_operator(two_providers):
    model = two_providers
    by_name = {operator.provider: operator for operator in model.operators}
    assert list(by_name) == ["hourly", "capitation"]
    assert by_name["hourly"].contract.tariff_per_trajectory_eur == PER_TRAJECTORY_EUR
    assert by_name["capitation"].contract.lump_sum_per_household_year_eur == CAPITATION_EUR
    for hood in model.neighbourhoods:
        assert hood.operator is by_name[hood.provider]
        assert all(team in hood.operator.teams for team in hood.teams)
    assert by_name["hourly"].households == 900 and by_name["capitation"].households == 300


def test_each_operator_is_paid_for_its_own_teams_and_households(two_providers):
    # Shared settlement would pay the per-trajectory provider for the whole city's
    # admissions, and the capitation for the whole city's households.
    model = two_providers
    hourly, capitation = model.operators
    weekly = model.neighbourhood_records
    admissions = [r["team_admissions@north"] + r["team_admissions@east"] for r in weekly]
    assert sum(admissions) > 0
    city_admissions = sum(r["team_admissions"] for r in model.records)
    assert city_admissions > sum(admissions)
    assert hourly.revenue_cents == sum(to_cents(PER_TRAJECTORY_EUR * n) for n in admissions)
    south = model.neighbourhoods[1]
    year = lump_sum_year_eur(
        capitation.contract, 300, float(np.mean(model.population.vulnerability[south.rows]))
    )
    assert capitation.revenue_cents == WEEKS * to_cents(year / 52)
    # ... and the ledger books each payment to its own provider's neighbourhoods.
    ledger = model.ledger.to_frame()
    paid = ledger[ledger["agent_kind"] == "team_operator"].groupby("provider")["amount_cents"]
    expected = {"capitation": capitation.revenue_cents, "hourly": hourly.revenue_cents}
    assert paid.sum().to_dict() == expected


def test_each_operator_observes_only_its_own_teams():
    # What an operator decides from (ODD §7.9): its teams' flows and caseload, its own
    # households' escalations. Reviews are put beyond the run, so the period's sums hold
    # every week's observations.
    never = {"adapts": True, "review_weeks": 1000}
    providers = {
        "hourly": {**PER_TRAJECTORY, "funding": {**PER_TRAJECTORY["funding"], "operator": never}},
        "capitation": {**POPULATION, "funding": {**POPULATION["funding"], "operator": never}},
    }
    model = NeighbourhoodModel(city(providers), seed=4)
    hourly = model.operators[0]
    own = [team.index for team in hourly.teams]
    clients = 0
    for _ in range(40):
        model.step()
        cases = model.cases
        active = np.isin(cases.role, (int(CaseRole.LEAD), int(CaseRole.CONSULT)))
        clients += int((np.isin(cases.team, own) & active).sum())
    weekly = model.neighbourhood_records
    period = hourly._period
    assert period.weeks == 40
    assert period.sums["admissions"] == sum(
        r["team_admissions@north"] + r["team_admissions@east"] for r in weekly
    )
    assert period.escalations == sum(
        r["escalations_total@north"] + r["escalations_total@east"] for r in weekly
    )
    assert period.clients == clients
    assert period.sums["admissions"] < sum(r["team_admissions"] for r in model.records)


def test_one_providers_sample_does_not_move_anothers():
    # The capitation provider (first neighbourhood, the "funding" stream) measures in a
    # bigger sample; the second provider's own stream gives it the same measurements.
    def measured(sample: int) -> float:
        capitation = {**POPULATION, "funding": {**POPULATION["funding"]}}
        capitation["funding"]["population_results"] = {"sample_households": sample}
        hourly = {
            "form": "population",
            "funding": {
                "lump_sum_per_household_year_eur": CAPITATION_EUR,
                "population_results": {"sample_households": 150},
            },
        }
        first = {"south": NEIGHBOURHOODS["south"], **NEIGHBOURHOODS}
        model = run(city({"capitation": capitation, "hourly": hourly}, first), weeks=52)
        assert [op.provider for op in model.operators] == ["capitation", "hourly"]
        return model.operators[1].measured_self_reliant

    assert measured(50) == measured(200)


def test_a_providers_team_settings_reach_its_neighbourhoods_under_their_own():
    neighbourhoods = {
        **NEIGHBOURHOODS,
        "east": {**NEIGHBOURHOODS["east"], "team": {"seconded_share": 0.1}},
    }
    providers = {"hourly": {"team": {"seconded_share": 0.5}}, "capitation": {}}
    model = NeighbourhoodModel(city(providers, neighbourhoods), seed=1)
    seconded = {hood.name: hood.teams[0].params.seconded_share for hood in model.neighbourhoods}
    assert seconded == {"north": 0.5, "south": 0.0, "east": 0.1}
    assert model.operators == []  # no contract: the municipality pays the staff


def exact(record: dict) -> str:
    return json.dumps(record, sort_keys=True, default=float)


def test_a_one_neighbourhood_city_with_a_contract_is_the_single_neighbourhood():
    # The contract moved from [funding] to the city's one provider: every weekly record,
    # and what the operator was paid, the same (adapting, with option D's charges).
    overrides = {
        "funding.operator.adapts": True,
        "funding.operator.review_weeks": 13,
        "funding.specialist_access.charge_share": 0.5,
        "transition.team_start_year": 1,
    }
    plain_scenario = small("funding_population", households=800, years=2, **overrides)
    contract = plain_scenario.funding.model_dump(mode="json")
    table = {
        "neighbourhoods": {"centre": {"households": 800, "provider": "p"}},
        "providers": {"p": {"form": "population", "funding": contract}},
    }
    as_city = with_overrides(plain_scenario, {"funding": None, "city": table})
    plain, one = run(plain_scenario, weeks=WEEKS), run(as_city, weeks=WEEKS)
    assert plain.operator.changes > 0  # the operator did decide something
    assert [exact(r) for r in one.records] == [exact(r) for r in plain.records]
    assert one.operator.revenue_cents == plain.operator.revenue_cents


# --- bad input: one line naming the file and field --------------------------------------


@pytest.mark.parametrize(
    ("providers", "neighbourhoods", "field", "words"),
    [
        (
            {"hourly": PER_TRAJECTORY},
            NEIGHBOURHOODS,
            "city.neighbourhoods.south.provider",
            "expected a provider of [city.providers] (hourly), found 'capitation'",
        ),
        (
            {"hourly": PER_TRAJECTORY, "capitation": POPULATION, "spare": POPULATION},
            NEIGHBOURHOODS,
            "city.providers.spare",
            "expected a neighbourhood contracted to it (provider = 'spare'), found none",
        ),
        (
            {"hourly": {"form": "per_hour", "funding": {}}, "capitation": POPULATION},
            NEIGHBOURHOODS,
            "city.providers.hourly.funding.tariff_per_hour_eur",
            "expected a value for form 'per_hour' (docs/sources.md §5), found none",
        ),
        (
            {
                "hourly": {"form": "per_hour", "funding": {"tariff_per_hour_eur": 0.0}},
                "capitation": POPULATION,
            },
            NEIGHBOURHOODS,
            "city.providers.hourly.funding.tariff_per_hour_eur",
            "expected a value above 0 for form 'per_hour'",
        ),
        (
            {"hourly": {"funding": {"tariff_per_hour_eur": 58.0}}, "capitation": POPULATION},
            NEIGHBOURHOODS,
            "city.providers.hourly.form",
            "expected one of function_budget, per_hour",
        ),
        (
            {"hourly": {"form": "per_hour"}, "capitation": POPULATION},
            NEIGHBOURHOODS,
            "city.providers.hourly.funding",
            "expected the contract of form 'per_hour', found none",
        ),
        (
            {"hourly": {"form": "per_day", "funding": {}}, "capitation": POPULATION},
            NEIGHBOURHOODS,
            "city.providers.hourly.form",
            "per_hour",
        ),
    ],
)
def test_a_bad_provider_is_one_line_naming_the_field(providers, neighbourhoods, field, words):
    with pytest.raises(ScenarioError) as caught:
        city(providers, neighbourhoods)
    message = str(caught.value)
    assert "\n" not in message and f"field '{field}'" in message and words in message


def test_a_contract_for_the_whole_city_is_refused():
    with pytest.raises(ScenarioError, match=r"city\.providers\.<name>\.funding"):
        with_overrides(
            small("funding_per_hour"), {"city": {"neighbourhoods": {"west": {"type": "weak"}}}}
        )


def test_a_bad_provider_in_a_file_exits_2_naming_file_and_field(tmp_path, capsys):
    path = tmp_path / "two.toml"
    path.write_text(
        'extends = "utrecht_two_providers"\n'
        "[city.providers.provider_a.funding]\n"
        "tariff_per_hour_eur = 0.0\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "Traceback" not in error
    assert str(path) in error
    assert "city.providers.provider_a.funding.tariff_per_hour_eur" in error
    assert "found 0.0" in error


def test_the_shipped_two_provider_city_loads():
    scenario = load_scenario("utrecht_two_providers").scenario
    providers = scenario.city.providers
    assert {p.form for p in providers.values()} == {"per_hour", "population"}
    ethos = {p.funding.operator.ethos for p in providers.values()}
    assert len(ethos) == 2
    used = {hood.provider for hood in scenario.city.neighbourhoods.values()}
    assert used == set(providers)


def test_providers_are_listed_in_the_ledger_per_neighbourhood(two_providers):
    ledger = two_providers.ledger.to_frame()
    providers = ledger.groupby("neighbourhood")["provider"].first().to_dict()
    assert providers == {"north": "hourly", "south": "capitation", "east": "hourly"}


# --- wijksim compare-providers --------------------------------------------------------------


def test_compare_providers_writes_each_providers_tables_and_summary(tmp_path, capsys):
    out = tmp_path / "providers"
    argv = ["compare-providers", "utrecht_two_providers", "--households", "1400", "--years", "3"]
    argv += ["--seeds", "2", "--set", "burn_in_years=0", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "provider_a" in summary and "provider_b" in summary and "per_hour" in summary
    results = pd.read_parquet(out / "results.parquet")
    assert set(results["provider"]) == {"provider_a", "provider_b"}
    assert set(results["seed"]) == {1, 2} and set(results["year"]) == {1, 2, 3}
    wide = results.pivot_table(index=["seed", "provider", "year"], columns="metric")["value"]
    # Paid from the teams' opening year on (year 3), by each one's own contract.
    assert (wide.xs(3, level="year")["paid_to_provider_eur"] > 0).all()
    assert (wide.xs(1, level="year")["paid_to_provider_eur"] == 0).all()
    assert wide["share_self_reliant"].between(0, 1).all()
    settlement = pd.read_parquet(out / "settlement.parquet")
    assert set(settlement["window"]) == {"year 3", "pooled"}
    assert set(settlement["indicator"]) == {"escalations", "self_reliant"}
    ranks = settlement[settlement["metric"].isin(["rank_raw", "rank_shrunk"])]["value"]
    assert ranks.isin([1.0, 2.0]).all()
    ranking = pd.read_parquet(out / "ranking.parquet")
    assert ranking["share_of_seeds"].between(0, 1).all()
    for table in ("providers", "means", "ranking"):
        assert (out / f"{table}.csv").is_file()


def test_compare_providers_needs_a_city_of_providers(capsys):
    assert main(["compare-providers", "transition", "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "transition.toml" in error and "[city]" in error


def test_a_provider_beyond_app_vi_s_bounds_is_distinguishable_and_ranked():
    # Closed form: 1,000 households each, city mean 0.03; 50 events lies beyond the
    # Wald bound 30 + 1.96 × √(0.03 × 0.97 × 1000) ≈ 40.6, 10 below 30 − 10.6 ≈ 19.4.
    unit = pd.DataFrame(
        {"events": [50.0, 10.0, 30.0], "exposure": [1000.0] * 3}, index=["a", "b", "c"]
    )
    compared = _compare(unit, lower_is_better=True)
    assert compared["reference"].iloc[0] == pytest.approx(0.03)
    assert compared["distinguishable"].tolist() == [1.0, 1.0, 0.0]
    assert compared["rank_raw"].tolist() == [3, 1, 2]
    # Shrunk towards the fitted mean (≈ the city's): the extremes move in.
    assert 0.03 < compared.loc["a", "shrunk"] < compared.loc["a", "raw"]
    assert compared.loc["b", "raw"] < compared.loc["b", "shrunk"] < 0.03


def test_a_reallocated_budget_moves_each_contracts_formation_with_it():
    # compare-allocation restaffs the teams before they open; a function budget's
    # formation (and what the operator reasons with) follows its teams' new FTE.
    budget = {
        "form": "function_budget",
        "funding": {
            "lump_sum_per_household_year_eur": 122.0,
            "formation": {"staffing_factor": 1.0},
        },
    }
    model = NeighbourhoodModel(city({"hourly": budget, "capitation": POPULATION}), seed=1)
    before = model.operators[0].contracted_fte
    restaff(model, "vulnerability")
    for operator in model.operators:
        frontline = sum(team.params.frontline_fte for team in operator.teams)
        assert operator.team_params.frontline_fte == pytest.approx(frontline)
    hourly = model.operators[0]
    assert hourly.contracted_fte == pytest.approx(hourly.team_params.frontline_fte)
    assert hourly.contracted_fte != pytest.approx(before)
