"""The cost ledger: every euro booked with stream, payer, agent and step (ODD element 7).

Amounts are kept in whole euro-cents (int64) so that totals reconcile *exactly* with
the bookings each agent keeps for itself: no floating-point drift over ten years.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from wijksim.model.scenario import PAYERS, STREAMS


def to_cents(euros: float) -> int:
    """Round an amount in euros to whole cents."""
    return round(euros * 100)


class CostLedger:
    """Append-only list of bookings, with running totals per step.

    Example:
        >>> ledger = CostLedger()
        >>> ledger.book(1, "specialist", "insurer", 7, "mental_health", 25_000)
        >>> ledger.total_cents()
        25000
    """

    COLUMNS = ("step", "stream", "payer", "agent_id", "agent_kind", "amount_cents")

    def __init__(self) -> None:
        self._rows: list[tuple[int, str, str, int, str, int]] = []
        # step -> (stream, payer) -> cents, so a step's totals are read without a scan.
        self._step_totals: dict[int, dict[tuple[str, str], int]] = defaultdict(
            lambda: defaultdict(int)
        )

    def book(
        self, step: int, stream: str, payer: str, agent_id: int, agent_kind: str, cents: int
    ) -> None:
        """Book ``cents`` on a stream and payer for the agent that spent it.

        Raises:
            ValueError: For an unknown stream or payer, or a negative amount.
        """
        if stream not in STREAMS:
            raise ValueError(f"unknown cost stream '{stream}'; expected one of {STREAMS}")
        if payer not in PAYERS:
            raise ValueError(f"unknown payer '{payer}'; expected one of {PAYERS}")
        if cents < 0:
            raise ValueError(f"expected a non-negative amount, found {cents} cents")
        if cents == 0:
            return
        self._rows.append((step, stream, payer, agent_id, agent_kind, int(cents)))
        self._step_totals[step][(stream, payer)] += int(cents)

    def step_total_cents(
        self, step: int, stream: str | None = None, payer: str | None = None
    ) -> int:
        """Total booked in ``step``, optionally for one stream and/or payer."""
        return sum(
            cents
            for (st, pa), cents in self._step_totals.get(step, {}).items()
            if (stream is None or st == stream) and (payer is None or pa == payer)
        )

    def total_cents(self) -> int:
        """Everything booked so far."""
        return sum(row[-1] for row in self._rows)

    def cents_by_agent(self) -> dict[int, int]:
        """Total booked per agent id."""
        totals: dict[int, int] = defaultdict(int)
        for row in self._rows:
            totals[row[3]] += row[-1]
        return dict(totals)

    def to_frame(self) -> pd.DataFrame:
        """All bookings as a tidy table, with ``amount_eur`` beside the cents."""
        frame = pd.DataFrame(self._rows, columns=list(self.COLUMNS))
        frame["amount_eur"] = frame["amount_cents"] / 100.0
        return frame
