"""The team's access point and gate: triage, the intake queue, admission, offloading.

Households found by a route are triaged at the door, queued (taken-back households at the
head), and admitted while the caseload limit leaves room; a share of complex households
is offloaded at the gate (ODD §7.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.state.caseload import ACTIVE_ROLES, CaseRole
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    pass


PRIORITY = -(10**12)
"""Queue key offset for households the team takes back (hand-back, reopened aftercare):
they go to the head of the queue."""


def deal_in_proportion(credit: float, share: float, count: int) -> tuple[np.ndarray, float]:
    """Mark ``share`` of ``count`` items in turn, without a random draw (a policy, not chance).

    Args:
        credit: The running credit carried over from earlier deals.
        share: The share of items to mark.
        count: How many items are dealt now.

    Returns:
        The marks over the items, and the credit to carry to the next deal.
    """
    cumulative = np.floor(credit + share * np.arange(1, count + 1) + 1e-9)
    marks = np.diff(np.concatenate([[np.floor(credit + 1e-9)], cumulative])) > 0
    return marks, credit + share * count


class TeamIntake:
    """Triage, queue, admission and the gate of :class:`NeighbourhoodTeam` (a part of it)."""

    PRIORITY_ROUTES = frozenset({"crisis"})
    """Routes whose households go to the head of the queue: out of crisis care a
    household needs a plan now, not after a long wait (it would escalate again)."""

    def apply(self, rows: np.ndarray, week: int, route: str) -> None:
        """Triage households found by ``route``: queue those with a case, advise the rest.

        A short triage contact (``team.triage_hours``) decides at the door: a household
        with a covered domain at the intake level or worse enters the intake queue
        (status INTAKE); the others get advice (``team.advice_hours``) and are not
        queued, so the queue holds only households the team would take.
        """
        if rows.size == 0:
            return
        counters = self.model.counters
        self.count(f"found_{route}", int(rows.size))
        has_case = self.worst_covered(rows) <= self.policy.intake_max_level
        advised = rows[~has_case]
        if advised.size:
            # Their care episode ends with the advice: they are UNKNOWN again.
            self.model.population.set_status(advised, Status.UNKNOWN, week)
            counters["team_advised"] += int(advised.size)
        self._spend_intake_hours(
            rows.size * self.params.triage_hours + advised.size * self.params.advice_hours
        )
        queued = rows[has_case]
        self._enqueue(queued, week, first=route in self.PRIORITY_ROUTES)

    def _spend_intake_hours(self, hours: float) -> None:
        """Book triage, advice and intake hours: counted, and taken from this week's room."""
        self.intake_hours_this_week += hours
        self.model.counters["team_hours_intake"] += hours

    def _enqueue(
        self, rows: np.ndarray, week: int, first: bool = False, keep_wait: bool = False
    ) -> None:
        """Queue ``rows`` for intake (status INTAKE).

        New households go to the tail; households the team takes back (``first``) to
        the head. ``keep_wait``: the household was passed on by another team, and its
        wait counts from when it first queued.
        """
        cases = self.model.cases
        cases.team[rows] = self.index
        cases.role[rows] = CaseRole.QUEUED
        cases.weight[rows] = 0.0
        cases.end_co_work(rows)
        if not keep_wait:
            cases.queued_week[rows] = week
        cases.queue_order[rows] = self._next_order(rows.size) + (PRIORITY if first else 0)
        self.model.population.set_status(rows, Status.INTAKE, week)

    def withdraw(self, rows: np.ndarray) -> None:
        """Drop those of ``rows`` this team holds (they escalated): crisis care takes over."""
        cases = self.model.cases
        held = rows[cases.team[rows] == self.index]
        if held.size:
            active = np.isin(cases.role[held], [int(role) for role in ACTIVE_ROLES])
            self.model.counters["team_cases_escalated"] += int(active.sum())
            cases.release(held)

    def _next_order(self, count: int) -> np.ndarray:
        order = np.arange(self._queue_counter, self._queue_counter + count, dtype=np.int64)
        self._queue_counter += count
        return order

    def take_over(self, rows: np.ndarray, week: int) -> None:
        """Queue households another team passed on; their wait goes on."""
        self._enqueue(rows, week, keep_wait=True)

    def take_intake(self, week: int) -> None:
        """Assess the intake queue: turn away who needs no case, admit while room lasts.

        The queue is first come, first served (taken-back households first); how a case
        that does not fit holds up the others is ``team.intake_order`` (:meth:`_admissible`).
        """
        cases, population = self.model.cases, self.model.population
        queued = cases.rows(self.index, CaseRole.QUEUED, within=self.neighbourhood.rows)
        if queued.size == 0:
            return
        has_problem = self.worst_covered(queued) <= self.policy.intake_max_level
        no_case = queued[~has_problem]  # improved while they waited
        cases.release(no_case)
        population.set_status(no_case, Status.UNKNOWN, week)
        self.count("team_intake_no_case", int(no_case.size))
        waiting = queued[has_problem]
        router = self.router
        if router is not None:  # a split: some households belong with another team
            waiting = router.pass_on_at_intake(self, waiting, week)
        waiting = waiting[np.argsort(cases.queue_order[waiting], kind="stable")]
        plan = self.intensity_weight(waiting)
        carried = self.substitution(waiting)
        weights = plan * (1.0 - carried)
        # Hours of triage and intake are hours not spent on cases (in caseload units).
        intake_units = (self.intake_hours_last_week + self.intake_hours_this_week) / (
            self.hours_per_unit
        )
        room = self.caseload_limit - self.caseload_units() - intake_units
        chosen = self._admissible(weights, room)
        keep = self._select_at_gate(waiting[chosen], week)
        admitted = waiting[chosen][keep]
        # An intake conversation for every household the team takes in (assumption).
        self._spend_intake_hours(admitted.size * self.params.intake_hours)
        cases.role[admitted] = CaseRole.LEAD
        cases.weight[admitted] = weights[chosen][keep]
        cases.plan_hours[admitted] = plan[chosen][keep] * self.hours_per_unit
        cases.substitution[admitted] = carried[chosen][keep]
        cases.opened_week[admitted] = week
        self.model.trajectories.note_opening(admitted, population.zrm)
        cases.seconded[admitted] = self._deal(
            admitted.size, "_seconded_credit", self.params.seconded_share
        )
        cases.hours[admitted] = 0.0
        cases.beyond_depth_since[admitted] = -1
        population.set_status(admitted, Status.TEAM_SUPPORT, week)
        waits = week - cases.queued_week[admitted]
        counters = self.model.counters
        self.count("team_admissions", int(admitted.size))
        complex_admitted = population.need_group[admitted] == self._complex_group
        counters["team_admissions_complex"] += int(complex_admitted.sum())
        counters["team_intake_wait_weeks"] += int(waits.sum())
        if self.model.is_city:
            counters[f"team_admissions@{self.neighbourhood.name}"] += int(admitted.size)
            counters[f"team_intake_wait_weeks@{self.neighbourhood.name}"] += int(waits.sum())
        if router is not None:
            counters[self.metric("team_admissions")] += int(admitted.size)
            counters[self.metric("team_intake_wait_weeks")] += int(waits.sum())
            router.add_second_workers(self, admitted)
        if chosen.all():  # nobody waits: unused capacity is idle time
            spare = max(0.0, self.caseload_limit - self.caseload_units())
            counters["team_idle_hours"] += spare * self.hours_per_unit
            if router is not None:
                counters[self.metric("team_idle_hours")] += spare * self.hours_per_unit

    def _admissible(self, weights: np.ndarray, room: float) -> np.ndarray:
        """Mask of the queued cases (in queue order) that the team admits into ``room``.

        ``strict``: nobody overtakes the first household whose case does not fit.
        ``first_fit``: every household whose case fits in what is left is admitted, in
        queue order; a heavy case waits until enough room comes free at once.
        """
        fits = np.cumsum(weights, dtype=np.float64) <= room + 1e-6
        if self.params.intake_order == "strict" or fits.all():
            first_misfit = int(np.argmin(fits)) if not fits.all() else fits.size
            return np.arange(weights.size) < first_misfit
        chosen = np.zeros(weights.size, dtype=bool)
        smallest = float(weights.min())
        # A loop over the queue only (the households this team holds), stopping as soon
        # as not even the lightest case fits.
        for position, weight in enumerate(weights.tolist()):
            if weight <= room + 1e-6:
                chosen[position] = True
                room -= weight
                if room < smallest - 1e-6:
                    break
        return chosen

    def _deal(self, count: int, credit: str, share: float) -> np.ndarray:
        """:func:`deal_in_proportion` with the running credit kept in attribute ``credit``."""
        marks, remaining = deal_in_proportion(getattr(self, credit), share, count)
        setattr(self, credit, remaining)
        return marks

    def _select_at_gate(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Offload ``complex_offload_share`` of the complex households about to be admitted.

        Offloaded households with a referable problem are handed over to its specialist
        (if the contract's volume control allows); the others are turned away. Households
        the team takes back are never offloaded.

        Returns:
            A mask over ``rows``: still to be admitted.
        """
        cases, population = self.model.cases, self.model.population
        keep = np.ones(rows.size, dtype=bool)
        is_complex = (population.need_group[rows] == self._complex_group) & (
            cases.queue_order[rows] >= 0
        )
        complex_rows = rows[is_complex]
        if complex_rows.size == 0:
            return keep
        counters = self.model.counters
        self.count("intake_complex_assessed", int(complex_rows.size))
        offload = self._deal(
            complex_rows.size, "_offload_credit", self.policy.complex_offload_share
        )
        candidates = complex_rows[offload]
        if candidates.size == 0:
            return keep
        levels = population.zrm[candidates]
        masked = np.where(self.referable, levels, 99)
        referable = masked.min(axis=1) <= self.policy.intake_max_level
        to_refer = candidates[referable]
        granted = self._granted(to_refer, masked[referable].min(axis=1), at_intake=True)
        to_refer = to_refer[granted]
        self._send_to_specialists(
            to_refer,
            masked[referable][granted].argmin(axis=1),
            np.zeros(to_refer.size, dtype=bool),
            week,
        )
        refused = candidates[~referable]
        cases.release(refused)
        population.set_status(refused, Status.UNKNOWN, week)
        offloaded = np.concatenate([to_refer, refused])
        counters["referrals_at_intake"] += int(to_refer.size)
        counters["intake_complex_offloaded"] += int(offloaded.size)
        keep[np.isin(rows, offloaded)] = False
        return keep
