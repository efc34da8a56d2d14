"""S1 App. V's indicators, every year, in the caseload and the population (issue 18, item 3).

One tidy table per run (``indicators.parquet``): one row per year × level × indicator ×
neighbourhood (``all`` for the whole run; a city adds a row per neighbourhood).

* **caseload**: what the team's own records show (docs/sources.md, S1 App. V, column
  "Caseload"): trajectories opened and closed, their mean duration and ZRM change, state-
  based relapse and returns to care after closure (model/observation/outcomes.py), escalations of
  households in the caseload, referrals and their cost, and the mean waits for the team
  and the specialists. Counted, not sampled: no standard error.
* **population**: a simulated sample survey of all households at each year's end
  (model/observation/survey.py; S1 App. V column "Populatie", §4.5.2): share self-reliant, share
  with an acute problem (ZRM 1 in some domain), and "did the team miss anyone?", the share
  of households in need that no access point knows. Each with its standard error and a
  90% interval (normal, with the finite population correction). The missed share is also
  given **severity-corrected**: directly standardised to the need-group mix of year 1, so
  that a neighbourhood whose households got more vulnerable is not read as a worse team.

One module (just over 300 lines) because the two levels make one table with one schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from wijksim.experiments.runner.run import RunResult

COLUMNS = (
    "year",
    "level",
    "indicator",
    "neighbourhood",
    "value",
    "standard_error",
    "ci_low",
    "ci_high",
    "sample_households",
)
LEVELS = ("caseload", "population")
ALL = "all"
"""The neighbourhood of a whole run's rows."""
Z90 = 1.6448536269514722
"""The standard normal's 95th percentile: a two-sided 90% interval."""
REFERENCE_YEAR = 1
"""The year whose need-group mix the severity correction standardises to."""


def indicator_table(result: RunResult) -> pd.DataFrame:
    """The run's yearly indicators at both levels (:data:`COLUMNS`)."""
    model = result.model
    parts = [caseload_rows(result.steps, model.trajectories.closures())]
    if model.is_city and result.neighbourhoods is not None:
        parts.append(city_caseload_rows(result.neighbourhoods, model.trajectories.closures()))
    samples = model.survey.samples()
    if len(samples):
        parts.append(population_rows(samples, is_city=model.is_city))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    for column in COLUMNS:
        if column not in table:
            table[column] = np.nan
    table = table[list(COLUMNS)]
    table["year"] = table["year"].astype("int16")
    return table.sort_values(
        ["year", "level", "neighbourhood", "indicator"], kind="stable"
    ).reset_index(drop=True)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Year by year, ``numerator / denominator``; NaN where the denominator is 0."""
    return numerator / denominator.where(denominator > 0)


def caseload_rows(steps: pd.DataFrame, closures: pd.DataFrame) -> pd.DataFrame:
    """The caseload indicators of the whole run, per year, from the weekly records."""
    yearly = steps.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")

    def column(name: str) -> pd.Series:
        return yearly[name] if name in yearly else pd.Series(0.0, index=yearly.index)

    kinds = [c.removeprefix("mean_wait_weeks_") for c in yearly if c.startswith("mean_wait_weeks_")]
    wide = steps.pivot(index=["step", "year"], columns="metric", values="value")
    specialist_waits = sum(
        (wide[f"mean_wait_weeks_{k}"].fillna(0) * wide[f"admissions_{k}"]).groupby("year").sum()
        for k in kinds
    )
    specialist_admissions = sum(column(f"admissions_{k}") for k in kinds)
    indicators = {
        "cases_opened": column("team_admissions"),
        "cases_closed": column("team_closures"),
        "relapse_state_share": _ratio(
            column("closures_team_relapsed_year"), column("closures_team_year_done")
        ),
        "held_year_share": _ratio(
            column("closures_team_held_year"), column("closures_team_year_done")
        ),
        "returns_to_care": column("relapses"),
        "escalations_in_caseload": column("team_cases_escalated"),
        "referrals": column("referrals_consult") + column("referrals_handover"),
        "referral_cost_eur": column("cost_specialist_eur"),
        "team_wait_weeks_mean": _ratio(column("team_intake_wait_weeks"), column("team_admissions")),
        "specialist_wait_weeks_mean": _ratio(specialist_waits, specialist_admissions),
    }
    rows = _long(indicators, ALL)
    return pd.concat([rows, trajectory_rows(closures, yearly.index)], ignore_index=True)


def trajectory_rows(
    closures: pd.DataFrame, years: pd.Index, by_neighbourhood: bool = False
) -> pd.DataFrame:
    """Mean duration and mean ZRM change of the team's closed cases, per year."""
    keys = ["year", "neighbourhood"] if by_neighbourhood else ["year"]
    means = closures.groupby(keys)[["duration_weeks", "zrm_change"]].mean()
    if not by_neighbourhood:
        means = means.reindex(years)
    frames = []
    for source, indicator in (
        ("duration_weeks", "mean_duration_weeks"),
        ("zrm_change", "mean_zrm_change_closed"),
    ):
        frame = means[source].rename("value").reset_index()
        if not by_neighbourhood:
            frame["neighbourhood"] = ALL
        frame["indicator"] = indicator
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table["level"] = "caseload"
    return table


def city_caseload_rows(neighbourhoods: pd.DataFrame, closures: pd.DataFrame) -> pd.DataFrame:
    """A city's caseload indicators per neighbourhood (those its records hold)."""
    wanted = {
        "team_admissions": "cases_opened",
        "team_mean_intake_wait_weeks": "team_wait_weeks_mean",
        "specialist_mean_wait_weeks": "specialist_wait_weeks_mean",
    }
    rows = neighbourhoods[neighbourhoods["metric"].isin(list(wanted))]
    rows = rows.assign(indicator=rows["metric"].map(wanted), level="caseload")
    rows = rows[["year", "level", "indicator", "neighbourhood", "value"]]
    closed = closures.groupby(["year", "neighbourhood"]).size().rename("value").reset_index()
    closed = closed.assign(indicator="cases_closed", level="caseload")
    means = trajectory_rows(closures, pd.Index([]), by_neighbourhood=True)
    return pd.concat([rows, closed, means], ignore_index=True)


def _long(indicators: dict[str, pd.Series], neighbourhood: str) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            {
                "year": series.index.to_numpy(),
                "level": "caseload",
                "indicator": name,
                "neighbourhood": neighbourhood,
                "value": series.to_numpy(dtype=float),
            }
        )
        for name, series in indicators.items()
    ]
    return pd.concat(frames, ignore_index=True)


# --- the population: a sample survey's estimates -----------------------------------------


def ratio_estimate(
    y: np.ndarray, x: np.ndarray, stratum: np.ndarray, stratum_size: np.ndarray
) -> tuple[float, float]:
    """A share estimated from a stratified simple random sample, with its standard error.

    The combined ratio estimator R = Σ W_h ȳ_h / Σ W_h x̄_h (W_h: the stratum's share of
    all households), with its linearised variance Σ W_h² (1 − n_h/N_h) s²_{z,h} / n_h / X̄²,
    z = y − R x (Cochran, *Sampling Techniques*, 3rd ed., §6.11). ``x`` = 1 gives the
    plain (stratified) share; ``x`` a 0/1 domain gives the share within the domain
    ("of the households in need").

    Args:
        y: Per sampled household, the numerator's 0/1 (or any number).
        x: Per sampled household, the denominator's 0/1.
        stratum: Per sampled household, its stratum (neighbourhood).
        stratum_size: Per sampled household, its stratum's number of households N_h.

    Returns:
        The estimate and its standard error (NaN, NaN if the domain is not in the sample).
    """
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    _names, where, counts = np.unique(stratum, return_inverse=True, return_counts=True)
    sizes = np.bincount(where, weights=stratum_size) / counts  # N_h, the same in a stratum
    weights = sizes / sizes.sum()
    x_mean = float(weights @ (np.bincount(where, weights=x) / counts))
    if x_mean <= 0:
        return float("nan"), float("nan")
    ratio = float(weights @ (np.bincount(where, weights=y) / counts)) / x_mean
    z = y - ratio * x
    z_mean = np.bincount(where, weights=z) / counts
    squares = np.bincount(where, weights=(z - z_mean[where]) ** 2)
    z_var = np.divide(squares, counts - 1, out=np.zeros_like(squares), where=counts > 1)
    finite = np.clip(1 - counts / sizes, 0.0, None)
    variance = float((weights**2 * finite * z_var / counts).sum()) / x_mean**2
    return float(ratio), float(np.sqrt(variance))


def direct_standardised(
    rates: dict[int, float], reference_weights: dict[int, float], errors: dict[int, float]
) -> tuple[float, float]:
    """Direct standardisation: the stratum rates weighted by a reference mix.

    A rate that differs between need groups moves with the mix of groups alone; weighting
    this year's rate per group by the reference year's mix removes that (the standard
    epidemiological correction, e.g. Rothman, *Modern Epidemiology*, 3rd ed., ch. 4).
    Strata without a rate this year (none sampled) are left out and the remaining
    reference weights renormalised. The standard error treats the reference mix as fixed
    and the strata's estimates as independent (disjoint domains of one sample).

    Args:
        rates: This year's rate per stratum.
        reference_weights: The reference mix per stratum (need not sum to 1).
        errors: The standard error of each stratum's rate.

    Returns:
        The standardised rate and its standard error.
    """
    usable = [
        g for g, w in reference_weights.items() if w > 0 and np.isfinite(rates.get(g, np.nan))
    ]
    total = sum(reference_weights[g] for g in usable)
    if total <= 0:
        return float("nan"), float("nan")
    weights = {g: reference_weights[g] / total for g in usable}
    value = sum(weights[g] * rates[g] for g in usable)
    variance = sum(weights[g] ** 2 * errors[g] ** 2 for g in usable)
    return float(value), float(np.sqrt(variance))


def _row(year, indicator, neighbourhood, value, error, households) -> dict:
    return {
        "year": year,
        "level": "population",
        "indicator": indicator,
        "neighbourhood": neighbourhood,
        "value": value,
        "standard_error": error,
        "ci_low": max(value - Z90 * error, 0.0) if np.isfinite(error) else np.nan,
        "ci_high": min(value + Z90 * error, 1.0) if np.isfinite(error) else np.nan,
        "sample_households": households,
    }


def survey_estimates(sample: pd.DataFrame, reference_mix: dict[int, float]) -> dict:
    """One survey's estimates (one neighbourhood, or a city's neighbourhoods as strata).

    Args:
        sample: Surveyed households (model/observation/survey.py ``SAMPLE_COLUMNS``) of one year.
        reference_mix: The reference year's need-group mix among households in need.

    Returns:
        ``{indicator: (value, standard error, households behind it)}``.
    """
    strata = (sample["neighbourhood"].to_numpy(), sample["households"].to_numpy())
    need = sample["need_group"].to_numpy()
    in_need = need > 0
    missed = in_need & sample["unknown"].to_numpy()
    ones = np.ones(len(sample))
    out = {
        "share_self_reliant": (*ratio_estimate(need == 0, ones, *strata), len(sample)),
        "share_acute": (*ratio_estimate(sample["acute"].to_numpy(), ones, *strata), len(sample)),
        "missed_share": (*ratio_estimate(missed, in_need, *strata), int(in_need.sum())),
    }
    rates, errors = {}, {}
    for group in reference_mix:
        rates[group], errors[group] = ratio_estimate(
            missed & (need == group), need == group, *strata
        )
    out["missed_share_severity_corrected"] = (
        *direct_standardised(rates, reference_mix, errors),
        int(in_need.sum()),
    )
    return out


def need_mix(sample: pd.DataFrame) -> dict[int, float]:
    """The need-group mix among a survey's households in need, weighted by stratum size."""
    weights = sample["households"] / sample.groupby("neighbourhood")["households"].transform("size")
    in_need = sample["need_group"] > 0
    mix = weights[in_need].groupby(sample["need_group"][in_need]).sum()
    return (mix / mix.sum()).to_dict() if mix.sum() > 0 else {}


def population_rows(samples: pd.DataFrame, is_city: bool) -> pd.DataFrame:
    """The population indicators per year (and neighbourhood in a city) from the surveys."""
    samples = samples.assign(neighbourhood=samples["neighbourhood"].replace("", ALL))
    units = [(ALL, samples)]
    if is_city:
        units += list(samples.groupby("neighbourhood", sort=False))
    rows = []
    for name, unit in units:
        years = sorted(unit["year"].unique())
        reference = unit[unit["year"] == (REFERENCE_YEAR if REFERENCE_YEAR in years else years[0])]
        mix = need_mix(reference)
        for year, sample in unit.groupby("year"):
            for indicator, (value, error, n) in survey_estimates(sample, mix).items():
                rows.append(_row(year, indicator, name, value, error, n))
    return pd.DataFrame(rows)
