"""Issue 7's whole loop in Chromium: a real `fieldapp-server serve`, the enumerator app and
the supervisor screens as subprocesses on 127.0.0.1, one browser with a page for each.

The device is set up by pasting its setup code in Settings; its first sync downloads the
form; the interview is sent, rejected with comments, returned to the device, corrected,
finalized, sent again, and approved on its new version."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_app import AppProcess, free_port, open_page, wait_serving, write
from playwright.sync_api import Browser, Page, expect

from sync.protocol import DeviceSettings
from sync.provisioning import SetupOptions, encode_settings
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file
from sync.server.review.store import QueueFilter
from sync.server.storage.sqlite import SqliteStorage

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Loop:
    server: str
    data: Path
    app: AppProcess
    supervisor: str


def distinct_ports(taken: int) -> tuple[int, int]:
    ports = {taken}
    while len(ports) < 3:
        ports.add(free_port())
    ports.discard(taken)
    first, second = sorted(ports)
    return first, second


def serving(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env={**os.environ, "FLET_FORCE_WEB_SERVER": "1"})


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    data = tmp_path / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, ROOT / "assets" / "forms" / "demo_household.xml", runs=1)
    enumerator = add_user(storage, "amina", "enumerator", "north")
    supervisor = add_user(storage, "sue", "supervisor", "north")
    app = AppProcess(tmp_path / "device", demo=False)
    port, ui_port = distinct_ports(app.port)
    server_url = f"http://127.0.0.1:{port}"
    processes = [
        serving(
            [
                str(BIN / "fieldapp-server"),
                "serve",
                "--data",
                str(data),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
        ),  # fmt: skip
        serving(
            [
                sys.executable,
                "-m",
                "sync.server.supervisor_ui",
                "--server",
                server_url,
                "--token",
                supervisor,
                "--port",
                str(ui_port),
                "--no-browser",
            ]
        ),  # fmt: skip
    ]
    device = DeviceSettings(server_url=server_url, token=enumerator, project="north")
    code = encode_settings(device, SetupOptions(autosend=False))  # each sync pressed here
    (tmp_path / "code.txt").write_text(code)
    try:
        app.start()
        wait_serving(processes[0], port)
        wait_serving(processes[1], ui_port)
        yield Loop(server_url, data, app, f"http://127.0.0.1:{ui_port}/")
    finally:
        app.stop()
        for process in processes:
            process.terminate()
            process.wait(10)


def sync_now(page: Page, expected: str) -> None:
    page.get_by_role("button", name="Home").click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text(re.compile(f"^Sync finished: .*{expected}"))).to_be_visible()


def saved(page: Page) -> None:
    expect(page.get_by_text("Saved", exact=True)).to_be_visible()


def next_shows(page: Page, what: str) -> None:
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text(what).first).to_be_visible()


def finalize(page: Page) -> None:
    next_shows(page, "End of the interview")
    page.get_by_role("button", name="Finalize").click()
    expect(page.get_by_text("Interview finalized and ready to send")).to_be_visible()


def open_supervisor(browser: Browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    return page


def test_reject_return_correct_resend_approve(browser: Browser, loop: Loop, tmp_path: Path) -> None:
    device = open_page(browser, loop.app)
    device.get_by_role("button", name="Settings").click()
    write(device, "Paste setup code", (tmp_path / "code.txt").read_text())
    device.get_by_role("button", name="OK", exact=True).click()
    expect(device.get_by_text(f"Set up for {loop.server}, project north")).to_be_visible()
    sync_now(device, "1 form updated")

    device.get_by_role("button", name="Forms").click()
    device.get_by_role("button", name="Start Demo household income").click()
    device.get_by_role("radio", name="Adjoa Mensah", exact=True).click()
    saved(device)
    device.get_by_role("button", name="Next").click()
    write(device, "Household ID", "AB-0042")  # typed once the field listens (see write)
    saved(device)
    device.get_by_role("button", name="Next").click()
    device.get_by_role("radio", name="North", exact=True).click()
    saved(device)
    device.get_by_role("button", name="Next").click()
    device.get_by_role("button", name="Next").click()  # no location
    device.get_by_role("radio", name="No", exact=True).click()
    saved(device)
    finalize(device)
    sync_now(device, "1 interview sent")

    review = open_supervisor(browser, loop.supervisor)
    review.get_by_role("button", name="Open AB-0042 north").click(timeout=30_000)
    review.get_by_role("button", name="Comment on Household ID").click()  # opens its field
    write(review, "Comment on Household ID", "Card says AB-0024", counted=True)
    write(review, "Overall comment", "Check the household card", counted=True)
    review.get_by_role("button", name="Reject").click()
    expect(review.get_by_text("Rejected: AB-0042 north", exact=True)).to_be_visible()

    sync_now(device, "1 interview returned for correction")
    device.get_by_role("button", name="Returned", exact=True).click()
    expect(device.get_by_text("Supervisor comments: Check the household card")).to_be_visible()
    device.get_by_role("button", name="Correct AB-0042 north").click()  # opens on the question
    expect(device.get_by_text("Supervisor comments: Card says AB-0024")).to_be_visible()
    device.get_by_role("textbox", name="Household ID").fill("AB-0024")
    saved(device)
    next_shows(device, "Region")
    next_shows(device, "Enter coordinates by hand")
    next_shows(device, "Does the household agree")
    finalize(device)
    sync_now(device, "1 interview sent")

    review.get_by_role("button", name="Queue").click()
    review.get_by_role("button", name="Open AB-0024 north").click()
    expect(review.get_by_text("  Household ID: AB-0042 → AB-0024")).to_be_visible()
    asked = re.compile(r"^Review of the version corrected \(uuid:.*\): Rejected by sue: Check")
    expect(review.get_by_text(asked)).to_be_visible()
    expect(review.get_by_text("  on Household ID: Card says AB-0024")).to_be_visible()
    review.get_by_role("button", name="Approve").click()
    expect(review.get_by_text("Approved: AB-0024 north", exact=True)).to_be_visible()
    review.close()
    device.close()

    storage = SqliteStorage(loop.data / "server.db")
    [row] = storage.open_review_index().page(QueueFilter(state="approved"))
    assert row["instance_name"] == "AB-0024 north"
    assert [r.decision for r in storage.reviews(row["instance_id"])] == ["approved"]
