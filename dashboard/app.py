"""The Streamlit app that ``wijksim dashboard`` serves (issue 17, item 1).

Run by ``streamlit run``; everything it computes comes from
:mod:`wijksim.dashboard.compute`, every figure from :mod:`wijksim.dashboard.figures`.
The runs are cached per scenario and seed (``st.cache_data``), so changing the language,
comparing a configuration with itself or running again after a time-out reruns nothing
already done.

Why one module of over 300 lines: it is one Streamlit page, which Streamlit runs as a
script from top to bottom on every interaction; its parts (inputs, running, showing) are
the page's sections in order and share its session state and caches. What can be tested
without a browser lives in ``compute`` and ``figures``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from wijksim.dashboard import compute, figures, knobs
from wijksim.experiments.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    Translate,
    money,
    number,
    percent,
    translator,
)
from wijksim.model.config.scenario import Scenario
from wijksim.model.inputs.scenario_io import ScenarioError, load_scenario, shipped_scenario_names

# No bare strings below the module docstring: Streamlit's "magic" would show them on the
# page (``wijksim dashboard`` also turns magic off); comments instead.
DEFAULT_SCENARIO = "transition"
# Opens on the switch to a team: it shows every panel, the transition curve included.
DEFAULT_SEEDS = 5
# Assumption: enough for a 90% band to mean something, few enough for a quick first look.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
INDICATORS = {
    "investment_hump_year": (N_("hump 1 (investment): year"), "year"),
    "investment_hump_eur": (N_("hump 1 (investment): extra per year"), "eur"),
    "safety_net_hump_year": (N_("hump 2 (found need, safety net): year"), "year"),
    "safety_net_hump_eur": (N_("hump 2 (found need, safety net): extra per year"), "eur"),
    "break_even_year": (N_("break-even year"), "year"),
    "payback_year": (N_("payback year"), "year"),
    "cumulative_investment_eur": (N_("to pre-finance (most cumulative extra)"), "eur"),
    "npv_eur": (N_("net present value"), "eur"),
    "bcr": (N_("benefit–cost ratio"), "ratio"),
}
# The transition indicators shown (wijksim.experiments.analysis.transition_analysis).


@st.cache_data(max_entries=1000, show_spinner=False)
def cached_run(scenario_json: str, seed: int, _progress=None) -> pd.DataFrame:
    """One run by year, cached by scenario and seed (the progress callback is not a key)."""
    return compute.run_yearly(scenario_json, seed, _progress)


# ------------------------------------------------------------------------- formatting


def formatted(value: float, kind: str, language: str) -> str:
    """A value as the language writes it, by kind (share, count, eur, year, ratio)."""
    if value is None or pd.isna(value):
        return "—"
    if kind == "share":
        return percent(value, language)
    if kind == "eur":
        return money(value, language)
    if kind == "year":
        return number(value, language)
    if kind == "ratio":
        return number(value, language, 2)
    return number(value, language, 1)


def bold(text: str) -> str:
    """Markdown bold."""
    return "**" + text + "**"


def with_band(row: pd.Series, kind: str, language: str) -> str:
    """``median (p05 – p95)``."""
    return (
        f"{formatted(row['median'], kind, language)} "
        f"({formatted(row['p05'], kind, language)} – {formatted(row['p95'], kind, language)})"
    )


# ----------------------------------------------------------------------------- inputs


def choose_scenario(_: Translate) -> tuple[Scenario, str] | None:
    """The scenario chosen in the sidebar: shipped, or an uploaded TOML file."""
    source = st.sidebar.radio(
        _("Scenario"),
        ["shipped", "upload"],
        format_func=lambda c: _("shipped scenario") if c == "shipped" else _("upload a file"),
        horizontal=True,
        key="source",
    )
    if source == "shipped":
        names = shipped_scenario_names()
        name = st.sidebar.selectbox(
            _("Shipped scenario"), names, index=names.index(DEFAULT_SCENARIO), key="scenario"
        )
        resolved = load_scenario(name)
        return resolved.scenario, resolved.name
    upload = st.sidebar.file_uploader(_("Scenario file (.toml)"), type=["toml"], key="upload")
    if upload is None:
        st.info(_("Upload a scenario file, or choose a shipped scenario."))
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            resolved = load_scenario(path)
        except ScenarioError as error:
            # One line naming the file and field, as the command prints it.
            st.error(f"{upload.name}: {str(error).split(': ', 1)[-1]}")
            return None
    return resolved.scenario, resolved.name


def number_knob(
    container, knob: knobs.Knob, default: Any, key: str, _: Translate, language: str, off: bool
) -> Any:
    """One number widget with the knob's unit, range, default and source as help."""
    if default is None:
        default = knob.low
    value = int(default) if knob.whole else float(default)
    value = min(max(value, knob.low), knob.high)
    return container.number_input(
        f"{_(knob.label)} ({_(knob.unit)})",
        min_value=int(knob.low) if knob.whole else float(knob.low),
        max_value=int(knob.high) if knob.whole else float(knob.high),
        value=value,
        step=knob.step,
        help=knobs.knob_help(knob, default, _, language),
        key=key,
        disabled=off,
    )


def choice_knob(
    container, label: str, options: dict, help_text: str, key: str, _, off: bool, default=None
):
    """A selectbox of labelled choices, starting at ``default`` (the first if ``None``)."""
    choices = list(options)
    return container.selectbox(
        _(label),
        choices,
        index=choices.index(default) if default in choices else 0,
        format_func=lambda choice: _(options[choice]),
        help=_(help_text),
        key=key,
        disabled=off,
    )


class KnobPanel:
    """The knob widgets of one configuration, in one container.

    Configuration B *follows* A: each of its knobs starts at A's value, and its widget
    key carries that value, so a knob of B that was not changed moves with A, and one
    that was changed keeps its value until A's same knob changes.
    """

    def __init__(self, container, prefix: str, name: str, _, language: str, follow=None):
        self.container = container
        self.tag = f"{prefix}@{name}"  # a new scenario starts the widgets from its own values
        self._ = _
        self.language = language
        self.follow = follow

    def _key(self, key: str, *context) -> str:
        parts = [self.tag, key, *map(str, context)]
        if self.follow is not None:
            parts.append(repr(self.follow.get(key)))
        return ":".join(parts)

    def number(self, key: str, default, off: bool = False, *context):
        """A number knob of :data:`knobs.KNOBS_BY_KEY`."""
        if self.follow is not None and self.follow.get(key) is not None:
            default = self.follow[key]
        knob = knobs.KNOBS_BY_KEY[key]
        widget = self._key(key, *context)
        return number_knob(self.container, knob, default, widget, self._, self.language, off)

    def choice(self, key: str, label: str, options: dict, help_text: str, off: bool = False):
        """A choice knob."""
        default = None if self.follow is None else self.follow.get(key)
        widget = self._key(key)
        return choice_knob(self.container, label, options, help_text, widget, self._, off, default)


def knob_inputs(
    container, scenario: Scenario, name: str, prefix: str, _, language: str, follow=None
) -> dict[str, Any]:
    """The knob widgets of a configuration (B: ``follow`` A's values; see :class:`KnobPanel`)."""
    panel = KnobPanel(container, prefix, name, _, language, follow)
    values: dict[str, Any] = {}
    no_team = scenario.team is None
    if no_team:
        container.caption(_("This scenario has no neighbourhood team: team knobs are off."))
    container.markdown(bold(_("Neighbourhood")))
    values["households"] = panel.number("households", scenario.total_households)
    values["neighbourhood"] = panel.choice(
        "neighbourhood",
        N_("Neighbourhood type"),
        knobs.NEIGHBOURHOOD_LABELS,
        knobs.NEIGHBOURHOOD_SOURCE,
    )
    # The other knobs start from the scenario scaled to these households (as --households).
    scenario, scaled = compute.sized(scenario, values["households"])
    if scaled:
        container.caption(
            _("Scaled with the households: {fields}.").format(fields=", ".join(scaled))
        )
    size = values["households"]  # a new size starts the scaled knobs from their new values
    container.markdown(bold(_("Neighbourhood team (wijkteam)")))
    for key in ("frontline_fte", "team_start_year", "seconded_share"):
        field = knobs.KNOBS_BY_KEY[key].field
        values[key] = panel.number(key, knobs.current_value(scenario, field), no_team, size)
    values["split"] = panel.choice(
        "split", N_("Team split"), knobs.SPLIT_LABELS, knobs.SPLIT_SOURCE, no_team
    )
    container.markdown(bold(_("Funding")))
    values["funding"] = panel.choice(
        "funding", N_("Funding form"), knobs.FUNDING_LABELS, knobs.FUNDING_SOURCE, no_team
    )
    shaped = scenario
    if not no_team and values["funding"] != knobs.AS_SCENARIO:
        funding = (
            None
            if values["funding"] == knobs.NO_FUNDING
            else _funding_model(knobs.funding_of(values["funding"]))
        )
        shaped = shaped.model_copy(update={"funding": funding})
    no_funding = no_team or shaped.funding is None
    for key in knobs.TARIFF_KNOBS:  # a new form starts from its own tariffs
        field = knobs.KNOBS_BY_KEY[key].field
        default = knobs.current_value(shaped, field)
        values[key] = panel.number(key, default, no_funding, size, values["funding"])
    values["access"] = panel.choice(
        "access",
        N_("Specialist access (options A–E)"),
        knobs.ACCESS_LABELS,
        knobs.ACCESS_SOURCE_TEXT,
        no_funding,
    )
    if follow is None:
        container.markdown(bold(_("Run")))
        values["years"] = panel.number("years", scenario.years)
        values["seeds"] = panel.number("seeds", DEFAULT_SEEDS)
    else:  # paired: B runs A's years and seeds
        values.update({key: follow[key] for key in ("years", "seeds")})
    return values


def _funding_model(table: dict):
    from wijksim.model.contracts.funding import FundingParams

    return FundingParams.model_validate_json(json.dumps(table))


# ---------------------------------------------------------------------------- running


def run_with_progress(jobs: list[compute.Job], cap: float, _: Translate) -> pd.DataFrame | None:
    """Run the jobs with a progress bar; ``None`` (and a message) at the time cap."""
    total = len(jobs)
    bar = st.progress(0.0, text=_("Running…"))

    def report(share: float, done: int) -> None:
        text = _("Running: {done} of {total} runs finished").format(done=done, total=total)
        bar.progress(min(share, 1.0), text=text)

    try:
        table = compute.run_jobs(jobs, cached_run, cap, report, prepare_thread=_with_context)
    except compute.TimeCapExceeded as stop:
        bar.empty()
        st.error(
            _(
                "The runs took longer than the time cap of {cap} s: {done} of {total} runs "
                "finished. Finished runs are kept, so pressing Run again continues where "
                "this stopped. Or choose fewer households, years or seeds, or raise the "
                "time cap."
            ).format(
                cap=number(stop.cap_seconds, st.session_state.language),
                done=stop.done,
                total=stop.total,
            )
        )
        return None
    bar.empty()
    return table


def _with_context(thread) -> None:
    """Give a worker thread the script's context, so the cache works as in the script."""
    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    add_script_run_ctx(thread, get_script_run_ctx())


# ---------------------------------------------------------------------------- showing


def download_table(
    title: str,
    table: pd.DataFrame,
    stem: str,
    about: compute.Provenance,
    _: Translate,
    language: str,
) -> None:
    """A table's CSV and Excel download buttons (headers, units and format as the CLI's)."""
    left, right = st.columns(2)
    metrics = compute.metric_columns(table) if title in WIDE_TABLES else ()
    title = _(TABLE_TITLES.get(title, title))
    left.download_button(
        _("CSV") + ": " + title,
        cached_csv(table, language, metrics),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"csv:{stem}",
    )
    right.download_button(
        _("Excel") + ": " + title,
        cached_excel({stem: table}, about, language, metrics),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx:{stem}",
    )


@st.cache_data(max_entries=256, show_spinner=False)
def cached_csv(table: pd.DataFrame, language: str, metrics: tuple[str, ...] = ()) -> bytes:
    """:func:`compute.csv_bytes`, cached: download buttons are built on every rerun."""
    return compute.csv_bytes(table, language, metrics)


@st.cache_data(max_entries=256, show_spinner=False)
def cached_excel(
    tables: dict[str, pd.DataFrame],
    about: compute.Provenance,
    language: str,
    metrics: tuple[str, ...] = (),
) -> bytes:
    """:func:`compute.excel_bytes`, cached."""
    return compute.excel_bytes(tables, about, language, metrics)


@st.cache_data(max_entries=64, show_spinner=False)
def figure_images(
    table: pd.DataFrame, scenario_json: str, variant: str, language: str
) -> dict[str, bytes]:
    """The result figures as PNG, cached by runs and language."""
    _ = translator(language)
    scenario = Scenario.model_validate_json(scenario_json)
    start = scenario.transition.team_start_year if scenario.team is not None else None
    groups = [g["name"] for g in scenario.classification.group_definitions()]
    drawings = {
        "need_groups": figures.need_groups_figure(table, variant, groups, _, language, start),
        "waiting": figures.waiting_figure(table, variant, _, language, start),
        "escalations": figures.escalations_figure(
            table, variant, list(scenario.escalations), _, language, start
        ),
        "spending_by_stream": figures.spending_by_stream_figure(table, variant, _, language, start),
        "spending_by_payer": figures.spending_by_payer_figure(table, variant, _, language, start),
    }
    return _pngs(drawings)


def _pngs(drawings: dict) -> dict[str, bytes]:
    import matplotlib.pyplot as plt

    images = {name: compute.figure_png(figure) for name, figure in drawings.items()}
    for figure in drawings.values():
        plt.close(figure)
    return images


def show_figure(name: str, image: bytes, stem: str, _: Translate) -> None:
    """A figure and its PNG download."""
    st.image(image)
    st.download_button(
        _("PNG") + ": " + _(FIGURE_TITLES[name]),
        image,
        file_name=f"{stem}-{name}.png",
        mime="image/png",
        key=f"png:{stem}:{name}",
    )


WIDE_TABLES = ("yearly_by_seed", "comparison_runs")
"""The tables with one column per metric (:func:`compute.wide_by_seed`)."""
TABLE_TITLES = {
    "headline": N_("headline figures"),
    "yearly_by_seed": N_("every metric per year and seed"),
    "transition_indicators": N_("transition indicators"),
    "transition_curves": N_("transition curves"),
    "transition_spending": N_("transition spending per seed"),
    "comparison_totals": N_("comparison: B − A over the run"),
    "comparison_by_year": N_("comparison: B − A per year"),
    "comparison_runs": N_("comparison: every metric per year and seed"),
}
FIGURE_TITLES = {
    "need_groups": N_("Need groups over time"),
    "waiting": N_("Waiting"),
    "escalations": N_("Escalations by kind"),
    "spending_by_stream": N_("Spending by stream"),
    "spending_by_payer": N_("Spending by payer"),
    "transition": N_("Transition curve"),
    "comparison": N_("Paired differences"),
}


def headline_table(table: pd.DataFrame, variant: str, _: Translate, language: str):
    """The headline figures of one variant: label and median (band)."""
    summary = compute.headline(table, variant).set_index("metric")
    rows = [
        {_("Figure"): _(label), _("median (band: 90%)"): with_band(summary.loc[m], k, language)}
        for m, label, k in compute.KPIS
    ]
    return pd.DataFrame(rows), summary.reset_index()


def show_result(config: compute.Configuration, table: pd.DataFrame, _, language: str) -> None:
    """Headline, figures, transition curve and downloads of one configuration."""
    stem = f"{config.name}"
    about = compute.provenance(config)
    st.subheader(_("Result: {name}").format(name=config.name))
    st.caption(context_text(config, _, language))
    shown, raw = headline_table(table, compute.TRANSITION, _, language)
    st.table(shown)
    tables = {"headline": raw, "yearly_by_seed": compute.wide_by_seed(table)}
    images = figure_images(table, config.scenario.model_dump_json(), compute.TRANSITION, language)
    left, right = st.columns(2)
    for index, (name, image) in enumerate(images.items()):
        with left if index % 2 == 0 else right:
            show_figure(name, image, stem, _)
    transition = compute.transition_results(table, config)
    if transition is not None:
        start = config.scenario.transition.team_start_year
        st.subheader(_("The switch against the old system continued"))
        image = transition_image(transition.curves, start, language)
        show_figure("transition", image, stem, _)
        st.table(indicator_table(transition.summary, _, language))
        tables |= {
            "transition_indicators": transition.summary,
            "transition_curves": transition.curves,
            "transition_spending": transition.spending,
        }
    st.subheader(_("Downloads"))
    for name, frame in tables.items():
        download_table(name, frame, f"{stem}-{name}", about, _, language)
    wide = compute.metric_columns(tables["yearly_by_seed"])
    st.download_button(
        _("Excel workbook with every table"),
        cached_excel(tables, about, language, wide),
        file_name=f"{stem}.xlsx",
        key="xlsx:all",
    )
    st.download_button(
        _("Scenario file that reproduces this run (.toml)"),
        compute.scenario_toml(config),
        file_name=f"{stem}-dashboard.toml",
        mime="application/toml",
        key="toml:result",
    )


@st.cache_data(max_entries=16, show_spinner=False)
def transition_image(curves: pd.DataFrame, start: int, language: str) -> bytes:
    """The transition figure as PNG, cached."""
    return _pngs({"t": figures.transition_figure(curves, start, translator(language), language)})[
        "t"
    ]


def indicator_table(summary: pd.DataFrame, _: Translate, language: str) -> pd.DataFrame:
    """The transition indicators: MKBA (society) and GKBA (municipality) side by side."""
    rows = []
    for indicator, (label, kind) in INDICATORS.items():
        row = {_("Indicator"): _(label)}
        for view in ("society", "municipality"):
            found = summary[(summary["view"] == view) & (summary["indicator"] == indicator)]
            cell = with_band(found.iloc[0], kind, language) if len(found) else "—"
            row[figures.term(view, _)] = cell
        rows.append(row)
    return pd.DataFrame(rows)


def context_text(config: compute.Configuration, _: Translate, language: str) -> str:
    """Scenario, overrides, households, years and seeds in one line."""
    shown = ", ".join(
        f"{k}={v}" for k, v in config.overrides.items() if not isinstance(v, dict | type(None))
    )
    chosen = [k for k, v in config.overrides.items() if isinstance(v, dict | type(None))]
    changes = ", ".join(filter(None, [shown, ", ".join(chosen)])) or _("no changes")
    return _("{name} · {changes} · {households} households · {years} years · {seeds} seeds").format(
        name=config.name,
        changes=changes,
        households=number(config.scenario.total_households, language),
        years=config.scenario.years,
        seeds=config.seeds,
    )


def difference_text(difference: pd.Series, kind: str, _: Translate, language: str) -> str:
    """``mean [low; high]``; a difference of shares in percentage points."""
    values = [difference[c] for c in ("mean_difference", "ci_low", "ci_high")]
    if kind != "share":
        shown = [formatted(v, kind, language) for v in values]
        return f"{shown[0]} [{shown[1]}; {shown[2]}]"
    points = [number(100 * v, language, 1) if pd.notna(v) else "—" for v in values]
    return f"{points[0]} [{points[1]}; {points[2]}] " + _("percentage points")


def show_comparison(
    config_a: compute.Configuration, config_b: compute.Configuration, table, _, language: str
) -> None:
    """A and B side by side, with the paired differences B − A and their intervals."""
    comparison = compute.compare(table)
    a_rows = compute.headline(table, "A").set_index("metric")
    b_rows = compute.headline(table, "B").set_index("metric")
    totals = comparison.totals.set_index("metric")
    rows = []
    for metric, label, kind in compute.KPIS:
        difference = totals.loc[metric]
        rows.append(
            {
                _("Figure"): _(label),
                "A": with_band(a_rows.loc[metric], kind, language),
                "B": with_band(b_rows.loc[metric], kind, language),
                _("B − A (mean, confidence interval 90%)"): difference_text(
                    difference, kind, _, language
                ),
            }
        )
    st.subheader(_("A and B on the same seeds"))
    st.caption("A: " + context_text(config_a, _, language))
    st.caption("B: " + context_text(config_b, _, language))
    st.table(pd.DataFrame(rows))
    image = comparison_image(comparison.by_year, language)
    show_figure("comparison", image, "comparison", _)
    about = compute.provenance(config_a, config_b)
    tables = {
        "comparison_totals": comparison.totals,
        "comparison_by_year": comparison.by_year,
        "comparison_runs": compute.wide_by_seed(table),
    }
    for name, frame in tables.items():
        download_table(name, frame, name, about, _, language)
    left, right = st.columns(2)
    for column, label, config in ((left, "A", config_a), (right, "B", config_b)):
        column.download_button(
            _("Scenario file of {label} (.toml)").format(label=label),
            compute.scenario_toml(config),
            file_name=f"{config.name}-{label}.toml",
            key=f"toml:{label}",
        )


@st.cache_data(max_entries=16, show_spinner=False)
def comparison_image(by_year: pd.DataFrame, language: str) -> bytes:
    """The comparison figure as PNG, cached."""
    return _pngs({"c": figures.comparison_figure(by_year, translator(language), language)})["c"]


# ------------------------------------------------------------------------------- page


def main() -> None:
    """The page."""
    st.set_page_config(page_title="wijksim", layout="wide")
    if "language" not in st.session_state:
        st.session_state.language = DEFAULT_LANGUAGE
    language = st.sidebar.radio(
        "Taal / Language",
        LANGUAGES,
        format_func=LANGUAGE_NAMES.get,
        horizontal=True,
        key="language",
    )
    _ = translator(language)
    st.title(_("wijksim: the neighbourhood team in your municipality"))
    chosen = choose_scenario(_)
    if chosen is None:
        return
    scenario, name = chosen
    st.caption(f"{scenario.label}. {' '.join(scenario.description.split())}")
    values = knob_inputs(st.sidebar, scenario, name, "A", _, language)
    with st.sidebar.expander(_("Time cap")):
        cap = st.number_input(
            _("Time cap per press of Run (seconds)"),
            min_value=5,
            max_value=3600,
            value=compute.DEFAULT_TIME_CAP_SECONDS,
            step=5,
            key="time_cap",
        )
    try:
        config = compute.configure(scenario, name, values)
    except ScenarioError as error:
        st.error(_("These settings are not valid: {error}").format(error=error))
        return
    result_tab, compare_tab = st.tabs([_("Result"), _("Compare two configurations")])
    with result_tab:
        if st.button(_("Run"), type="primary", key="run"):
            st.session_state.result = config
        if "result" in st.session_state:
            shown = st.session_state.result
            if shown != config:
                st.info(_("The knobs changed since this run: press Run to see their result."))
            table = run_with_progress(compute.jobs_of(shown), cap, _)
            if table is None:  # stopped at the time cap: run again only when asked
                del st.session_state.result
            else:
                show_result(shown, table, _, language)
    with compare_tab:
        st.markdown(
            _(
                "**A** is the configuration in the sidebar. Set **B** here; both run on the "
                "same seeds and years, so each seed's difference B − A shows the effect of "
                "the choice and not chance."
            )
        )
        with st.expander(_("Configuration B"), expanded=True):
            values_b = knob_inputs(st.container(), scenario, name, "B", _, language, values)
        try:
            config_b = compute.configure(scenario, name, values_b)
        except ScenarioError as error:
            st.error(_("These settings are not valid: {error}").format(error=error))
            return
        if st.button(_("Run comparison"), type="primary", key="run_comparison"):
            st.session_state.comparison = (config, config_b)
        if "comparison" in st.session_state:
            config_a, config_b = st.session_state.comparison
            jobs = compute.jobs_of(config_a, "A", old_system=False) + compute.jobs_of(
                config_b, "B", old_system=False
            )
            table = run_with_progress(jobs, cap, _)
            if table is None:
                del st.session_state.comparison
            else:
                show_comparison(config_a, config_b, table, _, language)


main()
