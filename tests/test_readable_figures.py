"""Figures a council can read (issue 17, item 5).

Linear percentage axes, the desk labelled as the desk, legends beside the data, a
subtitle naming scenario, overrides, households, years and the unreported burn-in, the
team's start marked, and the share supported by more than one worker as a share of the
caseload. Each test reads the Figure objects; none looks at pixels.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import small
from wijksim.experiments.plots import run_figures as plots
from wijksim.experiments.plots import sweep_plots
from wijksim.experiments.reports import sweep_context
from wijksim.experiments.reports import sweep_report as report
from wijksim.experiments.reports.run_report import run_figures
from wijksim.experiments.runner.run import run_simulation


def _run(name: str, **overrides):
    scenario = small(name, households=300, years=3, **overrides)
    overrides = {"population.households": 300, "years": 3}
    return run_simulation(scenario, seed=1, scenario_name=name, overrides=overrides)


@pytest.fixture(scope="module")
def old_system_figures():
    figures = run_figures(_run("old_system", burn_in_years=1))
    yield figures
    for figure in figures.values():
        plt.close(figure)


@pytest.fixture(scope="module")
def transition_figures():
    figures = run_figures(_run("transition", **{"transition.team_start_year": 2}))
    yield figures
    for figure in figures.values():
        plt.close(figure)


def _labels(axis) -> list[str]:
    return [text.get_text() for text in axis.get_legend().get_texts()]


def _overlap(first, second) -> bool:
    across = first.x0 < second.x1 and second.x0 < first.x1
    return across and first.y0 < second.y1 and second.y0 < first.y1


def test_need_groups_on_a_linear_axis_from_zero(old_system_figures):
    axis = old_system_figures["group_shares.png"].axes[0]
    assert axis.get_yscale() == "linear"
    assert axis.get_ylim()[0] == 0
    assert "log" not in axis.get_ylabel()


def test_the_desk_is_labelled_as_the_desk(old_system_figures, transition_figures):
    old = _labels(old_system_figures["cost_by_stream.png"].axes[0])
    assert "team" not in old and any("desk" in label for label in old)
    switch = _labels(transition_figures["cost_by_stream.png"].axes[0])
    assert "desk, then team (from year 2)" in switch


def test_every_legend_is_outside_the_data(old_system_figures, transition_figures):
    for name, figure in [*old_system_figures.items(), *transition_figures.items()]:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        for axis in figure.axes:
            legend = axis.get_legend()
            if legend is None:
                continue
            box = legend.get_window_extent(renderer)
            for other in figure.axes:  # over no panel, its own or a neighbour's
                assert not _overlap(box, other.get_window_extent(renderer)), (name, axis.title)


def test_subtitle_names_scenario_overrides_households_years_and_burn_in(old_system_figures):
    expected = (
        "old_system (seed 1) · households=300, years=3 · 300 households · 3 years after a "
        "1-year burn-in of the old system (not shown)"
    )
    for figure in old_system_figures.values():
        (caption,) = figure.texts
        assert " ".join(caption.get_text().split()) == expected


def test_a_long_subtitle_is_wrapped_to_the_figure(old_system_figures):
    figure = old_system_figures["escalations.png"]
    many = {f"specialists.kind_{i}.extend_probability": 0.3 for i in range(8)}
    plots.caption(figure, plots.context_line("funding_per_hour", many, "1,000", "4"))
    figure.canvas.draw()
    text = figure.texts[-1].get_window_extent(figure.canvas.get_renderer())
    assert text.width <= figure.bbox.width
    figure.texts[-1].remove()


def test_the_switch_year_is_marked(transition_figures):
    for name, figure in transition_figures.items():
        for axis in figure.axes:
            marks = [t.get_text().strip() for t in axis.texts]
            assert "team starts" in marks, (name, axis.get_title())


def test_several_workers_as_a_share_of_the_caseload(transition_figures):
    shares = transition_figures["group_shares.png"].axes[0]
    assert not [label for label in _labels(shares) if "worker" in label]
    (panel,) = [
        axis
        for axis in transition_figures["team.png"].axes
        if axis.get_title() == "Supported by more than one worker"
    ]
    assert panel.get_ylabel() == "share of the team's caseload, in %"
    assert panel.get_yscale() == "linear"


def _summary(conditions: int, years: int = 4) -> pd.DataFrame:
    """A sweep's yearly summary (:func:`~wijksim.experiments.analysis.statistics.summarise`) of
    ``conditions`` flat lines."""
    rows = [
        {
            "condition": f"condition_{c}",
            "metric": "cost_total_eur",
            "year": year,
            "median": 1e6 + c,
            "p05": 0.9e6,
            "p95": 1.1e6,
        }
        for c in range(conditions)
        for year in range(1, years + 1)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("conditions", [2, 63])  # 63: compare-teams' default grid
def test_sweep_legend_beside_the_panels_however_many_conditions(conditions):
    figure = sweep_plots.band_figure(_summary(conditions), {"cost_total_eur": "spending"}, "t")
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    (legend,) = figure.legends
    box = legend.get_window_extent(renderer)
    assert not any(_overlap(box, axis.get_window_extent(renderer)) for axis in figure.axes)
    plt.close(figure)


def test_sweep_figures_mark_the_switch_and_the_warm_up():
    metrics = {"cost_total_eur": "spending"}
    switch = sweep_plots.band_figure(_summary(2), metrics, "t", start_year=3)
    (axis,) = switch.axes
    assert [line.get_xdata()[0] for line in axis.lines if line.get_linestyle() == "--"] == [2.5]
    assert "team starts" in [text.get_text().strip() for text in axis.texts]
    window = sweep_plots.band_figure(_summary(2), metrics, "t", window_start=3)
    (axis,) = window.axes
    assert "warm-up (not compared)" in [text.get_text().strip() for text in axis.texts]
    plt.close(switch)
    plt.close(window)


def test_sweep_need_groups_from_zero_on_a_linear_axis(tmp_path):
    summary = _summary(2).assign(metric="share_basic", median=0.15, p05=0.14, p95=0.16)
    facts = sweep_context.SweepFacts(None, None, "central desk (old system)", None)
    figures = report._figures(summary, pd.DataFrame(), "condition_0", facts)
    (axis,) = [a for a in figures["group_shares.png"].axes if a.get_visible()]
    assert axis.get_yscale() == "linear" and axis.get_ylim()[0] == 0
    assert axis.get_ylim()[1] >= 16 * 1.05  # room above the band's top (p95 = 16%)
    for figure in figures.values():
        plt.close(figure)
