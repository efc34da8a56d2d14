"""The social neighbourhood team (ODD element 7, submodels *team_…*; docs/sources.md §2).

Workers in FTE with weekly hours and a caseload limit weighted by case intensity; the
domains the team covers (breadth) and the specialist functions it does itself (depth);
a competence per domain; an intake queue; outreach; support that raises recovery and own
strength; referral by consultation or hand-over; closing with aftercare; collective
work that strengthens the neighbourhood's informal network.

All decisions act on the rows the team holds (:class:`~wijksim.model.caseload.CaseTable`),
with numpy over those rows, so a team of any size costs little per week.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import mesa
import numpy as np
from wijksim.model.caseload import ACTIVE_ROLES, CaseRole
from wijksim.model.domains import DOMAINS, N_DOMAINS
from wijksim.model.ledger import to_cents
from wijksim.model.status import Status
from wijksim.model.team_params import INTENSITIES, TeamParams

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel
    from wijksim.model.team_split import TeamSplit

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


class NeighbourhoodTeam(mesa.Agent):
    """An integral social neighbourhood team.

    Args:
        model: The model.
        index: This team's index (stored in ``CaseTable.team``).
        params: The scenario's team section (for a split: this team's share of it).
        name: The team's name in a split (metric suffix), ``""`` for a single team.

    Attributes:
        is_open: Whether the team is working (it opens in the transition year).
        help_seeking: How households reach the team (read by ``help_seeking``).
        competence: Competence per domain column (0 outside the team's breadth).
        caseload_limit: Caseload units the team may hold.
        weights: Caseload units of a case, by intensity.
        helped: ``helped[year, row]``: the team worked the household's case that year.
        focus: Per domain column: the team's focus domains (none for an integral team).
        recognition_factor: Per domain column: × the weekly chance of recognising a need
            beyond depth there (1 outside the focus).
        referral_lean: Per domain column: ZRM levels earlier that the team refers there.
        provision_level: Per domain column: the admission level of a provision the team
            cannot give itself (0 where its own support can stand in): it refers there
            at that level, whatever its policy's threshold.
    """

    def __init__(
        self, model: NeighbourhoodModel, index: int, params: TeamParams, name: str = ""
    ) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        # Set by the model: the team's neighbourhood and its split's router (if any).
        self.neighbourhood = None
        self.router = None
        self.params = params
        self.policy = params.policy
        self.help_seeking = params.help_seeking
        self.is_open = False
        self.competence = np.array([params.competence_of(d) for d in DOMAINS], np.float32)
        self.covered = self.competence > 0
        # Domains the team refers once they are bad enough: a specialist treats them and
        # the team does not do that specialist's work itself (depth).
        self._specialist_for = {}
        for specialist in reversed(model.specialists):
            if specialist.params.forced_admission or specialist.kind in params.own_functions:
                continue
            for column in specialist.domain_columns.tolist():
                self._specialist_for[column] = specialist
        self.referable = np.zeros(N_DOMAINS, dtype=bool)
        self.referable[list(self._specialist_for)] = True
        # A provision the team cannot give itself is referred at its own admission level,
        # whatever the policy's threshold (SpecialistParams.team_substitutes).
        self.provision_level = np.zeros(N_DOMAINS, dtype=np.int8)
        for column, specialist in self._specialist_for.items():
            if not specialist.params.team_substitutes:
                self.provision_level[column] = specialist.params.admission_max_level
        self.focus = np.zeros(N_DOMAINS, dtype=bool)
        self.recognition_factor = np.ones(N_DOMAINS, dtype=np.float32)
        self.referral_lean = np.zeros(N_DOMAINS, dtype=np.int8)
        self.frontline_fte = params.frontline_fte
        self.target_fte = params.frontline_fte
        self._derive_capacity()
        self._intensity_of_group = self._group_intensities(model, params)
        self.billed_cents = 0
        # This week's flows of this team alone (cleared with the model's counters): what
        # its provider's operator is paid for and reasons from (agents/operator.py).
        self.counters: Counter = Counter()
        self.intake_hours_this_week = 0.0
        self.intake_hours_last_week = 0.0
        self._closed_levels: list[np.ndarray] = []
        self.network_gain = 0.0
        self.helped = np.zeros((model.params.years + 1, model.population.size), dtype=bool)
        self._queue_counter = 0
        self._complex_group = len(model.classifier.names) - 1
        # Running credits deal offloading and seconded workers over cases in exact
        # proportion, without a random draw (a policy, not chance).
        self._offload_credit = 0.0
        self._seconded_credit = 0.0

    def _derive_capacity(self) -> None:
        """Caseload limit, hours per caseload unit, case weights and weekly staff cost.

        They follow from the staff and the policy, so they are derived again whenever the
        operator changes either (:meth:`apply_settings`). Cases already open keep their
        weights: a plan changes when it is reviewed, not retroactively.
        """
        params, policy = self.params, self.policy
        casework_fte = self.frontline_fte * (1.0 - policy.outreach_share - policy.collective_share)
        self.caseload_limit = params.caseload_limit_per_fte * self.frontline_fte
        self.hours_per_unit = params.hours_per_fte_week * casework_fte / self.caseload_limit
        norms = params.intensity_norm_households_per_fte
        self.weights = {
            i: params.caseload_limit_per_fte / norms[i] * policy.hours_per_case_factor
            for i in INTENSITIES
        }
        fte = self.frontline_fte + params.overhead_fte
        self.weekly_cost_cents = to_cents(fte * params.cost_per_fte_year_eur / 52)

    def specialise(self, focus: np.ndarray, split: TeamSplit) -> None:
        """Make this a focus team: competence, recognition and referral in ``focus``.

        Each effect is a parameter of ``split`` and is off at 0 (ODD §7.6).

        Args:
            focus: Boolean per domain column: the team's focus domains.
            split: The scenario's split (gains and losses of specialisation).
        """
        self.focus = focus.copy()
        if not focus.any():
            return
        gained = np.minimum(1.0, self.competence * (1.0 + split.focus_competence_gain))
        lost = self.competence * (1.0 - split.outside_focus_competence_loss)
        self.competence = np.where(focus, gained, lost).astype(np.float32) * self.covered
        self.recognition_factor = np.where(focus, 1.0 + split.focus_recognition_gain, 1.0).astype(
            np.float32
        )
        self.referral_lean = np.where(focus, split.focus_referral_lean_levels, 0).astype(np.int8)

    def count(self, name: str, amount: float) -> None:
        """Add ``amount`` to this week's counter ``name``: the model's and this team's own."""
        self.model.counters[name] += amount
        self.counters[name] += amount

    def metric(self, name: str) -> str:
        """``name`` for this team: suffixed with the team's name in a split."""
        return f"{name}__{self.name}" if self.name else name

    def settings(self) -> dict[str, float]:
        """What the operator can change: staffing (× the scenario's FTE) and policy knobs."""
        policy = self.policy
        return {
            "staffing_factor": self.target_fte / self.params.frontline_fte,
            "hours_per_case_factor": policy.hours_per_case_factor,
            "intake_max_level": policy.intake_max_level,
            "referral_max_level": policy.referral_max_level,
            "discharge_min_level": policy.discharge_min_level,
            "outreach_share": policy.outreach_share,
            "complex_offload_share": policy.complex_offload_share,
        }

    def apply_settings(self, settings: dict[str, float]) -> None:
        """Adopt the operator's staffing and policy (see :meth:`settings`)."""
        changes = {k: v for k, v in settings.items() if k != "staffing_factor"}
        for name in ("intake_max_level", "referral_max_level", "discharge_min_level"):
            if name in changes:
                changes[name] = round(changes[name])
        self.policy = type(self.policy).model_validate({**self.policy.model_dump(), **changes})
        if "staffing_factor" in settings:
            self.target_fte = self.params.frontline_fte * settings["staffing_factor"]
        self._derive_capacity()
        self.settle_staff()

    def restaff(self, frontline_fte: float, overhead_fte: float) -> None:
        """Give the team other staff before it opens (the city's allocation of its budget).

        Its staffing, capacity and weekly cost follow from the new FTE as from the
        scenario's (compare-allocation, issue 18, item 2).
        """
        self.params = self.params.model_copy(
            update={"frontline_fte": frontline_fte, "overhead_fte": overhead_fte}
        )
        self.frontline_fte = self.target_fte = frontline_fte
        self._derive_capacity()
        if self.neighbourhood.operator is not None:  # its contract's formation follows
            self.neighbourhood.operator.restaffed()

    def settle_staff(self) -> None:
        """Move the staff towards the operator's target as far as the caseload allows.

        New staff start at once. Staff leave only as far as the open cases still fit
        under the caseload limit: workers leave as their cases close, so the team never
        holds more than its limit (a cut does not abandon households mid-plan).
        """
        if self.target_fte >= self.frontline_fte:
            self.frontline_fte = self.target_fte
        else:
            needed = self.caseload_units() / self.params.caseload_limit_per_fte
            self.frontline_fte = max(self.target_fte, min(self.frontline_fte, needed))
        self._derive_capacity()

    @staticmethod
    def _group_intensities(model: NeighbourhoodModel, params: TeamParams) -> np.ndarray:
        names = model.classifier.names
        default = ["basic"] * len(names)
        default[0], default[-1] = "light", "complex"
        chosen = [params.intensity_by_group.get(n, d) for n, d in zip(names, default, strict=True)]
        return np.array([INTENSITIES.index(c) for c in chosen], dtype=np.int8)

    # --- access point -------------------------------------------------------------------

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

    # --- the week's casework --------------------------------------------------------------

    def begin_week(self) -> None:
        """Forget last week's closures and intake hours; let staff leave."""
        self._closed_levels: list[np.ndarray] = []
        # Hours of triage and intake since the last intake take room from this week's.
        self.intake_hours_last_week = self.intake_hours_this_week
        self.intake_hours_this_week = 0.0
        if self.target_fte < self.frontline_fte:  # a cut waits for cases to close
            self.settle_staff()

    def results_this_week(self, min_level: int) -> int:
        """Cases closed this week with every covered domain at ``min_level`` or better."""
        return int(sum((levels >= min_level).sum() for levels in self._closed_levels))

    def pay_staff(self, week: int) -> None:
        """Pay the team's weekly staff cost: the operator's, or else public money."""
        operator = self.neighbourhood.operator
        if operator is not None:
            operator.pay_staff(self.weekly_cost_cents)
            return
        self.billed_cents += self.weekly_cost_cents
        self.model.ledger.book(
            week,
            "team",
            self.params.payer,
            self.unique_id,
            "neighbourhood_team",
            self.weekly_cost_cents,
            self.neighbourhood.index,
        )

    def take_over(self, rows: np.ndarray, week: int) -> None:
        """Queue households another team passed on; their wait goes on."""
        self._enqueue(rows, week, keep_wait=True)

    def caseload_units(self) -> float:
        """Caseload units held now: own cases, co-worked cases and their coordination."""
        cases = self.model.cases
        block = self.neighbourhood.rows  # a team holds its own neighbourhood's households
        lead = np.flatnonzero(cases.team[block] == self.index) + block.start
        second = np.flatnonzero(cases.co_team[block] == self.index) + block.start
        # Both, in row order (as a mask would give them): the lead alone without second workers.
        both = np.union1d(lead, second) if second.size else lead
        coordination = cases.coordination_hours[both].sum() / self.hours_per_unit
        return float(cases.weight[lead].sum() + cases.co_weight[second].sum() + coordination)

    def covered_levels(self, rows: np.ndarray) -> np.ndarray:
        """ZRM levels of ``rows``, with domains outside the team's breadth at 99."""
        return np.where(self.covered, self.model.population.zrm[rows], 99)

    def worst_covered(self, rows: np.ndarray) -> np.ndarray:
        """Worst ZRM level over the covered domains of ``rows``."""
        zrm = self.model.population.zrm
        columns = np.flatnonzero(self.covered).tolist()
        # Column by column: each domain's column is contiguous (domain-major ZRM), and a
        # (rows × domains) block would reduce along its short axis, ~10× slower.
        worst = zrm[rows, columns[0]]
        for column in columns[1:]:
            np.minimum(worst, zrm[rows, column], out=worst)
        return worst

    def intensity_weight(self, rows: np.ndarray) -> np.ndarray:
        """Caseload units of a plan for ``rows`` by their need group now.

        Before what household and network carry (see :meth:`substitution`).
        """
        intensity = self._intensity_of_group[self.model.population.need_group[rows]]
        table = np.array([self.weights[i] for i in INTENSITIES], dtype=np.float32)
        return table[intensity]

    def substitution(self, rows: np.ndarray) -> np.ndarray:
        """Share of a plan that the household and its network carry (docs/sources.md §1)."""
        population = self.model.population
        help_received = 0.3 + 0.7 * population.network_help[rows]
        return self.params.substitution_max * population.own_strength[rows] * help_received

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
            specialist = self._specialist_for[column]
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

    # --- support ----------------------------------------------------------------------------

    def support(self, week: int) -> None:
        """Work the caseload: recovery boost, escalation protection, own strength."""
        cases, population = self.model.cases, self.model.population
        params, policy = self.params, self.policy
        active = cases.rows(self.index, *ACTIVE_ROLES, within=self.neighbourhood.rows)
        aftercare = cases.rows(self.index, CaseRole.AFTERCARE, within=self.neighbourhood.rows)
        rows = np.concatenate([active, aftercare])
        if rows.size == 0:
            return
        team_hours = cases.weight[rows] * self.hours_per_unit
        # The plan's hours act: the team's in full, the share the household and its
        # network carry at a factor below 1, since own strength and informal help
        # already speed recovery (``hazards``): counted in full they would count twice.
        carried = cases.substitution[active]
        hours = cases.plan_hours[rows].copy()
        hours[: active.size] *= 1.0 - carried * (1.0 - params.substituted_hours_effect)
        hours[active.size :] = self.weights["light"] * self.hours_per_unit
        levels = population.zrm[rows]
        # Work goes to the covered domains that are not yet good enough; the domains a
        # specialist treats are its work once the household is in its care (while the
        # household waits, the team bridges them).
        problems = (levels < policy.discharge_min_level) & self.covered
        in_care = population.status[rows] == Status.IN_SPECIALIST_CARE
        if in_care.any():
            for specialist in self.model.specialists:
                mine = in_care & (population.provider[rows] == specialist.index)
                if mine.any():
                    problems[np.ix_(np.flatnonzero(mine), specialist.domain_columns)] = False
        # Aftercare is a light contact, but a slip is met with a basic case's hours.
        slipped = np.arange(rows.size) >= active.size
        slipped &= problems.any(axis=1)
        hours[slipped] = self.weights["basic"] * self.hours_per_unit
        per_domain = (hours / np.maximum(problems.sum(axis=1), 1))[:, None]
        competence = self._competence_of(rows)
        effect = competence * params.support_effect_per_hour * per_domain
        threshold = np.maximum(policy.referral_max_level + self.referral_lean, self.provision_level)
        beyond = (levels <= threshold) & self.referable
        effect = np.where(beyond, effect * params.beyond_depth_factor, effect) * problems
        population.treatment_boost[rows] += effect.astype(np.float32)
        # Protection from escalation grows with the hours a problem domain gets and
        # saturates: a worker who sees the household often sees a crisis coming.
        saturation = 1.0 - np.exp(-per_domain / params.protection_hours_scale)
        protection = (competence * params.escalation_protection * saturation * problems).astype(
            np.float32
        )
        population.care_protection[rows] = np.maximum(population.care_protection[rows], protection)
        strength = population.own_strength[active]
        population.own_strength[active] = strength + params.empowerment_per_week * (1.0 - strength)
        team_hours[slipped] = hours[slipped]
        cases.hours[rows] += team_hours
        self.helped[min(self.model.year, self.helped.shape[0] - 1), rows] = True
        counters = self.model.counters
        self.count("team_hours_casework", float(team_hours.sum()))
        first_in_year, first_ever = cases.note_supported(active, self.model.year)
        counters["team_supported_first_in_year"] += first_in_year
        counters["team_supported_first_ever"] += first_ever

    def _competence_of(self, rows: np.ndarray) -> np.ndarray:
        """Competence per row and domain: the team's, or a second worker's where better.

        A co-worked household gets the second team's competence in that team's focus
        domains (the reason to bring in a second worker, ODD §7.6).
        """
        competence = np.broadcast_to(self.competence, (rows.size, N_DOMAINS))
        co_team = self.model.cases.co_team[rows]
        if not (co_team >= 0).any():
            return competence
        competence = competence.copy()
        for team in self.model.teams:
            mine = co_team == team.index
            if mine.any():
                better = np.where(team.focus, np.maximum(self.competence, team.competence), 0)
                competence[mine] = np.maximum(competence[mine], better)
        return competence

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
