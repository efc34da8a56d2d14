"""Same scenario and seed give identical tables; another seed gives other tables."""

from __future__ import annotations

import pandas as pd
from conftest import small
from wijksim.experiments.runner.run import run_simulation


def _tables(seed: int):
    result = run_simulation(small(households=800, years=2), seed=seed)
    return result.steps, result.households, result.ledger


def test_same_seed_identical_tables():
    first, second = _tables(5), _tables(5)
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_different_seed_different_tables():
    first, other = _tables(5), _tables(6)
    assert not first[0].equals(other[0])
    assert not first[1].equals(other[1])


def test_network_is_seeded():
    a = run_simulation(small(households=500, years=1), seed=9).model.network.graph
    b = run_simulation(small(households=500, years=1), seed=9).model.network.graph
    assert sorted(a.edges()) == sorted(b.edges())
