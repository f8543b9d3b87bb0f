"""Time per section from the device's paradata, end to end on loopback.

The living income questionnaire is filled screen by screen through the interview view-model
(the answers of a household of tests/forms/test_living_income_households.py) with a clock the
test moves, the app is killed halfway and resumed hours later, the interview is finalized and
synced to a real `fieldapp-server serve` subprocess by batch or by OpenRosa. The review API
then reports per section exactly the seconds spent on its screens (the hours closed in none),
and the section a config threshold finds too short is flagged. A returned, corrected version
carries the time of both sessions.
"""

from __future__ import annotations

import csv
import io
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_support import serving

from fieldapp.app import load_demo_forms
from fieldapp.interview import END, Interview
from fieldapp.paradata import AUDIT_FILE
from fieldapp.store import Store
from fieldapp.sync_agent import SyncAgent, provision
from forms.session import FormSession
from forms.xpath import Environment
from sync.protocol import DeviceSettings
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file

pytestmark = pytest.mark.server_storage

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "forms"))
sys.path.insert(0, str(TESTS / "fieldapp"))

from paradata_support import Clock  # noqa: E402
from test_living_income_households import cote_divoire_cocoa  # noqa: E402

FORMS = TESTS.parent / "assets" / "forms"
FORM_ID = "living_income_household"
PER_SCREEN = {"roster": 2.0, "identification": 30.0}
"""Seconds spent on each screen of a section; 12 s on those of the others."""
THRESHOLDS = {"roster": 120.0, "plots": 30.0}
HOURS_CLOSED = 3


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, shared_database: str | None
) -> Iterator[tuple[str, dict[str, str]]]:
    data = tmp_path_factory.mktemp("paradata") / "server"
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, FORMS / f"{FORM_ID}.xml", runs=1)
    tokens = {
        name: add_user(storage, name, role, district)
        for name, role, district in (
            ("amina", "enumerator", "north"),
            ("kojo", "enumerator", "north"),
            ("sue", "supervisor", "north"),
            ("ann", "admin", None),
        )
    }
    storage.close()
    with serving(data) as url:
        config = {"forms": {}, "min_section_seconds": THRESHOLDS}
        put = httpx.put(f"{url}/api/v1/review/config", json=config, headers=_auth(tokens["ann"]))
        assert put.status_code == 200, put.text
        yield url, tokens


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def section_of(ref: str) -> str | None:
    """The top-level group or repeat a ref is in (None for a question outside every group)."""
    steps = ref.strip("/").split("/")
    return steps[1].partition("[")[0] if len(steps) >= 3 else None


def instances_in(session: FormSession, repeat_ref: str) -> int:
    parent, _, name = repeat_ref.rpartition("/")
    return sum(1 for child in session.node(parent).children if child.name == name)


class Enumerator:
    """Walks the interview screen by screen as `household` was answered, moving the clock by
    the seconds each screen takes and keeping what each section took."""

    def __init__(self, store: Store, clock: Clock, household: FormSession) -> None:
        self.store, self.clock, self.household = store, clock, household
        self.env = Environment(now=clock, properties={"deviceid": "test:paradata"})
        self.spent: dict[str, float] = defaultdict(float)
        self.interview = Interview.start(store, FORM_ID, env=self.env)

    def screen(self, *, killed: bool = False) -> bool:
        """One screen: half its time, its answers (committed), the other half, next. With
        `killed` the app dies after the answers: only the time up to them counts. False at
        the end screen."""
        screen = self.interview.screen()
        if screen.kind == END:
            return False
        section = self.section()
        seconds = PER_SCREEN.get(section or "", 12.0)
        self.clock.advance(seconds / 2)
        for question in screen.questions:
            wanted = self.household.value(question.ref)
            if not question.readonly and wanted and wanted != question.value:
                assert self.interview.answer(question.ref, wanted).ok, question.ref
        if section is not None:
            self.spent[section] += seconds / 2
        if killed:
            return True
        self.clock.advance(seconds / 2)
        if section is not None:
            self.spent[section] += seconds / 2
        more = screen.kind == "repeat_prompt" and instances_in(
            self.household, screen.repeat_ref
        ) > len(screen.repeat_items)
        if more:
            self.interview.add_repeat(screen.repeat_ref)
        else:
            self.interview.next()
        return True

    def section(self) -> str | None:
        screen = self.interview.screen()
        refs = [q.ref for q in screen.questions] or [screen.repeat_ref]
        return section_of(refs[0]) if refs[0] else None

    def kill_and_resume(self) -> None:
        instance_id = self.interview.instance_id
        self.screen(killed=True)
        del self.interview
        self.clock.advance(HOURS_CLOSED * 3600)
        self.interview = Interview.resume(self.store, instance_id, env=self.env)

    def finalize(self) -> str:
        for _ in range(2000):  # a hang guard: the form has a few hundred screens
            if not self.screen():
                break
        assert self.interview.finalize() == []
        return self.interview.instance_id


def fill(store: Store, clock: Clock) -> tuple[Enumerator, str]:
    household = cote_divoire_cocoa()
    enumerator = Enumerator(store, clock, household)
    while enumerator.section() != "main_crop":
        enumerator.screen()
    enumerator.kill_and_resume()
    return enumerator, enumerator.finalize()


def reviewed(url: str, token: str, instance_id: str) -> dict[str, Any]:
    view = httpx.get(f"{url}/api/v1/review/submissions/{instance_id}", headers=_auth(token))
    assert view.status_code == 200, view.text
    body: dict[str, Any] = view.json()
    return body


def section_times(body: dict[str, Any]) -> dict[str, float]:
    return {
        s["ref"].rsplit("/", 1)[-1]: s["seconds"]
        for s in body["rendered"]["sections"]
        if s["seconds"] is not None
    }


def too_short(body: dict[str, Any]) -> list[str]:
    return [f["message"] for f in body["flags"] if f["code"] == "section_too_short"]


@pytest.mark.parametrize("openrosa", [False, True], ids=["batch", "openrosa"])
def test_seconds_per_section_reach_the_review_and_a_short_section_is_flagged(
    server: tuple[str, dict[str, str]], tmp_path: Path, openrosa: bool
) -> None:
    url, tokens = server
    user = "kojo" if openrosa else "amina"
    clock = Clock()
    with Store.open(tmp_path / "device.db", clock=clock) as store:
        load_demo_forms(store)
        settings = DeviceSettings(server_url=url, token=tokens[user], project="1")
        provision(store, settings, openrosa=openrosa)  # OpenRosa: the app-user URL
        enumerator, instance_id = fill(store, clock)
        audit = store.read_attachment(instance_id, AUDIT_FILE)
        outcome = SyncAgent(store).run_once()
        assert (outcome.sent, outcome.error) == (1, None), outcome
        assert SyncAgent(store).run_once().sent == 0
    spent = dict(enumerator.spent)
    assert spent["roster"] < THRESHOLDS["roster"] and spent["plots"] > THRESHOLDS["plots"]

    body = reviewed(url, tokens["sue"], instance_id)
    assert body["timing_source"] == "audit.csv paradata"
    assert body["attachments"] == [AUDIT_FILE]
    received = httpx.get(
        f"{url}/api/v1/review/submissions/{instance_id}/attachments/{AUDIT_FILE}",
        headers=_auth(tokens["sue"]),
    )
    assert received.content == audit
    events = [row["event"] for row in csv.DictReader(io.StringIO(audit.decode("utf-8")))]
    assert (events[0], events[-2:]) == ("form start", ["form finalize", "form exit"])
    assert events.index("form resume") == events.index("form exit") + 1  # the killed session
    assert section_times(body) == spent
    assert too_short(body) == [f"section roster took {spent['roster']:.0f} s (minimum 120 s)"]


def test_a_corrected_version_reports_the_time_of_both_sessions(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, tokens = server
    clock = Clock()
    with Store.open(tmp_path / "device.db", clock=clock) as store:
        load_demo_forms(store)
        provision(store, DeviceSettings(server_url=url, token=tokens["amina"], project="1"))
        agent = SyncAgent(store)
        enumerator, old_id = fill(store, clock)
        assert agent.run_once().sent == 1
        age = "/data/roster/member[2]/person/age"
        decision = httpx.post(
            f"{url}/api/v1/review/submissions/{old_id}/decision",
            json={"decision": "rejected", "question_comments": {age: "Aya is 39"}},
            headers=_auth(tokens["sue"]),
        )
        assert decision.status_code == 200, decision.text
        assert agent.run_once().returned == 1
        clock.advance(86_400)
        edit = Interview.resume(store, old_id, env=enumerator.env)
        assert age in [q.ref for q in edit.screen().questions]
        clock.advance(40)
        assert edit.answer(age, "39").ok
        assert edit.finalize() == []
        outcome = agent.run_once()
        assert (outcome.sent, outcome.error) == (1, None), outcome
    spent = dict(enumerator.spent)
    old, new = reviewed(url, tokens["sue"], old_id), reviewed(url, tokens["sue"], edit.instance_id)
    assert section_times(old) == spent
    assert section_times(new) == spent | {"roster": spent["roster"] + 40}
    assert [v["instance_id"] for v in new["history"]] == [old_id, edit.instance_id]
    assert new["attachments"] == old["attachments"] == [AUDIT_FILE]
