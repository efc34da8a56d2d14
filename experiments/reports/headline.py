"""The terminal summary of ``run``, ``transition``, ``compare-funding`` and ``compare-teams``.

A headline of at most :data:`MAX_LINES` lines that a council member reads at a glance:
money in € millions, numbers as the language writes them (Babel), text in Dutch or
English (the gettext catalogue of :mod:`wijksim.experiments.i18n`, shared with the
dashboard so that one term has one translation). The wide tables go to files that the
headline names: the run's ``summary.md``, the sweep's ``report/summary.md``.

One piece over 300 lines: a headline for each command, sharing the number words, the title
and the limit of lines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from wijksim.experiments.i18n import N_, number, percent, translator
from wijksim.experiments.plots.run_figures import term

MAX_LINES = 8
"""At most this many lines: what fits above the fold of a terminal, and of an e-mail."""


def millions(value: float, language: str) -> str:
    """An amount in € millions: ``€ 1,2 mln`` (nl) or ``€1.2 mln`` (en).

    Two decimals below a million, so that a small neighbourhood's amounts do not all
    read ``0,1``; one from a million up.
    """
    _ = translator(language)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    digits = 2 if abs(value) < 1e6 else 1
    return _("€{amount} mln").format(amount=number(value / 1e6, language, digits))


def _count(value: float, language: str, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return number(value, language, digits)


def _year(value: float, language: str) -> str:
    """A simulated year; a median over an even number of seeds may fall between two."""
    if value is None or math.isnan(value):
        return translator(language)(N_("not reached"))
    return number(value, language, 0 if float(value).is_integer() else 1)


def _title(scenario: str, households: str, years: int, language: str, burn_in: int | None):
    _ = translator(language)
    title = _("{scenario} · {households} households · {years} years").format(
        scenario=scenario, households=households, years=years
    )
    if burn_in:
        title += " " + _("after a {years}-year burn-in (not shown)").format(years=burn_in)
    return title


# --- one run ----------------------------------------------------------------------------


def run_headline(
    result, out_dir: Path, language: str, scaling: str | None = None, figures: bool = True
) -> list[str]:
    """The headline of one run: need groups, spending, escalations, the team, the files.

    Args:
        result: The :class:`~wijksim.experiments.runner.run.RunResult`.
        out_dir: Where the run was written (the headline names its table and figures).
        language: ``"nl"`` or ``"en"``.
        scaling: What was scaled with the households, in one line, or ``None``.
        figures: Whether figures were written (``--no-figures``: not named).
    """
    _ = translator(language)
    manifest = result.manifest
    wide = result.steps.pivot(index=["step", "year"], columns="metric", values="value")
    by_year = wide.groupby(level="year")
    last = int(wide.index.get_level_values("year").max())
    final = by_year.mean().loc[last]
    totals = by_year.sum()
    scenario = _("{scenario} (seed {seed})").format(
        scenario=manifest["scenario_name"], seed=manifest["seed"]
    )
    burn_in = manifest.get("scenario", {}).get("burn_in_years")
    households = number(manifest["households"], language)
    lines = [_title(scenario, households, manifest["years"], language, burn_in)]
    groups = [
        f"{term(name, language)} {percent(final[f'share_{name}'], language)}"
        for name in result.model.classifier.names
        if f"share_{name}" in final
    ]
    lines.append(
        _("Need groups in year {year}: {groups}").format(year=last, groups=", ".join(groups))
    )
    has_team = bool(result.model.teams)
    access = _("team") if has_team else _("central desk")
    lines.append(
        _("Spending: {total} over {years} years, {last} in year {year} ({access}: {own})").format(
            total=millions(totals["cost_total_eur"].sum(), language),
            years=manifest["years"],
            last=millions(totals["cost_total_eur"].loc[last], language),
            year=last,
            access=access,
            own=millions(totals["cost_team_eur"].loc[last], language),
        )
    )
    lines.append(
        _("Escalations: {total} over {years} years, {last} in year {year}").format(
            total=_count(totals["escalations_total"].sum(), language),
            years=manifest["years"],
            last=_count(totals["escalations_total"].loc[last], language),
            year=last,
        )
    )
    if has_team:
        admitted = totals["team_admissions"].loc[last]
        wait = totals["team_intake_wait_weeks"].loc[last] / admitted if admitted else math.nan
        lines.append(
            _(
                "Team in year {year}: {caseload} households in support, {queue} waiting "
                "for intake, mean wait {wait} weeks"
            ).format(
                year=last,
                caseload=_count(final["team_caseload_households"], language),
                queue=_count(final["team_intake_queue"], language),
                wait=_count(wait, language),
            )
        )
    if scaling:
        lines.append(scaling)
    table = out_dir / "summary.md"
    if figures:
        files = _("Table per year: {table} · figures: {figures}").format(
            table=table, figures=f"{out_dir / 'figures'}/"
        )
    else:
        files = _("Table per year: {table}").format(table=table)
    lines.append(files)
    return lines


# --- sweeps -----------------------------------------------------------------------------


def _span(values: Iterable, language: str) -> str:
    known = sorted({v for v in values if v is not None})
    if not known:
        return "?"
    shown = [number(v, language) for v in (known[0], known[-1])]
    return shown[0] if len(known) == 1 else f"{shown[0]}–{shown[1]}"


def _sweep_title(manifest: dict, language: str, what: str, burn_in: int | None) -> str:
    _ = translator(language)
    runs = manifest["runs"]
    seeds = len({run["seed"] for run in runs})
    years = _span((run.get("years") for run in runs), language)
    title = _title(
        Path(manifest["sweep"]["scenario"]).stem,
        _span((run.get("households") for run in runs), language),
        years,
        language,
        burn_in,
    )
    return _("{what}: {title} · {seeds} seeds").format(what=_(what), title=title, seeds=seeds)


def _closing(summary, report: Path, language: str) -> str:
    _ = translator(language)
    return _("{done} runs, {failed} failed, in {seconds} s · full report: {report}").format(
        done=summary.done + summary.skipped,
        failed=summary.failed,
        seconds=number(summary.wall_seconds, language, 1),
        report=report / "summary.md",
    )


def sweep_headline(
    report: Path, manifest: dict, summary, language: str, burn_in: int | None = None
) -> list[str] | None:
    """The headline of a transition, funding or teams comparison (``None``: another sweep).

    Args:
        report: The report folder (``…/report``) with the analysis' tables.
        manifest: The sweep's ``sweep.json``.
        summary: The sweep's :class:`~wijksim.experiments.runner.sweep.SweepSummary`.
        language: ``"nl"`` or ``"en"``.
        burn_in: The runs' unreported burn-in years (``None``: unknown or differing).
    """
    analysis = manifest["sweep"].get("analysis")
    if analysis == "transition" and (report / "transition_summary.parquet").exists():
        lines = _transition_lines(report, manifest, language, burn_in)
    elif analysis == "funding" and (report / "funding_indicators.parquet").exists():
        lines = _funding_lines(report, manifest, language, burn_in)
    elif analysis == "teams" and (report / "team_differences.parquet").exists():
        lines = _teams_lines(report, manifest, language, burn_in)
    else:
        return None
    return [*lines, _closing(summary, report, language)]


def _transition_lines(report: Path, manifest: dict, language: str, burn_in) -> list[str]:
    from wijksim.experiments.analysis.transition_conditions import grid_columns
    from wijksim.experiments.analysis.transition_summary import SUMMARY_COLUMNS

    _ = translator(language)
    summary = pd.read_parquet(report / "transition_summary.parquet")
    title = _sweep_title(manifest, language, N_("Transition against the old system"), burn_in)
    if grid_columns(summary, SUMMARY_COLUMNS):
        conditions = len(summary.drop_duplicates(grid_columns(summary, SUMMARY_COLUMNS)))
        return [title, _("{n} conditions compared: see the report").format(n=conditions)]
    rows = {
        view: group.set_index("indicator") for view, group in summary.groupby("view", sort=False)
    }
    society, council = rows["society"], rows["municipality"]

    def both(indicator: str, show) -> dict[str, str]:
        return {
            "society": show(society.loc[indicator, "median"]),
            "municipality": show(council.loc[indicator, "median"]),
        }

    def year(value):
        return _year(value, language)

    def money(value):
        return millions(value, language)

    lines = [title]
    for hump, label in (
        ("investment", N_("Hump 1 (investment)")),
        ("safety_net", N_("Hump 2 (safety net)")),
    ):
        row = society.loc[f"{hump}_hump_year"]
        if row["share_of_seeds"] == 0 or pd.isna(row["median"]):
            lines.append(_("{hump}: none (MKBA)").format(hump=_(label)))
        else:
            lines.append(
                _("{hump}: year {year}, {amount} a year, in {share} of seeds (MKBA)").format(
                    hump=_(label),
                    year=year(row["median"]),
                    amount=money(society.loc[f"{hump}_hump_eur", "median"]),
                    share=percent(row["share_of_seeds"], language, 0),
                )
            )
    for indicator, text in (
        ("break_even_year", N_("Break-even: year {society} (MKBA), year {municipality} (GKBA)")),
        ("payback_year", N_("Payback: year {society} (MKBA), year {municipality} (GKBA)")),
    ):
        lines.append(_(text).format(**both(indicator, year)))
    lines.append(
        _(
            "To pre-finance: {society} for society (MKBA), {municipality} for the municipality "
            "(GKBA)"
        ).format(**both("cumulative_investment_eur", money))
    )
    lines.append(
        _(
            "Benefit–cost ratio: {society} for society (MKBA), {municipality} for the "
            "municipality (GKBA)"
        ).format(**both("bcr", lambda v: _count(v, language, 1)))
    )
    return lines


def _medians(indicators: pd.DataFrame, metric: str) -> pd.Series:
    rows = indicators[indicators["metric"] == metric]
    return rows.groupby("condition", sort=False)["value"].median()


def _range_line(text: str, medians: pd.Series, reference: str, show, language: str) -> str:
    """``text`` filled with the reference's value and the lowest and highest condition."""
    _ = translator(language)
    others = medians.drop(reference, errors="ignore").dropna()
    if others.empty:
        return _(text).format(
            reference=reference,
            value=show(medians.get(reference, math.nan)),
            low="—",
            low_value="—",
            high="—",
            high_value="—",
        )
    return _(text).format(
        reference=reference.replace("_", " "),
        value=show(medians.get(reference, math.nan)),
        low=others.idxmin().replace("_", " "),
        low_value=show(others.min()),
        high=others.idxmax().replace("_", " "),
        high_value=show(others.max()),
    )


def _funding_lines(report: Path, manifest: dict, language: str, burn_in) -> list[str]:
    from wijksim.experiments.analysis.funding_analysis import agreement
    from wijksim.experiments.analysis.funding_catalogue import NEUTRAL_FORM
    from wijksim.experiments.analysis.funding_origins import is_fixed_operator

    _ = translator(language)
    indicators = pd.read_parquet(report / "funding_indicators.parquet")
    incentives = pd.read_parquet(report / "incentives.parquet")
    reference = manifest["sweep"].get("reference") or NEUTRAL_FORM
    lines = [_sweep_title(manifest, language, N_("Funding forms compared"), burn_in)]
    lines.append(_window_line(manifest, language))
    lines.append(
        _range_line(
            N_(
                "Spending: {reference} {value}; lowest {low} {low_value}, highest {high} "
                "{high_value}"
            ),
            _medians(indicators, "cost_total_eur"),
            reference,
            lambda v: millions(v, language),
            language,
        )
    )
    lines.append(
        _range_line(
            N_(
                "Escalations: {reference} {value}; fewest {low} {low_value}, most {high} "
                "{high_value}"
            ),
            _medians(indicators, "escalations"),
            reference,
            lambda v: _count(v, language),
            language,
        )
    )
    lines.append(
        _range_line(
            N_(
                "Weeks waiting for intake: {reference} {value}; shortest {low} {low_value}, "
                "longest {high} {high_value}"
            ),
            _medians(indicators, "mean_intake_wait_weeks"),
            reference,
            lambda v: _count(v, language),
            language,
        )
    )
    if "family" in incentives:  # a fixed operator's arrows are no test of the source's
        incentives = incentives[~incentives["family"].map(is_fixed_operator)]
    found = agreement(incentives)
    lines.append(
        _("Incentives as the sources expect them: {matches} of {compared} arrows").format(
            matches=found.matches, compared=found.compared
        )
    )
    return lines


def _window_line(manifest: dict, language: str) -> str:
    from wijksim.experiments.analysis.funding_runs import DEFAULT_START

    _ = translator(language)
    last = max(run.get("years") or 0 for run in manifest["runs"])
    start = min(DEFAULT_START, last)
    return _("Medians over seeds, years {start}–{end} (before: warm-up, not compared)").format(
        start=start, end=last
    )


def _teams_lines(report: Path, manifest: dict, language: str, burn_in) -> list[str]:
    from wijksim.experiments.analysis.teams_analysis import COSTS, PAYS, split_verdicts

    _ = translator(language)
    differences = pd.read_parquet(report / "team_differences.parquet")
    verdicts = split_verdicts(differences)
    lines = [_sweep_title(manifest, language, N_("Team splits against one team"), burn_in)]
    lines.append(_window_line(manifest, language))
    for configuration, rows in verdicts.groupby("configuration", sort=False):
        lines.append(
            _(
                "{configuration}: cheaper in {pays} of {n} settings, dearer in {costs}; "
                "median difference in spending {amount}"
            ).format(
                configuration=configuration.replace("_", " "),
                pays=int((rows["verdict"] == PAYS).sum()),
                n=len(rows),
                costs=int((rows["verdict"] == COSTS).sum()),
                amount=millions(rows["spending_difference"].median(), language),
            )
        )
    return lines[: MAX_LINES - 1]
