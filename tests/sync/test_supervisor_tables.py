"""The submission screen's repeat tables and photos, built from what a real server sends
(`fieldapp-server serve` on loopback, the screens' own ReviewApi): nested repeats as tables
below their parent with each row's place, files in the cells of file questions only,
geopoints with the GPS warning mark, and photo previews fetched a few at once."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any, cast

import flet as ft
import httpx
import pytest
from PIL import Image
from plot_seasons_support import FORM, NOTE, RECEIPT, interview, plots_with_photos, submit
from server_support import serving

from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file
from sync.server.quality.config import BoundingBox, QualityConfig, save_config
from sync.server.supervisor_ui.api import ReviewApi
from sync.server.supervisor_ui.cell_sizes import CHAR, ROW_WIDTH, lines, width
from sync.server.supervisor_ui.comments import OVERALL, SENT, CommentBook
from sync.server.supervisor_ui.media import AT_ONCE, Attachments
from sync.server.supervisor_ui.repeat_tables import gps_cell, repeat_tables

pytestmark = pytest.mark.server_storage


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return out.getvalue()


FILES = {"plot1.jpg": jpeg("red"), "bags-1-1.jpg": jpeg("blue"), NOTE: b"m4a audio",
         RECEIPT: b"%PDF-1.4 receipt"}  # fmt: skip
MANY = [f"p{i}.jpg" for i in range(1, 8)]
BROKEN = "p4.jpg"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, shared_database: str | None
) -> Iterator[tuple[str, str]]:
    """The server's URL and the supervisor's token, with the farm interview and one with a
    photo on each of seven plots (one of them not a readable image)."""
    data = tmp_path_factory.mktemp("tables") / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, FORM, runs=1)
    amina = add_user(storage, "amina", "enumerator", "north")
    sue = add_user(storage, "sue", "supervisor", "north")
    box = BoundingBox(min_lat=6.0, min_lon=-1.5, max_lat=6.5, max_lon=-1.0)
    save_config(storage, QualityConfig(districts={"north": box}).model_dump_json())
    with serving(data) as url, httpx.Client(base_url=url) as client:
        submit(client, amina, "uuid:n1", interview("uuid:n1"), FILES, [*FILES, "bags-2-1.jpg"])
        many = {n: b"\xff\xd8 not a jpeg" if n == BROKEN else jpeg("green") for n in MANY}
        submit(client, amina, "uuid:many", plots_with_photos("uuid:many", MANY), many, MANY)
        yield url, sue


def said(control: ft.Control) -> str:
    """What a control shows, as a reader would say it: texts, and images, buttons and icons
    by their labels (an icon's is its tooltip) in brackets."""
    if isinstance(control, ft.Text):
        return str(control.value)
    if isinstance(control, ft.Image):
        return f"[{control.semantics_label}]"
    if isinstance(control, ft.Icon):
        return f"[{control.tooltip}]"
    if isinstance(control, ft.Button):
        return f"[{control.content}]"
    if isinstance(control, ft.IconButton):
        return f"[{control.tooltip}]"
    if isinstance(control, ft.Container | ft.Semantics):
        return said(control.content) if control.content is not None else ""
    if isinstance(control, ft.Row | ft.Column):
        return " ".join(said(c) for c in control.controls)
    raise AssertionError(f"unexpected control {control!r}")


def cells(table: ft.Control) -> list[list[ft.Control]]:
    """The drawn table's rows of cells, headings first: the first column (which stays in
    place) joined with the rest (which scrolls sideways)."""
    assert isinstance(table, ft.Row)
    first, scroller = table.controls
    assert isinstance(first, ft.Column) and isinstance(scroller, ft.Row)
    [rest] = scroller.controls
    assert isinstance(rest, ft.Column) and scroller.scroll == ft.ScrollMode.AUTO
    rows = []
    for left, right in zip(first.controls, rest.controls, strict=True):
        assert isinstance(right, ft.Row)
        rows.append([left, *right.controls])
    return rows


def grid(table: ft.Control) -> list[list[str]]:
    return [[said(cell) for cell in row] for row in cells(table)]


def opened(api: ReviewApi, instance_id: str) -> tuple[list[ft.Control], Attachments]:
    """The plots table of the submission and what is nested in it, previews loaded."""
    view = api.submission(instance_id, None)
    files = Attachments(cast(ft.Page, None), api, instance_id, view["files"])
    points = {p["ref"]: p for p in view["gps_in_repeats"]}
    [table] = view["rendered"]["sections"][1]["tables"]
    shown = repeat_tables(table, files, points)
    files.load()
    return shown, files


def test_nested_repeats_are_tables_below_their_parent_with_each_rows_place(
    server: tuple[str, str],
) -> None:
    shown, _ = opened(ReviewApi(*server), "uuid:n1")
    assert [said(c) for c in shown[::2]] == ["Plot", "Harvest season", "Sale"]
    plots, seasons, sales = (grid(t) for t in shown[1::2])
    warned = "[Warning: outside district north's bounding box]"
    assert plots == [
        ["Plot name", "Plot photo", "Plot corner", "Harvest season"],
        ["Riverside", "[Photo plot1.jpg]", "6.200000, -1.200000 (±5 m)", "1 rows"],
        ["Hill", "", f"{warned} 7.500000, -1.200000 (±5 m)", "2 rows"],
    ]
    assert seasons == [
        ["Row", "Season", "Harvest (kg)", "Photo of the bags", "Voice note", "Drying place", "Sale"],
        ["Plot 1 › Harvest season 1", "Main crop", "800", "[Photo bags-1-1.jpg]",
         f"[None] {NOTE} · 9 B [Download {NOTE}]",
         "[Warning: accuracy 80 m is worse than the 50 m limit] 6.210000, -1.210000 (±80 m)",
         "2 rows"],
        ["Plot 2 › Harvest season 1", "Light crop", "300", "bags-2-1.jpg (not received yet)",
         "", "", "0 rows"],
        ["Plot 2 › Harvest season 2", "Main crop", "450", "", "", "6.300000, -1.300000 (±4 m)",
         "0 rows"],
    ]  # fmt: skip
    assert sales == [
        ["Row", "Buyer", "Sold (kg)", "Receipt"],
        ["Plot 1 › Harvest season 1 › Sale 1", "Cooperative", "500",
         f"[None] {RECEIPT} · 16 B [Download {RECEIPT}]"],
        # a buyer's name that is also a photo's name is no file question: it stays text
        ["Plot 1 › Harvest season 1 › Sale 2", "plot1.jpg", "100", ""],
    ]  # fmt: skip


class Watched(ReviewApi):
    """The screens' API, noting how many previews are fetched at the same moment. The first
    AT_ONCE fetches wait for each other (up to 10 s): fetched one after another, they fail."""

    def __init__(self, server: str, token: str) -> None:
        super().__init__(server, token)
        self.lock = threading.Lock()
        self.together = threading.Barrier(AT_ONCE, timeout=10)
        self.running = self.most = 0
        self.fetched: list[tuple[str, int | None]] = []

    def attachment(self, instance_id: str, name: str, width: int | None = None) -> bytes:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.fetched.append((name, width))
            first = len(self.fetched) <= AT_ONCE
        try:
            if first:
                self.together.wait()
            return super().attachment(instance_id, name, width)
        finally:
            with self.lock:
                self.running -= 1


def test_previews_are_fetched_a_few_at_once_and_each_failure_stays_with_its_photo(
    server: tuple[str, str],
) -> None:
    api = Watched(*server)
    shown, files = opened(api, "uuid:many")
    assert (api.most, sorted(api.fetched)) == (AT_ONCE, [(n, 72) for n in MANY])
    photos = dict(zip(MANY, (row[1] for row in grid(shown[1])[1:]), strict=True))
    broken = photos.pop(BROKEN)
    assert photos == {name: f"[Photo {name}]" for name in photos}
    assert broken.startswith(f"{BROKEN}: no preview (400: '{BROKEN}' cannot be read as an image")
    assert broken.endswith(f"[None] {BROKEN} · 13 B [Download {BROKEN}]")
    assert files.placed == []


@pytest.mark.parametrize(
    ("point", "shown"),
    [
        ({"latitude": 6.2, "longitude": -1.2, "accuracy_m": 4.5, "warnings": []},
         "6.200000, -1.200000 (±4.5 m)"),
        ({"latitude": 6.2, "longitude": -1.2, "accuracy_m": None, "warnings": []},
         "6.200000, -1.200000"),
        ({"latitude": 95.0, "longitude": -1.2, "accuracy_m": None,
          "warnings": ["95 -1.2 is not a position on Earth"]},
         "[Warning: 95 -1.2 is not a position on Earth] 95.000000, -1.200000"),
        ({"latitude": 7.5, "longitude": -1.2, "accuracy_m": 120.0,
          "warnings": ["accuracy 120 m is worse than the 100 m limit", "outside district north's bounding box"]},
         "[Warning: accuracy 120 m is worse than the 100 m limit; outside district north's"
         " bounding box] 7.500000, -1.200000 (±120 m)"),
    ],
)  # fmt: skip
def test_a_geopoint_cell_reads_lat_lon_and_accuracy(point: dict[str, Any], shown: str) -> None:
    assert said(gps_cell(point)) == shown


@pytest.mark.parametrize(
    ("value", "room", "expected"),
    [
        ("", 100, 1),
        ("Riverside", 100, 1),  # 12 characters fit in 100 px at CHAR px each
        ("aaaa bbbb cccc", 10 * CHAR, 2),  # "aaaa bbbb" then "cccc"
        ("a" * 25, 10 * CHAR, 3),  # a word longer than a line is broken
        ("one\ntwo", 100, 2),
    ],
)
def test_text_wraps_at_word_boundaries(value: str, room: float, expected: int) -> None:
    assert lines(value, room) == expected


def test_each_cell_is_one_named_button_and_rows_line_up_across_the_frozen_column(
    server: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table cell is drawn at its column's width and its row's height in both parts of the
    grid (the first column, which stays, and the rest, which scrolls), so the accessibility
    node of a cell is where the cell is drawn; it reads the cell's place and value, and
    tapping it opens the comment field of that cell's answer (issue #15 item 1)."""
    monkeypatch.setattr(ft.Column, "update", lambda _self: None)  # not on a page here
    api = ReviewApi(*server)
    view = api.submission("uuid:n1", None)
    files = Attachments(cast(ft.Page, None), api, "uuid:n1", view["files"])
    [table] = view["rendered"]["sections"][1]["tables"]
    seasons = table["nested"][0]
    book = CommentBook()
    shown = repeat_tables(table, files, {}, book)
    rows = cells(shown[5])  # the seasons' table (label, table, more, hint, notes, label, table)
    for row in rows:
        heights = {c.content.height if isinstance(c, ft.Semantics) else c.height for c in row}
        assert len(heights) == 1  # type: ignore[union-attr]
        widths = [c.content.width if isinstance(c, ft.Semantics) else c.width for c in row]
        assert widths == [ROW_WIDTH, *(width(k) for k in seasons["column_kinds"])]  # type: ignore[union-attr]
    heads = [cast(ft.Text, cast(ft.Container, c).content) for c in rows[0]]
    assert [h.tooltip for h in heads] == ["Row", *seasons["columns"]]  # the full label
    harvest = seasons["columns"].index("Harvest (kg)") + 1
    cell = rows[2][harvest]  # Plot 2 › Harvest season 1
    assert isinstance(cell, ft.Semantics) and cell.button and cell.exclude_semantics
    place = f"{seasons['row_labels'][1]} › Harvest (kg)"
    assert cell.label == f"{place}: 300"
    box = cast(ft.Container, cell.content)
    cast(Any, box.on_click)(None)
    ref = seasons["row_refs"][1] + "/harvest_kg"
    assert ref == "/data/plot[2]/season[1]/harvest_kg"
    assert list(book.fields) == [ref]
    assert book.fields[ref].label == f"Comment on {place}"


def test_the_decision_sends_only_written_comments_and_the_summary_lists_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ft.Column, "update", lambda _self: None)
    book = CommentBook()
    overall = book.field(OVERALL, "Overall comment", focus=False)
    age = book.field("/data/member[2]/age", "Comment on Household member 2 › Age")
    book.field("/data/household_id", "Comment on Household ID")  # opened, left empty
    assert book.summary.controls == []  # nothing written: no "0 characters" line
    age.value = "Kofi is 54"
    cast(Any, age.on_change)(None)
    overall.value = "Check"
    cast(Any, overall.on_change)(None)
    said = [cast(ft.Text, c).value for c in book.summary.controls]
    # in the order the fields were opened: the overall comment's field is made first
    assert said == [SENT, "Overall comment: 5 characters",
                    "Comment on Household member 2 › Age: 10 characters"]  # fmt: skip
    assert book.questions() == {"/data/member[2]/age": "Kofi is 54"}
    assert book.overall() == "Check"
