"""Turn a sweep's results folder into tables, figures and a short markdown summary.

``wijksim report RESULTS_DIR`` writes ``RESULTS_DIR/report/``:

* ``yearly_summary.parquet``: median and 90% band over seeds per condition, year, metric;
* ``indicators.parquet``: one row per run and indicator over the whole horizon;
* ``differences.parquet``: paired differences against the reference condition;
* ``figures/*.png`` and ``summary.md``.

A sweep whose file says ``analysis = "transition"`` also gets the transition curve
(:mod:`wijksim.experiments.analysis.transition_analysis`); one with ``analysis = "funding"`` the
funding forms' indicators and incentive table
(:mod:`wijksim.experiments.analysis.funding_analysis`);
one with ``analysis = "teams"`` the team splits against the integral team
(:mod:`wijksim.experiments.analysis.teams_analysis`).

One piece over 300 lines: :func:`write_report` and the sections it adds for transition,
funding and teams sweeps.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from wijksim.experiments.analysis.statistics import (
    paired_differences,
    reference_condition,
    summarise,
    yearly,
)
from wijksim.experiments.analysis.sweep_indicators import PAYER_NAMES, run_indicators
from wijksim.experiments.i18n import N_, number, translator
from wijksim.experiments.plots import run_figures as plots
from wijksim.experiments.plots import sweep_plots
from wijksim.experiments.reports.markdown import markdown_table
from wijksim.experiments.reports.sweep_context import (
    SweepFacts,
    check_one_revision,
    check_rules_registered,
    common_overrides,
    scaling_note,
    sweep_context,
    sweep_facts,
    value_span,
)
from wijksim.experiments.reports.table_files import SWEEP, VARIED, Provenance, write_tables
from wijksim.experiments.reports.uncertainty import uncertainty_markdown, uncertainty_table
from wijksim.experiments.runner.atomic import atomic_folder
from wijksim.experiments.runner.results import grid_fields, load_manifest, load_results
from wijksim.experiments.runner.run_files import run_metadata


def _band(median: float, low: float, high: float, scale: float, language: str = "en") -> str:
    if np.isnan(median):
        return "–"
    shown = number(median * scale, language, 2)
    if np.isnan(low) or np.isnan(high):  # one seed: no interval
        return shown
    low, high = (number(v * scale, language, 2) for v in (low, high))
    return f"{shown} [{low} – {high}]"


INDICATOR_NAMES = {
    "cost_total_eur": N_("spending, all streams"),
    "escalations_total": N_("escalations"),
    "team_admissions": N_("team admissions"),
    "referrals_consult": N_("referrals: consult"),
    "referrals_handover": N_("referrals: hand-over"),
    "closures": N_("closures"),
    "relapses": N_("relapses"),
    "households_in_need": N_("households in need"),
    "unknown_need": N_("households with unknown need"),
    "team_intake_queue": N_("team intake queue"),
    "mean_intake_wait_weeks": N_("mean wait for intake (weeks)"),
    "relapse_rate": N_("relapse rate"),
}
"""Readable names of :func:`run_indicators`' metrics; cost streams, payers and need
groups take their names from the figures' terms."""


def metric_name(metric: str, language: str = "en") -> str:
    """A readable name of a metric of a sweep's tables, in ``language``.

    English keeps the metric's own name (``cost_team``, as earlier reports showed it);
    Dutch names it in words (``wijkteam``), since a Dutch reader cannot be expected to
    read the code's English names.
    """
    if language == "en":
        return metric.removesuffix("_eur")
    _ = translator(language)
    name = metric.removesuffix("_eur")
    if metric in INDICATOR_NAMES:
        return _(INDICATOR_NAMES[metric])
    if name.startswith("cost_paid_by_") and name[13:] in PAYER_NAMES:
        return _("paid by {payer}").format(payer=_(PAYER_NAMES[name[13:]]))
    if name.startswith("cost_"):
        return _("spending: {stream}").format(stream=_stream_name(name[5:], language))
    if name.startswith("share_"):
        return _("share {group}").format(group=plots.term(name[6:], language))
    return metric


def _stream_name(stream: str, language: str) -> str:
    if stream == "team":
        return translator(language)(N_("neighbourhood team (wijkteam) or desk"))
    return plots.term(stream, language)


def _scale(metric: str, language: str = "en") -> tuple[float, str]:
    name = metric_name(metric, language)
    if metric.endswith("_eur"):
        return 1e-6, name + " (€ M)" if language == "en" else name + " (€ mln)"
    if metric.startswith("share_") or metric == "relapse_rate":
        return 100.0, name + " (%)"
    return 1.0, name


def indicator_tables(
    indicators: pd.DataFrame, reference: str, language: str = "en"
) -> tuple[str, str]:
    """Markdown tables: indicators per condition, and paired differences from the reference."""
    _ = translator(language)
    summary = summarise(indicators, by=("condition", "metric"))
    rows = []
    for metric, group in summary.groupby("metric", sort=False):
        scale, label = _scale(metric, language)
        cells = {
            r.condition: _band(r.median, r.p05, r.p95, scale, language) for r in group.itertuples()
        }
        rows.append({_("indicator"): label, **cells})
    levels = markdown_table(pd.DataFrame(rows))
    differences = paired_differences(indicators, reference, keys=("metric",))
    rows = []
    for metric, group in differences.groupby("metric", sort=False):
        scale, label = _scale(metric, language)
        cells = {
            r.condition: _band(r.mean_difference, r.ci_low, r.ci_high, scale, language)
            for r in group.itertuples()
        }
        rows.append({_("indicator"): label, **cells})
    changes = markdown_table(pd.DataFrame(rows)) if rows else _("(only one condition)")
    return levels, changes


def _group_name(metric: str, language: str) -> str:
    """A need group's panel title: the figures' term in Dutch, the metric's words in English."""
    group = metric.removeprefix("share_")
    return plots.term(group, language) if language != "en" else group.replace("_", " ")


def _figures(
    summary: pd.DataFrame,
    differences: pd.DataFrame,
    reference: str,
    facts: SweepFacts,
    language: str = "en",
) -> dict:
    _ = translator(language)
    shares = [m for m in pd.unique(summary["metric"]) if str(m).startswith("share_")]
    shares = [m for m in shares if not m.startswith("share_supported")]
    marks = {
        "start_year": facts.team_start_year,
        "window_start": facts.window_start,
        "language": language,
    }
    figures = {
        "group_shares.png": sweep_plots.band_figure(
            summary,
            {m: _group_name(m, language) for m in shares},
            _("Need groups, {percent} of households").format(percent="%"),
            100,
            "%",
            **marks,
            from_zero=True,
        ),
        "costs.png": sweep_plots.band_figure(
            summary,
            {
                "cost_total_eur": _("all spending"),
                "cost_team_eur": facts.access_point,
                "cost_specialist_eur": _("specialist care"),
                "cost_escalation_eur": _("escalations"),
            },
            _("Spending per year"),
            1e-6,
            _("€ million"),
            **marks,
        ),
        "care.png": sweep_plots.band_figure(
            summary,
            {
                "escalations_total": _("escalations per year"),
                "team_intake_queue": _("team intake queue (mean)"),
                "unknown_need": _("households with unknown need"),
            },
            _("Escalations and waiting"),
            **marks,
        ),
    }
    if not differences.empty:
        figures["differences.png"] = sweep_plots.difference_figure(
            differences,
            {"cost_total_eur": _("spending (€ M)"), "escalations_total": _("escalations")},
            reference,
            **marks,
        )
        figures["differences.png"].axes[0].yaxis.set_major_formatter(
            plt.FuncFormatter(lambda v, _position: number(v / 1e6, language, 1))
        )
    return figures


def write_report(
    folder: str | Path, discount_rate: float | None = None, language: str = "en"
) -> Path:
    """Write ``folder/report/`` (tables, figures, ``summary.md``) and return its path.

    The tables are Parquet, CSV and one Excel workbook (``language``: their headers,
    :func:`~wijksim.experiments.reports.table_files.write_tables`). The report folder is
    replaced as a whole: it appears complete or not at all.
    """
    folder = Path(folder)
    manifest = load_manifest(folder)
    check_one_revision(folder, manifest)
    check_rules_registered(folder, manifest)
    steps = load_results(folder)
    table = yearly(steps)
    del steps
    reference = reference_condition(table, manifest)
    summary = summarise(table)
    differences = paired_differences(table, reference)
    indicators = run_indicators(table)
    facts = sweep_facts(folder, manifest, table, language)
    target = folder / "report"
    with atomic_folder(target) as staging:
        (staging / "figures").mkdir()
        tables = {
            "yearly_summary": summary,
            "differences": differences,
            "indicators": indicators,
        }
        figures = _figures(summary, differences, reference, facts, language)
        context = sweep_context(manifest, facts.burn_in_years, language)
        text = _summary_markdown(manifest, indicators, reference, figures, context, language)
        if manifest["sweep"].get("analysis") == "transition":
            figures_t, text_t = _transition_section(
                folder, manifest, table, discount_rate, tables, language
            )
            figures.update(figures_t)
            text += text_t
        if manifest["sweep"].get("analysis") == "funding":
            text += _funding_section(table, reference, staging, tables, context, language)
        if manifest["sweep"].get("analysis") == "teams":
            text += _teams_section(table, reference, staging, tables, context, language)
        parameter_sets = manifest["sweep"].get("parameter_sets") or []
        if parameter_sets:
            spread = uncertainty_table(indicators, reference)
            tables["uncertainty"] = spread
            seeds = manifest["sweep"]["seeds"]
            seeds = seeds if isinstance(seeds, int) else len(seeds)
            text += "\n" + uncertainty_markdown(spread, len(parameter_sets), seeds, language)
        for name, figure in figures.items():
            plots.caption(figure, context)
            plots.localise_numbers(figure, language)
            figure.savefig(staging / "figures" / name, dpi=110, **plots.SAVE_OPTIONS)
            plt.close(figure)
        (staging / "summary.md").write_text(text, encoding="utf-8")
        write_tables(staging, tables, sweep_provenance(manifest), language)
    return target


ANALYSIS_COMMANDS = {
    "transition": "transition",
    "funding": "compare-funding",
    "teams": "compare-teams",
}
"""The command that makes a sweep of each analysis (others: ``sweep``)."""


def sweep_provenance(manifest: dict) -> Provenance:
    """The about sheet of a sweep report's workbook, from the sweep's manifest."""
    sweep = manifest["sweep"]
    runs = manifest["runs"]
    details: dict[str, object] = {SWEEP: sweep["name"]}
    if sweep.get("grid"):
        details[VARIED] = "; ".join(f"{k} in {v}" for k, v in sweep["grid"].items())
    return Provenance(
        command=ANALYSIS_COMMANDS.get(sweep.get("analysis"), "sweep"),
        scenario=Path(sweep["scenario"]).stem,
        overrides=common_overrides(sweep),
        households=value_span(run.get("households") for run in runs),
        years=value_span(run.get("years") for run in runs),
        seeds=sorted({run["seed"] for run in runs}),
        git_commit=manifest.get("git_commit"),
        details=details,
    )


def _summary_markdown(
    manifest: dict, indicators, reference: str, figures: dict, context: str, language: str = "en"
) -> str:
    _ = translator(language)
    sweep = manifest["sweep"]
    counts = manifest["counts"]
    seeds = sorted({run["seed"] for run in manifest["runs"]})
    levels, changes = indicator_tables(indicators, reference, language)
    lines = [
        _("# Sweep `{name}`").format(name=sweep["name"]),
        "",
        f"**{context}**",
        "",
    ]
    scaling = scaling_note(manifest, language)
    if scaling:
        lines += [scaling, ""]
    facts = _(
        "Base scenario `{scenario}`; {seeds} seeds ({first}–{last}); runs: {done} done, "
        "{failed} failed, {pending} not run; backend {backend}; wijksim commit `{commit}`."
    )
    lines += [
        facts.format(
            scenario=sweep["scenario"],
            seeds=len(seeds),
            first=seeds[0],
            last=seeds[-1],
            done=counts["done"],
            failed=counts["failed"],
            pending=counts["pending"],
            backend=manifest["backend"],
            commit=manifest["git_commit"],
        ),
        "",
        _("## Over the whole run, per condition"),
        "",
        _(
            "Median [90% band over seeds]. Spending, escalations, admissions, referrals, "
            "closures and relapses are totals over all years; shares, need and queue are the "
            "final year's mean."
        ),
        "",
        levels,
        "",
        _("## Difference from `{reference}` on the same seeds").format(reference=reference),
        "",
        _(
            "Mean paired difference [{confidence} confidence interval of the mean, t-distribution]."
        ).format(confidence="90%"),
        "",
        changes,
        "",
    ]
    failed = [run for run in manifest["runs"] if run["status"] == "failed"]
    if failed:
        lines += [_("## Failed runs"), ""]
        see = _("- `{run}`: see `{file}`")
        lines += [see.format(run=run["run_id"], file=run["file"]) for run in failed]
        lines.append("")
    lines += [_("## Figures"), ""] + [f"![{name}](figures/{name})" for name in figures] + [""]
    return "\n".join(lines)


def _transition_section(
    folder: Path,
    manifest: dict,
    table: pd.DataFrame,
    discount_rate: float | None,
    tables: dict[str, pd.DataFrame],
    language: str = "en",
) -> tuple[dict, str]:
    """The transition curve: spending against the counterfactual, humps, break-even, BCR.

    Adds ``transition_spending`` (per seed, year, view and component),
    ``transition_indicators`` (per seed and view) and ``transition_summary`` (median
    and band per indicator) to ``tables``;
    with a grid, each per condition, the grid fields as the first columns.
    """
    from wijksim.experiments.analysis import transition_analysis, transition_conditions
    from wijksim.experiments.plots import transition_plots
    from wijksim.experiments.reports import transition_report

    rate = transition_analysis.DEFAULT_DISCOUNT_RATE if discount_rate is None else discount_rate
    grid = grid_fields(manifest)
    done = [run for run in manifest["runs"] if run["status"] == "done"]
    # The team's start year of each condition of the switch (a grid may vary it).
    starts: dict[tuple, int] = {}
    for run in (run for run in done if run["variant"] == "transition"):
        key = transition_conditions.condition_key(run.get("params", {}), grid)
        if key not in starts:
            scenario = run_metadata(folder / run["file"])["scenario"]
            starts[key] = scenario["transition"]["team_start_year"]
    costs = table[table["metric"].str.startswith("cost_")]
    costs = costs[["variant", "seed", *grid, "year", "metric", "value"]]
    name = next((run["scenario_name"] for run in done if run["variant"] == "transition"), "")
    results = transition_report.analyse(costs, starts, rate, name, grid, language=language)
    if results is None:  # only seeds whose two runs both finished can be paired
        _ = translator(language)
        heading, text = _("## Transition"), _("No seed has both runs finished: nothing to compare.")
        return {}, f"\n{heading}\n\n{text}\n"
    tables["transition_spending"] = results.spending
    tables["transition_indicators"] = results.indicators
    tables["transition_summary"] = results.summary
    figures = transition_plots.transition_figures(
        results.spending, results.curves, starts, language
    )
    return figures, "\n" + results.markdown + "\n"


def _funding_section(
    table: pd.DataFrame,
    reference: str,
    staging: Path,
    tables: dict[str, pd.DataFrame],
    context: str = "",
    language: str = "en",
) -> str:
    """The funding forms against the neutral reference: indicators and incentive table.

    Adds ``funding_indicators`` (per run and indicator over the evaluation
    window) and ``incentives`` (per form and App. III.4 dimension) to ``tables``, and
    writes four figures.
    """
    from wijksim.experiments.analysis import funding_analysis, funding_runs
    from wijksim.experiments.plots import funding_plots
    from wijksim.experiments.reports import funding_report

    start = min(funding_runs.DEFAULT_START, int(table["year"].max()))
    end = int(table["year"].max())
    indicators = funding_runs.funding_indicators(table, start=start)
    incentives = funding_analysis.incentive_table(indicators, reference)
    tables["funding_indicators"] = indicators
    tables["incentives"] = incentives
    figures = {
        "funding_indicators.png": funding_plots.indicator_figure(indicators, language),
        "funding_incentives.png": funding_plots.difference_figure(incentives, language=language),
        "funding_cost_by_payer.png": funding_plots.cost_by_payer_figure(indicators, language),
        "funding_settings.png": funding_plots.settings_figure(table, start, language),
    }
    drawn = _save_all(figures, staging / "figures", context, language)
    text = funding_report.summary_markdown(indicators, reference, start, end, language=language)
    links = [f"![{path.name}](figures/{path.name})" for path in drawn]
    return "\n" + text + "\n\n" + "\n".join(links) + "\n"


def _save_all(figures: dict, folder: Path, context: str, language: str = "en") -> list[Path]:
    """Save each figure (built on ``Figure``, not pyplot: nothing to close) with its caption."""
    from wijksim.experiments.plots.figure_tools import save_figure

    return [
        save_figure(plots.localise_numbers(figure, language), folder / name, caption=context)
        for name, figure in figures.items()
    ]


def _teams_section(
    table: pd.DataFrame,
    reference: str,
    staging: Path,
    tables: dict[str, pd.DataFrame],
    context: str = "",
    language: str = "en",
) -> str:
    """The team splits against the integral team: indicators, differences and verdicts.

    Adds ``team_indicators`` (per run, indicator and team over the evaluation window) and
    ``team_differences`` (per split and indicator, paired with the integral team) to
    ``tables``, and writes three figures. Results without the team metrics (from before team
    splits) get a one-line note instead.
    """
    from wijksim.experiments.analysis import (
        funding_runs,
        teams_analysis,
        teams_catalogue,
        teams_runs,
    )
    from wijksim.experiments.plots import teams_plots
    from wijksim.experiments.reports import teams_report

    missing = teams_catalogue.missing_team_metrics(table)
    if missing:
        _ = translator(language)
        note = _(
            "Not analysed: these results lack the team metrics ({metrics}); they predate "
            "team splits."
        )
        heading = _("## Team splits")
        return f"\n{heading}\n\n{note.format(metrics=', '.join(missing))}\n"
    start = min(funding_runs.DEFAULT_START, int(table["year"].max()))
    end = int(table["year"].max())
    indicators = teams_runs.team_indicators(table, start=start)
    configuration = teams_catalogue.reference_configuration(indicators["condition"], reference)
    differences = teams_analysis.team_differences(indicators, configuration)
    tables["team_indicators"] = indicators
    tables["team_differences"] = differences
    figures = {
        "teams_differences.png": teams_plots.difference_figure(differences, language=language),
        "teams_wait_per_team.png": teams_plots.wait_per_team_figure(indicators, language=language),
        "teams_hours.png": teams_plots.hours_figure(indicators, language),
    }
    drawn = _save_all(figures, staging / "figures", context, language)
    text = teams_report.summary_markdown(
        indicators, differences, start, end, configuration, language
    )
    links = [f"![{path.name}](figures/{path.name})" for path in drawn]
    return "\n" + text + "\n\n" + "\n".join(links) + "\n"
