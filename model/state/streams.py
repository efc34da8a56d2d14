"""Named random streams: one independent generator per rule, spawned from the run's seed.

ODD element 7 (design concepts: stochasticity). Each rule draws from its own stream,
so two scenarios run with the same seed share every draw of the rules they have in
common (common random numbers): adding a rule or changing one rule's parameters does
not reshuffle the draws of the others. Nothing in wijksim uses the global ``random``
or ``np.random`` state.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """Return a stable 32-bit key for a stream name (the same on every platform)."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """A factory of independent, named ``numpy.random.Generator`` streams.

    Args:
        seed: The run's seed (a non-negative integer).

    Example:
        >>> streams = RandomStreams(7)
        >>> a = streams.get("drift").random()
        >>> a == RandomStreams(7).get("drift").random()
        True
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """Return the generator of stream ``name``, creating it on first use."""
        if name not in self._streams:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(stream_key(name),))
            self._streams[name] = np.random.Generator(np.random.PCG64(sequence))
        return self._streams[name]

    def integer_seed(self, name: str) -> int:
        """Return a 32-bit integer seed for a third-party library (networkx)."""
        sequence = np.random.SeedSequence(self.seed, spawn_key=(stream_key(name),))
        return int(sequence.generate_state(1, dtype=np.uint32)[0])
