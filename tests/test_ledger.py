"""The cost ledger books exact cents and refuses what it cannot classify."""

from __future__ import annotations

import pytest
from wijksim.model.state.ledger import CostLedger, to_cents


def test_totals_by_step_stream_and_payer():
    ledger = CostLedger()
    ledger.book(1, "specialist", "insurer", 10, "mental_health", 25_000)
    ledger.book(1, "escalation", "other", 11, "eviction", to_cents(33_000))
    ledger.book(2, "specialist", "insurer", 10, "mental_health", 25_000)
    assert ledger.step_total_cents(1) == 25_000 + 3_300_000
    assert ledger.step_total_cents(1, stream="specialist") == 25_000
    assert ledger.step_total_cents(2, payer="other") == 0
    assert ledger.cents_by_agent() == {10: 50_000, 11: 3_300_000}
    frame = ledger.to_frame()
    assert frame["amount_cents"].sum() == ledger.total_cents()


@pytest.mark.parametrize(
    ("stream", "payer", "cents"),
    [("bribes", "insurer", 1), ("specialist", "nobody", 1), ("specialist", "insurer", -5)],
)
def test_rejects_unknown_stream_payer_and_negative(stream, payer, cents):
    with pytest.raises(ValueError):
        CostLedger().book(1, stream, payer, 1, "x", cents)
