"""The team's casework: case review, referral to specialists, closure and aftercare.

Needs beyond the team's depth are recognised and referred (consult or hand-over, at a
provision's own level where the team cannot stand in); cases close into aftercare once
every covered domain is good enough (ODD §7.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.state.caseload import ACTIVE_ROLES, CaseRole
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    pass


class TeamCasework:
    """Review, referral and closure of :class:`NeighbourhoodTeam`'s cases (a part of it)."""

    def review_aftercare(self, week: int) -> None:
        """Reopen aftercare cases that fell back far enough; end expired aftercare."""
        cases, population = self.model.cases, self.model.population
        rows = cases.rows(self.index, CaseRole.AFTERCARE, within=self.neighbourhood.rows)
        if rows.size == 0:
            return
        fell_back = self.worst_covered(rows) <= self.policy.reopen_max_level
        reopen = rows[fell_back]
        self.model.note_return(reopen)
        self.model.counters["team_reopened"] += int(reopen.size)
        # A reopened case needs more hours than aftercare: it goes to the head of the queue.
        self._enqueue(reopen, week, first=True)
        expired = rows[~fell_back & (cases.aftercare_until[rows] <= week)]
        cases.release(expired)
        population.set_status(expired, Status.UNKNOWN, week)

    def review_cases(self, week: int, draws: np.ndarray) -> None:
        """Recognise needs beyond depth and refer them; close self-reliant cases.

        Args:
            week: This week.
            draws: One uniform per household (this week's recognition draws).
        """
        cases, population = self.model.cases, self.model.population
        lead = cases.rows(self.index, CaseRole.LEAD, within=self.neighbourhood.rows)
        if lead.size == 0:
            return
        levels = population.zrm[lead]
        # A seconded worker refers one level earlier and recognises the need sooner
        # (the lean towards their own organisation, docs/sources.md §2).
        seconded = cases.seconded[lead]
        # A focus team refers earlier in its focus ("the specialist is at hand", §7.14).
        leaning = self.policy.referral_max_level + self.referral_lean
        threshold = np.maximum(leaning + seconded.astype(np.int8)[:, None], self.provision_level)
        beyond = (levels <= threshold) & self.referable
        has_beyond = beyond.any(axis=1)
        new = lead[has_beyond & (cases.beyond_depth_since[lead] < 0)]
        cases.beyond_depth_since[new] = week
        cases.hours_at_beyond_depth[new] = cases.hours[new]
        cases.beyond_depth_since[lead[~has_beyond]] = -1  # the need went away unreferred
        # ... and recognises need in its focus domains sooner (matched care).
        if (self.recognition_factor == 1.0).all():  # no focus: the same for every case
            matched = np.ones(lead.size, dtype=np.float32)
        else:
            matched = np.where(beyond, self.recognition_factor, 1.0).max(axis=1)
        chance = (
            self.params.recognition_per_week
            * (1.0 + self.params.seconded_referral_lean * seconded)
            * matched
        )
        recognised = has_beyond & (draws[lead] < chance)
        if recognised.any():
            self._refer(lead[recognised], levels[recognised], beyond[recognised], week)
        self._scale_down(cases.rows(self.index, *ACTIVE_ROLES, within=self.neighbourhood.rows))
        # Close cases whose covered domains are all good enough again.
        still_lead = cases.rows(self.index, CaseRole.LEAD, within=self.neighbourhood.rows)
        done = still_lead[self.worst_covered(still_lead) >= self.policy.discharge_min_level]
        self._close(done, week)

    def _scale_down(self, rows: np.ndarray) -> None:
        """Lighten the plans of households whose need group improved.

        Never heavier: a worsening case is met by referral, and the limit must hold.
        """
        cases = self.model.cases
        plan = self.intensity_weight(rows) * self.hours_per_unit
        lighter = plan < cases.plan_hours[rows] - 1e-6
        rows, plan = rows[lighter], plan[lighter]
        # Where a second worker took part of the plan, both parts shrink with it.
        ratio = (plan / cases.plan_hours[rows]).astype(np.float32)
        shared = cases.co_team[rows] >= 0
        cases.co_weight[rows] *= ratio
        cases.plan_hours[rows] = plan
        lighter_weight = plan / self.hours_per_unit * (1.0 - cases.substitution[rows])
        cases.weight[rows] = np.where(shared, cases.weight[rows] * ratio, lighter_weight)

    def _refer(self, rows: np.ndarray, levels: np.ndarray, beyond: np.ndarray, week: int) -> None:
        """Refer each household's worst beyond-depth domain: consult or hand over.

        The contract's volume control may block some (they stay, and are tried again).
        """
        cases = self.model.cases
        counters = self.model.counters
        masked = np.where(beyond, levels, 99)
        worst_domain = masked.argmin(axis=1)
        granted = self._granted(rows, masked.min(axis=1), at_intake=False)
        rows, levels, worst_domain = rows[granted], levels[granted], worst_domain[granted]
        # Other problems the team works on (at the intake level or worse) keep the lead
        # with the team: consult. A single problem beyond depth is handed over.
        problems = (levels <= self.policy.intake_max_level) & self.covered
        problems[np.arange(rows.size), worst_domain] = False
        consult = problems.any(axis=1)
        waited = week - cases.beyond_depth_since[rows]
        wasted = cases.hours[rows] - cases.hours_at_beyond_depth[rows]
        counters["team_referral_delay_weeks"] += int(waited.sum())
        counters["team_wasted_hours"] += float(wasted.sum())
        self._send_to_specialists(rows, worst_domain, consult, week)
        cases.beyond_depth_since[rows] = -1

    def _granted(self, rows: np.ndarray, worst_levels: np.ndarray, at_intake: bool):
        """Mask of the referrals the contract's volume control allows (all without one)."""
        operator = self.neighbourhood.operator
        if operator is None:
            return np.ones(rows.size, dtype=bool)
        access = operator.access
        return access.grant(rows, worst_levels, at_intake)

    def _send_to_specialists(
        self, rows: np.ndarray, domain: np.ndarray, consult: np.ndarray, week: int
    ) -> None:
        """Enlist ``rows`` with the specialist for ``domain``; consult or hand over."""
        cases = self.model.cases
        for column in np.unique(domain).tolist():
            specialist = self.specialist_for[column]
            chosen = domain == column
            for route, mask in (("consult", chosen & consult), ("handover", chosen & ~consult)):
                picked = rows[mask]
                if picked.size == 0:
                    continue
                specialist.enlist(picked, week)
                self.count(f"referrals_{specialist.kind}", int(picked.size))
                self.count(f"referrals_{route}", int(picked.size))
        cases.role[rows[consult]] = CaseRole.CONSULT
        handed = rows[~consult]
        cases.role[handed] = CaseRole.HANDED_OVER
        cases.weight[handed] = 0.0
        cases.end_co_work(handed)

    def _close(self, rows: np.ndarray, week: int) -> None:
        """Close cases: into aftercare, or let go."""
        if rows.size == 0:
            return
        cases, population = self.model.cases, self.model.population
        self.model.note_closure(rows)
        self.count("team_closures", int(rows.size))
        self.model.trajectories.note_closure(
            rows,
            week,
            self.model.year,
            cases.opened_week[rows],
            population.zrm,
            self.model.neighbourhood_of,
            [hood.name for hood in self.model.neighbourhoods],
        )
        levels = self.worst_covered(rows)
        self._closed_levels.append(levels)
        # Quality whatever the contract: closed adequately self-reliant (ZRM 4, docs/sources.md §7).
        self.model.counters["team_closures_self_reliant"] += int((levels >= 4).sum())
        cases.end_co_work(rows)
        if self.policy.aftercare_weeks > 0:
            cases.role[rows] = CaseRole.AFTERCARE
            cases.weight[rows] = self.weights["light"]
            cases.aftercare_until[rows] = week + self.policy.aftercare_weeks
            population.set_status(rows, Status.AFTERCARE, week)
        else:
            cases.release(rows)
            population.set_status(rows, Status.UNKNOWN, week)

    def hand_back(self, rows: np.ndarray, week: int) -> None:
        """Specialists return households to the team (scaling down)."""
        if rows.size == 0:
            return
        cases, population = self.model.cases, self.model.population
        consulted = rows[cases.role[rows] == CaseRole.CONSULT]
        cases.role[consulted] = CaseRole.LEAD
        population.set_status(consulted, Status.TEAM_SUPPORT, week)
        handed = rows[cases.role[rows] == CaseRole.HANDED_OVER]
        # The team re-plans a handed-over case at intake, ahead of new households.
        self._enqueue(handed, week, first=True)
        self.model.counters["team_handed_back"] += int(rows.size)

    def results_this_week(self, min_level: int) -> int:
        """Cases closed this week with every covered domain at ``min_level`` or better."""
        return int(sum((levels >= min_level).sum() for levels in self._closed_levels))
