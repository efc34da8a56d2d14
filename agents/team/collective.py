"""The team's frontline hours outside casework: outreach and collective (0th-line) work.

ODD §7.5: outreach finds households; collective work strengthens the neighbourhood's
informal network and fades without upkeep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


class TeamCollectiveWork:
    """Outreach and collective work of :class:`NeighbourhoodTeam` (a part of it)."""

    def frontline_hours(self, share: float) -> float:
        """Weekly frontline hours times ``share`` (outreach or collective work)."""
        return self.frontline_fte * self.params.hours_per_fte_week * share

    def outreach_contacts(self) -> float:
        """Households the team's outreach meets this week."""
        hours = self.frontline_hours(self.policy.outreach_share)
        return hours / self.params.outreach_hours_per_contact

    def collective_work(self) -> None:
        """Collective (0th-line) hours build the helpers' capacity; without upkeep it fades."""
        params = self.params
        hours = self.frontline_hours(self.policy.collective_share)
        per_thousand = hours / (self.neighbourhood.households / 1000)
        gain = params.collective_network_gain_per_hour * per_thousand
        decay = params.collective_network_decay_per_week * self.network_gain
        self.network_gain = min(params.collective_network_max, self.network_gain + gain - decay)
        self.model.counters["team_hours_collective"] += hours
