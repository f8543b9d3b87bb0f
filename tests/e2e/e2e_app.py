"""Start the real app (`fieldapp app --no-browser --demo`) on 127.0.0.1 and drive it; start
the real server with the supervisor screens beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from tests.waiting import free_port, wait_serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 412, "height": 915}
TABLET = {"width": 800, "height": 1280}


@contextmanager
def supervisor_app(data: Path, token: str) -> Iterator[tuple[str, str]]:
    """`fieldapp-server serve` over `data` and the supervisor screens signed in with `token`,
    as subprocesses on free ports: (the server's URL, the screens' URL) once both answer."""
    port, ui_port = free_port(), free_port()
    server = f"http://127.0.0.1:{port}"
    processes = [
        subprocess.Popen(
            [str(Path(sys.executable).with_name("fieldapp-server")), "serve", "--data", str(data),
             "--host", "127.0.0.1", "--port", str(port)], stderr=subprocess.DEVNULL),
        subprocess.Popen(
            [sys.executable, "-m", "sync.server.supervisor_ui", "--server", server,
             f"--token={token}", "--port", str(ui_port), "--no-browser"],
            env={**os.environ, "FLET_FORCE_WEB_SERVER": "1"}),
    ]  # fmt: skip
    try:
        wait_serving(processes[0], port)
        wait_serving(processes[1], ui_port)
        yield server, f"http://127.0.0.1:{ui_port}/"
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


class AppProcess:
    def __init__(self, data: Path, *, demo: bool = True) -> None:
        self.data = data
        self.demo = demo
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        exe = Path(sys.executable).with_name("fieldapp")
        args = [str(exe), "app", "--data", str(self.data), "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*args, "--no-browser", *(["--demo"] if self.demo else [])],
            env={**os.environ, "FLET_FORCE_WEB_SERVER": "1"},
        )
        wait_serving(self.process, self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def open_page(
    browser: Browser, app: AppProcess, viewport: dict[str, int] = PHONE, *, ready: str = "Sync now"
) -> Page:
    """The app in Chromium, once Home shows its button `ready` (the sync button's word in the
    app's language)."""
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    page.goto(app.url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name=ready).wait_for(timeout=30_000)
    return page


def write(page: Page, label: str, text: str, *, counted: bool = False) -> None:
    """Type into a field as a person would, and leave it only once it holds the text.

    For a counted field, wait until the screen says the server has all of it; otherwise until
    the field shows it. Flutter connects its text input a moment after the field takes focus;
    keys that arrive before that are dropped, and the field stays short. A person would see
    that and type again: so does this helper (clearing the field first), at most three times."""
    box = page.get_by_role("textbox", name=label)
    for attempt in range(3):
        if attempt or not box.evaluate("node => node === document.activeElement"):
            box.click()  # a tap on a field that already has the keyboard would lose it
        expect(box).to_be_focused()
        if attempt:
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
        page.keyboard.insert_text(text)
        try:  # for a counted field the server's count is the truth (the DOM value may lag)
            if counted:
                expect(page.get_by_text(f"{label}: {len(text)} characters")).to_be_visible(
                    timeout=4_000
                )
            else:
                expect(box).to_have_value(text, timeout=4_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    page.keyboard.press("Tab")


def go_to_question(page: Page) -> None:
    """Open Go to question: its own button, or the item of the interview's top-bar menu."""
    direct = page.get_by_role("button", name="Go to question", exact=True)
    if not direct.count():
        page.get_by_role("button", name="More").click()
        direct = page.get_by_role("menuitem", name="Go to question")
    direct.click()
    expect(page.get_by_role("button", name="Back to the question")).to_be_visible()


def on_screen(page: Page, target: Locator) -> None:
    """Scroll until `target` is inside the window: a wheel over the page, as a mouse or a swipe
    would (sideways over a table that scrolls sideways); Flutter scrolls its own views, not the
    document, so Playwright's own scrolling does not move them."""
    size = page.viewport_size
    assert size is not None
    for _ in range(40):
        box = target.bounding_box()
        assert box is not None
        right, bottom = box["x"] + box["width"], box["y"] + box["height"]
        dx = right - size["width"] + 40 if right > size["width"] else min(box["x"], 0)
        dy = bottom - size["height"] + 40 if bottom > size["height"] else min(box["y"], 0)
        if not dx and not dy:
            return
        page.mouse.move(
            size["width"] / 2, box["y"] + box["height"] / 2 if dx else size["height"] / 2
        )
        if dx:
            page.mouse.wheel(dx, 0)
        else:
            page.mouse.wheel(0, dy)
        page.wait_for_timeout(100)
    raise AssertionError(f"{target} never came into the window")
