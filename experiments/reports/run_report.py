"""One run's output folder: its tables, manifest, table per year and figures.

:func:`write_run` saves what :func:`wijksim.experiments.runner.run.run_simulation` returned
to a folder atomically (everything is written to a temporary sibling folder that is
renamed at the end), so a failed or interrupted run never leaves a half-written result.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from wijksim.experiments.i18n import N_, number, translator
from wijksim.experiments.plots import run_figures as plots
from wijksim.experiments.reports.table_files import Provenance, write_tables
from wijksim.experiments.runner.atomic import atomic_folder
from wijksim.experiments.runner.run import RunResult
from wijksim.model.observation.counters import MetricKind, declared_by_rules


def write_run(result: RunResult, out_dir: Path, figures: bool = True, language: str = "en") -> Path:
    """Write a run's tables, manifest, table per year and figures to ``out_dir``.

    The tables are Parquet, CSV and one Excel workbook (``language``: their headers,
    :func:`~wijksim.experiments.reports.table_files.write_tables`); the manifest JSON; the table
    per year that the terminal used to print as ``summary.md`` (markdown); figures as PNG
    (their text in ``language``, ``"en"`` or ``"nl"``).

    The folder appears complete or not at all; an existing folder is replaced (old
    aside, new in, old deleted: :func:`~wijksim.experiments.runner.atomic.replace_folder`).
    Whether it may be replaced is the caller's to check, before the simulation
    (:func:`~wijksim.experiments.runner.out_folder.check_replaceable`).
    """
    out_dir = Path(out_dir)
    with atomic_folder(out_dir) as staging:
        tables = {"steps": result.steps, "households": result.households, "ledger": result.ledger}
        if result.neighbourhoods is not None:  # a city
            tables["neighbourhoods"] = result.neighbourhoods
        if result.indicators is not None:
            tables["indicators"] = result.indicators
        write_tables(staging, tables, run_provenance(result.manifest), language)
        (staging / "manifest.json").write_text(json.dumps(result.manifest, indent=2) + "\n")
        context = run_context(result.manifest, language)
        table = run_table_markdown(yearly_summary(result.steps), context, language)
        (staging / "summary.md").write_text(table, encoding="utf-8")
        if figures:
            _write_figures(result, staging / "figures", language)
    return out_dir


def run_provenance(manifest: dict) -> Provenance:
    """The about sheet of a run's workbook, from its manifest."""
    return Provenance(
        command="run",
        scenario=manifest["scenario_name"],
        overrides=manifest.get("overrides", {}),
        households=manifest["households"],
        years=manifest["years"],
        seeds=[manifest["seed"]],
        git_commit=manifest["git_commit"],
    )


def _write_figures(result: RunResult, folder: Path, language: str) -> None:
    folder.mkdir()
    for name, figure in run_figures(result, language).items():
        plots.localise_numbers(figure, language)
        figure.savefig(folder / name, dpi=110, **plots.SAVE_OPTIONS)
        plt.close(figure)


def run_figures(result: RunResult, language: str = "en") -> dict[str, Figure]:
    """The figures of one run by file name, each captioned with what produced it."""
    params = result.model.params
    has_team = bool(result.model.teams)
    start = params.transition.team_start_year if has_team else None
    steps = result.steps
    access = plots.access_point_label(has_team, start, language)
    drawings = {
        "group_shares.png": plots.group_shares_figure(
            steps, params.classification.target_shares, start, language
        ),
        "escalations.png": plots.escalations_figure(steps, start, language),
        "cost_by_stream.png": plots.cost_by_stream_figure(steps, access, start, language),
    }
    if has_team:
        drawings["team.png"] = plots.team_figure(steps, start, language)
    context = run_context(result.manifest, language)
    for figure in drawings.values():
        plots.caption(figure, context)
    return drawings


def run_context(manifest: dict, language: str = "en") -> str:
    """Scenario, seed, overrides, households, years and burn-in of one run."""
    seed = translator(language)(N_("{scenario} (seed {seed})"))
    return plots.context_line(
        seed.format(scenario=manifest["scenario_name"], seed=manifest["seed"]),
        manifest.get("overrides", {}),
        number(manifest["households"], language),
        str(manifest["years"]),
        manifest.get("scenario", {}).get("burn_in_years"),
        language,
    )


def yearly_summary(steps: pd.DataFrame) -> pd.DataFrame:
    """Per-year means of shares and sums of flows, for printing (year × metric)."""
    wide = steps.pivot(index=["step", "year"], columns="metric", values="value")
    flows = [
        c
        for c in wide.columns
        if c.startswith(("cost_", "escalations_"))
        or c
        in ("team_admissions", "relapses", "closures", "referrals_consult", "referrals_handover")
    ]
    states = [c for c in wide.columns if c.startswith("share_")]
    counts = [c for c in ("team_caseload_households", "team_intake_queue") if c in wide.columns]
    # A partner's rules' metrics, as declared: flows summed, states averaged.
    declared = [m for m in declared_by_rules() if m.name in wide.columns]
    flows += [m.name for m in declared if m.kind is MetricKind.FLOW]
    counts += [m.name for m in declared if m.kind is MetricKind.STATE]
    yearly = wide.groupby(level="year")
    summary = pd.concat(
        [yearly[states].mean() * 100, yearly[counts].mean(), yearly[flows].sum()], axis=1
    )
    summary = summary.rename(columns=lambda c: c.replace("share_", "%_"))
    return summary[[c for c in summary.columns if not np.all(summary[c] == 0)]]


COLUMN_NAMES = {
    "year": N_("year"),
    "%_supported_multiple_workers": N_(
        "share of the caseload supported by more than one worker (%)"
    ),
    "team_caseload_households": N_("households in support"),
    "team_intake_queue": N_("intake queue"),
    "team_admissions": N_("team admissions"),
    "relapses": N_("relapses"),
    "closures": N_("closures"),
    "referrals_consult": N_("referrals: consult"),
    "referrals_handover": N_("referrals: hand-over"),
    "escalations_total": N_("escalations (total)"),
    "cost_total_eur": N_("spending, all streams (€)"),
    "cost_team_eur": N_("spending: team or desk (€)"),
}
"""Dutch headers of the run's table per year that the figures' terms do not give."""


def run_column(name: str, language: str = "en") -> str:
    """The header of a column of the table per year in ``language``.

    English keeps the metric names (``%_basic``, ``cost_total_eur``), as the table always
    had them; Dutch names each in words from the figures' terms, since a Dutch reader
    cannot be expected to read the code's English.
    """
    if language == "en":
        return name
    _ = translator(language)
    if name in COLUMN_NAMES:
        return _(COLUMN_NAMES[name])
    if name.startswith("%_"):
        return "% " + plots.term(name[2:], language)
    if name.startswith("cost_"):
        from wijksim.experiments.analysis.sweep_indicators import PAYER_NAMES

        stream, _by, payer = name.removeprefix("cost_").removesuffix("_eur").partition("paid_by_")
        payer = _(PAYER_NAMES[payer]) if payer in PAYER_NAMES else payer
        stream = plots.term(stream.removesuffix("_"), language)
        if not stream:
            return _("paid by {payer}").format(payer=payer) + " (€)"
        if payer:
            both = _("spending: {stream}, paid by {payer}")
            return both.format(stream=stream, payer=payer) + " (€)"
        return _("spending: {stream}").format(stream=stream) + " (€)"
    if name.startswith("escalations_"):
        return plots.term(name.removeprefix("escalations_"), language)
    return name


def _cell(column: str, value, language: str) -> str:
    """A cell of the table per year: as pandas wrote it in English, Babel's Dutch in Dutch."""
    if language == "en":
        return str(value)
    return number(value, language, 0 if column == "year" else 1)


def run_table_markdown(yearly: pd.DataFrame, context: str, language: str = "en") -> str:
    """The run's wide table per year, for ``summary.md`` (what the terminal printed)."""
    _ = translator(language)
    header = [
        f"# {context}",
        "",
        _(
            "Per year: `%_…` are the year's mean share of households in each need group "
            "(`%_supported_multiple_workers`: of the team's caseload); the team's caseload and "
            "queue are the year's mean; costs (€) and counts are the year's totals."
        ),
        "",
    ]
    table = yearly.round(1).reset_index()
    cells = [
        [_cell(column, v, language) for column, v in zip(table.columns, row, strict=True)]
        for row in table.itertuples(False)
    ]
    rows = ["| " + " | ".join(run_column(str(c), language) for c in table.columns) + " |"]
    rows.append("|" + "|".join("---" for _column in table.columns) + "|")
    rows += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(header + rows) + "\n"
