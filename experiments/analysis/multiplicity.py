"""Many cells called at once: a paired t-test per cell, adjusted across the family.

A results document that gives an arrow or a verdict to dozens of cells (funding form ×
dimension, split × form × neighbourhood) at a 90% confidence level would, with no effect
anywhere, still call about one cell in ten. Issue 16 (item 5) asks for a multiplicity
correction wherever a document calls many cells:

1. :func:`paired_t_tests`: per cell, the two-sided one-sample t-test of the mean of its
   per-seed paired differences against 0 (the paired t-test, since each difference is
   one seed's run under a condition minus the same seed's run under the reference);
2. :func:`adjust`: the cells' p-values adjusted across their family with
   :func:`statsmodels.stats.multitest.multipletests`: Holm (:data:`DEFAULT_METHOD`), which
   controls the family-wise error rate under any dependence between the cells (cells
   share seeds and reference runs, so they are dependent), or Benjamini–Hochberg
   (``"fdr_bh"``), which controls the false discovery rate instead (valid for positively
   dependent tests) and calls more cells;
3. :func:`family_tests`: both, family by family.

A cell is called where its adjusted p-value is below :data:`FAMILY_ALPHA`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from wijksim.experiments.analysis.statistics import CONFIDENCE
from wijksim.experiments.i18n import N_

FAMILY_ALPHA = round(1 - CONFIDENCE, 10)
"""Family-wise significance level (0.10): the complement of the 90% intervals the reports
draw (:data:`~wijksim.experiments.analysis.statistics.CONFIDENCE`), so that a single cell is called
exactly where its interval excludes 0 and a correction only ever takes calls away."""
DEFAULT_METHOD = "holm"
"""Holm's step-down correction: family-wise error control under any dependence, and
uniformly more powerful than Bonferroni (Holm 1979, Scand. J. Statist. 6:65–70)."""
METHODS: dict[str, str] = {
    "holm": N_("Holm"),
    "fdr_bh": N_("Benjamini–Hochberg"),
}
"""The corrections offered (``multipletests`` method → name in a report)."""
TEST_COLUMNS: tuple[str, ...] = ("n", "mean_difference", "sd", "t", "p_value")


def paired_t_test(differences: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """The two-sided paired t-test of per-seed differences against a mean of 0.

    Args:
        differences: One paired difference per seed (NaN left out).

    Returns:
        ``(t, p)``. NaN for fewer than two differences (no spread to test against). With
        no spread at all the test degenerates: ``p = 1`` where every difference is 0 (the
        conditions agree on every seed) and ``p = 0`` where they all equal one non-zero
        value (the limit of the test as the spread shrinks).
    """
    values = np.asarray(differences, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return np.nan, np.nan
    mean = float(values.mean())
    if np.ptp(values) == 0:
        return (0.0, 1.0) if mean == 0 else (float(np.sign(mean) * np.inf), 0.0)
    result = stats.ttest_1samp(values, 0.0)
    return float(result.statistic), float(result.pvalue)


def paired_t_tests(rows: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """A paired t-test per cell of per-seed differences.

    Args:
        rows: One row per seed and cell with a ``difference`` column, as
            :func:`~wijksim.experiments.analysis.statistics.paired_rows` gives it.
        keys: The columns that name a cell (e.g. ``("condition", "metric")``).

    Returns:
        One row per cell, in order of appearance: ``*keys`` and :data:`TEST_COLUMNS`
        (``sd``: of the differences; ``p_value``: two-sided, NaN for fewer than two seeds).
    """
    keys = list(keys)
    if rows.empty:
        return pd.DataFrame(columns=[*keys, *TEST_COLUMNS])
    records = []
    for cell, group in rows.groupby(keys, sort=False, dropna=False):
        values = group["difference"].to_numpy(dtype=float)
        t, p = paired_t_test(values)
        clean = values[~np.isnan(values)]
        names = cell if isinstance(cell, tuple) else (cell,)
        records.append(
            {
                **dict(zip(keys, names, strict=True)),
                "n": len(clean),
                "mean_difference": float(clean.mean()) if len(clean) else np.nan,
                "sd": float(clean.std(ddof=1)) if len(clean) > 1 else np.nan,
                "t": t,
                "p_value": p,
            }
        )
    return pd.DataFrame(records, columns=[*keys, *TEST_COLUMNS])


def adjust(p_values: Sequence[float] | np.ndarray, method: str = DEFAULT_METHOD) -> np.ndarray:
    """P-values adjusted across one family with ``multipletests``.

    Args:
        p_values: The family's raw p-values; NaN (a cell that cannot be tested) is left
            out of the family and stays NaN.
        method: A key of :data:`METHODS`.

    Returns:
        The adjusted p-values, in the order given.

    Raises:
        ValueError: For a method not in :data:`METHODS`.
    """
    if method not in METHODS:
        raise ValueError(f"expected a correction in {list(METHODS)}, found {method!r}")
    raw = np.asarray(p_values, dtype=float)
    adjusted = np.full(raw.shape, np.nan)
    tested = ~np.isnan(raw)
    if tested.any():
        adjusted[tested] = multipletests(raw[tested], alpha=FAMILY_ALPHA, method=method)[1]
    return adjusted


def family_tests(
    rows: pd.DataFrame,
    keys: Sequence[str],
    family: str | None = None,
    method: str = DEFAULT_METHOD,
) -> pd.DataFrame:
    """Paired t-tests per cell, adjusted within each family.

    Args:
        rows: Per-seed differences (see :func:`paired_t_tests`).
        keys: The columns that name a cell.
        family: A column of ``keys`` whose value names the cell's family (e.g. the
            operator's ethos); ``None``: all cells are one family.
        method: A key of :data:`METHODS`.

    Returns:
        :func:`paired_t_tests`' table with ``p_adjusted`` and ``family_size`` (the number
        of testable cells in the family, which the adjustment counted).
    """
    tests = paired_t_tests(rows, keys)
    tests["p_adjusted"] = np.nan
    tests["family_size"] = 0
    groups = [tests.index] if family is None else tests.groupby(family, sort=False).groups.values()
    for index in groups:
        raw = tests.loc[index, "p_value"].to_numpy(dtype=float)
        tests.loc[index, "p_adjusted"] = adjust(raw, method)
        tests.loc[index, "family_size"] = int((~np.isnan(raw)).sum())
    return tests


def called(p_adjusted: float, alpha: float = FAMILY_ALPHA) -> bool:
    """Whether a cell's adjusted p-value calls it (``False`` for NaN)."""
    return bool(pd.notna(p_adjusted) and p_adjusted < alpha)
