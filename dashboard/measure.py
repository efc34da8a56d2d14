"""Time ``wijksim dashboard`` to its first result, and take the screenshots of the docs.

Needs the ``dev`` extra (Playwright) and Debian's Chromium::

    python -m wijksim.dashboard.measure [--out docs/figures/dashboard]

It starts ``wijksim dashboard`` on a free port, opens it in headless Chromium, presses
*Doorrekenen* on the default scenario at its default size, and reports the seconds from
starting the command to the first result on screen (the figures drawn). Then it compares
the default with a team of 12 instead of 8 frontline FTE on the same seeds, in Dutch, and
saves screenshots of the comparison (palette PNG, to keep them small).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from PIL import Image

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 600_000
COMPARED_FTE = "12"
"""The issue's question: a team of 12 FTE instead of 8."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _idle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function(
        """() => !document.querySelector("[data-testid^='stStatusWidgetRunning']")
                 && !document.querySelector("[data-stale='true']")""",
        timeout=WAIT_MS,
    )


def _small_png(path: Path) -> None:
    """Re-save a screenshot with a 256-colour palette (a third of the size, still sharp)."""
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256).save(path, optimize=True)


def measure(out: Path) -> dict[str, float]:
    """Run the measurement and write the screenshots to ``out``; returns the timings."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "wijksim", "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    timings: dict[str, float] = {}
    try:
        while not _healthy(url):
            time.sleep(0.1)
        timings["server_ready_s"] = time.monotonic() - started
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(WAIT_MS)
            page.goto(url)
            page.get_by_role("button", name="Doorrekenen", exact=True).wait_for()
            timings["page_ready_s"] = time.monotonic() - started
            clicked = time.monotonic()
            page.get_by_role("button", name="Doorrekenen", exact=True).click()
            page.get_by_text("De overstap tegenover het voortgezette oude stelsel").first.wait_for()
            page.locator("[data-testid='stImage'] img").nth(5).wait_for()
            timings["run_to_result_s"] = time.monotonic() - clicked
            timings["command_to_first_result_s"] = time.monotonic() - started
            _idle(page)
            page.get_by_role("tab", name="Twee configuraties vergelijken").click()
            panel = page.get_by_role("tabpanel", name="Twee configuraties vergelijken")
            field = panel.get_by_label("Uitvoerende medewerkers van het wijkteam (fte)", exact=True)
            field.fill(COMPARED_FTE)
            field.press("Enter")
            _idle(page)
            clicked = time.monotonic()
            page.get_by_role("button", name="Vergelijking doorrekenen").click()
            page.get_by_text("A en B op dezelfde seeds").wait_for()
            _idle(page)
            timings["comparison_s"] = time.monotonic() - clicked
            panel.get_by_text("Configuratie B").click()  # fold B's knobs away
            _idle(page)
            page.get_by_text("A en B op dezelfde seeds").evaluate(
                "heading => heading.scrollIntoView({block: 'start'})"
            )
            page.screenshot(path=out / "comparison-nl.png")
            panel.get_by_test_id("stImage").scroll_into_view_if_needed()
            panel.get_by_test_id("stImage").screenshot(path=out / "comparison-figure-nl.png")
            page.get_by_role("tab", name="Resultaat").click()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=out / "result-nl.png")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    for path in out.glob("*.png"):
        _small_png(path)
    return timings


def main() -> None:
    """Command line: ``python -m wijksim.dashboard.measure``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/figures/dashboard", help="screenshot folder")
    args = parser.parse_args()
    for name, seconds in measure(Path(args.out)).items():
        print(f"{name}: {seconds:.1f}")


if __name__ == "__main__":
    main()
