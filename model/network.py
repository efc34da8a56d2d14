"""The social network: who can help whom (ODD element 7, submodel *informal network*).

Built with networkx from the run's ``network`` stream as a Watts–Strogatz small world
(clustered, short paths) whose ring is laid out by vulnerability plus noise, so that
neighbours resemble each other (homophily). Rules read it through a sparse adjacency
matrix so that informal help is one sparse product per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
from scipy import sparse
from wijksim.model.scenario import NetworkParams


@dataclass
class SocialNetwork:
    """The neighbourhood's social graph.

    Attributes:
        graph: The networkx graph; node ``i`` is household row ``i``.
        adjacency: Symmetric CSR matrix (float32) of the same graph.
    """

    graph: nx.Graph
    adjacency: sparse.csr_array

    @property
    def degree(self) -> np.ndarray:
        """Number of neighbours of each household."""
        return np.diff(self.adjacency.indptr)

    @cached_property
    def degree_float(self) -> np.ndarray:
        """:attr:`degree` as float32, for sums over neighbours (the graph never changes)."""
        return self.degree.astype(np.float32)


def build_network(
    params: NetworkParams,
    vulnerability: np.ndarray,
    rng: np.random.Generator,
    networkx_seed: int,
) -> SocialNetwork:
    """Build the social network.

    Args:
        params: The scenario's network section.
        vulnerability: Latent vulnerability per household (for homophily).
        rng: The ``network`` stream (for the homophily noise).
        networkx_seed: Integer seed handed to networkx (never left unseeded).
    """
    n = vulnerability.shape[0]
    k = min(params.mean_degree, max(n - 1, 0))
    position = np.argsort(vulnerability + rng.normal(0.0, params.homophily_noise_sd, n))
    if k < 2:
        ring = nx.empty_graph(n)
    else:
        ring = nx.watts_strogatz_graph(n, k, params.rewire_probability, seed=networkx_seed)
    # Ring position i holds household position[i]: neighbours on the ring are similar.
    graph = nx.relabel_nodes(ring, dict(enumerate(position.tolist())), copy=True)
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=range(n), dtype=np.float32, format="csr")
    return SocialNetwork(graph=graph, adjacency=adjacency)
