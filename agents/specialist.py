"""Specialist providers of second-line care (ODD element 7, submodel *specialist care*).

One agent per kind of care (docs/sources.md §3): capacity, a first-come-first-served waiting
list, a price per week of care paid P×Q by the kind's payer, a trajectory length, an
effect on the domains it treats, and discharge. Team, specialist and desk decisions act
on the households they hold, never on all households.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from wijksim.agents.booking import BookingAgent
from wijksim.model.config.scenario import SpecialistParams
from wijksim.model.core.domains import DOMAIN_INDEX
from wijksim.model.state.caseload import CaseRole
from wijksim.model.state.ledger import to_cents
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


class Specialist(BookingAgent):
    """A provider of one kind of second-line care.

    Args:
        model: The model.
        kind: The key of this kind in the scenario's ``specialists`` table.
        index: This provider's index (stored in ``Population.provider``).
        params: The kind's parameters.
    """

    def __init__(
        self, model: NeighbourhoodModel, kind: str, index: int, params: SpecialistParams
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.index = index
        self.params = params
        households = model.population.size
        self.capacity = max(1, round(params.capacity_per_1000_households * households / 1000))
        self.domain_columns = np.array([DOMAIN_INDEX[d] for d in params.domains], dtype=np.intp)
        self.price_cents = to_cents(params.price_per_week_eur)
        self.waiting: deque[tuple[int, int]] = deque()  # (household row, week enlisted)
        self.clients: dict[int, int] = {}  # household row -> week of planned discharge
        self.billed_cents = 0
        self.admissions_this_step = 0
        self.wait_weeks_this_step: list[int] = []
        self._extended: set[int] = set()  # rows whose trajectory was extended once
        # Crisis care: the domains each client's escalation touched, which it stabilises.
        self._crisis_columns: dict[int, np.ndarray] = {}

    def enlist(self, rows: np.ndarray, week: int) -> None:
        """Put households on the waiting list (status WAITING)."""
        population = self.model.population
        for row in rows.tolist():
            self.waiting.append((row, week))
        population.set_status(rows, Status.WAITING, week)
        population.provider[rows] = self.index

    def admit_now(self, rows: np.ndarray, week: int, weeks: int, columns: np.ndarray) -> None:
        """Admit households at once, beyond capacity (crisis care).

        Args:
            rows: The households that escalated.
            week: This week.
            weeks: Length of the stay.
            columns: The domains of the escalation kind: the ones the stay stabilises.
        """
        for row in rows.tolist():
            self.clients[row] = week + weeks
            self._crisis_columns[row] = columns
        population = self.model.population
        population.set_status(rows, Status.ESCALATED, week)
        population.provider[rows] = self.index

    def remove(self, rows: list[int]) -> None:
        """Take households off the waiting list or out of care (they escalated).

        One pass over the waiting list for all of them: a pass per household would grow
        with the square of the population (more escalations, longer lists).
        """
        waiting = set()
        for row in rows:
            self._extended.discard(row)
            self._crisis_columns.pop(row, None)
            if self.clients.pop(row, None) is None:
                waiting.add(row)
        if waiting:
            self.waiting = deque(entry for entry in self.waiting if entry[0] not in waiting)

    def discharge_due(self, week: int) -> np.ndarray:
        """Discharge clients whose trajectory has ended; return their rows.

        Paid per week, the provider may first extend a trajectory once (its own
        incentive to keep clients longer, ``extend_probability``).
        """
        due = [row for row, until in self.clients.items() if until <= week]
        done = self._extend_some(due, week)
        for row in done:
            del self.clients[row]
        rows = np.array(done, dtype=np.intp)
        if rows.size and self.params.stabilise_to_level > 1:
            self._stabilise(done)
        self.model.population.provider[rows] = -1
        return rows

    def _extension_chances(self, rows: list[int]) -> list[float]:
        """Each household's chance of an extension now.

        A share in the savings of the contract of the household's neighbourhood (its
        provider's, in a city) weakens the incentive to keep it.
        """
        chance = self.params.extend_probability
        hoods = self.model.neighbourhoods
        by_hood = [
            chance * (1.0 - hood.operator.contract.shared_savings.specialist_share)
            if hood.operator is not None
            else chance
            for hood in hoods
        ]
        return [by_hood[hood] for hood in self.model.neighbourhood_of[rows].tolist()]

    def _stabilise(self, rows: list[int]) -> None:
        """Raise the treated domains of ``rows`` to ``stabilise_to_level`` at least.

        Crisis care stabilises only the domains of the escalation that brought the
        household in (a crisis bed after an eviction does not mend a family); other
        providers their own domains.
        """
        zrm = self.model.population.zrm
        floor = self.params.stabilise_to_level
        for row in rows:
            columns = self._crisis_columns.pop(row, self.domain_columns)
            zrm[row, columns] = np.maximum(zrm[row, columns], floor)

    def _extend_some(self, due: list[int], week: int) -> list[int]:
        """Extend some due trajectories once; return the rows that leave now."""
        if not due:
            return due
        chances = self._extension_chances(due)
        if all(chance <= 0 for chance in chances):
            return due
        draws = self.model.streams.get(f"extension_{self.kind}").random(len(due))
        leaving = []
        for row, draw, chance in zip(due, draws.tolist(), chances, strict=True):
            if draw < chance and row not in self._extended:
                self._extended.add(row)
                self.clients[row] = week + self.params.extension_weeks
            else:
                self._extended.discard(row)
                leaving.append(row)
        self.model.counters["specialist_extensions"] += len(due) - len(leaving)
        return leaving

    def drop_resolved(self) -> np.ndarray:
        """Take off the waiting list the households whose need has resolved; return them.

        Re-triage every week, so also just before admission: a household whose treated
        domains are all above ``admission_max_level`` no longer needs this care and
        stops waiting for it (reneging). It is then free to seek other help.
        """
        if not self.waiting:
            return np.zeros(0, dtype=np.intp)
        rows = np.fromiter((row for row, _ in self.waiting), dtype=np.intp, count=len(self.waiting))
        zrm = self.model.population.zrm
        worst = zrm[rows, self.domain_columns[0]]
        for column in self.domain_columns[1:].tolist():
            worst = np.minimum(worst, zrm[rows, column])
        resolved = rows[worst > self.params.admission_max_level]
        if resolved.size:
            leaving = set(resolved.tolist())
            self.waiting = deque(entry for entry in self.waiting if entry[0] not in leaving)
            self.model.population.provider[resolved] = -1
            self.model.counters[f"left_waiting_list_{self.kind}"] += int(resolved.size)
        return resolved

    def admit_from_waiting_list(self, week: int) -> None:
        """Admit from the head of the waiting list while there is capacity."""
        self.admissions_this_step = 0
        self.wait_weeks_this_step = []
        admitted = []
        while self.waiting and len(self.clients) < self.capacity:
            row, enlisted = self.waiting.popleft()
            self.clients[row] = week + self.params.trajectory_weeks
            self.wait_weeks_this_step.append(week - enlisted)
            admitted.append(row)
        if admitted:
            self.model.population.set_status(
                np.array(admitted, dtype=np.intp), Status.IN_SPECIALIST_CARE, week
            )
            if self.model.is_city:
                self._count_waits_by_neighbourhood(admitted)
        self.admissions_this_step = len(admitted)

    def _count_waits_by_neighbourhood(self, admitted: list[int]) -> None:
        """A city: admissions and their waits per neighbourhood (one list, shared waits)."""
        counters = self.model.counters
        hood_of = self.model.neighbourhood_of[np.array(admitted, dtype=np.intp)].tolist()
        for hood, wait in zip(hood_of, self.wait_weeks_this_step, strict=True):
            name = self.model.neighbourhoods[hood].name
            counters[f"admissions_specialist@{name}"] += 1
            counters[f"specialist_wait_weeks@{name}"] += wait

    def client_rows(self) -> np.ndarray:
        """Rows of the households in care."""
        return np.fromiter(self.clients, dtype=np.intp, count=len(self.clients))

    def treat(self) -> None:
        """Boost recovery in the clients' treated domains and protect them from escalation."""
        rows = self.client_rows()
        if rows.size == 0:
            return
        block = np.ix_(rows, self.domain_columns)
        self.model.population.care_protection[block] = 1.0
        if self.params.recovery_boost_per_week > 0:
            self.model.population.treatment_boost[block] += self.params.recovery_boost_per_week

    def bill(self, step: int) -> None:
        """Book a week's P×Q for the households held now, and attribute it to each."""
        rows = self.client_rows()
        cents = self.price_cents * rows.size
        if cents == 0:
            return
        self.model.population.cost_cents[rows] += self.price_cents
        self.billed_cents += cents
        # One booking per neighbourhood of the households held (one outside a city).
        hoods = self.model.neighbourhoods
        counts = (
            [rows.size]
            if len(hoods) == 1
            else np.bincount(self.model.neighbourhood_of[rows], minlength=len(hoods)).tolist()
        )
        for hood, count in enumerate(counts):
            if count:
                self.model.ledger.book(
                    step,
                    "specialist",
                    self.params.payer,
                    self.ledger_id,
                    self.kind,
                    self.price_cents * count,
                    hood,
                )
        self._charge_team(rows)

    def _charge_team(self, rows: np.ndarray) -> None:
        """Options D–E: charge each operator for the clients its teams referred."""
        for operator in self.model.operators:
            per_week = operator.access.charge_per_week_cents(self.price_cents)
            if per_week == 0:
                continue
            cases = self.model.cases
            referred = operator.holds(cases.team[rows]) & np.isin(
                cases.role[rows], (int(CaseRole.CONSULT), int(CaseRole.HANDED_OVER))
            )
            count = int(referred.sum())
            if count:
                operator.charge(per_week * count)
