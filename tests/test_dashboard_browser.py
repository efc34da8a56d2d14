"""The dashboard in a real browser (issue 17, item 2): Debian's Chromium driven by Playwright.

The test starts ``wijksim dashboard`` on a free port, runs a small scenario, changes a
knob and runs again, runs a two-configuration comparison, downloads a table, switches
the language and stops the server. Chromium comes from the distribution
(``.ci/run`` installs it when missing): ``playwright install`` would download a browser,
which this network does not allow. The flags keep Chromium from reaching for the
network (updates, sync, safe browsing), which is closed here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EURO = "€\u00a0"
"""Dutch money starts with the euro sign and a non-breaking space: € 1.234.567."""
STARTUP_SECONDS = 60
STEP_MS = 60_000
"""Longest wait for one step in the browser (a run of the small scenario takes seconds)."""

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} is absent and CI is unset; `apt-get install -y chromium` to run this test",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api") if not os.environ.get("CI") else None
if sync_api is None:
    from playwright import sync_api  # in CI a missing Playwright is a failure, not a skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dashboard_url(tmp_path):
    """A running ``wijksim dashboard`` on a free port; stopped after the test."""
    port = _free_port()
    log = (tmp_path / "dashboard.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "wijksim", "dashboard", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped as a whole
        cwd=tmp_path,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"wijksim dashboard exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"wijksim dashboard did not answer within {STARTUP_SECONDS} s")


def _set_number(scope, label: str, value: str) -> None:
    field = scope.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")


def _headline(page) -> str:
    return page.get_by_test_id("stTable").first.inner_text()


def _images(page) -> list[str]:
    return page.locator("[data-testid='stImage'] img").evaluate_all(
        "images => images.map(image => image.src)"
    )


def _wait_idle(page) -> None:
    """Until Streamlit has finished the script run that the last action started."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        """() => !document.querySelector("[data-testid^='stStatusWidgetRunning']")
                 && !document.querySelector("[data-stale='true']")""",
        timeout=STEP_MS,
    )


def test_dashboard_in_chromium(dashboard_url, tmp_path):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(STEP_MS)
            page.goto(dashboard_url)
            page.get_by_text("wijksim: het wijkteam in uw gemeente").wait_for()
            sidebar = page.get_by_test_id("stSidebar")

            # A small transition: 300 households, 2 years, the team from year 2, 2 seeds.
            _set_number(sidebar, "Huishoudens (huishoudens)", "300")
            _wait_idle(page)
            _set_number(sidebar, "Gesimuleerde jaren (jaren)", "2")
            _wait_idle(page)
            _set_number(sidebar, "Startjaar van het wijkteam (jaar)", "2")
            _wait_idle(page)
            _set_number(sidebar, "Seeds (herhalingen) (runs)", "2")
            _wait_idle(page)
            page.get_by_role("button", name="Doorrekenen", exact=True).click()
            page.get_by_text("De overstap tegenover het voortgezette oude stelsel").first.wait_for()
            _wait_idle(page)
            first_numbers, first_images = _headline(page), _images(page)
            assert "Zelfredzaam" in first_numbers
            assert EURO in first_numbers  # Dutch money: € 1.234.567
            assert len(first_images) == 6  # five result figures and the transition curve

            # A knob changed and run again: numbers and figures change.
            _set_number(sidebar, "Uitvoerende medewerkers van het wijkteam (fte)", "3")
            _wait_idle(page)
            page.get_by_role("button", name="Doorrekenen", exact=True).click()
            _wait_idle(page)
            page.wait_for_function(
                "old => document.querySelector(\"[data-testid='stTable']\").innerText !== old",
                arg=first_numbers,
            )
            assert _headline(page) != first_numbers
            assert _images(page) != first_images

            # A table downloaded: Dutch CSV, semicolons and decimal commas.
            with page.expect_download() as download:
                page.get_by_role("button", name="CSV: kerncijfers").click()
            saved = tmp_path / "headline.csv"
            download.value.save_as(saved)
            text = saved.read_text(encoding="utf-8-sig")
            assert text.startswith("Maatstaf;Mediaan;5e percentiel;95e percentiel;")  # as the CLI
            assert "share_self_reliant;0," in text

            # Two configurations on paired seeds.
            page.get_by_role("tab", name="Twee configuraties vergelijken").click()
            compare_tab = page.get_by_role("tabpanel", name="Twee configuraties vergelijken")
            _set_number(compare_tab, "Uitvoerende medewerkers van het wijkteam (fte)", "1")
            _wait_idle(page)
            page.get_by_role("button", name="Vergelijking doorrekenen").click()
            page.get_by_text("A en B op dezelfde seeds").wait_for()
            _wait_idle(page)
            comparison = compare_tab.get_by_test_id("stTable").inner_text()
            assert "B − A (gemiddelde, betrouwbaarheidsinterval 90%)" in comparison
            assert EURO in comparison

            # A bad uploaded scenario: one line naming the file and the field.
            bad = tmp_path / "mine.toml"
            bad.write_text('extends = "transition"\n[team]\nfrontline_ftee = 3\n')
            sidebar.get_by_text("bestand uploaden").click()
            _wait_idle(page)
            sidebar.locator("input[type='file']").set_input_files(bad)
            error = page.get_by_test_id("stAlertContentError").first
            error.wait_for()
            assert error.inner_text().startswith("mine.toml: field 'team.frontline_ftee'")
            sidebar.get_by_text("meegeleverd scenario").click()
            _wait_idle(page)

            # The language switched: the same results, in English.
            sidebar.get_by_text("English").click()
            page.get_by_text("wijksim: the neighbourhood team in your municipality").wait_for()
            _wait_idle(page)
            assert "Self-reliant" in _headline(page)
        finally:
            browser.close()
