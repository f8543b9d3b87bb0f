"""Automatic sending (#20) and Home and Settings (#14 items 5, 10, 15) in Chromium at phone
size, with the real app and real `fieldapp-server serve` processes on loopback: a central
server and a district hub (a second plain server that knows the same device token).

The app is started with `FIELDAPP_SYNC_BACKOFF=0.3,2` (first retry within 0.3 s, at most
2 s apart) so that what takes minutes on a tablet takes seconds here; every wait is on
what the server holds or what the screen shows, never on a fixed delay. The tests run in
order on one device (one app process, restarted once for the kill)."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from e2e_app import AppProcess, open_page, write
from playwright.sync_api import Browser, Page, expect

from fieldapp.app import open_store
from fieldapp.auto_sync import BACKOFF_VARIABLE
from fieldapp.sync_agent import provision_from_code
from sync.protocol import DeviceSettings
from sync.provisioning import SetupOptions, encode_settings
from sync.server.api.auth import add_user, hash_token
from sync.server.app import open_storage
from sync.server.publish import publish_file
from sync.server.storage import User
from sync.server.storage.sqlite import SqliteStorage
from tests.sync.server_support import DEMO_FORM, serving
from tests.waiting import free_port, wait_until

REQUIRED = "Sorry, this response is required!"
SYNCED_MS = 30_000
"""How long the screen may take to show a sync's outcome (a hang guard, not a measure)."""


@dataclass
class Place:
    """A server's data folder and port; started and stopped as the test needs."""

    data: Path
    port: int = field(default_factory=free_port)
    running: ExitStack = field(default_factory=ExitStack)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.running.enter_context(serving(self.data, self.port))

    def stop(self) -> None:
        self.running.close()

    def instance_of(self, household: str) -> str:
        """The instanceID of the submission of `household`."""
        with closing(sqlite3.connect(f"file:{self.data / 'server.db'}?mode=ro", uri=True)) as db:
            found = db.execute(
                "SELECT instance_id FROM submissions WHERE xml LIKE ?", (f"%>{household}<%",)
            ).fetchone()
        return str(found[0])

    def households(self) -> list[str]:
        """The household of each submission the server stored, in order."""
        with closing(sqlite3.connect(f"file:{self.data / 'server.db'}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT xml FROM submissions ORDER BY rowid").fetchall()
        return [re.findall(r"<household_id>(.*?)</household_id>", row[0])[0] for row in rows]

    def held(self) -> int:
        """How many submissions the server stored (read from its database)."""
        with closing(sqlite3.connect(f"file:{self.data / 'server.db'}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM submissions").fetchone()[0])


@dataclass
class Device:
    app: AppProcess
    central: Place
    hub: Place
    supervisor: str
    page: Page | None = None


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[Device]:
    root = tmp_path_factory.mktemp("home_sync")
    central, hub = Place(root / "central"), Place(root / "hub")
    storage, blobs = open_storage(central.data)
    publish_file(storage, blobs, DEMO_FORM, runs=1)
    token = add_user(storage, "amina", "enumerator", "north")
    supervisor = add_user(storage, "sue", "supervisor", "north")
    storage, blobs = open_storage(hub.data)  # a hub that knows the district's users
    publish_file(storage, blobs, DEMO_FORM, runs=1)
    storage.add_user(User("amina", "enumerator", "north"), hash_token(token))
    settings = DeviceSettings(server_url=central.url, token=token, project="north")
    store = open_store(root / "device")
    provision_from_code(store, encode_settings(settings, SetupOptions(hub_url=hub.url)))
    store.close()
    app = AppProcess(root / "device")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(os.environ, BACKOFF_VARIABLE, "0.3,2")
        app.start()
    found = Device(app, central, hub, supervisor)
    try:
        yield found
    finally:
        if found.page is not None:
            found.page.close()
        app.stop()
        central.stop()
        hub.stop()


def page_of(device: Device, browser: Browser) -> Page:
    if device.page is None:
        device.page = open_page(browser, device.app)
    return device.page


def go_home(page: Page) -> None:
    page.get_by_role("button", name="Home", exact=True).click()
    expect(page.get_by_role("button", name="Sync now")).to_be_visible()


def next_shows(page: Page, what: str) -> None:
    """Tap Next until `what` shows. An answer given just before may reach the app after the
    tap, which then refuses to move on from an empty required question (as Collect does):
    a person taps again, and so does this (at most three times)."""
    shown, refused = page.get_by_text(what).first, page.get_by_text(REQUIRED)
    for _ in range(3):
        page.get_by_role("button", name="Next").click()
        expect(shown.or_(refused).first).to_be_visible()
        if shown.is_visible():
            return
    expect(shown).to_be_visible()


def start_interview(page: Page, household: str) -> None:
    """A demo interview up to its region: a draft named `<household> north` (each answer is
    committed as it is given, so the next screen showing is the sign it is kept)."""
    page.get_by_role("button", name="Forms").click()
    page.get_by_role("button", name="Start Demo household income").click()
    page.get_by_role("radio", name="Adjoa Mensah", exact=True).click()
    next_shows(page, "Household ID")
    write(page, "Household ID", household)
    next_shows(page, "Region")
    page.get_by_role("radio", name="North", exact=True).click()
    expect(page.get_by_role("radio", name="North", exact=True)).to_be_checked()


def finalize(page: Page, household: str) -> None:
    """A whole demo interview (no consent), finalized, then Home."""
    start_interview(page, household)
    next_shows(page, "Enter coordinates by hand")
    next_shows(page, "Does the household agree")  # no location
    page.get_by_role("radio", name="No", exact=True).click()
    expect(page.get_by_role("radio", name="No", exact=True)).to_be_checked()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Finalize").click()
    expect(page.get_by_text("Interview finalized and ready to send")).to_be_visible()
    go_home(page)


def setting(device: Device, key: str) -> str:
    """A setting as the device's store holds it ("" when unset)."""
    path = device.app.data / "fieldapp.db"
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else ""


def local_times() -> re.Pattern[str]:
    """`today HH:MM` for this minute or the next (the app and the test share the clock and
    the time zone; a minute may turn between the sync and the look)."""
    now = dt.datetime.now().astimezone()
    minutes = {f"{(now + dt.timedelta(minutes=m)):%H:%M}" for m in (-1, 0, 1)}
    return re.compile(f"today ({'|'.join(minutes)})$")


def test_settings_start_on_the_current_language_and_apply_a_new_one_at_once(
    device: Device, browser: Browser, screenshot_dir: Path
) -> None:
    page = page_of(device, browser)
    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_role("radio", name="English")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Send automatically")).to_be_checked()
    page.get_by_role("radio", name="Français").click()  # no Save pressed
    expect(page.get_by_text("Paramètres", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Accueil")).to_be_visible()
    expect(page.get_by_role("radio", name="Français")).to_be_checked()
    page.screenshot(path=screenshot_dir / "settings-sync-phone.png")
    page.get_by_role("radio", name="English").click()
    expect(page.get_by_role("button", name="Home", exact=True)).to_be_visible()
    write(page, "District hub address (optional)", "10.0.0.5:8000")
    page.get_by_role("button", name="Save").click()
    said = "10.0.0.5:8000 is not a server address: it must start with http:// or https://."
    expect(page.get_by_text(said)).to_be_visible()
    assert setting(device, "hub_url") == device.hub.url  # nothing changed


def test_an_interview_finalized_offline_reaches_the_server_when_it_comes_up_unasked(
    device: Device, browser: Browser, screenshot_dir: Path
) -> None:
    """Nobody presses Sync: the agent retries on its backoff until the server answers.
    Then "Sync now" pressed right after a finalize (the automatic sync running) sends each
    interview once."""
    page = page_of(device, browser)
    finalize(page, "AB-0001")
    not_sent = page.get_by_text(re.compile("^Not sent yet: The server cannot be reached"))
    expect(not_sent).to_be_visible(timeout=SYNCED_MS)
    expect(page.get_by_text(re.compile("^Next automatic sync: today "))).to_be_visible()
    expect(page.get_by_text("Ready to send: 1")).to_be_visible()

    device.central.start()
    wait_until(lambda: device.central.held() == 1, "the interview on the server")
    expect(page.get_by_text("Sent: 1")).to_be_visible(timeout=SYNCED_MS)  # Home redrawn
    expect(page.get_by_text("Ready to send: 0")).to_be_visible()
    expect(page.get_by_text(re.compile("^Last sync: "))).to_have_text(
        re.compile("^Last sync: " + local_times().pattern)
    )
    expect(page.get_by_text(re.compile("^Not sent yet"))).to_have_count(0)

    finalize(page, "AB-0002")
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("Sent: 2")).to_be_visible(timeout=SYNCED_MS)
    assert device.central.households() == ["AB-0001", "AB-0002"]
    page.screenshot(path=screenshot_dir / "home-sync-phone.png")
    expect(page.get_by_text(re.compile("^Sync finished: "))).to_be_visible()
    page.get_by_role("button", name="Forms").click()
    go_home(page)
    expect(page.get_by_text(re.compile("^Sync finished: "))).to_have_count(0)  # said once


def test_the_hub_when_it_answers_else_the_central_server(device: Device, browser: Browser) -> None:
    """The hub goes away only once the device counts the interview sent: a hub cut before
    it acknowledged leaves the interview to the central server on the next try (a real hub
    forwards it too, and the central server answers "duplicate")."""
    page = page_of(device, browser)
    device.central.stop()
    device.hub.start()
    finalize(page, "AB-0003")
    wait_until(lambda: device.hub.held() == 1, "the interview on the hub")
    expect(page.get_by_text("Sent: 3")).to_be_visible(timeout=SYNCED_MS)  # acknowledged
    device.hub.stop()
    device.central.start()
    finalize(page, "AB-0004")
    wait_until(lambda: device.central.held() >= 3, "the next interview on the central server")
    assert device.central.households() == ["AB-0001", "AB-0002", "AB-0004"]
    expect(page.get_by_text("Sent: 4")).to_be_visible(timeout=SYNCED_MS)
    assert device.hub.households() == ["AB-0003"]


def test_after_a_kill_home_offers_the_open_draft_first_and_the_upload_resumes(
    device: Device, browser: Browser
) -> None:
    """Finalized with the server down, a draft left open, the app killed; the server comes
    up and the app restarts: the interview is sent at start, and Home opens with
    "Continue: AB-0006 north" first. Saving it as a draft again says so."""
    page = page_of(device, browser)
    device.central.stop()
    finalize(page, "AB-0005")
    start_interview(page, "AB-0006")
    page.close()
    device.page = None
    device.app.kill()
    device.central.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(os.environ, BACKOFF_VARIABLE, "0.3,2")
        device.app.start()
    wait_until(lambda: device.central.held() >= 4, "the interview finalized before the kill")
    assert device.central.households() == ["AB-0001", "AB-0002", "AB-0004", "AB-0005"]
    page = page_of(device, browser)
    resume = page.get_by_role("button", name="Continue: AB-0006 north")
    expect(resume).to_be_visible()
    counts = page.get_by_text("Drafts: 1")
    expect(counts).to_be_visible()

    def tops() -> tuple[float, float] | None:  # an automatic sync may redraw Home meanwhile
        first, then = resume.bounding_box(), counts.bounding_box()
        return (first["y"], then["y"]) if first is not None and then is not None else None

    top_continue, top_counts = wait_until(tops, "Home laid out")
    assert top_continue < top_counts, "Continue comes first on Home, above the counts"
    page.get_by_role("button", name="Continue: AB-0006 north").click()
    expect(page.get_by_role("radio", name="North", exact=True)).to_be_checked()
    next_shows(page, "Enter coordinates by hand")
    next_shows(page, "Does the household agree")
    synced = setting(device, "last_sync")
    wait_until(
        lambda: setting(device, "last_sync") != synced, "an automatic sync during the interview"
    )
    expect(page.get_by_text("Does the household agree")).to_be_visible()  # not Home redrawn
    page.get_by_role("radio", name="No", exact=True).click()
    next_shows(page, "End of the interview")
    page.get_by_role("button", name="Save as draft").first.click()
    expect(page.get_by_text("Saved as draft", exact=True).first).to_be_visible()  # and spoken
    expect(page.get_by_role("button", name="Continue: AB-0006 north")).to_be_visible()


def test_an_interview_sent_back_comes_back_unasked_with_a_badge_on_home(
    device: Device, browser: Browser, screenshot_dir: Path
) -> None:
    """The supervisor rejects AB-0001 on the central server; the device's next automatic
    sync brings it back, and Home shows it with a badge and a line that opens it."""
    page = page_of(device, browser)
    first = device.central.instance_of("AB-0001")
    answer = httpx.post(
        f"{device.central.url}/api/v1/review/{first}",
        json={"decision": "rejected", "comment": "Check the household card"},
        headers={"Authorization": f"Bearer {device.supervisor}"},
    )
    assert answer.status_code == 200, answer.text
    line = page.get_by_role("button", name="1 interview returned for correction")
    expect(line).to_be_visible(timeout=SYNCED_MS)
    expect(page.get_by_text("1", exact=True)).to_be_visible()  # the badge
    page.screenshot(path=screenshot_dir / "home-returned-phone.png")
    line.click()
    expect(page.get_by_text("Supervisor comments: Check the household card")).to_be_visible()


def test_a_revoked_device_is_told_clearly_on_home(
    device: Device, browser: Browser, screenshot_dir: Path
) -> None:
    """The coordinator revokes the device's token: the next automatic try is refused, and
    Home says so in red, not quietly like a server that does not answer."""
    page = page_of(device, browser)
    page.get_by_role("button", name="Home", exact=True).click()
    assert SqliteStorage(device.central.data / "server.db").revoke("amina")
    refused = page.get_by_text(re.compile("^Sync failed: The server refused this device"))
    expect(refused).to_be_visible(timeout=SYNCED_MS)
    expect(page.get_by_text(re.compile("^Not sent yet"))).to_have_count(0)
    page.screenshot(path=screenshot_dir / "home-refused-phone.png")
