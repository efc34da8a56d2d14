"""The multiplicity helper: paired t-tests per cell, Holm / Benjamini–Hochberg per family."""

import math

import numpy as np
import pandas as pd
import pytest
from wijksim.experiments.analysis.multiplicity import (
    FAMILY_ALPHA,
    adjust,
    called,
    family_tests,
    paired_t_test,
)

# Four p-values whose adjustments are done by hand. Sorted: 0.01, 0.03, 0.04, 0.20.
# Holm: 4 × 0.01 = 0.04; 3 × 0.03 = 0.09; 2 × 0.04 = 0.08, raised to the running maximum
# 0.09; 1 × 0.20 = 0.20. Benjamini–Hochberg: p(i) × 4 / i = 0.04, 0.06, 0.0533, 0.20, then
# the running minimum from the largest down: 0.04, 0.0533, 0.0533, 0.20.
RAW = [0.01, 0.04, 0.03, 0.20]
HOLM = [0.04, 0.09, 0.09, 0.20]
BH = [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.20]


def test_holm_matches_the_hand_computation():
    assert adjust(RAW, "holm") == pytest.approx(HOLM, abs=1e-12)


def test_benjamini_hochberg_matches_the_hand_computation():
    assert adjust(RAW, "fdr_bh") == pytest.approx(BH, abs=1e-12)


def test_untestable_cells_stay_out_of_the_family():
    # A NaN is no test: the other three are adjusted as a family of three.
    adjusted = adjust([0.01, np.nan, 0.03, 0.20], "holm")
    assert math.isnan(adjusted[1])
    assert adjusted[[0, 2, 3]] == pytest.approx([0.03, 0.06, 0.20], abs=1e-12)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="bonferonni"):
        adjust(RAW, "bonferonni")


def test_paired_t_test_matches_the_closed_form():
    # Differences 1, 2, 3: mean 2, sd 1, t = 2 / (1 / √3) = √12 on 2 degrees of freedom,
    # whose two-sided p is 1 − t / √(2 + t²) = 1 − √(12/14) in closed form.
    t, p = paired_t_test([1.0, 2.0, 3.0])
    assert t == pytest.approx(math.sqrt(12), rel=1e-12)
    assert p == pytest.approx(1 - math.sqrt(12 / 14), rel=1e-9)


def test_degenerate_cells():
    assert paired_t_test([0.0, 0.0, 0.0])[1] == 1.0  # the same on every seed
    assert paired_t_test([2.0, 2.0])[1] == 0.0  # one non-zero difference on every seed
    assert math.isnan(paired_t_test([1.0])[1])  # one seed: nothing to test against
    assert math.isnan(paired_t_test([1.0, np.nan])[1])


def _rows(cells: dict[str, list[float]], family: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"family": family, "cell": cell, "seed": seed, "difference": value}
            for cell, values in cells.items()
            for seed, value in enumerate(values)
        ]
    )


def test_correction_takes_away_a_call_the_raw_test_makes():
    # Cell "a" alone: p = 1 − √(6/7) ≈ 0.074 < 0.10, called. Beside four cells with no
    # effect (p = 1), Holm multiplies its p by five: ≈ 0.37, no longer called.
    alone = family_tests(_rows({"a": [1.0, 2.0, 3.0]}), keys=("cell",))
    assert called(alone["p_adjusted"].iloc[0])
    nulls = {name: [1.0, -1.0, 0.0] for name in "bcde"}
    many = family_tests(_rows({"a": [1.0, 2.0, 3.0], **nulls}), keys=("cell",))
    a = many.set_index("cell").loc["a"]
    assert a["p_value"] < FAMILY_ALPHA <= a["p_adjusted"]
    assert a["p_adjusted"] == pytest.approx(5 * a["p_value"])
    assert not called(a["p_adjusted"])
    assert set(many["family_size"]) == {5}


def test_families_are_adjusted_apart():
    # The same five cells in two families: each family is adjusted on its own, as if alone.
    cells = {"a": [1.0, 2.0, 3.0], **{name: [1.0, -1.0, 0.0] for name in "bcde"}}
    rows = pd.concat([_rows(cells, "ethos 0"), _rows({"a": [1.0, 2.0, 3.0]}, "ethos 1")])
    tests = family_tests(rows, keys=("family", "cell"), family="family")
    by_family = tests.set_index(["family", "cell"])["p_adjusted"]
    assert not called(by_family[("ethos 0", "a")])
    assert called(by_family[("ethos 1", "a")])
    assert tests.groupby("family")["family_size"].first().to_dict() == {"ethos 0": 5, "ethos 1": 1}
