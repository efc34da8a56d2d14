"""Headline figures of a model version, to compare two versions side by side.

Old system and integral team at 6,000 households, seeds 1–3, reported years 1–10
(with the scenario's burn-in, where the version has one): need groups, escalations,
spending per household by stream, the escalation share of spending, the longest mean
specialist wait, and the old system's stationarity (trend over years 5–15 and the
first year's offset from years 5–10, 3,000 households, seeds 1–6)::

    python experiments/benchmarks/headline.py > after.txt

Self-contained on purpose, like ``fingerprint.py``: it uses only what every version has.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel


def _run(name: str, households: int, years: int, seed: int) -> pd.DataFrame:
    scenario = with_overrides(
        load_scenario(name).scenario, {"population.households": households, "years": years}
    )
    model = NeighbourhoodModel(scenario, seed=seed)
    model.run(years * 52)
    return pd.DataFrame(model.records), model


def headline() -> pd.DataFrame:
    """Means over seeds 1–3 of the headline figures, years 5–10 unless named."""
    rows = []
    for name in ("old_system", "integral_team"):
        for seed in (1, 2, 3):
            weeks, model = _run(name, 6000, 10, seed)
            late = weeks[weeks.year >= 5]
            years = late.year.nunique()
            kinds = [s.kind for s in model.specialists if not s.params.forced_admission]
            waits = [
                late[f"waiting_{k}"].mean() / max(late[f"admissions_{k}"].sum() / len(late), 1e-9)
                for k in kinds
            ]
            row = {
                "scenario": name,
                "complex % year 1": 100 * weeks[weeks.year == 1].share_complex.mean(),
                "complex % years 5-10": 100 * late.share_complex.mean(),
                "escalations per 1,000 a year": late.escalations_total.sum() / 6 / years,
                "evictions per 1,000 a year": late.escalations_eviction.sum() / 6 / years,
                "escalation share of spending %": 100
                * late.cost_escalation_eur.sum()
                / late.cost_total_eur.sum(),
                "longest mean specialist wait (weeks)": max(waits),
            }
            for stream in ("total", "specialist", "escalation", "team"):
                row[f"{stream} € per household a year"] = (
                    late[f"cost_{stream}_eur"].sum() / 6000 / years
                )
            if weeks.team_admissions.sum() > 0:
                found = late[[c for c in late if c.startswith("found_")]].sum().sum()
                row["team: found, turned away at intake after queueing %"] = (
                    100 * late.team_intake_no_case.sum() / found
                )
            rows.append(row)
    return pd.DataFrame(rows).groupby("scenario").mean().T


def stationarity() -> list[str]:
    """The old system's trend over years 5–15 and year 1's offset, t over 6 seeds."""
    per_seed = []
    for seed in range(1, 7):
        weeks, _ = _run("old_system", 3000, 15, seed)
        yearly = weeks.groupby("year").agg(
            escalations=("escalations_total", "sum"),
            spending=("cost_total_eur", "sum"),
            complex_share=("share_complex", "mean"),
        )
        yearly[["escalations", "spending"]] /= 3
        per_seed.append(yearly)
    lines = []
    for metric in ("escalations", "spending"):
        slopes = np.array([np.polyfit(y.index[4:], y[metric].iloc[4:], 1)[0] for y in per_seed])
        mean = np.mean([y[metric].iloc[4:].mean() for y in per_seed])
        t = slopes.mean() / (slopes.std(ddof=1) / np.sqrt(slopes.size))
        lines.append(
            f"{metric} per 1,000 households, years 5-15: mean {mean:,.1f} a year, trend "
            f"{100 * slopes.mean() / mean:+.2f}% a year, t = {t:.2f}"
        )
    for metric in ("complex_share", "spending"):
        gaps = np.array([y[metric].iloc[0] - y[metric].iloc[4:10].mean() for y in per_seed])
        later = np.mean([y[metric].iloc[4:10].mean() for y in per_seed])
        t = gaps.mean() / (gaps.std(ddof=1) / np.sqrt(gaps.size))
        lines.append(
            f"{metric}, year 1 against years 5-10: {100 * gaps.mean() / later:+.1f}% (t = {t:.2f})"
        )
    return lines


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    print(headline().round(2).to_string())
    print("\n".join(stationarity()))
