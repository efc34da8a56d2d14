"""The neighbourhood team agent, composed of its parts (ODD element 7, submodels *team_…*).

What holds the parts together: the team's identity, its competence and focus (breadth and
depth), its counters, the start of its week and the ZRM reading every part uses.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
from wijksim.agents.booking import BookingAgent
from wijksim.agents.team.capacity import TeamCapacity
from wijksim.agents.team.casework import TeamCasework
from wijksim.agents.team.collective import TeamCollectiveWork
from wijksim.agents.team.intake import TeamIntake
from wijksim.agents.team.support import TeamSupport
from wijksim.model.config.team_params import TeamParams
from wijksim.model.core.domains import DOMAINS, N_DOMAINS

if TYPE_CHECKING:
    from wijksim.model.config.team_split import TeamSplit
    from wijksim.model.model import NeighbourhoodModel


class NeighbourhoodTeam(
    TeamCapacity, TeamIntake, TeamCasework, TeamSupport, TeamCollectiveWork, BookingAgent
):
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
        self.specialist_for = {}
        for specialist in reversed(model.specialists):
            if specialist.params.forced_admission or specialist.kind in params.own_functions:
                continue
            for column in specialist.domain_columns.tolist():
                self.specialist_for[column] = specialist
        self.referable = np.zeros(N_DOMAINS, dtype=bool)
        self.referable[list(self.specialist_for)] = True
        # A provision the team cannot give itself is referred at its own admission level,
        # whatever the policy's threshold (SpecialistParams.team_substitutes).
        self.provision_level = np.zeros(N_DOMAINS, dtype=np.int8)
        for column, specialist in self.specialist_for.items():
            if not specialist.params.team_substitutes:
                self.provision_level[column] = specialist.params.admission_max_level
        self.focus = np.zeros(N_DOMAINS, dtype=bool)
        self.recognition_factor = np.ones(N_DOMAINS, dtype=np.float32)
        self.referral_lean = np.zeros(N_DOMAINS, dtype=np.int8)
        self.frontline_fte = params.frontline_fte
        self.target_fte = params.frontline_fte
        self._derive_capacity()
        self.intensity_of_group = self._group_intensities(model, params)
        self.billed_cents = 0
        # This week's flows of this team alone (cleared with the model's counters): what
        # its provider's operator is paid for and reasons from (agents/operator/).
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

    def begin_week(self) -> None:
        """Forget last week's closures and intake hours; let staff leave."""
        self._closed_levels: list[np.ndarray] = []
        # Hours of triage and intake since the last intake take room from this week's.
        self.intake_hours_last_week = self.intake_hours_this_week
        self.intake_hours_this_week = 0.0
        if self.target_fte < self.frontline_fte:  # a cut waits for cases to close
            self.settle_staff()

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
