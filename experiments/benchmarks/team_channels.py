"""Where a team's savings come from: its channels switched off one at a time.

The integral team at 6,000 households against the old system, seeds 1–2, reported years
5–10: the complex share, escalations per 1,000 households a year, and spending per
household a year in total, on specialists and on escalations. Each variant turns off one
of the team's channels (its support effect, its protection from escalation, the own
strength it builds, its collective and outreach work); the last turns them all off, so
what is left of the saving is what the team does by holding households rather than by
helping them (its gate)::

    python experiments/benchmarks/team_channels.py

The check beside the team's calibration (docs/calibration.md, "The team") reads it.
"""

from __future__ import annotations

import pandas as pd
from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

HOUSEHOLDS = 6000
YEARS = 10
SEEDS = (1, 2)

NO_SUPPORT = {"team.support_effect_per_hour": 0.0}
NO_PROTECTION = {"team.escalation_protection": 0.0}
NO_EMPOWERMENT = {"team.empowerment_per_week": 0.0}
NO_NEIGHBOURHOOD_WORK = {"team.policy.collective_share": 0.0, "team.policy.outreach_share": 0.0}

VARIANTS: tuple[tuple[str, str, dict], ...] = (
    ("old system", "old_system", {}),
    ("integral team", "integral_team", {}),
    ("no support effect", "integral_team", NO_SUPPORT),
    ("no protection", "integral_team", NO_PROTECTION),
    ("no empowerment", "integral_team", NO_EMPOWERMENT),
    ("no collective or outreach work", "integral_team", NO_NEIGHBOURHOOD_WORK),
    (
        "none of the four (the gate alone)",
        "integral_team",
        {**NO_SUPPORT, **NO_PROTECTION, **NO_EMPOWERMENT, **NO_NEIGHBOURHOOD_WORK},
    ),
)


def _late_weeks(name: str, overrides: dict, seed: int) -> pd.DataFrame:
    """The weekly records of reported years 5–10 of one run."""
    scenario = with_overrides(
        load_scenario(name).scenario,
        {"population.households": HOUSEHOLDS, "years": YEARS, **overrides},
    )
    model = NeighbourhoodModel(scenario, seed=seed)
    model.run(YEARS * 52)
    weeks = pd.DataFrame(model.records)
    return weeks[weeks.year >= 5]


def channels() -> pd.DataFrame:
    """One row per variant: means over the seeds of the figures above."""
    rows = []
    for label, name, overrides in VARIANTS:
        for seed in SEEDS:
            late = _late_weeks(name, overrides, seed)
            per_household_year = HOUSEHOLDS * late.year.nunique()
            rows.append(
                {
                    "variant": label,
                    "complex share": late.share_complex.mean(),
                    "escalations per 1,000": 1000
                    * late.escalations_total.sum()
                    / per_household_year,
                    "specialist EUR": late.cost_specialist_eur.sum() / per_household_year,
                    "escalation EUR": late.cost_escalation_eur.sum() / per_household_year,
                    "team EUR": late.cost_team_eur.sum() / per_household_year,
                    "total EUR": late.cost_total_eur.sum() / per_household_year,
                }
            )
    frame = pd.DataFrame(rows).groupby("variant", sort=False).mean()
    euros = [column for column in frame.columns if column.endswith("EUR")]
    frame[euros] = frame[euros].round(0)
    return frame.round({"complex share": 4, "escalations per 1,000": 2})


if __name__ == "__main__":
    print(channels().to_string())
