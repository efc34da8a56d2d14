"""The team's support: hours to households, their effect, protection and empowerment.

ODD §7.5: the plan's hours raise recovery in the problem domains, protect from escalation
and raise own strength (docs/sources.md §1, §2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from wijksim.model.core.domains import N_DOMAINS
from wijksim.model.state.caseload import ACTIVE_ROLES, CaseRole
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    pass


class TeamSupport:
    """The weekly support of :class:`NeighbourhoodTeam`'s caseload (a part of it)."""

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
