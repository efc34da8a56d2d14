"""A sweep's indicators per run over its whole horizon, from a yearly results table.

The pure part of the sweep report (:mod:`wijksim.experiments.reports.sweep_report`): the
sensitivity analysis computes its outputs with the same function. :data:`PAYER_NAMES`
names the payers of the ``cost_paid_by_*`` indicators for every report and figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from wijksim.experiments.i18n import N_
from wijksim.model.config.scenario import PAYERS, STREAMS
from wijksim.model.observation.counters import MetricKind, declared_by_rules

HORIZON_FLOWS: tuple[str, ...] = (
    "cost_total_eur",
    *(f"cost_{stream}_eur" for stream in STREAMS),
    *(f"cost_paid_by_{payer}_eur" for payer in PAYERS),
    "escalations_total",
    "team_admissions",
    "referrals_consult",
    "referrals_handover",
    "closures",
    "relapses",
)
"""Flows summed over the whole run."""


FINAL_YEAR_STATES: tuple[str, ...] = ("households_in_need", "unknown_need", "team_intake_queue")
"""States averaged over the final year (with every ``share_*`` group share)."""


def run_indicators(table: pd.DataFrame) -> pd.DataFrame:
    """One value per run and indicator over the horizon, from a yearly table.

    Flows are summed over all years; states (group shares, queue) are the final year's
    mean; two ratios are formed per run: the mean intake wait (weeks waited ÷
    admissions) and the relapse rate (relapses ÷ closures). The metrics that a
    partner's rules declare are added by their kind.
    """
    ids = [c for c in table.columns if c not in ("year", "metric", "value")]
    final_year = table["year"].max()
    declared = declared_by_rules()
    partner_flows = [m.name for m in declared if m.kind is MetricKind.FLOW]
    partner_states = [m.name for m in declared if m.kind is MetricKind.STATE]
    flows = table[table["metric"].isin((*HORIZON_FLOWS, "team_intake_wait_weeks", *partner_flows))]
    totals = flows.groupby([*ids, "metric"], sort=False, dropna=False)["value"].sum()
    states = table[
        (table["year"] == final_year)
        & (
            table["metric"].isin((*FINAL_YEAR_STATES, *partner_states))
            | table["metric"].str.startswith("share_")
        )
        & ~table["metric"].str.startswith("share_supported")
    ]
    finals = states.groupby([*ids, "metric"], sort=False, dropna=False)["value"].mean()
    wide = pd.concat([totals, finals]).unstack("metric")
    admissions = wide.get("team_admissions", pd.Series(0.0, index=wide.index))
    wide["mean_intake_wait_weeks"] = wide.get("team_intake_wait_weeks", np.nan) / admissions.where(
        admissions > 0
    )
    wide["relapse_rate"] = wide["relapses"] / wide["closures"].where(wide["closures"] > 0)
    wide = wide.drop(columns=["team_intake_wait_weeks"], errors="ignore")
    wide.columns.name = None
    return wide.reset_index().melt(id_vars=ids, var_name="metric", value_name="value")


PAYER_NAMES = {
    "municipality_wmo": N_("municipality: Wmo"),
    "municipality_youth": N_("municipality: youth"),
    "insurer": N_("health insurer"),
    "other": N_("others (landlords, police, justice)"),
}
"""The payers as the dashboard names them (one msgid, one translation)."""
