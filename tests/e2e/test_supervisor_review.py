"""Supervisor screens in Chromium at tablet size (800×1280): a real server and the real
supervisor app as subprocesses, one for the module. Open the queue, open a submission, reject it
with an overall comment, a comment on a question (opened with its Comment button) and one on a
single answer of the roster; tap each column's cell of the living income roster by its
accessible name and find each comment on that cell's question through the review API.

ODK Collect names a question in a repeat by its instance (`/data/member[2]/age`) and shows a
supervisor's comment there; Material asks for touch targets of at least 48 px."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_app import PHONE, TABLET, on_screen, supervisor_app, write
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from forms.session import FormSession
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "forms"))

from living_income_households import kenya_diversified  # noqa: E402

FORMS = ROOT / "assets" / "forms"
XML = (
    '<data id="demo_household" version="2026112601"><household_id>AB-0042</household_id>'
    "<region>north</region><consent>yes</consent><interview><hh_size>2</hh_size>"
    "<member><name>Amina</name><sex>female</sex><age>41</age><adult_weight>1</adult_weight>"
    "</member><member><name>Kofi</name><sex>male</sex><age>45</age><adult_weight>0.5"
    "</adult_weight></member><equivalence_units>1.5</equivalence_units></interview>"
    "<meta><instanceID>uuid:e2e-1</instanceID>"
    "<instanceName>AB-0042 north</instanceName></meta></data>"
)
LIVING = "uuid:li-e2e"


def living_income() -> tuple[FormSession, str]:
    session = kenya_diversified()
    assert session.answer("/data/identification/household_id", "HH-KE").ok
    assert session.finalize() == []
    xml = session.to_xml().replace(str(session.value("/data/meta/instanceID")), LIVING)
    return session, xml


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str, str, FormSession]]:
    """(the server's URL, the screens' URL, the supervisor's token, the living income
    interview's session) with both interviews on the server."""
    data = tmp_path_factory.mktemp("review") / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, FORMS / "demo_household.xml", runs=1)
    publish_file(storage, blobs, FORMS / "living_income_household.xml", runs=1)
    amina = add_user(storage, "amina", "enumerator", "north")
    sue = add_user(storage, "sue", "supervisor", "north")
    session, xml = living_income()
    with supervisor_app(data, sue) as (server, screens):
        items = [{"instance_id": "uuid:e2e-1", "form_id": "demo_household", "xml": XML},
                 {"instance_id": LIVING, "form_id": "living_income_household", "xml": xml}]  # fmt: skip
        pushed = httpx.post(f"{server}/api/v1/submissions",
                            json={"batch_id": "b1", "device_id": "d1", "items": items},
                            headers={"Authorization": f"Bearer {amina}"})  # fmt: skip
        assert [r["status"] for r in pushed.json()["results"]] == ["stored", "stored"]
        yield server, screens, sue, session


def opened(browser: Browser, url: str, name: str, size: dict[str, int] = TABLET) -> Page:
    page = browser.new_page(viewport=size)  # type: ignore[arg-type]
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name=f"Open {name}").click(timeout=30_000)
    return page


def right_edge(target: Locator) -> float:
    box = target.bounding_box()
    assert box is not None
    return box["x"] + box["width"]


def inked(target: Locator) -> bool:
    """Whether the browser has painted `target` (Flutter paints a moment after its
    accessibility tree is there): some of its pixels are far from the page's background."""
    shot = Image.open(io.BytesIO(target.screenshot())).convert("L")
    return sum(shot.histogram()[:160]) > 20


def view(server: str, token: str, instance_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{server}/api/v1/review/submissions/{instance_id}",
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def test_reject_with_comments_opened_on_demand_and_a_status_that_stays_on_its_screen(
    browser: Browser, running: tuple[str, str, str, FormSession], screenshot_dir: Path
) -> None:
    server, url, token, _ = running
    page = opened(browser, url, "AB-0042 north")
    expect(page.get_by_text("AB-0042 north", exact=True)).to_be_visible()  # the page's title
    expect(page.get_by_text("Household ID: AB-0042")).to_be_visible()
    expect(page.get_by_text("Region: North")).to_be_visible()
    expect(page.get_by_role("textbox", name="Comment on Household ID")).to_have_count(0)
    expect(page.get_by_text("characters", exact=False)).to_have_count(0)
    for button in page.get_by_role("button").all():
        box = button.bounding_box()
        if box is not None:  # a touch target of at least 48 px (Material)
            assert box["height"] >= 47.5, (button.get_attribute("aria-label"), box)

    wait_until(lambda: inked(page.get_by_role("button", name="Reject")), "the page painted", 30)
    page.screenshot(path=screenshot_dir / "supervisor-submission-tablet.png")
    phone = opened(browser, url, "AB-0042 north", PHONE)
    comment = phone.get_by_role("button", name="Comment on Household ID")
    assert right_edge(comment) <= PHONE["width"]  # the Comment buttons fit a phone too
    wait_until(lambda: inked(comment), "the phone's page painted", 30)
    phone.screenshot(path=screenshot_dir / "supervisor-submission-phone.png")
    phone.close()

    page.get_by_role("button", name="Comment on Household ID").click()
    write(page, "Comment on Household ID", "Card says AB-0024", counted=True)
    expect(page.get_by_text("Tap an answer in the table to comment on it.")).to_be_visible()
    age = "Household member 2 › Age of [name] (years)"
    cell = page.get_by_role("button", name=f"{age}: 45", exact=True)
    cell.click()
    write(page, f"Comment on {age}", "Kofi is 54", counted=True)
    cell.click()  # the same cell: the same field
    expect(page.get_by_role("textbox", name=f"Comment on {age}")).to_have_count(1)
    write(page, "Overall comment", "Check the household card", counted=True)
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Rejected: AB-0042 north")).to_be_visible()  # by its name
    [review] = view(server, token, "uuid:e2e-1")["reviews"]
    assert (review["decision"], review["comment"], review["question_comments"]) == (
        "rejected", "Check the household card",
        {"/data/household_id": "Card says AB-0024", "/data/interview/member[2]/age": "Kofi is 54"},
    )  # fmt: skip
    page.get_by_role("button", name="Dashboard").click()
    expect(page.get_by_text("Enumerators", exact=True)).to_be_visible()
    expect(page.get_by_text("Rejected: AB-0042 north")).to_have_count(0)  # no carry-over

    # the queue's state list: the submission is under Rejected, and not under Approved
    page.get_by_role("button", name="Queue").click()
    for state, shown in (("Approved", "No submissions match"), ("Rejected", "1 submission")):
        page.get_by_role("button", name="State").click()
        page.get_by_role("button", name=state, exact=True).click()
        page.get_by_role("button", name="Apply filters").click()
        expect(page.get_by_text(shown)).to_be_visible()

    # opened again, the review's comments read with the places they were written on
    page.get_by_role("button", name="Open AB-0042 north").click(timeout=30_000)
    expect(page.get_by_text("  on Household ID: Card says AB-0024")).to_be_visible()
    expect(page.get_by_text(f"  on {age}: Kofi is 54")).to_be_visible()
    page.close()


def test_each_roster_cell_tapped_by_its_name_takes_the_comment_to_its_question(
    browser: Browser, running: tuple[str, str, str, FormSession], screenshot_dir: Path
) -> None:
    server, url, token, session = running
    page = opened(browser, url, "HH-KE Village")
    # the benchmark by its label in benchmarks.csv, identification before it, as in the form
    with (FORMS / "benchmarks.csv").open(encoding="utf-8") as rows:
        label = {r["name"]: r["label"] for r in csv.DictReader(rows)}[
            session.value("/data/benchmark")
        ]
    benchmark = page.get_by_text(f"Region and year of the living income benchmark: {label}")
    household = page.get_by_text("Household ID: HH-KE")
    expect(benchmark).to_be_visible(timeout=30_000)
    assert household.bounding_box()["y"] < benchmark.bounding_box()["y"]  # type: ignore[index]

    rendered = view(server, token, LIVING)["rendered"]
    # notes read as the enumerator's app showed them, their ${…} filled in (no "…")
    notes = [a for s in rendered["sections"] for a in s["answers"] if a["kind"] == "note"]
    assert notes and all(n["label"] == session.label(n["ref"]) for n in notes)
    expect(page.get_by_text(notes[0]["label"], exact=True)).to_have_count(1)
    [members] = [t for s in rendered["sections"] for t in s["tables"]
                 if t["ref"] == "/data/roster/member"]  # fmt: skip
    place = members["row_labels"][1]
    heading = page.get_by_text(members["label"], exact=True)
    on_screen(page, heading)
    wait_until(lambda: inked(heading), "the roster painted", 30)
    page.screenshot(path=screenshot_dir / "supervisor-roster-tablet.png")
    expected = {}
    for column, ref in zip(members["columns"], members["column_refs"], strict=True):
        name = f"{place} › {column}"
        cell = page.get_by_role("button", name=re.compile(f"^{re.escape(name)}: "))
        on_screen(page, cell)
        cell.click()
        write(page, f"Comment on {name}", f"check {column}", counted=True)
        expected[members["row_refs"][1] + ref[len(members["ref"]) :]] = f"check {column}"
    on_screen(page, page.get_by_role("textbox", name="Overall comment"))
    write(page, "Overall comment", "Check member 2", counted=True)
    on_screen(page, page.get_by_role("button", name="Reject"))
    page.get_by_role("button", name="Reject").click()
    # Reject was scrolled to: the queue still opens at its top, title and status in view
    expect(page.get_by_text("Rejected: HH-KE Village")).to_be_in_viewport()
    expect(page.get_by_text("Review queue", exact=True)).to_be_in_viewport()
    [review] = view(server, token, LIVING)["reviews"]
    assert review["question_comments"] == expected
    page.close()
