"""Generated bad inputs for ``wijksim``, one class per item of issue 19 (items 3, 4, 6).

Every case is a command line run in a fresh folder that already holds a user's folder
``userdata/`` with ``thesis.docx`` in it. The promise (README, "Mistakes"): exit code 2,
exactly one line on stderr naming the file and the field, no traceback, nothing written
or deleted. ``tests/test_bad_input.py`` asserts it for every case in-process;
``python tests/bad_input_cases.py`` counts, per class, how many cases keep the promise
when run as a user would (``python -m wijksim`` in a subprocess), for the table of the
issue.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

USER_FOLDER = "userdata"
USER_FILE = "thesis.docx"
USER_BYTES = b"three years of work"
TINY = ("--households", "60", "--years", "1", "--quiet", "--no-figures")
"""A run small enough that nonsense which is accepted still finishes in a second."""


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes:
        id: Unique, readable.
        kind: The class of input (the rows of the issue's table).
        argv: The command line after ``wijksim``, relative to the case's folder.
        files: Files to create first, name → bytes.
        file: What the error line must name as the file.
        field: What it must name as the field (``field '<this>``), if any.
        setup: Called with the case's folder after the files are written.
        other_branch: Needs the ``--out`` safety of issue 19 item 1 (another branch).
        message: What the error line must also say, if anything (issue 17, item 6).
    """

    id: str
    kind: str
    argv: tuple[str, ...]
    files: dict[str, bytes] = field(default_factory=dict)
    file: str = ""
    field: str | None = None
    setup: Callable[[Path], None] | None = None
    other_branch: bool = False
    message: str = ""


def _toml(value: object) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return repr(value)


def float_fields() -> list[str]:
    """Every float field of a scenario with a team and funding, as a dotted path.

    Dict-valued sections (``specialists``) are entered at their first default entry.
    """
    from pydantic import BaseModel
    from wijksim.model.config.scenario import Scenario
    from wijksim.model.config.team_params import TeamParams
    from wijksim.model.contracts.funding import FundingParams

    def walk(model: BaseModel, prefix: str) -> Iterator[str]:
        for name in type(model).model_fields:
            value = getattr(model, name)
            path = f"{prefix}{name}"
            if isinstance(value, BaseModel):
                yield from walk(value, f"{path}.")
            elif isinstance(value, dict) and value:
                first = next(iter(value))
                if isinstance(value[first], BaseModel):
                    yield from walk(value[first], f"{path}.{first}.")
            elif isinstance(value, float):
                yield path

    full = Scenario().model_copy(update={"team": TeamParams(), "funding": FundingParams()})
    return list(walk(full, ""))


def _scenario_case(
    id: str,
    kind: str,
    text: str,
    field: str | None,
    run: bool = False,
    name: str = "bad.toml",
    message: str = "",
) -> Case:
    argv = ("run", name, "--out", USER_FOLDER, *TINY) if run else ("validate", name)
    return Case(id, kind, argv, {name: text.encode()}, name, field, message=message)


def _non_finite_cases() -> Iterator[Case]:
    values = (math.nan, math.inf, -math.inf)
    for index, dotted in enumerate(float_fields()):
        for offset in (0, 1):
            value = values[(index + offset) % 3]
            text = f"{dotted} = {_toml(value)}\n"
            # Every fifth goes through ``run``: validation must stop it there too.
            run = (index + offset) % 5 == 0
            yield _scenario_case(f"nonfinite-{dotted}-{_toml(value)}", "NaN/inf", text, dotted, run)
    for text, dotted in [
        ("hazards.domain_weight.housing = nan\n", "hazards.domain_weight"),
        (
            "population.life_phase_shares = {young_adult = nan, adult = 0.5, elderly = 0.5}\n",
            "population.life_phase_shares",
        ),
        (
            "hazards.recovery_factor_by_level = [inf, 1.0, 1.0, 1.0]\n",
            "hazards.recovery_factor_by_level",
        ),
        ("[team]\ncompetence = {housing = nan}\n", "team.competence"),
    ]:
        yield _scenario_case(f"nonfinite-{dotted}-nested", "NaN/inf", text, dotted)


def _bound_cases() -> Iterator[Case]:
    kind = "bounds"
    probabilities = [
        "hazards.drift_per_week",
        "hazards.recovery_per_week",
        "specialists.youth_care.recovery_boost_per_week",
        "team.empowerment_per_week",
    ]
    for value in (1.5, 50):
        for dotted in probabilities:
            text = f"{dotted} = {value}\n"
            yield _scenario_case(f"probability-{dotted}-{value}", kind, text, dotted, value == 50)
    negatives = [
        (
            "hazards.recovery_factor_by_level = [-5.0, 0.8, 1.0, 1.0]\n",
            "hazards.recovery_factor_by_level",
        ),
        (
            "hazards.recovery_factor_by_level = [0.5, 0.8, -1.0, 1.0]\n",
            "hazards.recovery_factor_by_level",
        ),
    ]
    for index, (text, dotted) in enumerate(negatives):
        yield _scenario_case(f"negative-factor-{index}", kind, text, dotted, index == 0)
    windows = [("[10, 5]", "reversed"), ("[0, 5]", "year0")]
    for window, label in windows:
        text = f"years = 10\nclassification.calibration_window_years = {window}\n"
        yield _scenario_case(
            f"calibration-window-{label}", kind, text, "classification.calibration_window_years"
        )
    yield _scenario_case(
        "degree-above-population",
        kind,
        "population.households = 50\nnetwork.mean_degree = 100\n",
        "network.mean_degree",
        run=True,
    )
    yield _scenario_case(
        "team-start-after-last-year",
        kind,
        "years = 2\n[team]\n[transition]\nteam_start_year = 5\n",
        "transition.team_start_year",
    )
    yield Case(
        "seed-negative",
        kind,
        ("run", "old_system", "--seed", "-1", "--out", USER_FOLDER, *TINY),
        file="<command line>",
        field="--seed",
    )


def _empty_list_cases() -> Iterator[Case]:
    for dotted, text in [
        ("team.domains", "[team]\ndomains = []\n"),
        ("escalations.eviction.domains", "[escalations.eviction]\ndomains = []\n"),
        ("specialists.youth_care.domains", "[specialists.youth_care]\ndomains = []\n"),
        ("life_events.job_loss.domains", "[life_events.job_loss]\ndomains = []\n"),
        ("schedule", "schedule = []\n"),
    ]:
        yield _scenario_case(f"empty-{dotted}", "empty lists", text, dotted)
        yield _scenario_case(f"empty-{dotted}-run", "empty lists", text, dotted, run=True)


def _size_cases() -> Iterator[Case]:
    kind = "sizes"
    run = ("run", "old_system", "--out", USER_FOLDER, "--quiet", "--no-figures")
    yield Case(
        "size-households-1e9",
        kind,
        (*run, "--households", "1000000000"),
        file="<command line>",
        field="population.households",
    )
    yield Case(
        "size-years-10000", kind, (*run, "--years", "10000"), file="<command line>", field="years"
    )
    yield Case(
        "size-both",
        kind,
        (*run, "--households", "3000000", "--years", "1000"),
        file="<command line>",
        field="population.households",
    )
    yield _scenario_case(
        "size-in-file",
        kind,
        "population.households = 1000000000\n",
        "population.households",
    )
    sweep = 'name = "big"\nscenario = "old_system"\nseeds = 10000000\n'
    yield Case(
        "size-sweep-seeds",
        kind,
        ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
        {"s.toml": sweep.encode()},
        "s.toml",
        "seeds",
    )
    grid = (
        'name = "big"\nseeds = 100\n[grid]\n"population.initial_severity" = '
        + str([round(0.001 * i, 3) for i in range(1, 1002)])
        + "\n"
    )
    yield Case(
        "size-sweep-grid",
        kind,
        ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
        {"s.toml": grid.encode()},
        "s.toml",
        "seeds",
    )


def _sweep_cases() -> Iterator[Case]:
    kind = "sweep schema"
    base = 'name = "x"\nscenario = "old_system"\n'
    for id, text, dotted in [
        ("seeds-string", 'seeds = "2"\n', "seeds"),
        ("seeds-float", "seeds = 2.0\n", "seeds"),
        ("seeds-negative", "seeds = -1\n", "seeds"),
        ("seeds-list-negative", "seeds = [1, -1]\n", "seeds"),
        ("first-seed-string", 'first_seed = "1"\n', "first_seed"),
        ("scale-string", 'scale_with_households = "yes"\n', "scale_with_households"),
        ("plugins-string", 'plugins = "mod"\n', "plugins"),
        ("variants-name-int", "[[variants]]\nname = 3\n", "variants"),
        ("grid-not-list", '[grid]\n"years" = 3\n', "grid"),
        ("set-nan", '[set]\n"population.initial_severity" = nan\n', "set"),
        ("grid-inf", '[grid]\n"team.frontline_fte" = [inf]\n', "grid"),
    ]:
        yield Case(
            f"sweep-{id}",
            kind,
            ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
            {"s.toml": (base + text).encode()},
            "s.toml",
            dotted,
        )


def _encoding_cases() -> Iterator[Case]:
    kind = "encodings"
    latin = 'label = "Wijkteam Zuid \xe9\xe9n"\n'.encode("latin-1")
    yield Case("encoding-scenario", kind, ("validate", "bad.toml"), {"bad.toml": latin}, "bad.toml")
    yield Case(
        "encoding-scenario-run",
        kind,
        ("run", "bad.toml", "--out", USER_FOLDER, *TINY),
        {"bad.toml": latin},
        "bad.toml",
    )
    yield Case(
        "encoding-base",
        kind,
        ("validate", "child.toml"),
        {"base.toml": latin, "child.toml": b'extends = "base.toml"\n'},
        "base.toml",
    )
    yield Case(
        "encoding-bom-utf16",
        kind,
        ("validate", "bad.toml"),
        {"bad.toml": 'label = "x"\n'.encode("utf-16")},
        "bad.toml",
    )
    sweep = b'name = "x"\nscenario = "old_system"\n# caf\xe9\n'
    yield Case(
        "encoding-sweep",
        kind,
        ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
        {"s.toml": sweep},
        "s.toml",
    )


def _date_cases() -> Iterator[Case]:
    kind = "TOML dates"
    for dotted, literal in [
        ("label", "1979-05-27"),
        ("description", "07:32:00"),
        ("years", "1979-05-27T07:32:00Z"),
        ("population.households", "1979-05-27T07:32:00"),
        ("hazards.drift_per_week", "2024-01-01"),
        ("team.label", "2024-01-01"),
    ]:
        text = f"{dotted} = {literal}\n"
        yield _scenario_case(f"date-{dotted}", kind, text, dotted)
    yield Case(
        "date-in-base",
        kind,
        ("validate", "child.toml"),
        {"base.toml": b"label = 2020-01-01\n", "child.toml": b'extends = "base.toml"\n'},
        "base.toml",
        "label",
    )
    yield Case(
        "date-in-sweep",
        kind,
        ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
        {"s.toml": b'name = "x"\n[set]\nyears = 2020-01-01\n'},
        "s.toml",
        "set",
    )
    yield Case(
        "date-on-command-line",
        kind,
        ("run", "old_system", "--set", "label=2020-01-01", "--out", USER_FOLDER, *TINY),
        file="<command line>",
        field="label",
    )


def _unreadable(path: Path) -> None:
    path.chmod(0)


def _read_cases() -> Iterator[Case]:
    kind = "unreadable files"
    yield Case(
        "unreadable-sweep-proc",
        kind,
        ("sweep", "/proc/self/mem", "--out", USER_FOLDER, "--quiet"),
        file="/proc/self/mem",
    )
    yield Case(
        "unreadable-scenario-proc", kind, ("validate", "/proc/self/mem"), file="/proc/self/mem"
    )
    if os.geteuid() != 0:  # root reads a file of mode 000 anyway
        yield Case(
            "unreadable-sweep-chmod",
            kind,
            ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
            {"s.toml": b'name = "x"\n'},
            "s.toml",
            setup=lambda folder: _unreadable(folder / "s.toml"),
        )
    yield Case(
        "sweep-is-a-folder",
        kind,
        ("sweep", "dir.toml", "--out", USER_FOLDER, "--quiet"),
        file="dir.toml",
        setup=lambda folder: (folder / "dir.toml").mkdir(),
    )


def _chain(folder: Path, length: int) -> None:
    for index in range(length):
        text = f'extends = "c{index + 1}.toml"\n' if index < length - 1 else "years = 2\n"
        (folder / f"c{index}.toml").write_text(text)


def _recursion_cases() -> Iterator[Case]:
    kind = "deep nesting"
    for depth in (2000, 50000):
        arrays = "years = " + "[" * depth + "]" * depth + "\n"
        yield _scenario_case(f"nested-arrays-{depth}", kind, arrays, None)
        tables = "years = " + "{a = " * depth + "1" + "}" * depth + "\n"
        yield _scenario_case(f"nested-tables-{depth}", kind, tables, None)
    sweep = 'name = "x"\nseeds = ' + "[" * 5000 + "]" * 5000 + "\n"
    yield Case(
        "nested-sweep",
        kind,
        ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
        {"s.toml": sweep.encode()},
        "s.toml",
    )
    for length in (1500, 5000):
        yield Case(
            f"extends-chain-{length}",
            kind,
            ("validate", "c0.toml"),
            file="c0.toml",
            field="extends",
            setup=lambda folder, n=length: _chain(folder, n),
        )


def _set_cases() -> Iterator[Case]:
    kind = "--set"
    run = ("run", "old_system", "--out", USER_FOLDER, *TINY)
    for id, extra, dotted in [
        ("conflict-leaf-table", ("--set", "years=1", "--set", "years.x=1"), "years"),
        ("conflict-table-leaf", ("--set", "population.x=1", "--set", "population=5"), "population"),
        ("conflict-households", ("--set", "population=5"), "population"),
        ("unparseable-word", ("--set", "years=ten"), "years"),
        ("unparseable-bracket", ("--set", "years=[1"), "years"),
        ("no-equals", ("--set", "years"), None),
        ("empty-key", ("--set", "=5"), None),
        ("unknown-field", ("--set", "population.housholds=5"), "population.housholds"),
        ("nan", ("--set", "population.initial_severity=nan"), "population.initial_severity"),
        ("inf", ("--set", "team.frontline_fte=inf"), "team.frontline_fte"),
        ("unknown-rule", ("--set", 'schedule=["drift", "teleport"]'), "schedule"),
        ("empty-schedule", ("--set", "schedule=[]"), "schedule"),
        ("newline-key", ("--set", "popu\nlation=5"), None),
        ("duplicate-key", ("--set", "years=1", "--set", "years=2"), "years"),
    ]:
        yield Case(f"set-{id}", kind, (*run, *extra), file="<command line>", field=dotted)


def _sweep_file(folder: Path, extra: str = "") -> None:
    text = (
        'name = "tiny"\nscenario = "old_system"\nseeds = 1\n'
        '[set]\n"population.households" = 60\nyears = 1\n' + extra
    )
    (folder / "s.toml").write_text(text)


def _plugin_cases() -> Iterator[Case]:
    kind = "plugins"
    plugin_writes = b"open('pwned', 'w').write('ran')\n"
    exits = b"import sys\nsys.exit(0)\n"
    raises = b"raise RuntimeError('broken plugin')\n"
    sweep = 'name = "x"\nscenario = "old_system"\nplugins = ["evil_plugin"]\n'
    args = ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet", "--backend", "serial")
    for id, text, dotted in [
        ("invalid-sweep-runs-no-plugin", sweep + "sedes = 3\n", "sedes"),
        (
            "invalid-variant-runs-no-plugin",
            sweep + '[[variants]]\nname = "a"\nwithout = ["population"]\n',
            "variants.a",
        ),
        ("invalid-reference-runs-no-plugin", sweep + 'reference = "nope"\n', "reference"),
        ("invalid-grid-runs-no-plugin", sweep + '[grid]\n"team.frontline_ftee" = [1.0]\n', "grid"),
    ]:
        files = {"s.toml": text.encode(), "evil_plugin.py": plugin_writes}
        yield Case(f"plugin-{id}", kind, args, files, "s.toml", dotted)
    for id, body in [("exit", exits), ("raises", raises)]:
        files = {"s.toml": sweep.encode(), "evil_plugin.py": body}
        yield Case(f"plugin-{id}", kind, args, files, "s.toml", "plugins[0]")
    yield Case("plugin-missing", kind, args, {"s.toml": sweep.encode()}, "s.toml", "plugins[0]")


PLUGIN_FILE = "evil_plugin.py"
"""A case's plugin; the runners put the case's folder on the import path when it exists."""


def _message_cases() -> Iterator[Case]:
    kind = "messages"
    many = ", ".join(f'"rule{i}"' for i in range(200_000))
    yield _scenario_case("long-unknown-rules", kind, f"schedule = [{many}]\n", "schedule")
    yield _scenario_case("newline-in-key", kind, '"popu\\nlation" = 5\n', None)
    yield _scenario_case(
        "newline-in-value", kind, 'population.households = "6\\n000"\n', "population.households"
    )
    yield _scenario_case("newline-in-extends", kind, 'extends = "a\\nb.toml"\n', "extends")
    yield _scenario_case("long-string", kind, f'years = "{"x" * 100_000}"\n', "years")
    yield _scenario_case(
        "union-field",
        kind,
        "classification.calibration_window_years = [1, 2, 3]\n",
        "classification.calibration_window_years",
    )


def _did_you_mean_cases() -> Iterator[Case]:
    """Misspelt fields, sections, kinds and choices name the nearest valid one (issue 17, 6)."""
    kind = "did you mean"
    for id, text, dotted, nearest in [
        ("section", "[populaton]\nhouseholds = 3000\n", "populaton", "population"),
        ("field", "[population]\nhousholds = 3000\n", "population.housholds", "households"),
        ("team-field", "[team]\nfrontline_ftee = 3.0\n", "team.frontline_ftee", "frontline_fte"),
        (
            "policy-field",
            "[team.policy]\nintake_level = 2\n",
            "team.policy.intake_level",
            "intake_max_level",
        ),
        (
            "kind-field",
            "[specialists.youth_care]\nprise_per_week_eur = 300.0\n",
            "specialists.youth_care.prise_per_week_eur",
            "price_per_week_eur",
        ),
        (
            "specialist-kind",
            "[specialists.mental_heath]\nprice_per_week_eur = 300.0\n",
            "specialists.mental_heath",
            "mental_health",
        ),
        (
            "escalation-kind",
            "[escalations.evicton]\ncost_eur = 30000.0\n",
            "escalations.evicton",
            "eviction",
        ),
        (
            "life-event",
            "[life_events.job_los]\nper_year = 0.05\n",
            "life_events.job_los",
            "job_loss",
        ),
        ("payer", 'zeroth_line.payer = "insurrer"\n', "zeroth_line.payer", "insurer"),
        (
            "domain-key",
            "[hazards.domain_weight]\nhousng = 2.0\n",
            "hazards.domain_weight.housng",
            "housing",
        ),
        (
            "life-phase-key",
            "[population.life_phase_shares]\nyoung_adult = 0.2\nadult = 0.5\neldery = 0.3\n",
            "population.life_phase_shares.eldery",
            "elderly",
        ),
    ]:
        message = f"did you mean '{nearest}'?"
        yield _scenario_case(f"did-you-mean-{id}", kind, text, dotted, message=message)
    yield _scenario_case(
        "did-you-mean-specialist-kind-run",
        kind,
        "[specialists.mental_heath]\nprice_per_week_eur = 300.0\n",
        "specialists.mental_heath",
        run=True,
        message="did you mean 'mental_health'?",
    )
    yield _scenario_case(
        "new-kind-incomplete",
        kind,
        "[specialists.parenting_course]\nprice_per_week_eur = 100.0\n",
        "specialists.parenting_course",
        message="a new one must give label, domains",
    )
    yield _scenario_case(
        "did-you-mean-field-of-new-kind",
        kind,
        '[specialists.parenting_course]\nlabel = "Course"\ndomains = ["family_and_parenting"]\n'
        'payer = "other"\ncapacity_per_1000_households = 1.0\nprice_per_week_eur = 80.0\n'
        "trajectory_week = 12\n",
        "specialists.parenting_course.trajectory_week",
        message="did you mean 'trajectory_weeks'?",
    )
    yield _scenario_case(
        "did-you-mean-list-item-field",
        kind,
        '[team.split]\nconfiguration = "focus"\n[[team.split.teams]]\nname = "a"\nfte_shar = 0.5\n',
        "team.split.teams.0.fte_shar",
        message="did you mean 'fte_share'?",
    )
    yield Case(
        "did-you-mean-sweep-key",
        kind,
        ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
        {"s.toml": b'name = "x"\nscenario = "old_system"\nsedes = 3\n'},
        "s.toml",
        "sedes",
        message="did you mean 'seeds'?",
    )
    yield Case(
        "did-you-mean-kind-in-base",
        kind,
        ("validate", "child.toml"),
        {
            "base.toml": b"[specialists.mental_heath]\nprice_per_week_eur = 300.0\n",
            "child.toml": b'extends = "base.toml"\nlabel = "child"\n',
        },
        "base.toml",
        "specialists.mental_heath",
        message="did you mean 'mental_health'?",
    )
    run = ("run", "old_system", "--out", USER_FOLDER, *TINY)
    for id, setting, dotted, nearest in [
        ("set-field", "population.housholds=3000", "population.housholds", "households"),
        (
            "set-kind",
            "specialists.mental_heath.price_per_week_eur=3",
            "specialists.mental_heath",
            "mental_health",
        ),
    ]:
        yield Case(
            f"did-you-mean-{id}",
            kind,
            (*run, "--set", setting),
            file="<command line>",
            field=dotted,
            message=f"did you mean '{nearest}'?",
        )
    for asked, nearest in [
        ("teem", "team"),
        ("specialist", "specialists"),
        ("team.polcy", "team.policy"),
    ]:
        yield Case(
            f"params-{asked}",
            kind,
            ("params", asked),
            file="<command line>",
            message=f"unknown section '{asked}'; did you mean '{nearest}'?",
        )


def _decimal_comma_cases() -> Iterator[Case]:
    """A Dutch decimal comma breaks the TOML: named as such, with the number to write."""
    kind = "decimal comma"
    for id, text, dotted, fixed in [
        (
            "specialist-price",
            "[specialists.youth_care]\nprice_per_week_eur = 350,5\n",
            "specialists.youth_care.price_per_week_eur",
            "350.5",
        ),
        ("table", "[hazards]\ndrift_scale = 2,8\n", "hazards.drift_scale", "2.8"),
        (
            "dotted-key-comment",
            'label = "x"\npopulation.initial_severity = 0,15  # was 0,15\n',
            "population.initial_severity",
            "0.15",
        ),
        ("quoted-key", '[team]\n"frontline_fte" = 8,5\n', "team.frontline_fte", "8.5"),
        (
            "array-of-tables",
            '[[team.split.teams]]\nname = "a"\nfte_share = 0,5\n',
            "team.split.teams.fte_share",
            "0.5",
        ),
        ("negative", "[hazards]\ndrift_scale = -2,8\n", "hazards.drift_scale", "-2.8"),
        (
            "inline-table",
            "population.life_phase_shares = {young_adult = 0,2, adult = 0.5, elderly = 0.3}\n",
            "population.life_phase_shares",
            "0.2",
        ),
        (
            "thousands",
            "[population]\nhouseholds = 6,000\n",
            "population.households",
            "6.000 (or 6000",
        ),
    ]:
        message = f"use a decimal point: {fixed}"
        yield _scenario_case(f"decimal-comma-{id}", kind, text, dotted, message=message)
    yield _scenario_case(
        "decimal-comma-run",
        kind,
        "[hazards]\ndrift_scale = 2,8\n",
        "hazards.drift_scale",
        run=True,
        message="line 2: 2,8 has a decimal comma; use a decimal point: 2.8",
    )
    yield Case(
        "decimal-comma-set",
        kind,
        ("run", "old_system", "--set", "hazards.drift_scale=2,8", "--out", USER_FOLDER, *TINY),
        file="<command line>",
        field="hazards.drift_scale",
        message="use a decimal point: 2.8",
    )
    yield Case(
        "decimal-comma-sweep",
        kind,
        ("sweep", "s.toml", "--out", USER_FOLDER, "--quiet"),
        {"s.toml": b'name = "x"\nscenario = "old_system"\n[set]\n"hazards.drift_scale" = 2,8\n'},
        "s.toml",
        "set",
        message="use a decimal point: 2.8",
    )


def _out_cases() -> Iterator[Case]:
    """``--out`` refused before the run (item 1: the other branch)."""
    kind = "--out"
    run = ("run", "old_system", *TINY)
    yield Case("out-user-folder", kind, (*run, "--out", USER_FOLDER), file=USER_FOLDER)
    yield Case("out-is-a-file", kind, (*run, "--out", f"{USER_FOLDER}/{USER_FILE}"), file=USER_FILE)
    yield Case(
        "out-parent-is-a-file",
        kind,
        (*run, "--out", f"{USER_FOLDER}/{USER_FILE}/x"),
        file=USER_FILE,
    )
    yield Case("out-name-too-long", kind, (*run, "--out", "x" * 300), file="xxx")
    yield Case("out-dot", kind, (*run, "--out", "."), file=".")


def _environment_cases() -> Iterator[Case]:
    kind = "environment"
    yield Case(
        "dask-unreachable",
        kind,
        (
            "sweep",
            "s.toml",
            "--out",
            "newout",
            "--quiet",
            "--backend",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:9",
        ),
        file="tcp://127.0.0.1:9",
        field=None,
        setup=_sweep_file,
    )
    yield Case(
        "dask-bad-address",
        kind,
        (
            "sweep",
            "s.toml",
            "--out",
            "newout",
            "--quiet",
            "--backend",
            "dask",
            "--scheduler",
            "not an address",
        ),
        file="not an address",
        field=None,
        setup=_sweep_file,
    )
    yield Case("report-not-a-results-folder", kind, ("report", USER_FOLDER), file=USER_FOLDER)


def _reliability_cases() -> Iterator[Case]:
    """``wijksim reliability``: every option out of range (issue 18, item 4)."""
    kind = "reliability"
    base = ("reliability", "--out", "newout", "--quiet", "--replications", "2")
    line = "<command line>"
    for id, extra, dotted in [
        ("households-word", ("--households", "3000,abc"), "--households"),
        ("households-zero", ("--households", "0,3000"), "--households"),
        ("households-huge", ("--households", "100000000000"), "--households"),
        ("too-few-units", ("--households", "3000", "--per-size", "2"), "--per-size"),
        ("per-size-zero", ("--per-size", "0"), "--per-size"),
        ("years-zero", ("--years", "0"), "--years"),
        ("replications-negative", ("--replications", "-5"), "--replications"),
        ("too-many-draws", ("--replications", "100000", "--years", "50"), "--replications"),
        ("seed-negative", ("--seed", "-1"), "--seed"),
        ("spread-negative", ("--spread", "-0.1"), "--spread"),
        ("spread-nan", ("--spread", "nan"), "--spread"),
        ("spread-too-wide", ("--spread", "20"), "--spread"),
        ("mean-above-one", ("--mean", "1.5"), "--mean"),
        ("mean-inf", ("--mean", "inf"), "--mean"),
        ("target-zero", ("--target", "0"), "--target"),
    ]:
        yield Case(f"reliability-{id}", kind, (*base, *extra), file=line, field=dotted)
    for id, text, dotted in [
        ("file-strings", 'households = ["3000", "6000"]\n', "households"),
        ("file-unknown-field", "households = [3000]\nhousholds = [1]\n", "housholds"),
        ("file-empty", "households = []\n", "households"),
        ("file-zero", "households = [3000, 0, 6000]\n", "households"),
    ]:
        argv = (*base, "--households", "city.toml")
        yield Case(
            f"reliability-{id}", kind, argv, {"city.toml": text.encode()}, "city.toml", dotted
        )
    yield Case(
        "reliability-from-not-a-sweep",
        kind,
        ("reliability", "--from", USER_FOLDER, "--out", "newout", "--quiet"),
        file=USER_FOLDER,
    )
    yield Case(
        "reliability-from-and-households",
        kind,
        ("reliability", "--from", USER_FOLDER, "--households", "3000", "--out", "newout"),
        file=line,
        field="--households",
    )
    yield Case(
        "reliability-out-user-folder",
        kind,
        ("reliability", "--out", USER_FOLDER, "--quiet", "--replications", "2"),
        file=USER_FOLDER,
    )


def _city_cases() -> Iterator[Case]:
    """A bad ``[city]`` (issue 18, items 1 and 2): one line naming the file and the field."""
    kind = "city"
    base = 'extends = "transition"\n'
    hood = "[city.neighbourhoods.west]\n"
    for id, text, dotted in [
        ("no-size", f'{hood}provider = "a"\n', "city.neighbourhoods.west"),
        ("unknown-type", f'{hood}type = "posh"\n', "city.neighbourhoods.west.type"),
        ("households-zero", f"{hood}households = 0\n", "city.neighbourhoods.west.households"),
        ("households-tiny", f"{hood}households = 5\n", "city.neighbourhoods.west.households"),
        ("alpha-negative", f'{hood}type = "weak"\nvulnerability_alpha = -1.0\n', None),
        ("no-neighbourhoods", "[city]\ncross_neighbourhood_tie_share = 0.1\n", None),
        (
            "share-above-one",
            f'[city]\ncross_neighbourhood_tie_share = 2.0\n{hood}type = "weak"\n',
            None,
        ),
        (
            "misspelt-field",
            f'{hood}type = "weak"\nprovidr = "a"\n',
            "city.neighbourhoods.west.providr",
        ),
        ("team-setting", f'{hood}type = "weak"\nteam = {{ frontline_fte = "many" }}\n', None),
        ("team-unknown", f'{hood}type = "weak"\nteam = {{ staff = 3 }}\n', None),
    ]:
        yield _scenario_case(f"city-{id}", kind, base + text, dotted, run=True)
    yield _scenario_case(
        "city-with-funding",
        kind,
        f'extends = "funding_per_hour"\n{hood}type = "weak"\n',
        "city",
        run=True,
    )
    yield Case(
        "compare-allocation-not-a-city",
        kind,
        ("compare-allocation", "transition", "--out", "newout", "--quiet"),
        file="transition.toml",
    )
    yield Case(
        "bench-city-not-a-city",
        kind,
        ("bench", "--city", "transition", "--out", "newout", "--quiet", "--memory-years", "0"),
        file="transition.toml",
    )


def all_cases() -> list[Case]:
    """Every generated case, ids unique."""
    generators = [
        _non_finite_cases,
        _bound_cases,
        _empty_list_cases,
        _size_cases,
        _sweep_cases,
        _encoding_cases,
        _date_cases,
        _read_cases,
        _recursion_cases,
        _set_cases,
        _plugin_cases,
        _message_cases,
        _did_you_mean_cases,
        _decimal_comma_cases,
        _out_cases,
        _environment_cases,
        _reliability_cases,
        _city_cases,
    ]
    cases = [case for generate in generators for case in generate()]
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases


def prepare(case: Case, folder: Path) -> None:
    """Write the case's files and the user's folder into ``folder``."""
    (folder / USER_FOLDER).mkdir()
    (folder / USER_FOLDER / USER_FILE).write_bytes(USER_BYTES)
    for name, content in case.files.items():
        (folder / name).write_bytes(content)
    if case.setup is not None:
        case.setup(folder)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (``None`` for folders)."""
    return {
        str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if not path.is_symlink()
    }


# ----------------------------------------------------------------------------- counting


def run_in_subprocess(case: Case, folder: Path, timeout: float = 120) -> dict[str, object]:
    """Run ``python -m wijksim`` on a case as a user would, and classify what happened.

    Memory is capped at 4 GB (``RLIMIT_AS``) so that an accepted giant run fails
    instead of exhausting a shared machine.
    """
    import resource
    import subprocess
    import sys

    prepare(case, folder)
    before = snapshot(folder)
    env = dict(os.environ)
    if (folder / PLUGIN_FILE).exists():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    try:
        done = subprocess.run(
            [sys.executable, "-m", "wijksim", *case.argv],
            cwd=folder,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=env,
            preexec_fn=limit,
        )
        code, stderr = done.returncode, done.stderr
    except subprocess.TimeoutExpired:
        code, stderr = "timeout", ""
    return _classify(case, folder, before, code, stderr)


class _Timeout(BaseException):
    """Raised by the alarm: the command was still running (an input it accepted)."""


def run_in_process(case: Case, folder: Path, timeout: int = 60) -> dict[str, object]:
    """Run ``wijksim.experiments.cli.main`` on a case in this process, and classify it.

    An exception escaping ``main`` is what the user would see as a traceback.
    """
    import contextlib
    import io
    import signal
    import sys
    import traceback as tb

    from wijksim.experiments.cli import main as wijksim_main

    prepare(case, folder)
    before = snapshot(folder)
    stderr, stdout = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    plugin = (folder / PLUGIN_FILE).exists()

    def alarm(*_: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(timeout)
    os.chdir(folder)
    if plugin:
        sys.path.insert(0, str(folder))
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            code: object = wijksim_main(list(case.argv))
    except SystemExit as error:
        code = error.code if isinstance(error.code, int) else 1
    except _Timeout:
        code = "timeout"
    except Exception:
        code = "exception"
        stderr.write(tb.format_exc())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(cwd)
        if plugin:
            sys.path.remove(str(folder))
        sys.modules.pop(PLUGIN_FILE.removesuffix(".py"), None)
    return _classify(case, folder, before, code, stderr.getvalue())


def _classify(
    case: Case, folder: Path, before: dict, code: object, stderr: str
) -> dict[str, object]:
    lines = stderr.strip().splitlines()
    traceback = "Traceback" in stderr or code not in (0, 2, "timeout")
    one_line = code == 2 and len(lines) == 1 and not traceback
    named = (
        one_line
        and case.file in lines[0]
        and (case.field is None or f"field '{case.field}" in lines[0])
        and case.message in lines[0]
    )
    after = snapshot(folder)
    return {
        "id": case.id,
        "kind": case.kind,
        "code": code,
        "one_line": one_line,
        "named": named,
        "traceback": traceback,
        "accepted": code in (0, "timeout"),
        "written": after != before,
        "user_file_lost": after.get(f"{USER_FOLDER}/{USER_FILE}") != USER_BYTES,
        "stderr": stderr[-400:],
    }


def main() -> None:
    """Print the table of the issue: classes × (tried, one-line, traceback, accepted, written)."""
    import json
    import resource
    import sys
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    words = [word for word in sys.argv[1:] if not word.startswith("--")]
    in_process = "--subprocess" not in sys.argv
    cases = [c for c in all_cases() if not words or any(word in c.id for word in words)]
    root = Path(tempfile.mkdtemp(prefix="wijksim-bad-"))

    def one(index_case: tuple[int, Case]) -> dict[str, object]:
        index, case = index_case
        folder = root / f"{index:04d}"
        folder.mkdir()
        if in_process:
            return run_in_process(case, folder)
        return run_in_subprocess(case, folder)

    if in_process:  # one case at a time; an accepted giant run fails on this cap
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
        rows = [one(item) for item in enumerate(cases)]
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            rows = list(pool.map(one, enumerate(cases)))
    (root / "rows.json").write_text(json.dumps(rows, indent=1))
    kinds = list(dict.fromkeys(row["kind"] for row in rows))
    columns = ["one_line", "named", "traceback", "accepted", "written"]
    print("| class | tried | one-line error | names file+field | traceback | accepted | written |")
    print("|---|---|---|---|---|---|---|")
    for kind in [*kinds, None]:
        chosen = [r for r in rows if kind is None or r["kind"] == kind]
        counts = " | ".join(str(sum(bool(r[c]) for r in chosen)) for c in columns)
        print(f"| {kind or '**total**'} | {len(chosen)} | {counts} |")
    print(f"rows in {root}/rows.json", file=sys.stderr)


if __name__ == "__main__":
    main()
