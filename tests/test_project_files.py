"""The project's own files agree with pyproject.toml and the code (issue 20, items 5 and 7).

``CITATION.cff`` cites the package's version under its licence, ``LICENSE`` is that
licence, ``CHANGELOG.md`` has a section for the current model revision (so a bump without
an entry fails), ``constraints.txt`` pins every dependency within what pyproject allows,
and Mesa's deprecations are errors in the tests while other libraries' are not.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from wijksim.model.revision import MODEL_REVISION

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LICENCE_FIRST_LINES = {"MIT": "MIT License"}
"""The first line of each licence's standard text, by its SPDX identifier."""


def _licence() -> str:
    """pyproject's licence: an SPDX string, or the older ``{text = ...}`` table."""
    licence = PYPROJECT["license"]
    return licence if isinstance(licence, str) else licence["text"]


def _citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_cites_the_package_version_under_its_licence():
    citation = _citation()
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == PYPROJECT["version"]
    assert citation["license"] == _licence()
    for field in ("title", "date-released", "authors", "abstract", "message"):
        assert citation[field], field


def test_licence_file_is_the_licence_pyproject_names():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.splitlines()[0] == LICENCE_FIRST_LINES[_licence()]


def test_changelog_has_a_section_for_the_current_model_revision():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## .*\brevision {MODEL_REVISION}\b", changelog, re.M | re.I), (
        f"MODEL_REVISION is {MODEL_REVISION}: CHANGELOG.md needs a '## Model revision "
        f"{MODEL_REVISION}' section saying what changed results and why"
    )
    assert "## [Unreleased]" in changelog


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def _requirements() -> list[Requirement]:
    named = PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]
    return [Requirement(requirement) for requirement in named]


def test_constraints_pin_every_dependency_within_pyproject_bounds():
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"constraints.txt has no pin for {requirement.name}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {requirement.name}=={pins[name]}, outside {requirement}"
        )
        for extra in requirement.extras:  # dask[distributed] needs distributed pinned too
            assert canonicalize_name(extra) in pins, f"no pin for {requirement.name}[{extra}]"


# Modules a Mesa deprecation can be attributed to: Mesa's own, and ours that call Mesa.
MESA_CALLERS = (
    "mesa.model",
    "wijksim.model.model",
    "wijksim.agents.team",
    "wijksim.experiments.benchmarks.mesa_reference",
)
OTHERS = ("pandas.core.frame", "dask.dataframe", "wijksim.experiments.reports.sweep_report")


@pytest.mark.parametrize("category", [FutureWarning, DeprecationWarning])
@pytest.mark.parametrize("module", MESA_CALLERS)
def test_mesa_deprecations_are_errors(category, module):
    """Mesa's warnings are attributed to Mesa or, through stacklevel=2, to its caller."""
    with pytest.raises(category):
        warnings.warn_explicit("deprecated", category, "f.py", 1, module=module)


@pytest.mark.parametrize("module", OTHERS)
def test_other_deprecations_stay_warnings(module):
    """Deprecations raised inside other libraries, or in code that does not call Mesa."""
    with pytest.warns(FutureWarning):
        warnings.warn_explicit("deprecated", FutureWarning, "f.py", 1, module=module)
