"""Automatic sending (#20): the backoff schedule with an injected clock and random source,
when the loop tries, and an upload cut by a killed app that resumes at the next start with
nothing stored twice."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from fieldapp import auto_sync
from fieldapp.app import background_sync
from fieldapp.auto_sync import BACKOFF_VARIABLE, AutoSync, Backoff
from fieldapp.store import Store
from fieldapp.sync_agent import SyncAgent, SyncOutcome
from sync.client import ConnectionFailed
from sync.protocol import FormInfo, ItemResult, PullResult, SubmissionItem
from tests.waiting import wait_until

XFORM = (
    '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">'
    '<h:head><h:title>HH</h:title><model><instance><data id="hh" version="1"><name/>'
    "<meta><instanceID/></meta></data></instance></model></h:head>"
    '<h:body><input ref="/data/name"><label>Name</label></input></h:body></h:html>'
)


def xml(n: int) -> str:
    return f'<data id="hh" version="1"><name>n{n}</name><meta><instanceID>uuid:{n}</instanceID></meta></data>'


class Server:
    """What a server holds, by instanceID, shared by the clients of one test; `up` False
    makes every call fail as an unreachable server does."""

    def __init__(self) -> None:
        self.held: list[str] = []
        self.up = True
        self.cut_after_storing = threading.Event()
        """Set: the next push stores its batch, then the connection hangs (the app is killed
        while waiting for the answer) until `released`."""
        self.released = threading.Event()
        self.hanging = threading.Event()

    def client(self, _store: Store) -> Client:
        return Client(self)


class Client:
    def __init__(self, server: Server) -> None:
        self.server = server

    def push(
        self,
        items: Iterable[SubmissionItem],
        read_attachment: Callable[[str, str], bytes],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[ItemResult]:
        if not self.server.up:
            raise ConnectionFailed("down")
        results = []
        for item in items:
            known = item.instance_id in self.server.held
            if not known:
                self.server.held.append(item.instance_id)
            results.append(
                ItemResult(instance_id=item.instance_id, status="duplicate" if known else "stored")
            )
        if self.server.cut_after_storing.is_set():
            self.server.cut_after_storing.clear()
            self.server.hanging.set()
            assert self.server.released.wait(30)
            raise ConnectionFailed("cut")
        return results

    def pull(self, cursor: str | None) -> PullResult:
        if not self.server.up:
            raise ConnectionFailed("down")
        return PullResult(cursor="1", forms=[], returned=[])

    def download_form(self, info: FormInfo) -> tuple[str, dict[str, bytes]]:
        raise AssertionError("no form to download")

    def close(self) -> None:
        pass


def open_device(path: Path) -> Store:
    store = Store.open(path)
    if not store.list_forms():
        store.add_form(XFORM)
        store.set_setting("server_url", "http://127.0.0.1:9")
        store.set_setting("token", "t")
    return store


def finalize(store: Store, n: int) -> None:
    store.create_draft("hh", "1", f"uuid:{n}", xml(n), None)
    store.finalize(f"uuid:{n}", xml(n), None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_device(tmp_path / "fieldapp.db") as opened:
        yield opened


def test_the_backoff_doubles_from_the_first_wait_to_the_ceiling_with_jitter() -> None:
    backoff = Backoff(first_s=30, ceiling_s=900)
    delays = [backoff.delay(failures, random.Random(failures)) for failures in range(1, 9)]
    tops = [30, 60, 120, 240, 480, 900, 900, 900]  # doubling, then held at 15 minutes
    expected = [random.Random(n).uniform(top / 2, top) for n, top in enumerate(tops, 1)]
    assert delays == expected
    assert all(top / 2 <= d <= top for d, top in zip(delays, tops, strict=True))
    assert backoff.delay(0, random.Random(1)) == 900  # after a success: the regular interval


def test_the_schedule_comes_from_the_environment_or_is_refused_by_name() -> None:
    assert Backoff.from_environment({}) == Backoff(30, 900)
    assert Backoff.from_environment({BACKOFF_VARIABLE: " 0.2,1.5 "}) == Backoff(0.2, 1.5)
    for bad in ("1", "a,b", "5,1", "0,1", "1,2,3"):
        with pytest.raises(ValueError, match=f"^{BACKOFF_VARIABLE}="):
            Backoff.from_environment({BACKOFF_VARIABLE: bad})


def test_each_step_sets_the_next_try_from_the_clock_and_counts_failures(store: Store) -> None:
    server = Server()
    server.up = False
    now = [1_000_000.0]
    outcomes: list[SyncOutcome] = []
    auto = AutoSync(
        SyncAgent(store, server.client),
        Backoff(10, 40),
        rng=random.Random(3),
        clock=lambda: now[0],
    )
    auto.listeners.append(outcomes.append)
    jitter = random.Random(3)
    for failures, top in enumerate((10, 20, 40, 40), 1):
        delay = auto.step()
        assert delay == jitter.uniform(top / 2, top) and auto.failures == failures
        assert auto.next_try == now[0] + delay
        now[0] += delay
    server.up = True
    finalize(store, 1)
    assert auto.step() == 40 and auto.failures == 0 and auto.next_try == now[0] + 40
    assert [o.error for o in outcomes] == ["down"] * 4 + [None]
    assert server.held == ["uuid:1"] and store.get_instance("uuid:1").state == "sent"

    store.set_setting("autosend", "off")  # turned off: no try, no next try shown
    finalize(store, 2)
    auto.step()
    assert len(outcomes) == 5 and auto.next_try is None
    assert store.get_instance("uuid:2").state == "finalized"


def test_a_finalized_interview_or_a_nudge_wakes_the_waiting_loop(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schedule says an hour; the outbox growing, then a nudge, start a try at once."""
    monkeypatch.setattr(auto_sync, "WATCH_S", 0.05)
    server = Server()
    auto = AutoSync(SyncAgent(store, server.client), Backoff(3600, 3600))
    tries: list[SyncOutcome] = []
    auto.listeners.append(tries.append)
    auto.start()
    try:
        wait_until(lambda: tries, "the try at start")
        finalize(store, 7)
        wait_until(lambda: server.held == ["uuid:7"], "the finalized interview to be sent")
        auto.nudge()
        wait_until(lambda: len(tries) == 3, "a try on the nudge")
    finally:
        auto.stop()
    assert store.get_instance("uuid:7").state == "sent"
    assert [t.sent for t in tries] == [0, 1, 0]


def test_a_screen_that_fails_to_hear_of_a_sync_does_not_end_automatic_sending(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auto_sync, "WATCH_S", 0.05)
    server = Server()
    auto = AutoSync(SyncAgent(store, server.client), Backoff(3600, 3600))
    heard: list[SyncOutcome] = []

    def closed_page(_outcome: SyncOutcome) -> None:
        raise RuntimeError("the page is gone")

    auto.listeners += [closed_page, heard.append]
    auto.start()
    try:
        wait_until(lambda: heard, "the try at start")
        finalize(store, 8)
        wait_until(lambda: server.held == ["uuid:8"], "the next interview sent all the same")
    finally:
        auto.stop()


def test_an_upload_cut_by_a_killed_app_resumes_at_the_next_start_and_stores_nothing_twice(
    tmp_path: Path,
) -> None:
    """The server stored the batch, but the app died before the answer came: nothing is
    marked sent. The restarted app (a new store on the same file, a new loop) tries at
    start; the server answers "duplicate" and the instances are marked sent, held once."""
    server = Server()
    first = open_device(tmp_path / "fieldapp.db")
    for n in range(3):
        finalize(first, n)
    server.cut_after_storing.set()
    killed = threading.Thread(target=SyncAgent(first, server.client).run_once, daemon=True)
    killed.start()
    assert server.hanging.wait(10)
    assert {r.state for r in first.list_instances()} == {"finalized"}

    restarted = open_device(tmp_path / "fieldapp.db")
    auto = AutoSync(SyncAgent(restarted, server.client), Backoff(3600, 3600))
    auto.start()
    try:
        wait_until(lambda: restarted.counts()["sent"] == 3, "the cut upload to resume")
    finally:
        auto.stop()
        server.released.set()
        killed.join(10)
    assert sorted(server.held) == ["uuid:0", "uuid:1", "uuid:2"]
    first.close()
    restarted.close()


def test_the_app_refuses_a_wrong_schedule_by_name_and_starts_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BACKOFF_VARIABLE, "soon")
    with pytest.raises(SystemExit, match=f"^error: {BACKOFF_VARIABLE}='soon': give two numbers"):
        background_sync(store)
    assert not [t for t in threading.enumerate() if t.name == "fieldapp-autosync"]
