"""Figure helpers shared by the plot modules: a grid of panels, an empty panel, saving.

Figures are built on :class:`matplotlib.figure.Figure` directly, not through pyplot, so
none is left open in pyplot's global list, whatever happens while drawing.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from wijksim.experiments.i18n import N_, translator
from wijksim.experiments.plots import run_figures as plots

DPI = 110


def panel_grid(
    panels: int, columns: int, width: float, height: float, sharex: bool = False
) -> tuple[Figure, list[Axes], list[Axes]]:
    """A figure with ``panels`` axes in rows of ``columns``; unused places hidden.

    With ``sharex`` the panels share the x axis and only the lowest panel of each column
    labels it: the forms (or years) are named once per column, not in every panel (which
    also keeps drawing fast: laying out tick labels is most of the work).

    Returns:
        The figure, its panels in reading order, and the lowest panel of each column.
    """
    columns = max(1, min(panels, columns))
    rows = -(-panels // columns)
    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False, sharex=sharex).ravel().tolist()
    for axis in axes[panels:]:
        axis.set_visible(False)
    if sharex:
        # A panel above an unused place is the lowest of its column: it keeps its labels.
        for axis in axes[max(0, panels - columns) : panels]:
            axis.xaxis.set_tick_params(labelbottom=True)
    return figure, axes[:panels], axes[max(0, panels - columns) : panels]


def mark_not_recorded(axis: Axes, title: str, language: str = "en") -> None:
    """An empty panel titled ``title`` that says its metric was not recorded."""
    axis.set_title(title, fontsize=10)
    shown = translator(language)(N_("not recorded"))
    axis.text(0.5, 0.5, shown, ha="center", va="center", transform=axis.transAxes)
    axis.set_yticks([])  # not the x ticks: they may be shared with the other panels


def save_figure(figure: Figure, path: str | Path, dpi: int = DPI, caption: str = "") -> Path:
    """Save ``figure`` as a PNG at ``path`` (folders made), ``caption`` above it.

    Args:
        figure: One of this module's figures (or :mod:`~wijksim.experiments.plots.teams_plots`').
        path: Where to save the PNG.
        dpi: Resolution of the PNG.
        caption: What produced the figure, in small type above it (``""``: none).

    Returns:
        The saved path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if caption:
        plots.caption(figure, caption)
    figure.savefig(path, dpi=dpi, **plots.SAVE_OPTIONS)
    return path
