"""The base of the agents that book money in the cost ledger under their own number."""

from __future__ import annotations

import mesa
from wijksim.model.state.ledger import agent_ledger_id


class BookingAgent(mesa.Agent):
    """A Mesa agent with a number in the cost ledger (specialists, desk, teams, …).

    Its ledger number follows the households' (:func:`~wijksim.model.state.ledger.agent_ledger_id`).
    """

    @property
    def ledger_id(self) -> int:
        """This agent's ``agent_id`` in the cost ledger."""
        return agent_ledger_id(self.model.population.size, self.unique_id)
