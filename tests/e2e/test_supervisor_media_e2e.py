"""A submission's photos, files, GPS, repeats, languages and section times in the supervisor
screens, in Chromium: a real server and the real supervisor app as subprocesses, a submission
sent over HTTP with a real JPEG photo, a PNG in a repeat, a PDF, an audit log and a geopoint;
and one with repeats inside repeats (plots › harvest seasons › sales) holding photos, files
and geopoints. Writes supervisor-submission.png, the README's picture, to `screenshot_dir`."""

from __future__ import annotations

import hashlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_app import TABLET, on_screen, supervisor_app
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Locator, Page, expect

from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file
from sync.server.quality.config import BoundingBox, QualityConfig, save_config

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "sync"))

import plot_seasons_support as nested  # noqa: E402

FORM = ROOT / "tests" / "sync" / "site_visit.xml"
XML = (
    '<data id="site_visit" version="1"><start>2026-03-02T09:00:00Z</start>'
    "<end>2026-03-02T09:30:00Z</end><farm><farmer>Ama Owusu</farmer><photo>house.jpg</photo>"
    "<gps>6.2 -1.2 210.5 80</gps><document>title.pdf</document><sketch>sketch.png</sketch>"
    "</farm><plot><plot_name>Riverside</plot_name><area>1.5</area>"
    "<plot_photo>plot1.png</plot_photo></plot><meta><instanceID>uuid:media-1</instanceID>"
    "<instanceName>Ama Owusu</instanceName><audit>audit.csv</audit></meta></data>"
)
AUDIT = b"event,node,start,end\nquestion,/data/farm/farmer,0,100000\n"
PDF = b"%PDF-1.4 land title\n" * 60
RED, BLUE = (220, 30, 30), (30, 60, 220)


def photo(size: tuple[int, int], fmt: str) -> bytes:
    """A picture with a red top half and a blue bottom half (and a roof line to look at)."""
    image = Image.new("RGB", size, RED)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, size[1] // 2, size[0], size[1]), fill=BLUE)
    draw.line((0, size[1] // 2, size[0] // 2, 0, size[0], size[1] // 2), fill="white", width=9)
    out = io.BytesIO()
    image.save(out, fmt, quality=92)
    return out.getvalue()


FILES = {
    "house.jpg": photo((2400, 1800), "JPEG"),
    "plot1.png": photo((400, 300), "PNG"),
    "title.pdf": PDF,
    "audit.csv": AUDIT,
}
LISTED = [*FILES, "sketch.png"]
NESTED_FILES = {
    "plot1.jpg": photo((400, 300), "JPEG"),
    "bags-1-1.jpg": photo((400, 300), "JPEG"),
    nested.NOTE: b"m4a audio",
    nested.RECEIPT: PDF,
}

MANY = [f"p{i}.jpg" for i in range(1, 61)]
"""Sixty plots, each naming a photo: two arrive (one on the first page of rows, one after)."""
SIXTY_FILES = {"p3.jpg": photo((400, 300), "JPEG"), "p55.jpg": photo((400, 300), "JPEG")}


def submit(server: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    refs = [
        {"name": n, "sha256": hashlib.sha256(FILES.get(n, b"later")).hexdigest(),
         "size": len(FILES.get(n, b"later"))}
        for n in LISTED
    ]  # fmt: skip
    body = {"batch_id": "b1", "device_id": "d1", "items": [{"instance_id": "uuid:media-1",
            "form_id": "site_visit", "xml": XML, "attachments": refs}]}  # fmt: skip
    sent = httpx.post(f"{server}/api/v1/submissions", json=body, headers=auth)
    assert sent.json()["results"][0]["status"] == "stored", sent.text
    for name, data in FILES.items():
        put = httpx.put(f"{server}/api/v1/submissions/uuid:media-1/attachments/{name}",
                        content=data, headers=auth)  # fmt: skip
        assert put.status_code == 201, put.text


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[str]:
    data = tmp_path / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, FORM, runs=1)
    publish_file(storage, blobs, nested.FORM, runs=1)
    amina = add_user(storage, "amina", "enumerator", "north")
    sue = add_user(storage, "sue", "supervisor", "north")
    box = BoundingBox(min_lat=6.0, min_lon=-1.5, max_lat=6.5, max_lon=-1.0)
    save_config(storage, QualityConfig(districts={"north": box}).model_dump_json())
    with supervisor_app(data, sue) as (server, screens):
        submit(server, amina)
        with httpx.Client(base_url=server) as client:
            nested.submit(client, amina, "uuid:nested-1", nested.interview("uuid:nested-1"),
                          NESTED_FILES, [*NESTED_FILES, "bags-2-1.jpg"])  # fmt: skip
            nested.submit(client, amina, "uuid:sixty", nested.plots_with_photos("uuid:sixty", MANY),
                          SIXTY_FILES, MANY)  # fmt: skip
        yield screens


def share(pixels: list[tuple[int, int, int]], colour: tuple[int, int, int]) -> float:
    near = [p for p in pixels if all(abs(a - b) < 45 for a, b in zip(p, colour, strict=True))]
    return len(near) / len(pixels)


def painted(area: Locator, shares: dict[tuple[int, int, int], float]) -> bool:
    """Whether the browser paints `area` with at least these shares of these colours, waiting
    up to 10 s (an image decodes a moment after its semantics node appears)."""
    for _ in range(40):
        shot = Image.open(io.BytesIO(area.screenshot())).convert("RGB")
        pixels = [shot.getpixel((x, y)) for x in range(shot.width) for y in range(shot.height)]
        if all(share(pixels, c) >= least for c, least in shares.items()):  # type: ignore[arg-type]
            return True
        area.page.wait_for_timeout(250)
    return False


def opened(browser: Browser, supervisor: str, name: str, width: int) -> Page:
    """A page of the supervisor app showing the submission named `name`."""
    page = browser.new_page(viewport={"width": width, "height": 2400})
    page.goto(supervisor)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name=f"Open {name}").click(timeout=30_000)
    return page


def test_photos_files_gps_map_tables_languages_and_section_times(
    browser: Browser, supervisor: str, screenshot_dir: Path
) -> None:
    page = opened(browser, supervisor, "Ama Owusu", width=1280)

    house = page.get_by_role("img", name="Photo house.jpg", exact=True)
    expect(house).to_be_visible()
    assert painted(house, {RED: 0.2, BLUE: 0.2})
    expect(page.get_by_text("house.jpg · ")).to_be_visible()
    expect(page.get_by_text("sketch.png (not received yet)")).to_be_visible()
    expect(page.get_by_role("img", name="Photo plot1.png")).to_be_visible()
    expect(page.get_by_text("Riverside")).to_be_visible()

    expect(page.get_by_text("Latitude 6.200000")).to_be_visible()
    expect(page.get_by_text("Longitude -1.200000")).to_be_visible()
    expect(page.get_by_text("Altitude 210.5 m")).to_be_visible()
    expect(page.get_by_text("Accuracy 80 m (limit 50 m)", exact=True)).to_be_visible()
    expect(page.get_by_text("Warning: accuracy 80 m is worse than the 50 m limit")).to_be_visible()
    drawn = page.get_by_role("img", name="Map of district north with the point inside its box")
    expect(drawn).to_be_visible()
    assert painted(drawn, {(227, 242, 253): 0.2, (211, 47, 47): 0.001})  # box (blue 50), red point

    expect(page.get_by_text("Farm (1 min 40 s)")).to_be_visible()
    expect(page.get_by_text("Time per section (from audit.csv):")).to_be_visible()
    expect(page.get_by_text(f"audit.csv · {len(AUDIT)} B")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download title.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF

    page.evaluate("() => window.scrollTo(0, 0)")
    shot = page.screenshot(clip={"x": 0, "y": 0, "width": 1280, "height": 1900})
    (screenshot_dir / "supervisor-submission.png").write_bytes(shot)

    page.get_by_role("button", name="View house.jpg").click()
    large = page.get_by_role("img", name="Photo house.jpg, large")
    expect(large).to_be_visible()
    assert painted(large, {RED: 0.2, BLUE: 0.2})
    page.get_by_role("button", name="Close").click()
    expect(large).to_have_count(0)

    page.get_by_role("button", name="Language Français (fr)").click()
    expect(page.get_by_text("Labels in Français (fr)")).to_be_visible()
    expect(page.get_by_text("Photo de la maison:", exact=True)).to_be_visible()
    expect(page.get_by_text("Exploitation (1 min 40 s)")).to_be_visible()
    page.close()


def test_nested_repeats_show_as_tables_with_their_parents_label(
    browser: Browser, supervisor: str, screenshot_dir: Path
) -> None:
    page = opened(browser, supervisor, "Kwame Asante", width=TABLET["width"])

    expect(page.get_by_text("Harvest season", exact=True)).to_be_visible()
    expect(page.get_by_text("Plot 2 › Harvest season 2", exact=True)).to_be_visible()
    expect(page.get_by_text("Plot 1 › Harvest season 1 › Sale 2", exact=True)).to_be_visible()
    bags = page.get_by_role("img", name="Photo bags-1-1.jpg")
    expect(bags).to_be_visible()
    on_screen(page, bags)
    assert painted(bags, {RED: 0.2, BLUE: 0.2})
    expect(page.get_by_text("bags-2-1.jpg (not received yet)")).to_be_visible()
    expect(page.get_by_role("button", name=f"Download {nested.RECEIPT}")).to_be_visible()
    # the buyer named like a photo is text; the plot photo is the only image of plot1.jpg
    buyer = "Plot 1 › Harvest season 1 › Sale 2 › Buyer: plot1.jpg"
    expect(page.get_by_role("button", name=buyer, exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Photo plot1.jpg")).to_have_count(1)

    # a geopoint in a repeat: numbers, and the warning mark read out with what is wrong
    drying = "Plot 2 › Harvest season 2 › Drying place: 6.300000, -1.300000 (±4 m)"
    expect(page.get_by_role("button", name=drying, exact=True)).to_be_visible()
    expect(page.get_by_role("button", exact=True, name="Plot 1 › Harvest season 1 › Drying place:"
                            " Warning: accuracy 80 m is worse than the 50 m limit 6.210000,"
                            " -1.210000 (±80 m)")).to_be_visible()  # fmt: skip
    expect(page.get_by_role("button", exact=True, name="Plot 2 › Plot corner: Warning: outside"
                            " district north's bounding box 7.500000, -1.200000 (±5 m)")).to_be_visible()  # fmt: skip

    page.get_by_text("Harvest season", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "supervisor-nested-tablet.png")

    page.get_by_role("button", name="Language Français (fr)").click()
    expect(page.get_by_text("Parcelle 2 › Saison de récolte 1", exact=True)).to_be_visible()
    expect(page.get_by_text("Saison de récolte", exact=True)).to_be_visible()
    page.close()


def test_a_long_repeat_table_draws_its_rows_fifty_at_a_time(
    browser: Browser, supervisor: str
) -> None:
    page = opened(browser, supervisor, "Kofi Mensah", width=1280)
    expect(page.get_by_role("button", name="Plot 50 › Plot name: Plot 50")).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_role("button", name="Plot 51 › Plot name: Plot 51")).to_have_count(0)
    expect(page.get_by_role("img", name="Photo p3.jpg")).to_be_visible()
    # the photos of rows not drawn yet are no "other files"
    expect(page.get_by_text("p55.jpg", exact=False)).to_have_count(0)
    page.get_by_role("button", name="Show 10 more rows (50 of 60 shown)").click()
    expect(page.get_by_role("button", name="Plot 60 › Plot name: Plot 60")).to_be_visible()
    photo = page.get_by_role("img", name="Photo p55.jpg")
    expect(photo).to_be_visible()
    for _ in range(40):  # Flutter scrolls its own view: wheel until the photo is on screen
        box = photo.bounding_box()
        if box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 2400:
            break
        page.mouse.move(640, 1200)
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    assert painted(photo, {RED: 0.2, BLUE: 0.2})
    expect(page.get_by_text("p60.jpg (not received yet)")).to_have_count(1)
    expect(page.get_by_role("button", name="Show 10 more rows", exact=False)).to_have_count(0)
    page.close()
