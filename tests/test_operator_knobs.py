"""The operator's knobs are listed once (issue 20, item 1): ``agents/operator/knobs.py``.

The team's ``settings()`` / ``apply_settings()``, the operator's review and the weekly
record all follow ``KNOBS``; these tests fail when a knob is listed but not honoured,
or when a second list of the knobs appears.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import small
from wijksim.agents.operator.knobs import KNOBS, KnobHome
from wijksim.model.model import NeighbourhoodModel

REPOSITORY = Path(__file__).resolve().parents[1]
KNOB_LIST = REPOSITORY / "agents" / "operator" / "knobs.py"
ENGINE = sorted((REPOSITORY / "model").rglob("*.py")) + sorted(
    (REPOSITORY / "agents").rglob("*.py")
)
KNOB_NAMES = frozenset(knob.name for knob in KNOBS)


@pytest.fixture(scope="module")
def team():
    model = NeighbourhoodModel(small("integral_team", households=200, years=1), seed=0)
    model.run(1)
    return model.teams[0]


def _moved(knob, now: float) -> float:
    """One step away from ``now``: up, or down where up would pass the knob's bound."""
    scale = now if knob.relative else 1.0
    up = now + knob.step * scale
    if knob.home is KnobHome.STAFFING or up <= knob.high * scale:  # staffing: no bound here
        return up
    return now - knob.step * scale


def test_the_team_reports_every_knob_and_nothing_else(team):
    assert list(team.settings()) == [knob.name for knob in KNOBS]


@pytest.mark.parametrize("knob", KNOBS, ids=lambda knob: knob.name)
def test_every_knob_round_trips_through_the_team(team, knob):
    """A knob the team adopts is what it reports, and lands where the team reads it."""
    before = team.settings()
    value = _moved(knob, before[knob.name])
    team.apply_settings({knob.name: value})
    try:
        after = team.settings()
        assert after[knob.name] == pytest.approx(value)
        # Only this knob moved.
        assert {n: v for n, v in after.items() if n != knob.name} == {
            n: v for n, v in before.items() if n != knob.name
        }
        if knob.home is KnobHome.STAFFING:
            assert team.target_fte == pytest.approx(team.params.frontline_fte * value)
        else:
            assert getattr(team.policy, knob.name) == pytest.approx(value)
    finally:
        team.apply_settings(before)


@pytest.mark.parametrize("knob", [k for k in KNOBS if k.level], ids=lambda knob: knob.name)
def test_a_level_knob_is_adopted_as_a_whole_level(team, knob):
    before = team.settings()
    team.apply_settings({knob.name: before[knob.name] + 0.4})  # the forecast's float steps
    try:
        adopted = getattr(team.policy, knob.name)
        assert (type(adopted), adopted) == (int, before[knob.name])
    finally:
        team.apply_settings(before)


def test_a_name_that_is_no_knob_is_refused(team):
    with pytest.raises(KeyError, match="collective_share"):
        team.apply_settings({"collective_share": 0.2})


def test_the_weekly_record_holds_every_knob(team):
    record = team.model.records[-1]
    assert {f"team_{name}" for name in KNOB_NAMES} <= set(record)


def _lists_of_knobs(path: Path) -> list[int]:
    """Lines of collections (tuple, list, set, dict keys) naming two or more knobs."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [key for key in node.keys if key is not None]
        else:
            continue
        named = {i.value for i in items if isinstance(i, ast.Constant) and i.value in KNOB_NAMES}
        if len(named) >= 2:
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_the_knobs_are_listed_only_in_the_knob_list(path):
    """No second list of knob names in the engine: it would drift from ``KNOBS``."""
    if path == KNOB_LIST:
        return
    assert _lists_of_knobs(path) == [], f"{path}: read agents/operator/knobs.py's KNOBS"
