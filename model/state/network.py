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
from wijksim.model.config.scenario import NetworkParams


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


def build_city_network(
    params: NetworkParams,
    vulnerability: np.ndarray,
    blocks: list[slice],
    rng: np.random.Generator,
    networkx_seeds: list[int],
    across_share: float,
    across_rng: np.random.Generator,
) -> SocialNetwork:
    """The network of a city: each neighbourhood's own small world, some ties rewired across.

    Each neighbourhood (a block of rows) gets :func:`build_network` on its households,
    drawing its homophily noise from the one ``network`` stream in turn. Then each tie,
    with probability ``across_share``, keeps its first household and swaps the other for
    a household drawn uniformly from the other neighbourhoods: about that share of all
    ties crosses a border, and the mean degree stays. One neighbourhood is
    :func:`build_network` itself (no draw from ``across_rng``).

    Args:
        params: The scenario's network section.
        vulnerability: Latent vulnerability per household (for homophily).
        blocks: The rows of each neighbourhood, contiguous and in order.
        rng: The ``network`` stream.
        networkx_seeds: One integer seed per neighbourhood for networkx.
        across_share: ``city.cross_neighbourhood_tie_share``.
        across_rng: The stream of the ties across (``network_across``).
    """
    if len(blocks) == 1:
        return build_network(params, vulnerability, rng, networkx_seed=networkx_seeds[0])
    pieces = [
        build_network(params, vulnerability[block], rng, networkx_seed=seed).adjacency
        for block, seed in zip(blocks, networkx_seeds, strict=True)
    ]
    within = sparse.block_diag(pieces, format="csr")
    first, second = sparse.triu(within, k=1).nonzero()  # each tie once, in a fixed order
    moved = across_rng.random(first.size) < across_share
    starts = np.array([block.start for block in blocks])
    sizes = np.array([block.stop - block.start for block in blocks])
    hood = np.searchsorted(starts, first[moved], side="right") - 1
    n = vulnerability.shape[0]
    # A position among the households outside the tie's neighbourhood, then its row.
    position = (across_rng.random(hood.size) * (n - sizes[hood])).astype(np.int64)
    partner = position + (position >= starts[hood]) * sizes[hood]
    second = second.copy()
    second[moved] = partner
    rows = np.concatenate([first, second])
    columns = np.concatenate([second, first])
    adjacency = sparse.coo_array(
        (np.ones(rows.size, dtype=np.float32), (rows, columns)), shape=(n, n)
    ).tocsr()
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0  # a tie drawn twice is one tie
    adjacency.sort_indices()
    graph = nx.from_scipy_sparse_array(adjacency)
    return SocialNetwork(graph=graph, adjacency=adjacency)
