"""Supervisor screens in Chromium: a real server and the real supervisor app as subprocesses;
open the queue, open a submission, reject it with an overall comment, a comment on a question
and one on a single answer in the roster table (tapped in its cell)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_app import supervisor_app, write
from playwright.sync_api import Browser, expect

from sync.server.app import open_storage
from sync.server.auth import add_user
from sync.server.publish import publish_file
from sync.server.storage_sqlite import SqliteStorage

ROOT = Path(__file__).resolve().parents[2]
XML = (
    '<data id="demo_household" version="2026112601"><household_id>AB-0042</household_id>'
    "<region>north</region><consent>yes</consent><interview><hh_size>2</hh_size>"
    "<member><name>Amina</name><sex>female</sex><age>41</age><adult_weight>1</adult_weight>"
    "</member><member><name>Kofi</name><sex>male</sex><age>45</age><adult_weight>0.5"
    "</adult_weight></member><equivalence_units>1.5</equivalence_units></interview>"
    "<meta><instanceID>uuid:e2e-1</instanceID>"
    "<instanceName>AB-0042 north</instanceName></meta></data>"
)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data = tmp_path / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, ROOT / "assets" / "forms" / "demo_household.xml", runs=1)
    amina = add_user(storage, "amina", "enumerator", "north")
    sue = add_user(storage, "sue", "supervisor", "north")
    with supervisor_app(data, sue) as (server, screens):
        body = {"batch_id": "b1", "device_id": "d1",
                "items": [{"instance_id": "uuid:e2e-1", "form_id": "demo_household", "xml": XML}]}  # fmt: skip
        pushed = httpx.post(f"{server}/api/v1/submissions", json=body,
                            headers={"Authorization": f"Bearer {amina}"})  # fmt: skip
        assert pushed.json()["results"][0]["status"] == "stored"
        yield screens, data


def test_open_queue_open_submission_and_reject_with_comments(
    browser: Browser, running: tuple[str, Path]
) -> None:
    url, data = running
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.get_by_role("button", name="Open AB-0042 north").click(timeout=30_000)
    expect(page.get_by_text("Household ID: AB-0042")).to_be_visible()
    expect(page.get_by_text("Region: North")).to_be_visible()
    write(page, "Comment on Household ID", "Card says AB-0024", counted=True)
    expect(page.get_by_text("Tap an answer in the table to comment on it.")).to_be_visible()
    page.get_by_role("cell", name="45", exact=True).click()
    age = "Comment on Household member 2 › Age of … (years)"
    write(page, age, "Kofi is 54", counted=True)
    page.get_by_role("cell", name="45", exact=True).click()  # the same cell: the same field
    expect(page.get_by_role("textbox", name=age)).to_have_count(1)
    write(page, "Overall comment", "Check the household card", counted=True)
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Rejected: uuid:e2e-1")).to_be_visible()
    [review] = SqliteStorage(data / "server.db").reviews("uuid:e2e-1")
    assert (review.decision, review.comment, review.question_comments) == (
        "rejected", "Check the household card",
        {"/data/household_id": "Card says AB-0024", "/data/interview/member[2]/age": "Kofi is 54"},
    )  # fmt: skip

    # the queue's state list: the submission is under Rejected, and not under Approved
    for state, shown in (("Approved", "No submissions match"), ("Rejected", "1 submission")):
        page.get_by_role("button", name="State").click()
        page.get_by_role("button", name=state, exact=True).click()
        page.get_by_role("button", name="Apply filters").click()
        expect(page.get_by_text(shown)).to_be_visible()

    # opened again, the review's comments read with the places they were written on
    page.get_by_role("button", name="Open AB-0042 north").click(timeout=30_000)
    expect(page.get_by_text("  on Household ID: Card says AB-0024")).to_be_visible()
    expect(page.get_by_text(f"  on {age[len('Comment on ') :]}: Kofi is 54")).to_be_visible()
    page.close()
