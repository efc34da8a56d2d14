"""The dashboard's page logic with Streamlit's AppTest, without a browser (issue 17, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from wijksim import dashboard

APP = str(Path(dashboard.__file__).with_name("app.py"))
TIMEOUT = 120


@pytest.fixture
def app():
    page = AppTest.from_file(APP, default_timeout=TIMEOUT)
    page.run()
    assert not page.exception
    return page


def _number(page, prefix: str, key: str):
    found = [w for w in page.number_input if w.key.startswith(f"{prefix}@") and f":{key}" in w.key]
    assert len(found) == 1, [w.key for w in page.number_input]
    return found[0]


def _small(page, prefix: str = "A") -> None:
    """300 households, 2 years, the team from year 2, 2 seeds."""
    for key, value in (("households", 300), ("years", 2), ("team_start_year", 2), ("seeds", 2)):
        _number(page, prefix, key).set_value(value)
        page.run()


def _texts(page) -> str:
    parts = [e.value for e in page.markdown] + [e.value for e in page.caption]
    parts += [t.value.to_string() for t in page.table]
    return "\n".join(map(str, parts))


def test_opens_in_dutch_with_every_knob(app):
    assert app.title[0].value == "wijksim: het wijkteam in uw gemeente"
    labels = {w.label for w in app.number_input}
    assert {"Huishoudens (huishoudens)", "Uitvoerende medewerkers van het wijkteam (fte)"} <= labels
    assert "Startjaar van het wijkteam (jaar)" in labels
    share = "Aandeel gedetacheerde medewerkers (aandeel van de uitvoerende medewerkers, 0–1)"
    assert share in labels
    assert {s.label for s in app.selectbox} >= {
        "Type wijk", "Teamindeling", "Financieringsvorm",
        "Toegang tot specialistische zorg (opties A–E)",
    }  # fmt: skip
    # No bare string of the script shows up on the page (Streamlit's "magic").
    assert not [m.value for m in app.markdown if "Assumption" in m.value or ":mod:" in m.value]
    help_text = _number(app, "A", "frontline_fte").help
    assert "Eenheid" in help_text and "Bereik" in help_text and "Leeuwarden" in help_text


def test_a_scenario_without_a_team_switches_the_team_knobs_off(app):
    app.selectbox(key="scenario").set_value("old_system").run()
    assert _number(app, "A", "frontline_fte").disabled
    assert not _number(app, "A", "households").disabled


def test_run_shows_dutch_numbers_then_english_on_the_toggle(app):
    _small(app)
    app.button(key="run").click().run()
    assert not app.exception and not app.error
    text = _texts(app)
    assert "Zelfredzaam, aandeel huishoudens" in text
    assert "€\u00a0" in text  # Babel's Dutch money
    assert "Bult" in text or "bult 1 (investering): jaar" in text
    app.radio(key="language").set_value("en").run()
    assert app.title[0].value == "wijksim: the neighbourhood team in your municipality"
    assert "Self-reliant (zelfredzaam), share of households" in _texts(app)


def test_comparison_shows_both_and_the_paired_difference(app):
    _small(app)
    _number(app, "B", "frontline_fte").set_value(2.0)
    app.run()
    app.button(key="run_comparison").click().run()
    assert not app.exception and not app.error
    table = app.table[-1].value
    assert list(table.columns) == [
        "Kengetal", "A", "B", "B − A (gemiddelde, betrouwbaarheidsinterval 90%)"
    ]  # fmt: skip
    assert (table["A"] != table["B"]).any()
    assert table.iloc[0, 3].endswith("] procentpunt")  # shares differ in percentage points


def test_configuration_b_follows_a_until_changed(app):
    _number(app, "A", "households").set_value(300)
    app.run()
    assert _number(app, "B", "households").value == 300
    _number(app, "B", "seconded_share").set_value(0.5)
    app.run()
    _number(app, "A", "years").set_value(3)
    app.run()
    assert _number(app, "B", "seconded_share").value == 0.5


def test_time_cap_stops_with_a_clear_message(app):
    app.number_input(key="time_cap").set_value(5)
    _number(app, "A", "seeds").set_value(20)  # the default neighbourhood: well over 5 s
    app.run()
    app.button(key="run").click().run()
    assert not app.exception
    message = app.error[0].value
    assert "tijdslimiet van 5 s" in message and "van 40 runs zijn klaar" in message
    # The next change of any widget does not start the long runs again: only Run does.
    app.radio(key="language").set_value("en").run()
    assert not app.error and not app.get("progress")


def test_knobs_show_the_values_scaled_to_the_households(app):
    _number(app, "A", "households").set_value(300)
    app.run()
    # 8 FTE for 6,000 households is 0.4 FTE for 300: shown, and run, without an override.
    assert _number(app, "A", "frontline_fte").value == pytest.approx(0.4)
    assert any("Meegeschaald" in c.value for c in app.caption)
