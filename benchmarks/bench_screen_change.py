"""Screen change: from tapping Next in Chromium to the next screen painted, in the real app
(`fieldapp app --demo`, a subprocess on 127.0.0.1), against a trivial Flet page swapping a
text on a tap (the floor: Flet web's own round trip).

Two interviews, each a draft answered in full beforehand and resumed on its first screen
(Next stays on a screen with a required question left empty, as in ODK Collect, so the walk
needs the answers): the demo form with 6 household members, and the living income
questionnaire with a 10-member roster and 6 plots (#14: Next to the next screen painted
<= 1.5x the floor there). The end of a change is when the new screen's progress label is in
the semantics tree, polled on every animation frame. Each Next is followed by a tap on the
trivial page (both served at once), so on a shared machine an app change and its floor meet
the same load; each row's ratio is to the floor taps that followed its own changes. Goals:
median <= 150 ms on the demo form, <= 1.5x the floor on the living income questionnaire.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from benchmarks.living_income_households import household_xml
from fieldapp.app import load_demo_forms, open_store
from fieldapp.interview import Interview
from fieldapp.store import Store

DEMO_FORM, LIVING_FORM = "demo_household", "living_income_household"
VIEWPORT: ViewportSize = {"width": 800, "height": 1280}

GOAL_MS = 150.0
GOAL_RATIO = 1.5
MEMBERS = 6
"""Demo household size: 3 questions per member make more than 20 screens in all."""
LIVING_SIZES = (10, 6)
"""Members and plots of the living income household."""
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


def _demo_draft(store: Store) -> int:
    """A demo interview answered in full (each required question with its first choice or a
    number), saved on its first screen; its number of screens."""
    interview = Interview.start(store, DEMO_FORM)
    fixed = {"/data/household_id": "AB-1234", "/data/interview/hh_size": str(MEMBERS)}
    while interview.screen().kind == "questions":
        for q in interview.screen().questions:
            if q.required and not q.value:
                tries = [fixed.get(q.ref, ""), *(c.value for c in q.choices[:1]), "30", "Awa"]
                next(value for value in tries if value and interview.answer(q.ref, value).ok)
        interview.next()
    interview.index = 0
    interview.save()
    return interview.screen().count


def _living_draft(store: Store) -> int:
    """The living income questionnaire of a 10-member, 6-plot household, answered in full;
    its number of screens."""
    form = store.get_form(LIVING_FORM)
    xml = household_xml(1, sizes=LIVING_SIZES)
    store.create_draft(form.form_id, form.version, "uuid:bench-0000001", xml, "HH-0000001")
    return Interview.resume(store, "uuid:bench-0000001").screen().count


def _walks(browser: Browser, data: Path) -> dict[str, tuple[list[float], list[float]]]:
    """For each draft, (app, floor) timings: every Next in the app is followed by a tap on
    the trivial page, both servers up, so the two meet the same load on a shared machine."""
    store = open_store(data)
    load_demo_forms(store)
    screens = {"AB-1234": _demo_draft(store), "HH-0000001": _living_draft(store)}
    store.close()
    app_port, floor_port = _free_port(), _free_port()
    exe = str(Path(sys.executable).with_name("fieldapp"))
    app_args = [exe, "app", "--data", str(data), "--port", str(app_port), "--no-browser"]
    floor_args = [sys.executable, "-m", "benchmarks.screen_change_floor", str(floor_port)]
    timings: dict[str, tuple[list[float], list[float]]] = {}
    with (
        _serving([*app_args, "--demo"], app_port) as url,
        _serving(floor_args, floor_port) as floor_url,
    ):
        page, floor = browser.new_page(viewport=VIEWPORT), browser.new_page(viewport=VIEWPORT)
        _open(page, url, "Sync now")
        _open(floor, floor_url, "Next")
        for name, count in screens.items():
            page.get_by_role("button", name="Drafts").click()
            page.get_by_role("button", name=re.compile(f"^Resume {name}")).click()
            app_ms: list[float] = []
            floor_ms: list[float] = []
            for _ in range(count):
                app_ms += _changes(page, 1)
                floor_ms += _changes(floor, 1)
            timings[name] = (app_ms, floor_ms)
            page.get_by_role("button", name="More").click()
            page.get_by_role("menuitem", name="Save as draft").click()
    return timings


def run() -> str:
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            walks = _walks(browser, Path(tmp))
        finally:
            browser.close()
    (demo, demo_floor), (living, living_floor) = walks["AB-1234"], walks["HH-0000001"]
    floor = demo_floor + living_floor
    demo_ms = statistics.median(demo)
    living_ratio = statistics.median(living) / statistics.median(living_floor)
    demo_ok = "met" if demo_ms <= GOAL_MS else "missed"
    living_ok = "met" if living_ratio <= GOAL_RATIO else "missed"
    return "\n".join(
        [
            "| page | screens | median ms | p95 ms | ratio to floor (its own taps) |",
            "|---|---:|---:|---:|---:|",
            _row("trivial Flet page (floor), a tap after each Next", floor, floor),
            _row(f"fieldapp, demo form, {MEMBERS} members", demo, demo_floor),
            _row(
                f"fieldapp, living income, {LIVING_SIZES[0]} members and {LIVING_SIZES[1]} plots",
                living,
                living_floor,
            ),
            "",
            f"Goals: median <= {GOAL_MS:.0f} ms from tapping Next to the next screen on the "
            f"demo form ({demo_ok}); <= {GOAL_RATIO}x the floor on the living income "
            f"questionnaire ({living_ok}).",
        ]
    )


def _row(name: str, timings: list[float], floor: list[float]) -> str:
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    ratio = median / statistics.median(floor)
    return f"| {name} | {len(timings)} | {median:.0f} | {p95:.0f} | {ratio:.2f} |"


if __name__ == "__main__":
    print(run())
