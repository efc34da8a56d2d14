"""Need groups derived from the ZRM levels (ODD element 7, submodel *classification*).

A classification is data: an ordered list of groups from least to most severe, each
with conditions of the form "at least ``min_domains`` domains at ``max_level`` or
worse". A household belongs to the most severe group whose conditions it meets; the
first group has no conditions and takes everybody else. Households therefore move
between groups only through what happens to their ZRM levels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

BUILTIN_SCHEMES: dict[str, list[dict]] = {
    # Self-reliant / basic need / complex, ~80/15/5 (docs/sources.md §1, S1 ch. 2). Complex =
    # multi-problem: several domains not self-reliant, or more than one acute.
    "three_groups": [
        {"name": "self_reliant", "any_of": []},
        {
            "name": "basic",
            "any_of": [
                {"max_level": 2, "min_domains": 1},
                {"max_level": 3, "min_domains": 3},
            ],
        },
        {
            "name": "complex",
            "any_of": [
                {"max_level": 2, "min_domains": 3},
                {"max_level": 1, "min_domains": 2},
            ],
        },
    ],
    # Eindhoven: self-reliant 66 / vulnerable but self-reliant 20 / vulnerable, not
    # self-reliant 12 / "TOP" multi-problem 2 (docs/sources.md §1, S1 App. IV).
    "eindhoven_four": [
        {"name": "self_reliant", "any_of": []},
        {"name": "vulnerable_self_reliant", "any_of": [{"max_level": 3, "min_domains": 1}]},
        {"name": "vulnerable_not_self_reliant", "any_of": [{"max_level": 2, "min_domains": 1}]},
        {
            "name": "top",
            "any_of": [
                {"max_level": 2, "min_domains": 4},
                {"max_level": 1, "min_domains": 3},
            ],
        },
    ],
}


def group_definitions(scheme: str, custom_groups: Sequence[Mapping]) -> list[dict]:
    """Return the group definitions of a scheme as plain dicts.

    Args:
        scheme: A key of :data:`BUILTIN_SCHEMES`, or ``"custom"``.
        custom_groups: The groups to use when ``scheme == "custom"``.

    Raises:
        ValueError: For an unknown scheme, or custom groups that are empty or whose
            first group has conditions.
    """
    if scheme == "custom":
        groups = [dict(g) for g in custom_groups]
        if not groups:
            raise ValueError("expected at least one group for scheme 'custom', found none")
        if groups[0].get("any_of"):
            raise ValueError("expected the first (least severe) group to have no conditions")
        return groups
    if scheme not in BUILTIN_SCHEMES:
        valid = ", ".join([*BUILTIN_SCHEMES, "custom"])
        raise ValueError(f"expected one of {valid}, found '{scheme}'")
    return BUILTIN_SCHEMES[scheme]


class NeedClassifier:
    """Assigns each household the index of its need group, on all households at once.

    Args:
        groups: Group definitions as returned by :func:`group_definitions`.
    """

    def __init__(self, groups: Sequence[Mapping]) -> None:
        self.names: tuple[str, ...] = tuple(g["name"] for g in groups)
        # (group index, max_level, min_domains) for every condition, most severe first.
        self._conditions = [
            (index, int(c["max_level"]), int(c["min_domains"]))
            for index in range(len(groups) - 1, 0, -1)
            for c in groups[index]["any_of"]
        ]
        self._levels_used = sorted({level for _, level, _ in self._conditions})

    def classify(self, zrm: np.ndarray) -> np.ndarray:
        """Return the need-group index (int8) of every household.

        Args:
            zrm: ZRM levels, shape (households, domains), values 1..5.
        """
        counts = {level: (zrm <= level).sum(axis=1, dtype=np.int8) for level in self._levels_used}
        group = np.zeros(zrm.shape[0], dtype=np.int8)
        assigned = np.zeros(zrm.shape[0], dtype=bool)
        for index, level, min_domains in self._conditions:
            hit = ~assigned & (counts[level] >= min_domains)
            group[hit] = index
            assigned |= hit
        return group
