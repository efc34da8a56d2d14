"""How much of a result's spread comes from the parameters and how much from chance.

With ``--parameter-sets N`` every condition runs on N parameter sets drawn from the
calibrated ensemble, each on S seeds of its own (:func:`~wijksim.experiments.runner.sweep_spec.
replicates`). The spread over all N × S replicates combines both kinds of uncertainty;
a one-way random-effects analysis of variance (method of moments) splits it:

* within sets, σ²_seed: the mean of the sets' variances over their seeds (chance);
* between sets, σ²_parameters = Var(set means) − σ²_seed / S̄, at least 0 (the
  parameters' uncertainty that the calibration left);

and the parameters' share is σ²_parameters ÷ (σ²_parameters + σ²_seed). Paired
differences are formed within a replicate (same set, same seed) before the split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from wijksim.experiments.i18n import N_, number, translator
from wijksim.experiments.runner.sweep_spec import parameter_set_of

HEADLINE_METRICS: tuple[str, ...] = (
    "cost_total_eur",
    "cost_escalation_eur",
    "escalations_total",
    "team_admissions",
)
"""The indicators whose uncertainty a report splits (those a run has)."""


def variance_components(values: pd.Series, groups: pd.Series) -> dict[str, float]:
    """Between-group and within-group variance of ``values`` (one-way random effects).

    Args:
        values: One value per replicate.
        groups: The replicate's parameter set.

    Returns:
        ``parameters_sd``, ``seeds_sd`` and ``parameters_share`` (NaN with fewer than
        two sets, or fewer than two seeds in every set).
    """
    frame = pd.DataFrame({"value": values.to_numpy(), "group": groups.to_numpy()}).dropna()
    by_group = frame.groupby("group")["value"]
    sizes = by_group.size()
    within = by_group.var(ddof=1).dropna()
    if len(sizes) < 2 or within.empty:
        return {"parameters_sd": np.nan, "seeds_sd": np.nan, "parameters_share": np.nan}
    seeds_var = float(within.mean())
    between = float(by_group.mean().var(ddof=1)) - seeds_var / float(sizes.mean())
    parameters_var = max(between, 0.0)
    total = parameters_var + seeds_var
    return {
        "parameters_sd": float(np.sqrt(parameters_var)),
        "seeds_sd": float(np.sqrt(seeds_var)),
        "parameters_share": parameters_var / total if total > 0 else np.nan,
    }


def uncertainty_table(indicators: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per condition and headline metric: the level's and the paired difference's split.

    Args:
        indicators: One row per run and indicator (``condition, seed, metric, value``),
            as :func:`~wijksim.experiments.analysis.sweep_indicators.run_indicators` gives it.
        reference: The condition differences are taken against.

    Returns:
        Columns ``condition, metric, quantity`` (``level`` or ``difference``),
        ``median, q05, q95`` over all replicates, ``parameters_sd, seeds_sd,
        parameters_share``.
    """
    rows = []
    chosen = indicators[indicators["metric"].isin(HEADLINE_METRICS)]
    wide = chosen.pivot_table(
        index=["metric", "seed"], columns="condition", values="value", aggfunc="first"
    )
    for metric in wide.index.get_level_values("metric").unique():
        table = wide.loc[metric]
        sets = pd.Series(table.index.map(parameter_set_of), index=table.index)
        for condition in table.columns:
            quantities = {"level": table[condition]}
            if condition != reference and reference in table.columns:
                quantities["difference"] = table[condition] - table[reference]
            for quantity, values in quantities.items():
                clean = values.dropna()
                rows.append(
                    {
                        "condition": condition,
                        "metric": metric,
                        "quantity": quantity,
                        "median": float(clean.median()) if len(clean) else np.nan,
                        "q05": float(clean.quantile(0.05)) if len(clean) else np.nan,
                        "q95": float(clean.quantile(0.95)) if len(clean) else np.nan,
                        **variance_components(values, sets),
                    }
                )
    return pd.DataFrame(rows)


def uncertainty_markdown(table: pd.DataFrame, sets: int, seeds: int, language: str = "en") -> str:
    """The report's section on parameter and stochastic uncertainty, in ``language``."""
    _ = translator(language)
    intro = _(
        "Every condition ran on {sets} parameter sets of the calibrated ensemble, each on "
        "{seeds} seeds of its own. Median [90% band] over all {replicates} replicates, which "
        "combines both; then the standard deviation between parameter sets (parameters) and "
        "within them (seeds, chance), and the parameters' share of the variance (one-way "
        "random effects). Differences are paired within a replicate."
    )
    header = [
        _("condition"),
        _("metric"),
        _("quantity"),
        _("median [90% band]"),
        _("sd parameters"),
        _("sd seeds"),
        _("parameters' share"),
    ]
    lines = [
        _("## Parameter and stochastic uncertainty"),
        "",
        intro.format(sets=sets, seeds=seeds, replicates=sets * seeds),
        "",
        "| " + " | ".join(header) + " |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        share = "—" if np.isnan(row.parameters_share) else _percent(row.parameters_share, language)
        cells = [
            str(row.condition),
            str(row.metric),
            _(row.quantity),
            f"{_number(row.median, language)} "
            f"[{_number(row.q05, language)} – {_number(row.q95, language)}]",
            _number(row.parameters_sd, language),
            _number(row.seeds_sd, language),
            share,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


QUANTITIES = (N_("level"), N_("difference"))
"""The values of ``quantity`` in :func:`uncertainty_table`, as the section names them."""


def _percent(share: float, language: str) -> str:
    return number(100 * share, language) + "%"


def _number(value: float, language: str = "en") -> str:
    """Whole numbers with thousands separators from 1,000; else three significant digits."""
    if np.isnan(value):
        return "—"
    if abs(value) >= 1000:
        return number(value, language)
    text = f"{value:.3g}"
    return text if language == "en" else text.replace(".", ",")
