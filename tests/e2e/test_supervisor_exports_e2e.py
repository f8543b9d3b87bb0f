"""The Exports screen in Chromium, against a real server and the real supervisor app: start a
CSV export, watch it finish, download it through its one-time link, read the zip back."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from playwright.sync_api import Browser, Download, expect
from test_supervisor_review import running  # noqa: F401 (the fixture, used by name)


def test_export_from_the_screens_and_download_it(
    browser: Browser,
    running: tuple[str, str, str, object],  # noqa: F811
    screenshot_dir: Path,
    tmp_path: Path,
) -> None:
    url = running[1]  # the screens' URL
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
    downloads: list[Download] = []

    def keep(download: Download) -> None:
        downloads.append(download)

    context.on("page", lambda opened: opened.on("download", keep))
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name="Exports").click(timeout=30_000)
    expect(page.get_by_text("Form: demo_household")).to_be_visible()
    page.get_by_role("button", name="CSV", exact=True).click()
    expect(page.get_by_text("Format: CSV")).to_be_visible()
    page.get_by_role("button", name="Start export").click()
    done = re.compile(r"^Done: demo_household\.csv\.zip, 1 submission, \d+ B$")
    expect(page.get_by_text(done).first).to_be_visible(timeout=30_000)
    page.screenshot(path=str(screenshot_dir / "supervisor-exports.png"))
    page.get_by_role("button", name="Download demo_household.csv.zip").click()
    for _ in range(100):  # a hang guard: the new tab's download starts within seconds
        if downloads:
            break
        page.wait_for_timeout(100)
    assert downloads, "no download started"
    saved = tmp_path / "export.zip"
    downloads[0].save_as(saved)
    assert downloads[0].suggested_filename == "demo_household.csv.zip"
    with zipfile.ZipFile(saved) as archive:
        root = archive.read("demo_household.csv").decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(root)))
    assert row["KEY"] == "uuid:e2e-1" and row["household_id"] == "AB-0042"
    assert row["District"] == "north" and row["ReviewState"] == "received"
    context.close()
