"""The main screens at phone and tablet size: screenshots for the README (written to
`screenshot_dir`; `make screenshots` refreshes docs/screenshots/), no content wider than the
screen, and touch targets of at least 48 px, measured on the bounding boxes of Flutter's
semantics DOM."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_app import PHONE, TABLET, AppProcess, go_to_question, open_page
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from fieldapp.app import load_demo_forms, open_store
from fieldapp.interview import Interview
from fieldapp.store import Store

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
    data = tmp_path_factory.mktemp("screens") / "device"
    store = open_store(data)
    load_demo_forms(store)
    for size in ("phone", "tablet"):
        draft_at_the_plots_prompt(store, f"HH-{size.upper()}")
    store.close()
    process = AppProcess(data)
    process.start()
    yield process
    process.stop()


def draft_at_the_plots_prompt(store: Store, household: str) -> None:
    """A living income draft answered up to the plots' repeat prompt and saved on it: Next
    does not pass a required question left empty (#14 item 1), so the walk to the prompt is
    answered here, each required question with its first choice or a plausible number."""
    interview = Interview.start(store, "living_income_household")
    interview.answer("/data/identification/household_id", household)
    while interview.screen().kind == "questions":
        for q in interview.screen().questions:
            if not q.required or q.value:
                continue
            tries = [c.value for c in q.choices[:1]] or ["40", "1", "Awa"]
            next(value for value in tries if interview.answer(q.ref, value).ok)
        interview.next()
    assert interview.screen().kind == "repeat_prompt"


def next_screen(page: Page, name: str = "Next") -> None:
    """Tap Next (or Back) and wait until the screen changes (its progress label changes)."""
    progress = page.get_by_role("progressbar")
    shown = progress.get_attribute("aria-label") or ""
    page.get_by_role("button", name=name, exact=True).click()
    expect(progress).not_to_have_attribute("aria-label", shown)


def blank(shot: bytes) -> bool:
    """Whether a screenshot is one flat colour (nothing painted yet)."""
    low, high = Image.open(io.BytesIO(shot)).convert("L").getextrema()
    return bool(high - low < 8)


def check(page: Page, folder: Path, name: str, size: str) -> list[str]:
    """Write the screenshot and return what is wrong with the layout."""
    frame = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    shot, previous = page.screenshot(), b""
    for _ in range(100):  # Flutter paints a moment after its accessibility tree is there
        if not blank(shot):
            break
        page.evaluate(frame)
        shot = page.screenshot()
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
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Save as draft").click()
    page.get_by_role("button", name="Drafts").click()
    page.get_by_role("button", name=re.compile(f"^Resume HH-{size.upper()}")).click()
    add = page.get_by_role("button", name="Add", exact=True)
    expect(add).to_be_visible()
    problems += check(page, screenshot_dir, "filling-repeat-prompt", size)
    consent = page.get_by_role("radio", name="No", exact=True)
    for _ in range(15):  # back to the consent: a refusal ends the interview
        if page.get_by_text("Does the household agree").count():
            break
        next_screen(page, "Back")
    consent.click()
    expect(consent).to_be_checked()
    for _ in range(5):
        if page.get_by_role("button", name="Finalize").count():
            break
        next_screen(page)
    expect(page.get_by_text("End of the interview")).to_be_visible()
    problems += check(page, screenshot_dir, "end", size)
    page.close()
    assert problems == []
