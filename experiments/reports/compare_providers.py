"""``wijksim compare-providers``: a city's providers side by side (issue 18, item 5).

S1 §4.3 advises introducing teams city-wide with at least two providers that learn from
each other; the municipality then compares them. This command runs a city scenario whose
neighbourhoods are contracted to several providers (``[city.providers]``: each its own
operator, ethos, staff and contract, model/config/city.py) on several seeds, and reports per
provider and year: escalations among its households; the App. V population indicators of
the year-end survey of its neighbourhoods (share self-reliant, share acute, share of need
nobody knows, also severity-corrected), estimated as ``indicators.parquet`` estimates
them (:func:`wijksim.experiments.analysis.indicators.survey_estimates`, its neighbourhoods as
strata); what it was paid; all spending booked to its neighbourhoods; the team's and the
specialists' mean waits.

On the two indicators a bonus–malus settles on (escalations, lower is better; the share
self-reliant, higher is better) it compares the providers as the municipality sees them
in one run (one seed), each year and pooled over the years the teams work:

* the raw rate and the empirical-Bayes rate, shrunk with the beta-binomial fitted across
  the providers (:func:`wijksim.experiments.analysis.reliability.shrink`, issue 18, item 4);
* each provider's rank under both (1: best);
* whether its difference from the city mean is distinguishable: its count lies outside
  what S1 App. VI's test allows a provider at the city mean (one-sample Wald test,
  two-sided α = 0.05, :func:`wijksim.experiments.analysis.reliability_power.rejection_bounds`).

Over the seeds it counts how often each provider ranks first and how often it is
distinguishable: how far one year's comparison can be trusted. Self-reliance is measured
in a sample: its events are the survey's estimate × the households sampled, its exposure
the households sampled (the binomial a sample gives), not the whole population.

One piece over 300 lines: the command's runs, its per-provider indicators and comparisons
and its written folder serve only this command; its pure per-provider arithmetic could move
to analysis/ should a second user appear.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from wijksim.experiments.analysis.city_tables import neighbourhood_table
from wijksim.experiments.analysis.indicators import REFERENCE_YEAR, need_mix, survey_estimates
from wijksim.experiments.analysis.reliability import shrink
from wijksim.experiments.analysis.reliability_power import rejection_bounds
from wijksim.experiments.runner.atomic import atomic_folder
from wijksim.experiments.runner.processes import map_tasks
from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.scenario_io import ScenarioError
from wijksim.model.model import WEEKS_PER_YEAR, NeighbourhoodModel

PAID_KINDS = ("team_operator", "neighbourhood_team")
"""Ledger bookings that pay a provider: its operator's contract, or without a contract the
municipality paying its teams' staff."""
SETTLED = {"escalations": True, "self_reliant": False}
"""The indicators a bonus–malus settles on, and whether lower is better."""
POOLED = "pooled"
"""The ``window`` of the years the teams work, pooled (else ``year N``)."""


def provider_names(scenario: Scenario) -> list[str]:
    """The providers of a city's neighbourhoods, in the order they first appear."""
    return list(dict.fromkeys(hood.provider for hood in scenario.city.neighbourhoods.values()))


def describe_providers(scenario: Scenario) -> pd.DataFrame:
    """Per provider: its neighbourhoods, households, form, ethos and seconded share."""
    rows = []
    hoods = scenario.city.neighbourhoods
    for name in provider_names(scenario):
        mine = [hood_name for hood_name, hood in hoods.items() if hood.provider == name]
        provider = scenario.city.providers.get(name)
        funding = provider.funding if provider else None
        team = provider.team if provider else {}
        default = scenario.team.seconded_share if scenario.team else 0.0
        rows.append(
            {
                "provider": name,
                "neighbourhood": ", ".join(mine),
                "households": sum(hoods[h].size for h in mine),
                "form": provider.form if provider and provider.form else "no contract",
                "funding.operator.ethos": funding.operator.ethos if funding else np.nan,
                "funding.operator.adapts": bool(funding and funding.operator.adapts),
                "team.seconded_share": team.get("seconded_share", default),
            }
        )
    return pd.DataFrame(rows)


def run_providers(scenario: Scenario, seed: int) -> pd.DataFrame:
    """One run of the city: ``seed, provider, year, metric, value``."""
    model = NeighbourhoodModel(scenario, seed=seed)
    model.run(scenario.years * WEEKS_PER_YEAR)
    hoods = neighbourhood_table(model)
    frames = [_flows(hoods), _paid(model), _population(model)]
    table = pd.concat(frames, ignore_index=True)
    table.insert(0, "seed", seed)
    return table


def _flows(hoods: pd.DataFrame) -> pd.DataFrame:
    """Households, escalations, spending and waits per provider and year."""
    summed = hoods.pivot_table(
        index=["provider", "year"], columns="metric", values="value", aggfunc="sum", sort=False
    )

    def ratio(top: str, bottom: str) -> pd.Series:
        return summed[top] / summed[bottom].where(summed[bottom] > 0)

    values = pd.DataFrame(
        {
            "households": summed["households"],
            "escalations": summed["escalations_total"],
            "escalations_per_1000": summed["escalations_total"] / summed["households"] * 1000,
            "spending_eur": summed["cost_total_eur"],
            "team_admissions": summed["team_admissions"],
            "team_mean_intake_wait_weeks": ratio("team_intake_wait_weeks", "team_admissions"),
            "specialist_mean_wait_weeks": ratio("specialist_wait_weeks", "admissions_specialist"),
        }
    )
    return _long(values)


def _paid(model: NeighbourhoodModel) -> pd.DataFrame:
    """What each provider was paid per year (its operator, or its teams' staff)."""
    ledger = model.ledger.to_frame()
    paid = ledger[ledger["agent_kind"].isin(PAID_KINDS)]
    years = (paid["step"] - 1) // WEEKS_PER_YEAR + 1
    totals = paid.groupby([paid["provider"], years.rename("year")])["amount_eur"].sum()
    index = pd.MultiIndex.from_product(
        [list(dict.fromkeys(model.ledger.providers)), range(1, model.params.years + 1)],
        names=["provider", "year"],
    )
    return _long(pd.DataFrame({"paid_to_provider_eur": totals.reindex(index, fill_value=0.0)}))


def _population(model: NeighbourhoodModel) -> pd.DataFrame:
    """The survey's App. V indicators per provider and year, its neighbourhoods as strata."""
    samples = model.survey.samples()
    if samples.empty:
        return pd.DataFrame(columns=["provider", "year", "metric", "value"])
    providers = {hood.name: hood.provider for hood in model.neighbourhoods}
    samples = samples.assign(provider=samples["neighbourhood"].map(providers))
    rows = []
    for provider, unit in samples.groupby("provider", sort=False):
        years = sorted(unit["year"].unique())
        reference = REFERENCE_YEAR if REFERENCE_YEAR in years else years[0]
        mix = need_mix(unit[unit["year"] == reference])
        for year, sample in unit.groupby("year"):
            for indicator, (value, error, _n) in survey_estimates(sample, mix).items():
                rows.append((provider, int(year), indicator, value))
                if indicator == "share_self_reliant":
                    rows.append((provider, int(year), "share_self_reliant_se", error))
            rows.append((provider, int(year), "survey_households", float(len(sample))))
    return pd.DataFrame(rows, columns=["provider", "year", "metric", "value"])


def _long(values: pd.DataFrame) -> pd.DataFrame:
    """A wide table indexed by provider and year as ``provider, year, metric, value``."""
    long = values.reset_index().melt(id_vars=["provider", "year"], var_name="metric")
    long["year"] = long["year"].astype(int)
    long["value"] = long["value"].astype(float)
    return long


# --- the comparison a municipality would make -------------------------------------------


def events_and_exposure(results: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Per seed, provider and year: the indicator's events and exposure.

    Escalations: counted among all its households. Self-reliant: the survey's estimate ×
    the households sampled, out of those sampled.
    """
    wide = results.pivot_table(
        index=["seed", "provider", "year"], columns="metric", values="value", sort=False
    )
    if indicator == "escalations":
        events, exposure = wide["escalations"], wide["households"]
    else:
        exposure = wide["survey_households"]
        events = (wide["share_self_reliant"] * exposure).round()
    return pd.DataFrame({"events": events, "exposure": exposure}).reset_index()


def settle_windows(results: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Raw and shrunk rates, ranks and distinguishability per seed, window and indicator.

    Windows: each year from ``first_year`` (the teams' first) and all of them pooled.

    Returns:
        ``seed, window, indicator, provider, metric, value`` with metrics ``events``,
        ``exposure``, ``raw``, ``shrunk``, ``reference`` (the city's rate), ``rank_raw``,
        ``rank_shrunk`` (1: best) and ``distinguishable`` (1 or 0).
    """
    rows = []
    for indicator, lower_is_better in SETTLED.items():
        counts = events_and_exposure(results, indicator)
        counts = counts[counts["year"] >= first_year]
        last = int(counts["year"].max())
        windows = [(f"year {y}", counts[counts["year"] == y]) for y in range(first_year, last + 1)]
        windows.append((POOLED, counts))
        for window, part in windows:
            summed = part.groupby(["seed", "provider"], sort=False)[["events", "exposure"]].sum()
            for seed, unit in summed.groupby(level="seed", sort=True):
                compared = _compare(unit.droplevel("seed"), lower_is_better)
                for provider, values in compared.iterrows():
                    for metric, value in values.items():
                        rows.append((seed, window, indicator, provider, metric, float(value)))
    columns = ["seed", "window", "indicator", "provider", "metric", "value"]
    return pd.DataFrame(rows, columns=columns)


def _compare(unit: pd.DataFrame, lower_is_better: bool) -> pd.DataFrame:
    """One city's providers on one indicator: rates, ranks, and whether each stands out."""
    events, exposure = unit["events"].to_numpy(float), unit["exposure"].to_numpy(float)
    reference = events.sum() / exposure.sum()
    raw = events / exposure
    shrunk = shrink(events, exposure)
    better = 1.0 if lower_is_better else -1.0
    low, high = rejection_bounds(exposure, reference)
    return pd.DataFrame(
        {
            "events": events,
            "exposure": exposure,
            "raw": raw,
            "shrunk": shrunk,
            "reference": reference,
            # Rates equal to rounding are ties (shrinkage to one mean makes them equal).
            "rank_raw": rankdata(np.round(better * raw, 12), method="min"),
            "rank_shrunk": rankdata(np.round(better * shrunk, 12), method="min"),
            "distinguishable": ((events <= low) | (events >= high)).astype(float),
        },
        index=unit.index,
    )


@dataclass
class ProvidersResult:
    """What ``compare-providers`` found.

    Attributes:
        scenario: The city scenario's name.
        providers: :func:`describe_providers`.
        results: Every run's ``seed, provider, year, metric, value``.
        settlement: :func:`settle_windows` of the results.
        first_year: The teams' first year (the windows start there).
    """

    scenario: str
    providers: pd.DataFrame
    results: pd.DataFrame
    settlement: pd.DataFrame
    first_year: int

    def means(self) -> pd.DataFrame:
        """Mean over seeds per provider, year and metric."""
        table = self.results.groupby(["provider", "year", "metric"], sort=False)["value"]
        return table.agg(mean="mean", n="count").reset_index()

    def ranking(self) -> pd.DataFrame:
        """Per window, indicator and provider: the share of seeds it is first or stands out."""
        wide = self.settlement.pivot_table(
            index=["window", "indicator", "provider", "seed"],
            columns="metric",
            values="value",
            sort=False,
        )
        flags = pd.DataFrame(
            {
                "first_raw": (wide["rank_raw"] == 1).astype(float),
                "first_shrunk": (wide["rank_shrunk"] == 1).astype(float),
                "distinguishable": wide["distinguishable"],
            }
        )
        keys = ["window", "indicator", "provider"]
        shares = flags.groupby(level=keys, sort=False).mean().reset_index()
        return shares.melt(id_vars=keys, var_name="metric", value_name="share_of_seeds")

    def markdown(self) -> str:
        """The providers over the years the teams work, and how well they can be told apart."""
        seeds = self.results["seed"].nunique()
        last = int(self.results["year"].max())
        span = f"years {self.first_year}–{last}"
        lines = [
            f"# Providers compared: {self.scenario} ({seeds} seeds)",
            "",
            "| provider | neighbourhoods | households | form | ethos | seconded share |",
            "|---|---|---:|---|---:|---:|",
        ]
        for row in self.providers.to_dict("records"):
            ethos = row["funding.operator.ethos"]
            lines.append(
                f"| {row['provider']} | {row['neighbourhood']} | {row['households']:,} | "
                f"{row['form']} | {'–' if np.isnan(ethos) else f'{ethos:.2f}'} | "
                f"{row['team.seconded_share']:.2f} |"
            )
        lines += ["", f"Means over the seeds, per year over {span} (the teams' years):", ""]
        lines += self._outcome_lines()
        lines += ["", *self._telling_apart_lines(span)]
        return "\n".join(lines) + "\n"

    def _outcome_lines(self) -> list[str]:
        teams = self.results["year"] >= self.first_year
        per_year = self.results[teams].groupby(["provider", "metric"], sort=False)["value"].mean()
        # Before the teams: what its neighbourhoods brought with them (their mix of
        # households), against which a provider's years are read.
        before = self.results[~teams].groupby(["provider", "metric"], sort=False)["value"].mean()
        pooled = self.settlement[self.settlement["window"] == POOLED]
        rates = pooled.groupby(["indicator", "provider", "metric"], sort=False)["value"].mean()
        lines = [
            "| provider | paid (€ k) | spending (€ M) | escalations per 1,000: before the "
            "teams → raw / shrunk | self-reliant %: before → raw / shrunk | need missed % "
            "| team wait (weeks) | specialist wait (weeks) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in self.providers["provider"]:
            lines.append(_outcome_row(name, per_year.loc[name], before, rates))
        return lines

    def _telling_apart_lines(self, span: str) -> list[str]:
        ranking = self.ranking().set_index(["window", "indicator", "provider", "metric"])
        shares = ranking["share_of_seeds"].sort_index()
        single = shares[shares.index.get_level_values("window") != POOLED]
        one_year = single.groupby(level=["indicator", "provider", "metric"]).mean()
        lines = [
            "Can the city tell them apart? Share of seeds in which a provider ranks first "
            "(raw / shrunk) and in which it differs from the city mean by S1 App. VI's test "
            f"(two-sided α = 0.05), pooled over {span} and in a single year (mean over the years):",
            "",
            "| indicator | provider | first, raw / shrunk (%) | distinguishable pooled (%) "
            "| distinguishable in one year (%) |",
            "|---|---|---:|---:|---:|",
        ]
        for indicator in SETTLED:
            for name in self.providers["provider"]:
                pooled = shares.loc[(POOLED, indicator, name)]
                lines.append(
                    f"| {indicator} | {name} | {100 * pooled['first_raw']:.0f} / "
                    f"{100 * pooled['first_shrunk']:.0f} | "
                    f"{100 * pooled['distinguishable']:.0f} | "
                    f"{100 * one_year.loc[(indicator, name, 'distinguishable')]:.0f} |"
                )
        lines += [
            "",
            "Shrunk: the empirical-Bayes posterior mean under a beta-binomial fitted across the "
            "providers; with few providers and little spread between them it pulls every "
            "provider to the city mean (a tie: all rank first). A provider's rates are also "
            "its neighbourhoods' mix of households: read them against the years before the "
            "teams.",
        ]
        return lines


def _outcome_row(name: str, value: pd.Series, before: pd.Series, rates: pd.Series) -> str:
    """One provider's row of the outcomes table (see :meth:`ProvidersResult.markdown`)."""

    def rate(indicator: str, estimator: str, scale: float) -> str:
        return f"{scale * rates.get((indicator, name, estimator), np.nan):.1f}"

    def earlier(metric: str, scale: float) -> str:
        return f"{scale * before.get((name, metric), np.nan):.1f}"

    return (
        f"| {name} | {value.get('paid_to_provider_eur', np.nan) / 1e3:,.0f} | "
        f"{value['spending_eur'] / 1e6:.2f} | "
        f"{earlier('escalations_per_1000', 1)} → "
        f"{rate('escalations', 'raw', 1000)} / {rate('escalations', 'shrunk', 1000)} | "
        f"{earlier('share_self_reliant', 100)} → "
        f"{rate('self_reliant', 'raw', 100)} / {rate('self_reliant', 'shrunk', 100)} | "
        f"{100 * value.get('missed_share', np.nan):.1f} | "
        f"{value['team_mean_intake_wait_weeks']:.1f} | "
        f"{value['specialist_mean_wait_weeks']:.1f} |"
    )


def _run_task(task: tuple[Scenario, int]) -> pd.DataFrame:
    return run_providers(*task)


def compare_providers(
    scenario: Scenario,
    name: str,
    seeds: list[int],
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ProvidersResult:
    """Run the city on every seed and compare its providers.

    Raises:
        ScenarioError: For a scenario without a ``[city]`` of at least two providers.
    """
    check_providers(scenario, name)
    tasks = [(scenario, seed) for seed in seeds]
    outcomes = map_tasks(_run_task, tasks, workers, progress)
    results = pd.concat(outcomes, ignore_index=True)
    first_year = scenario.transition.team_start_year if scenario.team else 1
    settlement = settle_windows(results, first_year)
    return ProvidersResult(name, describe_providers(scenario), results, settlement, first_year)


def check_providers(scenario: Scenario, name: str) -> None:
    """A city with at least two providers, else a one-line error naming the file.

    Raises:
        ScenarioError: Naming ``name`` (the scenario's file) and what was found.
    """
    if scenario.city is None:
        raise ScenarioError(name, "expected a city scenario with a [city], found none")
    found = provider_names(scenario)
    if len(found) < 2:
        raise ScenarioError(
            name, f"expected a city of at least two providers, found {len(found)}", "city"
        )


def write_providers(result: ProvidersResult, out: Path, provenance, language: str = "en") -> Path:
    """Write the tables and ``summary.md`` to ``out`` (atomically)."""
    from wijksim.experiments.reports.table_files import write_tables

    with atomic_folder(out) as staging:
        tables = {
            "providers": result.providers,
            "results": result.results,
            "means": result.means(),
            "settlement": result.settlement,
            "ranking": result.ranking(),
        }
        write_tables(staging, tables, provenance, language)
        (staging / "summary.md").write_text(result.markdown(), encoding="utf-8")
        settings = {"scenario": result.scenario, "seeds": sorted(set(result.results["seed"]))}
        (staging / "providers.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    return out
