"""Milliseconds per weekly step of each rule: the before/after measurement of issue 7.

Self-contained on purpose: it uses only what every version of wijksim has
(``NeighbourhoodModel``, ``load_scenario``, ``with_overrides``), so the same file can time
an older checkout installed in another environment (``docs/performance.md``)::

    python experiments/benchmarks/rule_times.py --households 100000 --weeks 52 [--core]
    python experiments/benchmarks/rule_times.py --households 100000 --profile 30

It prints one JSON line: wall and CPU milliseconds per step, and per rule (the rest is
``metrics and bookkeeping``). With ``--profile N`` it prints cProfile's N most expensive
functions (by internal time) instead.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import time
from collections import defaultdict

from wijksim.model.inputs.scenario_io import load_scenario, with_overrides
from wijksim.model.model import NeighbourhoodModel

# Copies of ``bench.STAFF_REFERENCE_HOUSEHOLDS`` and ``core.HOUSEHOLD_CORE_SCHEDULE``, on
# purpose: importing them would stop this file running against versions without them.
STAFF_REFERENCE_HOUSEHOLDS = 6000
HOUSEHOLD_RULES = [
    "informal_network",
    "life_events",
    "drift",
    "recovery",
    "escalation",
    "help_seeking",
    "classification",
]


def scenario(households: int, core: bool, full_scenario: str):
    """The full model (team FTE scaled, operator adapting) or the household core."""
    if core:
        base = load_scenario("old_system").scenario
        overrides = {"population.households": households, "schedule": HOUSEHOLD_RULES}
        return with_overrides(base, overrides)
    base = load_scenario(full_scenario).scenario
    scale = households / STAFF_REFERENCE_HOUSEHOLDS
    overrides = {
        "population.households": households,
        "team.frontline_fte": base.team.frontline_fte * scale,
        "team.overhead_fte": base.team.overhead_fte * scale,
        "funding.operator.adapts": True,
    }
    return with_overrides(base, overrides)


def main() -> None:
    """Time (or profile) the weekly steps and print the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--core", action="store_true", help="the household rules only")
    parser.add_argument("--scenario", default="funding_population", help="of the full model")
    parser.add_argument("--profile", type=int, metavar="N", help="print cProfile's top N")
    args = parser.parse_args()
    model = NeighbourhoodModel(scenario(args.households, args.core, args.scenario), args.seed)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(model.run, args.weeks)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
        return
    spent: dict[str, float] = defaultdict(float)
    for rule in model.rules:
        rule.step = _timed(rule.step, rule.name, spent)
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    model.run(args.weeks)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    spent["metrics and bookkeeping"] = wall - sum(spent.values())
    per_step = 1000 / args.weeks
    print(
        json.dumps(
            {
                "households": args.households,
                "weeks": args.weeks,
                "wall_ms_per_step": round(wall * per_step, 2),
                "cpu_ms_per_step": round(cpu * per_step, 2),
                "rules_ms_per_step": {k: round(v * per_step, 2) for k, v in spent.items()},
            }
        )
    )


def _timed(step, name, spent):
    def timed(model):
        start = time.perf_counter()
        step(model)
        spent[name] += time.perf_counter() - start

    return timed


if __name__ == "__main__":
    main()
