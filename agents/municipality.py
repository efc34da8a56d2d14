"""The municipality (funder): pays collective provisions (ODD element 2).

In the old system the municipality funds the 0th line (community centre, volunteers)
as a budget per household; specialists bill their payers P×Q directly. Later issues
give it the funding forms and volume control options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wijksim.agents.booking import BookingAgent
from wijksim.model.config.scenario import ZerothLineParams
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.state.ledger import to_cents

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


class Municipality(BookingAgent):
    """The funder of the neighbourhood's care.

    Args:
        model: The model.
        zeroth_line: The scenario's 0th-line section.
    """

    def __init__(self, model: NeighbourhoodModel, zeroth_line: ZerothLineParams) -> None:
        super().__init__(model)
        self.zeroth_line = zeroth_line
        # Per neighbourhood (one outside a city): each is booked to its neighbourhood.
        self.weekly_zeroth_line_cents_by_neighbourhood = [
            to_cents(zeroth_line.cost_per_household_year_eur * hood.households / WEEKS_PER_YEAR)
            for hood in model.neighbourhoods
        ]
        self.weekly_zeroth_line_cents = sum(self.weekly_zeroth_line_cents_by_neighbourhood)
        self.billed_cents = 0

    def book_friction(self, step: int, cents: int, neighbourhood: int = 0) -> None:
        """Book one week's share of a neighbourhood's transition friction costs."""
        self.billed_cents += cents
        payer = self.model.params.transition.friction_payer
        self.model.ledger.book(
            step, "friction", payer, self.ledger_id, "transition", cents, neighbourhood
        )

    def fund_collective_provisions(self, step: int) -> None:
        """Book this week's 0th-line budget."""
        self.billed_cents += self.weekly_zeroth_line_cents
        for hood, cents in enumerate(self.weekly_zeroth_line_cents_by_neighbourhood):
            self.model.ledger.book(
                step,
                "zeroth_line",
                self.zeroth_line.payer,
                self.ledger_id,
                "collective_provisions",
                cents,
                hood,
            )
