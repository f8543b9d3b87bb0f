"""The living income report screen in Chromium: a real server over the 24 synthetic
households and the real supervisor app, as subprocesses. A supervisor of the north opens the
report, reads their district's figures and charts, and goes on to export it as HTML. Writes
supervisor-report.png, the README's picture, to `screenshot_dir`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_app import supervisor_app
from playwright.sync_api import Browser, expect

from sync.server.app import open_storage
from sync.server.auth import add_user
from sync.server.publish import publish_file

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from report_support import HOUSEHOLDS, LIVING_INCOME_FORM, store_households  # noqa: E402
from test_supervisor_media_e2e import painted  # noqa: E402

BELOW = (198, 40, 40)
"""The red of a household's bar below the benchmark (`report/charts.py`)."""


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[str]:
    data = tmp_path / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, LIVING_INCOME_FORM, runs=1)
    store_households(storage)
    sue = add_user(storage, "sue", "supervisor", "north")
    with supervisor_app(data, sue) as (_, screens):
        yield screens


def test_a_supervisor_reads_the_report_of_their_district_and_exports_it(
    browser: Browser, supervisor: str, screenshot_dir: Path
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(supervisor)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name="Report").click(timeout=30_000)
    expect(page.get_by_text("Living income report: living_income_household")).to_be_visible(
        timeout=30_000
    )
    north = sum(1 for h in HOUSEHOLDS if h["district"] == "north")
    expect(page.get_by_text(f"{north} households", exact=False).first).to_be_visible()
    expect(page.get_by_text("Households against the living income benchmark")).to_be_visible()
    expect(page.get_by_text("All households", exact=True).first).to_be_visible()
    expect(page.get_by_text("Sex of the head", exact=True).first).to_be_visible()
    expect(page.get_by_text("south", exact=True)).to_have_count(0)  # the north's report only
    expect(page.get_by_text("Women's empowerment: A-WEAI adequacy by domain")).to_be_visible()
    expect(page.get_by_role("img", name="Gap by sex of the household head")).to_be_visible()
    spread = page.get_by_role("img", name="Income against the living income benchmark")
    assert painted(spread, {BELOW: 0.01}), "no household's bar below the benchmark is drawn"
    page.evaluate("() => window.scrollTo(0, 0)")
    shot = page.screenshot(clip={"x": 0, "y": 0, "width": 1400, "height": 1500})
    (screenshot_dir / "supervisor-report.png").write_bytes(shot)

    page.get_by_role("button", name="Export as HTML, with every household").click()
    expect(page.get_by_text("Format: Living income report")).to_be_visible()
    expect(page.get_by_text("Form: living_income_household")).to_be_visible()
    page.close()
