"""Run a list of independent tasks in local processes, or in this one, in order.

For the city studies (``compare-allocation``, ``compare-providers``), whose runs are too
few and too large to need the sweep's resumable machinery but share its wish for two cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Task = TypeVar("Task")
Outcome = TypeVar("Outcome")


def map_tasks(
    function: Callable[[Task], Outcome],
    tasks: Iterable[Task],
    workers: int = 1,
    progress: Callable[[int], object] | None = None,
) -> list[Outcome]:
    """``[function(task) for task in tasks]``, on ``workers`` processes when more than one.

    The outcomes keep the tasks' order; ``progress(1)`` is called as each one arrives.
    """
    outcomes: list[Outcome] = []
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for outcome in pool.map(function, tasks):
                outcomes.append(outcome)
                if progress:
                    progress(1)
        return outcomes
    for task in tasks:
        outcomes.append(function(task))
        if progress:
            progress(1)
    return outcomes
