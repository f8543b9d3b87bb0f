"""The main screens at phone and tablet size: screenshots for the README (written to
`screenshot_dir`; `make screenshots` refreshes docs/screenshots/), no content wider than the
screen, and touch targets of at least 48 px, measured on the bounding boxes of Flutter's
semantics DOM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_app import PHONE, TABLET, AppProcess, go_to_question, open_page
from playwright.sync_api import Browser, Page, expect

MIN_TOUCH = 48
INTERACTIVE = "[role=button], [role=radio], [role=checkbox], [role=slider], input, textarea"
MEASURE = """([selector, minimum]) => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const clipped = (el, box) => {  // cut by the edge of a scrolling list: not its real size
    for (let up = el.parentElement; up && up.tagName === "FLT-SEMANTICS"; up = up.parentElement) {
      if (getComputedStyle(up).overflowY === "visible") continue;
      const edge = up.getBoundingClientRect();
      return box.top <= edge.top + 1 || box.bottom >= edge.bottom - 1;
    }
    return false;
  };
  if (document.scrollingElement.scrollWidth > width) problems.push("page scrolls sideways");
  for (const el of document.querySelectorAll("flt-semantics, " + selector)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const name = (el.getAttribute("aria-label") || el.textContent || el.tagName).slice(0, 40);
    if (box.left < -1 || box.right > width + 1) problems.push(`wider than the screen: ${name}`);
    if (el.matches(selector) && (box.width < minimum || box.height < minimum) && !clipped(el, box))
      problems.push(`touch target ${Math.round(box.width)}x${Math.round(box.height)}: ${name}`);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    process = AppProcess(tmp_path_factory.mktemp("screens") / "device")
    process.start()
    yield process
    process.stop()


def next_screen(page: Page) -> None:
    """Tap Next and wait until the next screen shows (its progress label changes)."""
    progress = page.get_by_role("progressbar")
    shown = progress.get_attribute("aria-label") or ""
    page.get_by_role("button", name="Next").click()
    expect(progress).not_to_have_attribute("aria-label", shown)


def check(page: Page, folder: Path, name: str, size: str) -> list[str]:
    """Write the screenshot and return what is wrong with the layout."""
    frame = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    shot, previous = page.screenshot(), b""
    for _ in range(30):  # until an animation (a dialog opening) has settled
        if shot == previous:
            break
        page.evaluate(frame)
        previous, shot = shot, page.screenshot()
    (folder / f"{name}-{size}.png").write_bytes(shot)
    problems: list[str] = page.evaluate(MEASURE, [INTERACTIVE, MIN_TOUCH])
    return [f"{name} ({size}): {p}" for p in problems]


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("tablet", TABLET)])
def test_main_screens_fit_the_screen_with_large_touch_targets(
    browser: Browser,
    app: AppProcess,
    screenshot_dir: Path,
    size: str,
    viewport: dict[str, int],
) -> None:
    page = open_page(browser, app, viewport)
    problems = check(page, screenshot_dir, "home", size)
    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_role("radio", name="Français")).to_be_visible()
    problems += check(page, screenshot_dir, "settings", size)
    page.get_by_role("button", name="Forms").click()
    start = page.get_by_role("button", name="Start Living income household questionnaire")
    expect(start).to_be_visible()
    problems += check(page, screenshot_dir, "forms", size)

    start.click()
    expect(page.get_by_role("radio", name="Enumerator 01")).to_be_visible()
    problems += check(page, screenshot_dir, "filling-select", size)
    go_to_question(page)
    expect(page.get_by_role("button", name="Household ID Missing")).to_be_visible()
    problems += check(page, screenshot_dir, "outline", size)
    page.get_by_role("button", name="Back to the question").click()
    for _ in range(2):
        next_screen(page)
    page.get_by_role("radio", name="Yes", exact=True).click()
    expect(page.get_by_text("Saved", exact=True)).to_be_visible()
    add = page.get_by_role("button", name="Add", exact=True)
    for _ in range(12):
        if add.count():
            break
        next_screen(page)
    expect(add).to_be_visible()
    problems += check(page, screenshot_dir, "filling-repeat-prompt", size)
    for _ in range(40):
        if page.get_by_role("button", name="Finalize").count():
            break
        next_screen(page)
    expect(page.get_by_text("End of the interview")).to_be_visible()
    problems += check(page, screenshot_dir, "end", size)
    page.close()
    assert problems == []
