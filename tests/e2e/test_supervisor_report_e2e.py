"""The living income report screen in Chromium at tablet size (800×1280): a real server over
the 24 synthetic households and the real supervisor app, as subprocesses. A supervisor of the
north opens the report, reads their district's figures and charts, and goes on to export it as
HTML; the HTML report fits the tablet's width too. A supervisor of a district with no approved
household is told why the report is empty. Writes supervisor-report.png, the README's picture,
to `screenshot_dir`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_app import TABLET, supervisor_app
from playwright.sync_api import Browser, Page, expect

from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from report_support import HOUSEHOLDS, LIVING_INCOME_FORM, store_households  # noqa: E402
from test_supervisor_media_e2e import painted  # noqa: E402

BELOW = (198, 40, 40)
"""The red of a household's bar below the benchmark (`report/charts.py`)."""


@pytest.fixture(scope="module")
def supervisor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """(the server's URL, the north supervisor's token, the screens' URL)."""
    data = tmp_path_factory.mktemp("report") / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, LIVING_INCOME_FORM, runs=1)
    store_households(storage)
    sue = add_user(storage, "sue", "supervisor", "north")
    with supervisor_app(data, sue) as (server, screens):
        yield server, sue, screens


def report_page(browser: Browser, screens: str) -> Page:
    page = browser.new_page(viewport=TABLET)  # type: ignore[arg-type]
    page.goto(screens)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name="Report").click(timeout=30_000)
    expect(page.get_by_text("Living income report: living_income_household")).to_be_visible(
        timeout=30_000
    )
    return page


def test_a_supervisor_reads_the_report_of_their_district_and_exports_it(
    browser: Browser, supervisor: tuple[str, str, str], screenshot_dir: Path
) -> None:
    page = report_page(browser, supervisor[2])
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
    # nothing but the tables' own sideways scroll reaches past the tablet's edge
    for shown in (spread, page.get_by_text("Each estimate over its 95 % interval", exact=False)):
        box = shown.bounding_box()
        assert box is not None and box["x"] + box["width"] <= TABLET["width"], box
    page.evaluate("() => window.scrollTo(0, 0)")
    (screenshot_dir / "supervisor-report.png").write_bytes(page.screenshot())

    page.get_by_role("button", name="Export as HTML, with every household").click()
    expect(page.get_by_text("Format: Living income report")).to_be_visible()
    expect(page.get_by_text("Form: living_income_household")).to_be_visible()
    page.close()


def test_the_html_report_fits_a_tablets_width(
    browser: Browser, supervisor: tuple[str, str, str], screenshot_dir: Path
) -> None:
    server, token, _ = supervisor
    got = httpx.get(f"{server}/api/v1/report.html", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200, got.text
    page = browser.new_page(viewport=TABLET)  # type: ignore[arg-type]
    page.set_content(got.text)  # served as a download: opened as the file would be
    expect(page.get_by_role("heading", name="Groups", exact=True)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= TABLET["width"]
    (screenshot_dir / "report-html-tablet.png").write_bytes(page.screenshot())
    page.close()


def test_an_empty_report_says_why(browser: Browser, tmp_path: Path) -> None:
    data = tmp_path / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, LIVING_INCOME_FORM, runs=1)
    store_households(storage)
    wes = add_user(storage, "wes", "supervisor", "west")  # no household in the west
    with supervisor_app(data, wes) as (_, screens):
        page = report_page(browser, screens)
        expect(page.get_by_text("0 households", exact=True)).to_be_visible()
        expect(page.get_by_text("Nothing to show yet: no approved household with a benchmark",
                                exact=False)).to_be_visible()  # fmt: skip
        page.close()
