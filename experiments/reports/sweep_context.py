"""What a sweep was, and whether its folder can be reported: facts, context line, checks.

Read from the sweep's manifest and runs for the sweep report (:mod:`~.sweep_report`) and
for the command line's lines after a sweep: the burn-in, the team's start, the access
point's label and the evaluation window (:func:`sweep_facts`); the context line under
every figure (:func:`sweep_context`, :func:`scaling_note`); and the refusals of a folder
mixed from model revisions or missing a partner's rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd
from wijksim.experiments.i18n import N_, number, translator
from wijksim.experiments.plots import run_figures as plots
from wijksim.experiments.runner.results import grid_fields
from wijksim.experiments.runner.run_files import revision_of, run_metadata
from wijksim.model.inputs.scaling import describe_scaling
from wijksim.model.inputs.scenario_io import ScenarioError


class SweepFacts(NamedTuple):
    """What a sweep's figures mark and say, read from its runs' scenarios."""

    burn_in_years: int | None
    """Unreported years before year 1 (``None``: differs between runs, or not recorded)."""
    team_start_year: int | None
    """The team's first year where every run with a team shares it, else ``None``."""
    access_point: str
    """Label of the ``team`` cost stream: the desk, the team, or either."""
    window_start: int | None
    """First year of the evaluation window of a funding or teams comparison."""


def sweep_facts(
    folder: Path, manifest: dict, table: pd.DataFrame | None = None, language: str = "en"
) -> SweepFacts:
    """Burn-in, the team's start and the desk or team, from one finished run per variant.

    ``language`` is that of the desk's or team's label.

    One run per variant, not every run: a variant fixes whether there is a team; a grid
    over the start year or the burn-in is seen in the grid and leaves them unmarked.
    """
    first: dict[str, dict] = {}
    for run in manifest["runs"]:
        if run["status"] == "done" and run.get("variant", "") not in first:
            first[run.get("variant", "")] = run
    scenarios = [run_metadata(folder / run["file"]).get("scenario", {}) for run in first.values()]
    grid = set(grid_fields(manifest))
    burn_ins = {scenario.get("burn_in_years") for scenario in scenarios}
    burn_in = burn_ins.pop() if len(burn_ins) == 1 and "burn_in_years" not in grid else None
    with_team = [scenario for scenario in scenarios if scenario.get("team")]
    starts = {scenario["transition"]["team_start_year"] for scenario in with_team}
    start = starts.pop() if len(starts) == 1 and "transition.team_start_year" not in grid else None
    if with_team and len(with_team) < len(scenarios):
        access = translator(language)(N_("desk or team (the access point)"))
    else:
        access = plots.access_point_label(bool(with_team), start, language)
    window = None
    if manifest["sweep"].get("analysis") in ("funding", "teams") and table is not None:
        from wijksim.experiments.analysis.funding_runs import DEFAULT_START

        window = min(DEFAULT_START, int(table["year"].max()))
    return SweepFacts(burn_in, start, access, window)


def value_span(values, language: str = "en") -> str:
    """``"3,000"``, ``"3,000–10,000"`` (``"3.000"`` in Dutch), or ``"?"`` if not recorded."""
    known = sorted({v for v in values if v is not None})
    if not known:
        return "?"
    low, high = number(known[0], language), number(known[-1], language)
    return low if len(known) == 1 else f"{low}–{high}"


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def common_overrides(sweep: dict) -> dict:
    """The overrides every run of a sweep shares: its ``set`` and what all variants set alike."""
    common = dict(sweep.get("set", {}))
    sets = [variant.get("set", {}) for variant in sweep.get("variants", [])]
    if sets:
        common.update({k: v for k, v in sets[0].items() if all(s.get(k) == v for s in sets)})
    return {key: _shown(value) for key, value in common.items()}


def sweep_context(manifest: dict, burn_in_years: int | None = None, language: str = "en") -> str:
    """Scenario, overrides, households and years of a sweep: for headers and figures.

    ``burn_in_years`` (:func:`sweep_facts`) says that the reported years follow a burn-in;
    ``language`` is that of the line's words and numbers.
    """
    _ = translator(language)
    sweep = manifest["sweep"]
    runs = manifest["runs"]
    context = plots.context_line(
        Path(sweep["scenario"]).stem,
        common_overrides(sweep),
        value_span((run.get("households") for run in runs), language),
        value_span((run.get("years") for run in runs), language),
        burn_in_years,
        language,
    )
    if sweep.get("grid"):
        varied = "; ".join(
            _("{field} in {values}").format(field=k, values=v) for k, v in sweep["grid"].items()
        )
        context += " · " + _("varied: {fields}").format(fields=varied)
    return context


def _scaling_line(scaled: dict[str, list[float]], households: int, language: str) -> str:
    """:func:`~wijksim.model.inputs.scaling.describe_scaling` (no hint) in ``language``."""
    if language == "en":
        return describe_scaling(scaled, households, hint=False)
    changes = ", ".join(
        f"{field} {number(old, language, 0 if float(old).is_integer() else 2)} → "
        f"{number(new, language, 0 if float(new).is_integer() else 2)}"
        for field, (old, new) in scaled.items()
    )
    line = translator(language)(N_("scaled to {households} households: {changes}"))
    return line.format(households=number(households, language), changes=changes)


def scaling_note(manifest: dict, language: str = "en") -> str | None:
    """What the runs scaled with their households, in one line (``None``: nothing)."""
    runs = [run for run in manifest["runs"] if run.get("scaled")]
    lines = {_scaling_line(run["scaled"], run["households"], language) for run in runs}
    if len(lines) == 1:
        return lines.pop()
    if lines:
        note = translator(language)(
            N_(
                "Per-neighbourhood amounts scaled with households in {runs} runs "
                "('scaled' in sweep.json)."
            )
        )
        return note.format(runs=len(runs))
    return None


def check_one_revision(folder: Path, manifest: dict) -> None:
    """Refuse a folder whose finished runs were made under different model revisions.

    Raises:
        ScenarioError: Naming the revisions found; their numbers cannot be compared.
    """
    found: dict[str, str] = {}
    for run in manifest["runs"]:
        if run["status"] == "done":
            metadata = run_metadata(folder / run["file"])
            found.setdefault(revision_of(metadata), run["run_id"])
    if len(found) > 1:
        raise ScenarioError(
            folder,
            f"mixes runs of model {' and '.join(found)}, whose numbers cannot be compared; "
            "run the sweep again with --restart, or into another --out folder",
        )


def check_rules_registered(folder: Path, manifest: dict) -> None:
    """Refuse a folder whose runs used rules that no imported plugin registers.

    Their metrics would be added up without their declared kind (a flow averaged): the
    plugin must be imported with ``--plugin`` here too.

    Raises:
        ScenarioError: Naming the rules and the option.
    """
    from wijksim.model.rules import RULES

    missing: dict[str, None] = {}
    for run in manifest["runs"]:
        if run["status"] == "done":
            rules = run_metadata(folder / run["file"]).get("scenario", {}).get("rules", {})
            missing.update(dict.fromkeys(name for name in rules if name not in RULES))
    if missing:
        raise ScenarioError(
            folder,
            f"its runs used rule(s) {list(missing)} that no imported plugin registers; "
            "pass --plugin MODULE so that their metrics are added up by their kind",
            "--plugin",
        )
