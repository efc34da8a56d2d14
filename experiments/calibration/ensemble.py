"""The calibrated ensemble: parameter sets the observed targets do not rule out.

``wijksim calibrate SCENARIO --spec SPEC`` writes the sets it accepted to
``ensemble.parquet`` in its results folder; the shipped one for the old system (from
which every shipped scenario extends) is ``data/calibration/old_system.ensemble.parquet``
(docs/calibration.md). ``--parameter-sets N`` on ``transition``, ``compare-funding``,
``compare-teams`` and ``sweep`` draws N sets from it (:func:`draw_parameter_sets`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from wijksim.experiments.calibration.history_matching import POINT, WAVE
from wijksim.model.inputs.scenario_io import ScenarioError

ENSEMBLE_SUFFIX = ".ensemble.parquet"
DEFAULT_ENSEMBLE = "old_system"


def ensemble_path(name_or_path: str) -> Path:
    """A shipped ensemble by name (``old_system``) or an ensemble file by path."""
    path = Path(name_or_path)
    if path.suffix == ".parquet":
        if not path.is_file():
            raise ScenarioError(path, "ensemble file not found", "--ensemble")
        return path
    shipped = Path(str(resources.files("wijksim.data") / "calibration"))
    found = shipped / f"{name_or_path}{ENSEMBLE_SUFFIX}"
    if not found.is_file():
        known = sorted(
            p.name.removesuffix(ENSEMBLE_SUFFIX) for p in shipped.glob(f"*{ENSEMBLE_SUFFIX}")
        )
        shipped_text = (
            f"one of {known}" if known else "a shipped one (none yet, docs/calibration.md)"
        )
        raise ScenarioError(
            "<command line>",
            f"expected an ensemble .parquet file from `wijksim calibrate --spec` or "
            f"{shipped_text}, found '{name_or_path}'",
            "--ensemble",
        )
    return found


def load_ensemble(name_or_path: str) -> pd.DataFrame:
    """The ensemble's parameter columns (dotted scenario fields), one row per set."""
    path = ensemble_path(name_or_path)
    try:
        table = pd.read_parquet(path)
    except Exception as error:  # any unreadable file is the user's to fix
        raise ScenarioError(path, f"is not a readable Parquet file ({error})") from None
    parameters = table.drop(columns=[POINT, WAVE], errors="ignore")
    if parameters.empty or not all("." in c for c in parameters.columns):
        raise ScenarioError(path, "expected columns of dotted scenario fields, one row per set")
    return parameters


def draw_parameter_sets(ensemble: pd.DataFrame, count: int, seed: int) -> list[dict[str, float]]:
    """``count`` distinct sets drawn at random (seeded) from the ensemble, in its order.

    Raises:
        ScenarioError: ``count`` is below 1 or above the ensemble's size.
    """
    if not 1 <= count <= len(ensemble):
        raise ScenarioError(
            "<command line>",
            f"expected 1 to {len(ensemble)} parameter sets (the ensemble's size), found {count}",
            "--parameter-sets",
        )
    rows = np.sort(np.random.default_rng(seed).choice(len(ensemble), count, replace=False))
    return [{name: float(value) for name, value in ensemble.iloc[row].items()} for row in rows]
