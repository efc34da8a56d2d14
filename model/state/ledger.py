"""The cost ledger: every euro booked with stream, payer, agent and step (ODD element 7).

In a city (model/config/city.py) every booking also names its neighbourhood, and through it the
provider contracted there, so per-neighbourhood and per-provider totals sum to the city's.

Amounts are kept in whole euro-cents (int64) so that totals reconcile *exactly* with
the bookings each agent keeps for itself: no floating-point drift over ten years.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from wijksim.model.config.scenario import PAYERS, STREAMS


def household_ledger_id(row: int | np.ndarray) -> int | np.ndarray:
    """The ledger's number of the household in population row ``row``: ``row + 1``.

    Households are numbered first, 1 … N by row, and the model's other agents after them
    (:func:`agent_ledger_id`): the numbers Mesa gave when every household was an agent,
    created first (issue 20, item 5 made household agents lazy; the ledger kept its ids).
    """
    return row + 1


def agent_ledger_id(households: int, unique_id: int) -> int:
    """The ledger's number of a non-household agent: after the ``households`` households.

    The model's agents (specialists, desk, teams, municipality, operators) are its first
    Mesa agents, ids 1, 2, … in the order it builds them; a household agent is made only
    when asked for, after them (``NeighbourhoodModel.household``).
    """
    return households + unique_id


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
    CITY_COLUMNS = ("neighbourhood", "provider")

    def __init__(
        self, neighbourhoods: list[str] | None = None, providers: list[str] | None = None
    ) -> None:
        """A ledger; a city's names its neighbourhoods and their providers, in order."""
        self.neighbourhoods = list(neighbourhoods or [])
        self.providers = list(providers or [])
        self._rows: list[tuple[int, str, str, int, str, int]] = []
        self._neighbourhood_of_row: list[int] = []
        # step -> neighbourhood index -> cents (a city's per-neighbourhood weekly totals).
        self._step_neighbourhood_totals: dict[int, dict[int, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        # step -> (stream, payer, neighbourhood) -> cents, so a step's totals are read
        # without a scan (per neighbourhood: each provider's operator settles on its own).
        self._step_totals: dict[int, dict[tuple[str, str, int], int]] = defaultdict(
            lambda: defaultdict(int)
        )

    def book(
        self,
        step: int,
        stream: str,
        payer: str,
        agent_id: int,
        agent_kind: str,
        cents: int,
        neighbourhood: int = 0,
    ) -> None:
        """Book ``cents`` on a stream and payer for the agent that spent it.

        ``neighbourhood``: the index of the neighbourhood the euros were spent for (0
        outside a city).

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
        self._step_totals[step][(stream, payer, neighbourhood)] += int(cents)
        self._neighbourhood_of_row.append(neighbourhood)
        self._step_neighbourhood_totals[step][neighbourhood] += int(cents)

    def step_neighbourhood_cents(self, step: int, neighbourhood: int) -> int:
        """Total booked in ``step`` for one neighbourhood."""
        return self._step_neighbourhood_totals.get(step, {}).get(neighbourhood, 0)

    def step_total_cents(
        self,
        step: int,
        stream: str | None = None,
        payer: str | None = None,
        neighbourhoods: frozenset[int] | None = None,
    ) -> int:
        """Total booked in ``step``, optionally for one stream, payer and/or neighbourhoods."""
        return sum(
            cents
            for (st, pa, hood), cents in self._step_totals.get(step, {}).items()
            if (stream is None or st == stream)
            and (payer is None or pa == payer)
            and (neighbourhoods is None or hood in neighbourhoods)
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
        if self.neighbourhoods:  # a city: the neighbourhood and provider of every euro
            index = pd.Series(self._neighbourhood_of_row, dtype="int64")
            frame["neighbourhood"] = index.map(dict(enumerate(self.neighbourhoods)))
            frame["provider"] = index.map(dict(enumerate(self.providers)))
        return frame
