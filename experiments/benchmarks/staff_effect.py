"""What staff and hours per case do for escalations, with the operator's hands off.

Population funding with a fixed team (the operator does not adapt), 6,000 households,
seeds 1–3, five reported years after the scenario's burn-in: escalations per 1,000
households a year at 4, 8 and 12 frontline FTE (hours factor 1) and at hours factors
0.5 and 1.5 (8 FTE). The benchmark against which the operator's forecast of what staff
spare is judged (docs/ODD.md §7.9.3)::

    python experiments/benchmarks/staff_effect.py
"""

from __future__ import annotations

from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

HOUSEHOLDS, YEARS, SEEDS = 6000, 5, (1, 2, 3)
SETTINGS = ((4.0, 1.0), (8.0, 1.0), (12.0, 1.0), (8.0, 0.5), (8.0, 1.5))


def escalations_per_1000_year(fte: float, hours_factor: float, seed: int) -> float:
    """Escalations per 1,000 households a year over the reported years of one run."""
    scenario = with_overrides(
        load_scenario("funding_population").scenario,
        {
            "population.households": HOUSEHOLDS,
            "years": YEARS,
            "funding.operator.adapts": False,
            "team.frontline_fte": fte,
            "team.policy.hours_per_case_factor": hours_factor,
        },
    )
    model = NeighbourhoodModel(scenario, seed=seed)
    model.run(52 * YEARS)
    escalations = float(model.population.escalations.sum())  # counted since the burn-in
    return escalations / (HOUSEHOLDS / 1000) / YEARS


if __name__ == "__main__":
    print("frontline_fte hours_factor " + " ".join(f"seed{s}" for s in SEEDS) + " mean")
    for fte, factor in SETTINGS:
        values = [escalations_per_1000_year(fte, factor, seed) for seed in SEEDS]
        cells = " ".join(f"{v:.1f}" for v in values)
        print(f"{fte:g} {factor:g} {cells} {sum(values) / len(values):.1f}", flush=True)
