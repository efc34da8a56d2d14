"""The household agent: a Mesa agent that is a view on its row of the population arrays.

ODD element 2. Household dynamics run vectorised over all rows (see
:mod:`wijksim.model.rules`); this class lets an extension read and change one
household the per-agent way and still see, and be seen by, the same state. The model makes
a household's agent when first asked for it (``model.household(row)``), not for every row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from wijksim.model.core.domains import DOMAIN_INDEX
from wijksim.model.state.population import LIFE_PHASES
from wijksim.model.state.status import Status

if TYPE_CHECKING:
    from wijksim.model.model import NeighbourhoodModel


class Household(mesa.Agent):
    """One household (huishouden), the unit of the model.

    Args:
        model: The model whose population holds this household's row.
        row: The row index in :class:`~wijksim.model.state.population.Population`.
    """

    def __init__(self, model: NeighbourhoodModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def zrm(self) -> np.ndarray:
        """ZRM levels on the 11 domains (a view: writing it changes the model)."""
        return self.model.population.zrm[self.row]

    def level(self, domain: str) -> int:
        """ZRM level of one domain by name."""
        return int(self.zrm[DOMAIN_INDEX[domain]])

    @property
    def status(self) -> Status:
        """Current service status."""
        return Status(int(self.model.population.status[self.row]))

    @property
    def need_group(self) -> str:
        """Name of the need group derived from the ZRM levels at the last step."""
        return self.model.classifier.names[int(self.model.population.need_group[self.row])]

    @property
    def vulnerability(self) -> float:
        """Latent vulnerability, 0..1."""
        return float(self.model.population.vulnerability[self.row])

    @property
    def own_strength(self) -> float:
        """Own strength (eigen kracht), 0..1."""
        return float(self.model.population.own_strength[self.row])

    @property
    def life_phase(self) -> str:
        """Life phase of the household head."""
        return LIFE_PHASES[int(self.model.population.life_phase[self.row])]

    @property
    def has_children(self) -> bool:
        """Whether children live in the household."""
        return bool(self.model.population.has_children[self.row])

    def neighbours(self) -> list[Household]:
        """The households this one knows on the social network."""
        graph = self.model.network.graph
        return [self.model.household(int(i)) for i in graph.neighbors(self.row)]
