"""Per-week metrics as pure functions of the model state (ODD element 7, observation).

:func:`collect` gathers one flat dict per week; :func:`to_long` turns the records into
the tidy per-step table (``step, year, metric, value``), whose columns do not depend on
the scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from wijksim.model.domains import DOMAINS
from wijksim.model.scenario import PAYERS, STREAMS
from wijksim.model.status import STATUS_NAMES, Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


def group_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Share and count of households in each need group."""
    counts = np.bincount(model.population.need_group, minlength=len(model.classifier.names))
    n = model.population.size
    out: dict[str, float] = {}
    for name, count in zip(model.classifier.names, counts, strict=True):
        out[f"share_{name}"] = count / n
        out[f"households_{name}"] = float(count)
    return out


def need_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Known and unknown need, statuses, and mean ZRM level per domain."""
    population = model.population
    in_need = population.need_group > 0
    known = population.status != Status.UNKNOWN
    out = {
        "households_in_need": float(in_need.sum()),
        "known_need": float((in_need & known).sum()),
        "unknown_need": float((in_need & ~known).sum()),
        "mean_network_help": float(population.network_help.mean()),
        "mean_isolation": float(population.isolation.mean()),
    }
    statuses = np.bincount(population.status, minlength=len(Status))
    out.update({f"status_{name}": float(c) for name, c in zip(STATUS_NAMES, statuses, strict=True)})
    means = population.zrm.mean(axis=0)
    out.update({f"zrm_mean_{d}": float(m) for d, m in zip(DOMAINS, means, strict=True)})
    return out


def care_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Waiting lists, clients, admissions, waits and referrals per specialist."""
    out: dict[str, float] = {}
    desk = model.access_point
    for specialist in model.specialists:
        kind = specialist.kind
        waits = specialist.wait_weeks_this_step
        out[f"waiting_{kind}"] = float(len(specialist.waiting))
        out[f"clients_{kind}"] = float(len(specialist.clients))
        out[f"occupancy_{kind}"] = len(specialist.clients) / specialist.capacity
        out[f"admissions_{kind}"] = float(specialist.admissions_this_step)
        out[f"mean_wait_weeks_{kind}"] = float(np.mean(waits)) if waits else np.nan
        out[f"referrals_{kind}"] = float(desk.referrals_this_step.get(kind, 0))
    out["applications_pending"] = float(len(desk.applications))
    out["desk_not_indicated"] = float(desk.not_indicated_this_step)
    out["households_found"] = float(getattr(model.rule("help_seeking"), "found_this_step", 0))
    return out


def event_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Escalations and life events this week, by kind."""
    escalation = model.rule("escalation")
    out = {f"escalations_{k}": float(v) for k, v in escalation.events_this_step.items()}
    out["escalations_total"] = float(sum(escalation.events_this_step.values()))
    life_events = model.rule("life_events")
    out.update({f"life_events_{k}": float(v) for k, v in life_events.events_this_step.items()})
    return out


def cost_metrics(model: NeighbourhoodModel) -> dict[str, float]:
    """Euros booked this week by stream and by payer."""
    ledger, week = model.ledger, model.week
    out = {f"cost_{s}_eur": ledger.step_total_cents(week, stream=s) / 100 for s in STREAMS}
    out.update(
        {f"cost_paid_by_{p}_eur": ledger.step_total_cents(week, payer=p) / 100 for p in PAYERS}
    )
    out["cost_total_eur"] = ledger.step_total_cents(week) / 100
    return out


COLLECTORS = (group_metrics, need_metrics, care_metrics, event_metrics, cost_metrics)


def collect(model: NeighbourhoodModel) -> dict[str, float]:
    """All metrics of the current week, with its step and year."""
    record: dict[str, float] = {"step": model.week, "year": model.year}
    for collector in COLLECTORS:
        record.update(collector(model))
    return record


def to_long(records: list[dict[str, float]]) -> pd.DataFrame:
    """The tidy per-step table: one row per (step, metric)."""
    wide = pd.DataFrame.from_records(records)
    long = wide.melt(id_vars=["step", "year"], var_name="metric", value_name="value")
    long["step"] = long["step"].astype("int32")
    long["year"] = long["year"].astype("int16")
    return long.sort_values(["step", "metric"], kind="stable").reset_index(drop=True)
