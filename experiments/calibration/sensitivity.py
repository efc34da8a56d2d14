"""``wijksim sensitivity SPEC``: sample, run on the sweep machinery, analyse, report.

1. :func:`~wijksim.experiments.calibration.sensitivity_spec.sample_design` draws the sample points
   with SALib (Morris trajectories or Saltelli's Sobol sample);
2. every point × seed becomes a run of an ordinary sweep
   (:func:`~wijksim.experiments.calibration.sensitivity_spec.plan_sensitivity`), run by
   :func:`~wijksim.experiments.runner.sweep.run_sweep`: serial, on processes or on Dask,
   resumable, fingerprinted, written atomically into ``OUT/runs/``;
3. :func:`run_outputs` reads each finished run back and computes the headline outputs
   with the report's own functions
   (:func:`~wijksim.experiments.analysis.sweep_indicators.run_indicators`,
   :func:`~wijksim.experiments.analysis.transition_analysis.seed_indicators`);
4. :func:`~wijksim.experiments.calibration.sensitivity_analysis.analyse_indices` averages the seeds
   of each point and computes the indices with SALib;
5. :func:`write_sensitivity_report` writes ``OUT/report/`` at once: ``indices.parquet``
   (tidy, per output × parameter), ``design.parquet``, ``outputs.parquet`` (per point,
   seed and output), figures and ``summary.md``.

One piece over 300 lines: the command's pipeline (outputs per run, indices, figures,
summary, folder), whose parts serve only it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from matplotlib.figure import Figure
from wijksim.experiments.analysis.statistics import yearly
from wijksim.experiments.analysis.sweep_indicators import HORIZON_FLOWS, run_indicators
from wijksim.experiments.calibration.sensitivity_analysis import analyse_indices, drivers
from wijksim.experiments.calibration.sensitivity_spec import (
    COUNTERFACTUAL,
    POINT,
    SWITCH,
    SensitivitySpec,
)
from wijksim.experiments.plots import run_figures as plots
from wijksim.experiments.reports.markdown import markdown_table
from wijksim.experiments.reports.table_files import SPEC_FILE, Provenance, write_tables
from wijksim.experiments.runner.atomic import atomic_folder
from wijksim.experiments.runner.results import load_manifest
from wijksim.experiments.runner.run_files import run_metadata
from wijksim.model.config.scenario import PAYERS

LABELS = {
    "escalations_per_1000_households_year": "escalations per 1,000 households a year",
    "spending_per_household_year_eur": "spending per household a year (€)",
    **{
        f"spending_per_household_year_eur_{payer}": f"spending per household a year, {payer} (€)"
        for payer in PAYERS
    },
    "team_intake_wait_weeks": "mean wait for the team's intake (weeks)",
    "specialist_wait_weeks": "mean wait for specialist care (weeks)",
    "bcr_society": "benefit–cost ratio, society (MKBA)",
    "bcr_municipality": "benefit–cost ratio, municipality (GKBA)",
}
WAITED_KINDS_EXCLUDED = ("crisis_care",)
"""Crisis care admits at once (``forced_admission``): it has no wait to speak of."""


# ----------------------------------------------------------------------------- outputs


def _metrics_needed(metrics: list[str]) -> list[str]:
    """The metrics read back from a run: the report's horizon flows, costs and waits."""
    return [
        *HORIZON_FLOWS,
        "team_intake_wait_weeks",
        *(m for m in metrics if m.startswith(("cost_", "admissions_", "mean_wait_weeks_"))),
    ]


def specialist_wait(steps: pd.DataFrame) -> float:
    """Mean wait for specialist care over all admissions of a run (weeks).

    Each week records the mean wait of that week's admissions per kind; weighted by the
    admissions, summed over weeks and kinds (crisis care left out: it admits at once).
    """
    wide = steps.pivot_table(index="step", columns="metric", values="value", aggfunc="sum")
    waited = admitted = 0.0
    for column in wide.columns:
        if not column.startswith("mean_wait_weeks_"):
            continue
        kind = column.removeprefix("mean_wait_weeks_")
        if kind in WAITED_KINDS_EXCLUDED or f"admissions_{kind}" not in wide:
            continue
        admissions = wide[f"admissions_{kind}"].fillna(0.0)
        waited += float((wide[column].fillna(0.0) * admissions).sum())
        admitted += float(admissions.sum())
    return waited / admitted if admitted > 0 else np.nan


def _read_run(path: Path) -> tuple[pd.DataFrame, dict]:
    """A run's step table (only the metrics the outputs need) and its metadata."""
    metrics = pq.read_table(path, columns=["metric"]).column("metric").unique().to_pylist()
    table = pq.read_table(
        path,
        columns=["run_id", "variant", "seed", "step", "year", "metric", "value"],
        filters=[("metric", "in", _metrics_needed(metrics))],
    ).to_pandas()
    return table, run_metadata(path)


def per_run_outputs(steps: pd.DataFrame, households: int, years: int) -> dict[str, float]:
    """The outputs of one run (:data:`~.sensitivity_spec.PER_RUN_OUTPUTS`).

    Totals over the run come from
    :func:`~wijksim.experiments.analysis.sweep_indicators.run_indicators` (as the sweep
    report shows them), divided by households and years.
    """
    indicators = run_indicators(yearly(steps.drop(columns=["run_id", "variant"])))
    value = dict(zip(indicators["metric"], indicators["value"], strict=True))
    per_household_year = 1.0 / (households * years)
    found = {
        "escalations_per_1000_households_year": value["escalations_total"]
        * 1000
        * per_household_year,
        "spending_per_household_year_eur": value["cost_total_eur"] * per_household_year,
        "team_intake_wait_weeks": value.get("mean_intake_wait_weeks", np.nan),
        "specialist_wait_weeks": specialist_wait(steps),
    }
    for payer in PAYERS:
        found[f"spending_per_household_year_eur_{payer}"] = (
            value[f"cost_paid_by_{payer}_eur"] * per_household_year
        )
    return found


def _bcr_outputs(costs: list[pd.DataFrame], starts: dict[tuple, int]) -> pd.DataFrame:
    """``point, seed, output, value`` of the BCR in both views, per point and seed."""
    from wijksim.experiments.analysis import transition_analysis as ta
    from wijksim.experiments.analysis import transition_spending

    table = pd.concat(costs, ignore_index=True)
    spending = transition_spending.spending_table(
        table, SWITCH, COUNTERFACTUAL, [POINT], drop_unpaired=True
    )
    indicators = ta.seed_indicators(spending, starts, ta.DEFAULT_DISCOUNT_RATE)
    return pd.DataFrame(
        {
            POINT: indicators[POINT].astype(int),
            "seed": indicators["seed"],
            "output": "bcr_" + indicators["view"],
            "value": indicators["bcr"],
        }
    )


def run_outputs(folder: Path, spec: SensitivitySpec, run_map: pd.DataFrame) -> pd.DataFrame:
    """Every point's outputs per seed: ``point, seed, output, value`` (tidy).

    Each finished run is read once, even where several points share it (an identical
    counterfactual); points whose run is not finished are absent.
    """
    wanted = spec.output_names()
    per_run: dict[str, dict[str, float]] = {}
    yearly_costs: dict[str, pd.DataFrame] = {}
    starts: dict[tuple, int] = {}
    for run_id in pd.unique(run_map["run_id"]):
        path = folder / "runs" / f"{run_id}.parquet"
        if not path.exists():
            continue
        steps, metadata = _read_run(path)
        scenario = metadata["scenario"]
        per_run[run_id] = per_run_outputs(
            steps, scenario["population"]["households"], scenario["years"]
        )
        if spec.analysis == "transition":
            costs = yearly(steps[steps["metric"].str.startswith("cost_")])
            yearly_costs[run_id] = costs[["seed", "year", "metric", "value"]]
            if scenario.get("transition"):
                starts[run_id] = scenario["transition"]["team_start_year"]
    rows = []
    for row in run_map[run_map["role"] == SWITCH].itertuples(index=False):
        for name, value in per_run.get(row.run_id, {}).items():
            if name in wanted:
                rows.append({POINT: row.point, "seed": row.seed, "output": name, "value": value})
    found = pd.DataFrame(rows, columns=[POINT, "seed", "output", "value"])
    if spec.analysis == "transition" and set(wanted) & {"bcr_society", "bcr_municipality"}:
        found = pd.concat([found, _transition_outputs(run_map, yearly_costs, starts, wanted)])
    return found.sort_values([POINT, "output", "seed"], ignore_index=True)


def _transition_outputs(
    run_map: pd.DataFrame,
    yearly_costs: dict[str, pd.DataFrame],
    starts: dict[str, int],
    wanted: list[str],
) -> pd.DataFrame:
    """The BCR outputs of every point and seed whose two runs both finished."""
    costs, point_starts = [], {}
    for row in run_map.itertuples(index=False):
        if row.run_id not in yearly_costs:
            continue
        costs.append(yearly_costs[row.run_id].assign(variant=row.role, **{POINT: row.point}))
        if row.role == SWITCH and row.run_id in starts:
            point_starts[(row.point,)] = starts[row.run_id]
    if not costs:
        return pd.DataFrame(columns=[POINT, "seed", "output", "value"])
    found = _bcr_outputs(costs, point_starts)
    return found[found["output"].isin(wanted)]


# ----------------------------------------------------------------------------- report


def sensitivity_provenance(spec: SensitivitySpec, manifest: dict) -> Provenance:
    """The about sheet of a sensitivity report's workbook."""
    return Provenance(
        command="sensitivity",
        scenario=Path(spec.scenario).stem,
        overrides=spec.set,
        households=spec.households,
        years=spec.years,
        seeds=f"{spec.seeds} per point, from {spec.first_seed}",
        git_commit=manifest.get("git_commit"),
        details={SPEC_FILE: spec.name},
    )


def _context(spec: SensitivitySpec) -> str:
    """Spec, base, households, years, seeds and design size: for titles and the summary."""
    method = spec.method
    size = (
        f"Morris, {method.trajectories} trajectories, {method.levels} levels"
        if method.name == "morris"
        else f"Sobol, N = {method.n}"
    )
    return (
        f"sensitivity {spec.name} · base {Path(spec.scenario).stem} · "
        f"{spec.households:,} households · {spec.years} years · {spec.seeds} "
        f"seed{'s' if spec.seeds > 1 else ''} per point (averaged) · "
        f"{len(spec.parameters)} parameters · {size}"
    )


def _short(name: str) -> str:
    """A parameter's label in a figure: its last two dotted parts."""
    return ".".join(name.split(".")[-2:])


def morris_figure(indices: pd.DataFrame, output: str, title: str) -> Figure:
    """μ* against σ for one output, each parameter labelled, with its seed noise."""
    rows = indices[indices["output"] == output]
    figure = Figure(figsize=(8.5, 5.5))
    axis = figure.subplots()
    axis.errorbar(
        rows["mu_star"],
        rows["sigma"],
        xerr=rows["mu_star_conf"],
        fmt="o",
        color="tab:blue",
        ecolor="tab:blue",
        alpha=0.8,
        label="parameter (μ* ± 95% bootstrap interval)",
    )
    for row in rows.itertuples():
        axis.annotate(
            _short(row.parameter),
            (row.mu_star, row.sigma),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    noise = rows["noise_mu_star"].mean()
    if np.isfinite(noise):
        axis.axvspan(0, noise, color="0.85", label="μ* of seed noise alone (mean)")
    axis.set_xlim(left=0)
    axis.set_ylim(bottom=0)
    axis.set_xlabel(
        f"μ*: mean |change| in {LABELS.get(output, output)} over a parameter's whole range"
    )
    axis.set_ylabel("σ (spread of elementary effects)")
    axis.set_title(f"Morris screening: {LABELS.get(output, output)}", fontsize=10)
    axis.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    plots.caption(figure, title)
    return figure


def sobol_figure(indices: pd.DataFrame, output: str, title: str) -> Figure:
    """First-order and total Sobol indices with their 95% intervals, for one output."""
    rows = indices[indices["output"] == output].sort_values("ST", ascending=False)
    figure = Figure(figsize=(8.5, 5.0))
    axis = figure.subplots()
    place = np.arange(len(rows))
    axis.bar(
        place - 0.2,
        rows["S1"],
        0.4,
        yerr=rows["S1_conf"],
        label="S1 (first order)",
        capsize=3,
        color="tab:blue",
    )
    axis.bar(
        place + 0.2,
        rows["ST"],
        0.4,
        yerr=rows["ST_conf"],
        label="ST (total)",
        capsize=3,
        color="tab:orange",
    )
    noise = rows["noise_share"].mean()
    if np.isfinite(noise):
        axis.axhline(noise, color="0.4", linestyle="--", label="share of seed noise")
    axis.set_xticks(
        place, [_short(p) for p in rows["parameter"]], rotation=45, ha="right", fontsize=8
    )
    axis.set_ylabel("index (share of variance), 95% bootstrap interval")
    axis.set_title(f"Sobol indices: {LABELS.get(output, output)}", fontsize=10)
    axis.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    plots.caption(figure, title)
    return figure


def _index_table(indices: pd.DataFrame, output: str, method: str) -> str:
    rows = indices[indices["output"] == output]
    if method == "morris":
        rows = rows.sort_values("mu_star", ascending=False)
        columns = ["parameter", "mu_star", "mu_star_conf", "noise_mu_star", "sigma", "mu"]
    else:
        rows = rows.sort_values("ST", ascending=False)
        columns = ["parameter", "S1", "S1_conf", "ST", "ST_conf", "noise_share"]
    shown = rows[columns].copy()
    for column in columns[1:]:
        shown[column] = shown[column].map(lambda v: f"{v:.4g}" if np.isfinite(v) else "–")
    return markdown_table(shown)


def _spread_table(outputs: pd.DataFrame, names: list[str]) -> str:
    """Per output: its 5th percentile, median and 95th percentile over the sample points."""
    means = outputs.groupby(["output", POINT])["value"].mean()
    rows = []
    for name in names:
        values = means.loc[name]
        low, middle, high = values.quantile([0.05, 0.5, 0.95])
        rows.append(
            {
                "output": LABELS[name],
                "p05": f"{low:.4g}",
                "median": f"{middle:.4g}",
                "p95": f"{high:.4g}",
            }
        )
    return markdown_table(pd.DataFrame(rows))


def summary_markdown(
    spec: SensitivitySpec,
    indices: pd.DataFrame,
    outputs: pd.DataFrame,
    manifest: dict,
    figures: list[str],
) -> str:
    """The summary: what drives each output, then the full tables."""
    method = spec.method.name
    found = drivers(indices, method)
    counts = manifest["counts"]
    lines = [
        f"# Sensitivity analysis `{spec.name}`",
        "",
        f"**{_context(spec)}**",
        "",
        f"Base scenario `{spec.scenario}`; seeds {spec.seed_list()[0]}–{spec.seed_list()[-1]} "
        f"at every point; {outputs[POINT].nunique()} sample points; runs: {counts['done']} "
        f"done, {counts['failed']} failed, {counts['pending']} not run; wijksim commit "
        f"`{manifest['git_commit']}`, model revision {manifest.get('model_revision')}.",
        "",
        "Each point's replicate seeds are **averaged before the analysis**: the indices "
        "describe the expected output at a parameter set. "
        + (
            "μ* and σ are in the output's unit per whole range of a parameter (SALib's "
            "elementary effects on the unit scale). Seed noise is reported beside μ* as "
            "`noise_mu_star`, the μ* that seed noise alone would give (paired seeds); a "
            "parameter counts as a driver when μ* minus its 95% bootstrap interval "
            "exceeds that noise."
            if method == "morris"
            else "S1 (first order) and ST (total) are shares of the variance of the point "
            "means, with 95% bootstrap intervals (`_conf`). Seed noise is reported beside "
            "them as `noise_share`, the share of that variance seed noise alone "
            "contributes (the same for every parameter of an output): indices of that "
            "size are noise. A parameter counts as a driver when ST minus its interval "
            "exceeds the noise share."
        ),
        "",
        "## What drives each output",
        "",
    ]
    for output in spec.output_names():
        if output not in found:
            lines.append(f"- **{LABELS[output]}**: not analysed (a point lacks a value).")
            continue
        named = ", ".join(f"`{p}`" for p in found[output]) or "no parameter clearly above noise"
        lines.append(f"- **{LABELS[output]}**: {named}.")
    lines += [
        "",
        "## Each output over the sample",
        "",
        "The spread of each output over the sample points (each the mean of its seeds): "
        "what the parameters' ranges, drawn uniformly, do to it together.",
        "",
        _spread_table(outputs, [name for name in spec.output_names() if name in found]),
        "",
        "## Indices per output",
        "",
    ]
    for output in (name for name in spec.output_names() if name in found):
        lines += [f"### {LABELS[output]}", "", _index_table(indices, output, method), ""]
    lines += ["## Ranges", ""]
    lines += [f"- `{name}`: [{low:g}, {high:g}]" for name, (low, high) in spec.parameters.items()]
    lines += ["", "## Figures", ""] + [f"![{name}](figures/{name})" for name in figures] + [""]
    return "\n".join(lines)


def write_sensitivity_report(
    folder: Path,
    spec: SensitivitySpec,
    design: pd.DataFrame,
    run_map: pd.DataFrame,
    language: str = "en",
) -> Path:
    """Analyse the finished runs and write ``folder/report/`` as a whole.

    The tables are Parquet, CSV and one Excel workbook (``language``: their headers,
    :func:`~wijksim.experiments.reports.table_files.write_tables`).
    """
    manifest = load_manifest(folder)
    outputs = run_outputs(folder, spec, run_map)
    complete = outputs.groupby(POINT)["seed"].nunique() == spec.seeds
    complete = complete[complete].index
    analysed = outputs[outputs[POINT].isin(complete)]
    indices = pd.DataFrame()
    if len(complete) == len(design):  # SALib's estimators need every sample point
        indices = analyse_indices(
            design,
            analysed,
            spec.parameters,
            spec.method.name,
            levels=getattr(spec.method, "levels", 4),
            seed=spec.sample_seed,
        )
    title = _context(spec)
    target = folder / "report"
    with atomic_folder(target) as staging:
        (staging / "figures").mkdir()
        tables = {"design": design, "outputs": outputs, "indices": indices}
        write_tables(staging, tables, sensitivity_provenance(spec, manifest), language)
        names = []
        if not indices.empty:
            draw = morris_figure if spec.method.name == "morris" else sobol_figure
            for output in pd.unique(indices["output"]):
                figure = draw(indices, output, title)
                name = f"{spec.method.name}_{output}.png"
                figure.savefig(staging / "figures" / name, dpi=110, **plots.SAVE_OPTIONS)
                names.append(name)
            text = summary_markdown(spec, indices, outputs, manifest, names)
        else:
            text = (
                f"# Sensitivity analysis `{spec.name}`\n\n**{title}**\n\n"
                f"Not analysed: {len(complete)} of {len(design)} sample points have all "
                "their runs finished; run the same command again to finish them.\n"
            )
        (staging / "summary.md").write_text(text, encoding="utf-8")
    return target
