"""Screen change: from tapping Next in Chromium to the next screen painted, in the real app
(`fieldapp app --demo`, a subprocess on 127.0.0.1) over the demo form, against a trivial
Flet page swapping a text on a tap (the floor: Flet web's own round trip).

The end of a change is when the new screen's progress label (section and screen number,
set in the same update as the question label) is in the semantics tree, polled on every
animation frame. Goal: median <= 150 ms.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

GOAL_MS = 150.0
MEMBERS = 6
"""Household size typed in: 3 questions per member make more than 20 screens in all."""
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
ARGS += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHANGED = """([before]) => {
  const bar = document.querySelector("[role=progressbar]");
  return bar !== null && bar.getAttribute("aria-label") !== before;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _serving(args: list[str], port: int) -> Iterator[str]:
    env = {**os.environ, "FLET_FORCE_WEB_SERVER": "1"}
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{args[0]} did not start serving") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(10)


def _open(page: Page, url: str, ready: str) -> None:
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name=ready).wait_for(timeout=30_000)


def _changes(page: Page, taps: int) -> list[float]:
    """Milliseconds from each tap on Next to the next screen in the semantics tree."""
    bar, button = page.get_by_role("progressbar"), page.get_by_role("button", name="Next")
    out = []
    for _ in range(taps):
        before = bar.get_attribute("aria-label")
        start = time.perf_counter()
        button.click()
        page.wait_for_function(CHANGED, arg=[before], polling="raf")
        out.append((time.perf_counter() - start) * 1000)
    return out


def _app(page: Page, data: Path) -> list[float]:
    exe = Path(sys.executable).with_name("fieldapp")
    port = _free_port()
    args = [str(exe), "app", "--data", str(data), "--port", str(port), "--no-browser", "--demo"]
    with _serving(args, port) as url:
        _open(page, url, "Sync now")
        page.get_by_role("button", name="Forms").click()
        page.get_by_role("button", name="Start Demo household income").click()
        timings = _changes(page, 4)
        page.get_by_role("radio", name="Yes", exact=True).click()
        page.get_by_text("Saved", exact=True).wait_for()
        timings += _changes(page, 1)
        page.get_by_role("textbox", name="How many people").fill(str(MEMBERS))
        page.get_by_text("Saved", exact=True).wait_for()
        return timings + _changes(page, 3 * MEMBERS + 5)


def _floor(page: Page, taps: int) -> list[float]:
    port = _free_port()
    args = [sys.executable, "-m", "benchmarks.screen_change_floor", str(port)]
    with _serving(args, port) as url:
        _open(page, url, "Next")
        return _changes(page, taps)


def run() -> str:
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            app = _app(browser.new_page(viewport={"width": 800, "height": 1280}), Path(tmp))
            floor = _floor(browser.new_page(viewport={"width": 800, "height": 1280}), len(app))
        finally:
            browser.close()
    app_ms, floor_ms = statistics.median(app), statistics.median(floor)
    p95 = statistics.quantiles(app, n=20)[-1]
    verdict = "met" if app_ms <= GOAL_MS else "missed"
    return "\n".join(
        [
            "| page | screens | median ms | p95 ms | ratio to floor |",
            "|---|---:|---:|---:|---:|",
            f"| trivial Flet page (floor) | {len(floor)} | {floor_ms:.0f} | "
            f"{statistics.quantiles(floor, n=20)[-1]:.0f} | 1.00 |",
            f"| fieldapp, demo form | {len(app)} | {app_ms:.0f} | {p95:.0f} | "
            f"{app_ms / floor_ms:.2f} |",
            "",
            f"Goal: median <= {GOAL_MS:.0f} ms from tapping Next to the next screen ({verdict}).",
        ]
    )


if __name__ == "__main__":
    print(run())
