"""Property: any mutation of a valid scenario runs one year or is one clear line.

Issue 19: random mutations of a valid scenario (a field set to a value of another type,
out of range, NaN, a date, an empty list, a huge number, a string with a newline) either
validate and run one simulated year with a tiny population, or give the one-line error
(exit 2) and write nothing; never a traceback. In-process through ``cli.main`` (fast);
``tests/test_bad_input.py`` checks the same promise through ``python -m wijksim``.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
from pathlib import Path

from bad_input_cases import float_fields, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from wijksim.experiments.cli import main

BASE = "years = 1\nburn_in_years = 0\npopulation.households = 40\n"
"""A valid scenario that runs a year in well under a second."""

OTHER_FIELDS = [
    "years",
    "burn_in_years",
    "population.households",
    "network.mean_degree",
    "classification.calibration_window_years",
    "hazards.recovery_factor_by_level",
    "specialists.youth_care.domains",
    "specialists.youth_care.trajectory_weeks",
    "escalations.eviction.domains",
    "life_events.job_loss.domains",
    "team.domains",
    "team.policy.aftercare_weeks",
    "transition.team_start_year",
    "schedule",
    "label",
    "extends",
]
FIELDS = sorted(set(float_fields()) | set(OTHER_FIELDS))


def toml_literal(value: object) -> str:
    """A TOML literal for the value (dates and times are passed as TOML text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {toml_literal(v)}' for k, v in value.items()) + "}"
    raise TypeError(value)


scalars = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2, max_value=3),
    st.integers(min_value=-3, max_value=12),
    st.sampled_from([0, 10**9, 2**63 - 1, -(2**63)]),
    st.booleans(),
    st.sampled_from(["", "housing", "drift", "a\nb", "x" * 300, "old_system"]),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=5),
    st.dictionaries(st.sampled_from(["a", "housing", "light"]), scalars, max_size=2),
)
DATES = ["1979-05-27", "07:32:00", "1979-05-27T07:32:00Z"]
literals = st.one_of(values.map(toml_literal), st.sampled_from(DATES))
mutations = st.lists(st.tuples(st.sampled_from(FIELDS), literals), min_size=1, max_size=3)


def _scenario_text(changes: list[tuple[str, str]]) -> str:
    """The base scenario with the changes; a key set by a change replaces the base's."""
    kept = dict(changes)  # a TOML key appears once
    base = [line for line in BASE.splitlines() if line.split(" = ")[0] not in kept]
    return "".join(f"{line}\n" for line in base) + "".join(
        f"{field} = {literal}\n" for field, literal in kept.items()
    )


@settings(
    max_examples=int(os.environ.get("WIJKSIM_MUTATIONS", 50)),
    deadline=None,
    derandomize=True,  # the same examples in every CI run; new ones by WIJKSIM_MUTATIONS
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=mutations)
def test_mutated_scenario_runs_a_year_or_is_one_line(changes, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mutation")
    scenario = folder / "mutated.toml"
    scenario.write_text(_scenario_text(changes), encoding="utf-8")
    before = snapshot(folder)
    out = folder / "out"
    stderr = io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", scenario.name, "--out", "out", "--quiet", "--no-figures"])
    finally:
        os.chdir(cwd)
    text = stderr.getvalue()
    assert "Traceback" not in text
    event(f"exit {code}")
    if code == 0:  # it validated: the run finished and wrote one year
        assert (out / "manifest.json").is_file()
        return
    assert code == 2, text
    assert len(text.strip().splitlines()) == 1, text
    assert "mutated.toml" in text or "<command line>" in text, text
    assert snapshot(folder) == before


def test_the_base_scenario_is_valid_and_runs(tmp_path):
    (tmp_path / "base.toml").write_text(BASE)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["run", "base.toml", "--out", "out", "--quiet", "--no-figures"]) == 0
    finally:
        os.chdir(cwd)
    assert Path(tmp_path / "out" / "manifest.json").is_file()
