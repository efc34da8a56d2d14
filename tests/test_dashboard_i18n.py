"""Dutch and English in the dashboard (issue 17, item 4)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.pofile import read_po
from wijksim.experiments import i18n

from wijksim import dashboard

PACKAGE = Path(dashboard.__file__).parent
EXPERIMENTS = Path(i18n.__file__).parent
SOURCES = [*sorted(PACKAGE.glob("*.py")), *(EXPERIMENTS / name for name in i18n.CATALOGUE_SOURCES)]
"""Every file whose marked strings are in the catalogue: the dashboard, and the command
line's headline, figures and reports."""
PO_FILE = i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def _marked_strings() -> set[str]:
    """Every string marked with ``_`` or ``N_`` in :data:`SOURCES`, as pybabel finds it."""
    keywords = {"_": None, "N_": None}
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords=keywords)
    marked = {message for _file, _line, message, _comments, _context in found}
    for path in SOURCES[len(list(PACKAGE.glob("*.py"))) :]:
        with path.open("rb") as handle:
            found = extract_python(handle, keywords, [], {})
            marked |= {text for _line, _name, text, _notes in found if isinstance(text, str)}
    return marked


def _catalogue():
    with PO_FILE.open("rb") as handle:
        return read_po(handle)


def test_every_dashboard_and_report_string_has_a_dutch_translation():
    catalogue = _catalogue()
    marked = _marked_strings()
    assert len(marked) > 400  # the extraction found the dashboard's and the reports' strings
    assert "Need groups, {percent} of households" in marked  # report.py's, for one
    untranslated = sorted(
        text
        for text in marked
        if text not in catalogue or not catalogue[text].string or catalogue[text].fuzzy
    )
    assert not untranslated, f"no Dutch in {PO_FILE.name} for: {untranslated}"


def test_no_translated_call_inside_an_f_string():
    # pybabel cannot see _("...") inside an f-string, so such a string would escape the
    # check above: build the text outside the f-string instead (ruff's UP032 turns
    # "...".format(_("x")) into an f-string, so this happens by accident).
    hidden = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [f"{path.name}:{node.lineno}" for call in _literal_calls(node)]
    assert not hidden, f"_() inside an f-string at {hidden}"


def test_no_literal_translated_unmarked():
    # translator(language)("text") translates, but pybabel sees only _("text") and
    # N_("text"): write translator(language)(N_("text")), or _ = translator(language).
    unmarked = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Call)
                and isinstance(node.func.func, ast.Name)
                and node.func.func.id == "translator"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                unmarked.append(f"{path.name}:{node.lineno}")
    assert not unmarked, f"translator(...)('literal') at {unmarked}"


def _literal_calls(node: ast.AST) -> list[ast.Call]:
    """Calls ``_("text")`` or ``N_("text")`` with a literal string, inside ``node``."""
    return [
        call
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id in ("_", "N_")
        and call.args
        and isinstance(call.args[0], ast.Constant)
    ]


def test_compiled_catalogue_matches_the_po_file():
    # The .mo is committed so that a fresh clone works after `pip install -e .`; it must
    # say what the .po says (recompile with `pybabel compile` after editing the .po).
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [m.id for m in _catalogue() if m.id and compiled.gettext(m.id) != m.string]
    assert not stale, f"{MO_FILE.name} is older than {PO_FILE.name} for: {stale[:5]}"


def test_dutch_policy_terms():
    dutch = i18n.translator("nl")
    assert dutch("eviction (huisuitzetting)") == "huisuitzetting"
    assert dutch("out-of-home placement (uithuisplaatsing)") == "uithuisplaatsing"
    assert dutch("self-reliant (zelfredzaam)") == "zelfredzaam"
    assert dutch("Neighbourhood team (wijkteam)") == "Wijkteam"
    assert "maatwerkvoorziening" in dutch("specialist care (maatwerkvoorziening)")
    assert dutch("MKBA: society, all payers").startswith("MKBA")
    assert i18n.translator("en")("eviction (huisuitzetting)") == "eviction (huisuitzetting)"


def test_numbers_and_money_as_each_language_writes_them():
    space = "\u00a0"  # Babel's Dutch pattern keeps the sign and the amount together
    assert i18n.money(1_234_567.89, "nl", cents=True) == f"€{space}1.234.567,89"
    assert i18n.money(1_234_567.89, "nl") == f"€{space}1.234.568"
    assert i18n.money(-1_234_567.0, "nl") == f"€{space}-1.234.567"
    assert i18n.money(1_234_567.89, "en", cents=True) == "€1,234,567.89"
    assert i18n.number(1234.5, "nl", 1) == "1.234,5"
    assert i18n.percent(0.125, "nl") == "12,5%"
    assert i18n.percent(0.125, "en") == "12.5%"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="expected a language"):
        i18n.translator("fr")


def test_the_dashboards_i18n_module_still_offers_the_moved_helpers():
    # The helpers moved to wijksim.experiments.i18n (issue 20, item 1); partners' code
    # that imports them from the dashboard keeps working through the re-export.
    from wijksim.dashboard import i18n as dashboard_i18n

    assert dashboard_i18n.translator is i18n.translator
    assert dashboard_i18n.LOCALE_DIR == i18n.LOCALE_DIR
    assert set(dashboard_i18n.__all__) <= set(dir(i18n))
