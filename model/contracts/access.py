"""Volume control on the team's referrals to specialists (options A–E, docs/sources.md §3).

The municipality contracts the specialists and the team decides access (S1 §4.4.1).
The contract's ``[funding.specialist_access]`` numbers decide how referrals are held
in check: a quota per year (A), released partly during the year (B), a municipal
intervention once referrals run high (C), or the specialist's price charged to the
team's operator (D), rising with the year's volume (E). A–C keep the cost off the
team; D–E put it on the team, where the operator's reasoning sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.contracts.funding import SpecialistAccess
from wijksim.model.core.clock import WEEKS_PER_YEAR, week_of_year

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


class ReferralAccess:
    """Counts the team's referrals in the year and grants, blocks or charges them.

    Args:
        model: The model.
        rules: The contract's access rules.
        households: The households the contract covers (default: all the model's; in a
            city a provider's, whose quota is per 1,000 of its own households).
    """

    def __init__(
        self, model: NeighbourhoodModel, rules: SpecialistAccess, households: int | None = None
    ) -> None:
        self.model = model
        self.rules = rules
        per_1000 = (model.population.size if households is None else households) / 1000
        self.quota = None if rules.quota_per_1000_year is None else rules.quota_per_1000_year
        if self.quota is not None:
            self.quota *= per_1000
        self.intervention_level = (
            None
            if rules.intervention_per_1000_year is None
            else rules.intervention_per_1000_year * per_1000
        )
        self._year = 0
        self.year_referrals = 0
        self.intervening = False

    def _roll_year(self) -> None:
        year = self.model.year
        if year != self._year:
            self._year, self.year_referrals, self.intervening = year, 0, False

    def available(self) -> float:
        """Referrals the quota still allows this year (infinite without a quota)."""
        self._roll_year()
        if self.quota is None:
            return float("inf")
        start = self.rules.quota_released_at_start
        released = self.quota * (
            start + (1.0 - start) * week_of_year(self.model.week) / WEEKS_PER_YEAR
        )
        return max(released - self.year_referrals, 0.0)

    def grant(self, rows: np.ndarray, worst_levels: np.ndarray, at_intake: bool) -> np.ndarray:
        """The referrals of ``rows`` the contract allows now (in order), counted.

        Args:
            rows: Households the team wants to refer, in priority order.
            worst_levels: Each household's worst level in the referred domain.
            at_intake: Whether the team refers them on at intake (selection).

        Returns:
            A boolean mask over ``rows``: granted. The rest stay with the team and are
            counted as ``referrals_blocked``.
        """
        self._roll_year()
        granted = np.ones(rows.size, dtype=bool)
        if self.intervening:
            # Option C: while the municipality intervenes, only acute needs are referred.
            granted &= (worst_levels <= 1) & (not at_intake)
        room = self.available()
        if room < granted.sum():
            granted &= np.cumsum(granted) <= int(room)
        self.year_referrals += int(granted.sum())
        self.model.counters["referrals_blocked"] += int(rows.size - granted.sum())
        self._check_intervention()
        return granted

    def _check_intervention(self) -> None:
        if self.intervention_level is None or self.intervening:
            return
        week = week_of_year(self.model.week)
        if self.year_referrals > self.intervention_level * week / WEEKS_PER_YEAR:
            self.intervening = True
            self.model.counters["access_interventions"] += 1

    def charge_per_week_cents(self, price_cents: int) -> int:
        """What the operator is charged for one week of a referred household's care."""
        rules = self.rules
        if rules.charge_share == 0:
            return 0
        rise = 1.0 + rules.charge_rise_per_100_referrals * self.year_referrals / 100
        return round(price_cents * rules.charge_share * rise)

    def expected_charge_eur(self, price_eur: float, weeks: float) -> float:
        """The charge the operator expects for one more referral (its forecast)."""
        cents = self.charge_per_week_cents(round(price_eur * 100))
        return cents / 100 * weeks
