"""The engine's layout (issue 20, items 1, 3 and 5): one home for shared things."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import small
from wijksim.agents.household import Household
from wijksim.model.core.clock import WEEKS_PER_YEAR
from wijksim.model.model import NeighbourhoodModel, mesa_steps
from wijksim.model.state.ledger import household_ledger_id

REPOSITORY = Path(__file__).resolve().parents[1]
ENGINE = sorted((REPOSITORY / "model").rglob("*.py")) + sorted(
    (REPOSITORY / "agents").rglob("*.py")
)
CALENDAR = REPOSITORY / "model" / "core" / "clock.py"
CALENDAR_OPERATORS = (ast.Div, ast.FloorDiv, ast.Mod, ast.Mult)


def _calendar_arithmetic(path: Path) -> list[int]:
    """Lines where 52 is multiplied, divided or taken modulo: weeks ↔ years by hand."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, CALENDAR_OPERATORS):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and side.value in (52, 52.0):
                    lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_weeks_and_years_convert_through_the_clock(path):
    """No literal 52 in arithmetic outside model/core/clock.py: WEEKS_PER_YEAR has one home."""
    if path == CALENDAR:
        return
    assert _calendar_arithmetic(path) == [], f"{path}: use WEEKS_PER_YEAR (model/core/clock.py)"


def test_the_week_is_mesas_step_counter_less_the_burn_in():
    """Every week, burn-in included, is one Mesa step; the burn-in's weeks are −N+1 … 0."""
    model = NeighbourhoodModel(small(households=100, years=1, burn_in_years=1), seed=0)
    assert (mesa_steps(model), model.week, model.records) == (WEEKS_PER_YEAR, 0, [])
    model.run(2)
    assert (mesa_steps(model), model.week) == (WEEKS_PER_YEAR + 2, 2)
    assert [record["step"] for record in model.records] == [1, 2]


def test_household_agents_are_made_only_when_asked_for():
    """A run makes no Household agent; ``model.household(row)`` makes one view, once."""
    model = NeighbourhoodModel(small(households=200, years=1), seed=0)
    model.run(2)
    assert Household not in model.agents_by_type
    household = model.household(7)
    assert household is model.household(7)
    assert household.zrm.tolist() == model.population.zrm[7].tolist()
    assert len(model.agents_by_type[Household]) == 1
    assert household_ledger_id(household.row) == 8  # the ledger numbers rows from 1


LONG_MODULE_LINES = 300
"""Modules longer than this are split, or say in their docstring why they are one piece."""


ELSEWHERE = sorted((REPOSITORY / "experiments").rglob("*.py")) + sorted(
    (REPOSITORY / "dashboard").rglob("*.py")
)
A_REASON = re.compile(r"why one module|one piece|one module|(over|about) 300 lines", re.I)
"""How a long module's docstring gives its reason, in the wording each has grown."""


def _long_module_docstring(path: Path) -> str | None:
    """A module's docstring if it is longer than :data:`LONG_MODULE_LINES`, else ``None``."""
    text = path.read_text()
    if text.count("\n") <= LONG_MODULE_LINES:
        return None
    return ast.get_docstring(ast.parse(text)) or ""


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_a_long_module_says_why_it_is_one_piece(path):
    docstring = _long_module_docstring(path)
    if docstring is None:
        return
    assert "Why one module:" in docstring, f"{path}: split it, or say why it is one piece"


@pytest.mark.parametrize("path", ELSEWHERE, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_a_long_experiments_or_dashboard_module_says_why_it_is_one_piece(path):
    docstring = _long_module_docstring(path)
    if docstring is None:
        return
    assert A_REASON.search(docstring), f"{path}: split it, or say why it is one piece"
