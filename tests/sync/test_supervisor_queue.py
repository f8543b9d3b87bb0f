"""The queue screen a page at a time, built from what a real server sends (`fieldapp-server
serve` on loopback, the screens' own ReviewApi): where the page is, newer and older pages,
a page emptied by decisions, new filters starting again from the newest, a filter the server
cannot apply said in its words, and state and flag chosen from lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast, get_args

import flet as ft
import pytest
from server_support import instance_xml, make_server, serving

from sync.server.quality.checks import FLAG_LABELS
from sync.server.review.store import QueueFilter
from sync.server.supervisor_ui.api import ReviewApi
from sync.server.supervisor_ui.screens import ANY, SupervisorScreens, page_text, queue_line

pytestmark = pytest.mark.server_storage


class Page:
    """What the screens need of a page when nobody is looking at it."""

    def update(self) -> None:
        pass


def shown(screens: SupervisorScreens) -> tuple[str, list[str], list[str]]:
    """(where the page is, its paging buttons, the submissions it opens)."""
    where, paging = screens.body.controls[5], screens.body.controls[6]
    assert isinstance(where, ft.Text) and isinstance(paging, ft.Row)
    opens = [
        str(row.controls[0].content)
        for row in screens.body.controls[7:]
        if isinstance(row, ft.Row) and isinstance(row.controls[0], ft.Button)
    ]
    return str(where.value), [str(b.content) for b in paging.controls], opens  # type: ignore[attr-defined]


def press(screens: SupervisorScreens, label: str) -> None:
    """Press the button labelled `label` on the screen, as its click would."""
    found = [
        c
        for row in screens.body.controls
        for c in (row.controls if isinstance(row, ft.Row) else [row])
        if isinstance(c, ft.Button) and c.content == label
    ]
    assert len(found) == 1, f"{label!r}: {len(found)} buttons"
    handler: Any = found[0].on_click
    handler(None)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, shared_database: str | None
) -> tuple[str, str]:
    data = tmp_path_factory.mktemp("queue") / "server"
    made = make_server(data)
    for n in range(1, 6):  # one batch each, so each has its own arrival time
        iid = f"uuid:q{n}"
        body = {"batch_id": f"b{n}", "device_id": "d1", "items": [
            {"instance_id": iid, "form_id": "demo_household",
             "xml": instance_xml(iid, f"AB-000{n}")}]}  # fmt: skip
        sent = made.client.post("/api/v1/submissions", json=body, headers=made.auth("amina"))
        assert sent.json()["results"][0]["status"] == "stored", sent.text
    return str(data), made.tokens["sue"]


def test_the_queue_pages_through_newest_first_and_keeps_its_place(
    server: tuple[str, str],
) -> None:
    data, sue = server
    with serving(Path(data)) as url:
        api = ReviewApi(url, sue)
        screens = SupervisorScreens(cast(ft.Page, Page()), api, page_size=2)
        screens.queue()
        assert shown(screens) == ("Submissions 1–2 of 5, newest first", ["Older 2"],
                                  ["Open AB-0005 north", "Open AB-0004 north"])  # fmt: skip
        press(screens, "Older 2")
        assert shown(screens) == ("Submissions 3–4 of 5, newest first", ["Newer 2", "Older 2"],
                                  ["Open AB-0003 north", "Open AB-0002 north"])  # fmt: skip
        press(screens, "Older 2")
        assert shown(screens) == ("Submission 5 of 5, newest first", ["Newer 2"],
                                  ["Open AB-0001 north"])  # fmt: skip

        # only submissions still to review: the one on the last page is approved meanwhile
        screens.filters["state"].value = "received"
        api.decide("uuid:q1", "approved", "", {})
        screens.queue()  # the same place, now past the end: back to the last page there is
        assert shown(screens) == ("Submissions 3–4 of 4, newest first", ["Newer 2"],
                                  ["Open AB-0003 north", "Open AB-0002 north"])  # fmt: skip
        press(screens, "Apply filters")
        assert shown(screens)[0] == "Submissions 1–2 of 4, newest first"
        screens.filters["enumerator"].value = "nobody"
        press(screens, "Apply filters")
        assert shown(screens) == ("No submissions match", [], [])

        screens.filters["date_from"].value = "26/11/2026"
        press(screens, "Apply filters")
        assert screens.message.value == (
            "422: invalid query parameter date_from: '26/11/2026' is not a date;"
            " write it as YYYY-MM-DD"
        )


def test_state_and_flag_are_chosen_from_what_the_server_knows() -> None:
    screens = SupervisorScreens(cast(ft.Page, Page()), ReviewApi("http://127.0.0.1:9", "t"))
    state, flag = screens.filters["state"], screens.filters["flag"]
    assert isinstance(state, ft.Dropdown) and isinstance(flag, ft.Dropdown)
    assert state.value == flag.value == ANY
    known = get_args(get_args(QueueFilter.model_fields["state"].annotation)[0])
    assert [o.key for o in state.options] == [ANY, *known]
    assert [o.key for o in flag.options] == [ANY, "any", *FLAG_LABELS]


@pytest.mark.parametrize(
    ("offset", "count", "total", "said"),
    [
        (0, 0, 0, "No submissions match"),
        (0, 1, 1, "1 submission, newest first"),
        (0, 37, 37, "37 submissions, newest first"),
        (100, 100, 5412, "Submissions 101–200 of 5,412, newest first"),
        (5400, 12, 5412, "Submissions 5,401–5,412 of 5,412, newest first"),
    ],
)
def test_where_the_page_is(offset: int, count: int, total: int, said: str) -> None:
    assert page_text(offset, count, total) == said


def test_a_queue_row_reads_as_words() -> None:
    row = {"state": "has_issues", "enumerator": "amina", "district": "north",
           "submitted_at": "2026-03-02T09:41:07.120+00:00",
           "flags": [{"code": "gps_missing"}, {"code": "too_short"}]}  # fmt: skip
    assert queue_line(row) == (
        "Has issues · amina · north · 2026-03-02 09:41 · GPS missing, Interview too short"
    )
    assert queue_line({**row, "flags": []}).endswith("09:41 · no flags")
