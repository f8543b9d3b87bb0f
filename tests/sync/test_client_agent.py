"""SyncAgent on a real device store with a scripted client: what gets marked sent, stages,
progress, one sync at a time (a second caller joins the running sync)."""

from __future__ import annotations

import base64
import json
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import httpx
import pytest

from fieldapp.store import Store
from fieldapp.sync_agent import (
    STAGE_DONE,
    STAGE_PULL_FORMS,
    STAGE_PUSH,
    SyncAgent,
    SyncOutcome,
    client_from_settings,
    provision_from_image,
)
from fieldapp.ui.syncing import outcome_words
from fieldapp.ui.words import translator
from sync import provisioning
from sync.client import ConnectionFailed, OpenRosaClient, SyncClient
from sync.client_errors import ProvisioningError
from sync.client_http import RetryPolicy
from sync.protocol import (
    DeviceSettings,
    FormInfo,
    ItemResult,
    ItemStatus,
    PullResult,
    ReturnedInstance,
    ReviewComment,
    SubmissionItem,
)
from sync.provisioning import encode_settings, make_qr_png
from tests.waiting import wait_until

XFORM = (
    '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">'
    '<h:head><h:title>HH</h:title><model><instance><data id="hh" version="1"><name/>'
    "<meta><instanceID/></meta></data></instance></model></h:head>"
    '<h:body><input ref="/data/name"><label>Name</label></input></h:body></h:html>'
)


def _xml(n: int) -> str:
    return f'<data id="hh" version="1"><name>n{n}</name><meta><instanceID>uuid:{n}</instanceID></meta></data>'


class ScriptedClient:
    """Answers each instanceID with the status in `answers`; pull returns `pulled`."""

    def __init__(self, answers: dict[str, ItemStatus], pulled: PullResult | None = None) -> None:
        self.answers = answers
        self.pulled = pulled or PullResult(cursor="7", forms=[], returned=[])
        self.pushed: list[str] = []
        self.cursors: list[str | None] = []
        self.gate: threading.Event | None = None
        self.pushing = threading.Event()
        self.fail_pull = False

    def push(
        self,
        items: Iterable[SubmissionItem],
        read_attachment: Callable[[str, str], bytes],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[ItemResult]:
        self.pushing.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        batch = list(items)
        self.pushed += [i.instance_id for i in batch]
        results = [
            ItemResult(
                instance_id=i.instance_id,
                status=self.answers[i.instance_id],
                message="taken" if self.answers[i.instance_id] == "conflict" else None,
            )
            for i in batch
        ]
        if on_progress is not None:
            on_progress(len(batch), len(batch))
        return results

    def pull(self, cursor: str | None) -> PullResult:
        self.cursors.append(cursor)
        if self.fail_pull:
            raise ConnectionFailed("Could not reach the server.")
        return self.pulled

    def download_form(self, info: FormInfo) -> tuple[str, dict[str, bytes]]:
        return XFORM, {"villages.csv": b"name\nA\n"}

    def close(self) -> None:
        pass


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "fieldapp.db") as opened:
        opened.add_form(XFORM)
        for n in range(30):
            opened.create_draft("hh", "1", f"uuid:{n}", _xml(n), None)
            if n < 28:
                opened.finalize(f"uuid:{n}", _xml(n), None)
        opened.set_setting("server_url", "http://127.0.0.1:9")
        opened.set_setting("token", "t")
        yield opened


def _states(store: Store) -> dict[str, str]:
    return {r.instance_id: r.state for r in store.list_instances()}


def test_only_acknowledged_instances_are_marked_sent(store: Store) -> None:
    answers: dict[str, ItemStatus] = {f"uuid:{n}": "stored" for n in range(28)}
    answers |= {"uuid:3": "duplicate", "uuid:4": "conflict", "uuid:5": "rejected"}
    client = ScriptedClient(answers)
    progress: list[tuple[int, int, str]] = []
    agent = SyncAgent(store, lambda _: client)
    outcome = agent.run_once(lambda *p: progress.append(p))
    assert outcome == SyncOutcome(sent=25, duplicates=1, conflicts=1, rejected=1)
    states = _states(store)
    assert states["uuid:3"] == "sent" and states["uuid:0"] == "sent"
    assert states["uuid:4"] == states["uuid:5"] == "finalized"
    assert states["uuid:28"] == states["uuid:29"] == "draft"
    assert sorted(client.pushed) == sorted(f"uuid:{n}" for n in range(28))
    assert progress == [(25, 28, STAGE_PUSH)] * 2 + [(28, 28, STAGE_PUSH)] * 2
    assert agent.run_once().conflicts == 1
    assert [(e.event, e.value) for e in store.events("uuid:4")] == [("sync_conflict", "taken")]
    assert [e.event for e in store.events("uuid:5")] == ["sync_rejected"]
    assert store.get_setting("sync_cursor") == "7" and store.get_setting("last_sync")


def test_forms_and_returned_instances_are_pulled_once(store: Store) -> None:
    store.mark_sent(["uuid:1"])
    info = FormInfo(form_id="hh2", version="2", title="HH2", hash="md5:x", download_url="/f")
    returned = ReturnedInstance(
        instance_id="uuid:1",
        form_id="hh",
        form_version="1",
        xml=_xml(1),
        comments=[ReviewComment(ref="/data/name", text="Spell it out", author="sue", at="t")],
        returned_at="t",
    )
    client = ScriptedClient({f"uuid:{n}": "stored" for n in range(28)})
    client.pulled = PullResult(cursor="12", forms=[info], returned=[returned])
    agent = SyncAgent(store, lambda _: client)
    assert agent.run_once().forms_updated == 1
    assert store.get_instance("uuid:1").state == "returned"
    assert store.get_instance("uuid:1").comments[0].text == "Spell it out"
    assert store.form_media("hh", "1") == {"villages.csv": b"name\nA\n"}
    client.pulled = PullResult(cursor="12", forms=[], returned=[])
    assert agent.run_once().forms_updated == 0
    assert client.cursors == [None, "12"]


def test_a_failed_stage_keeps_the_cursor_and_reruns_safely(store: Store) -> None:
    client = ScriptedClient({f"uuid:{n}": "stored" for n in range(28)})
    client.fail_pull = True
    agent = SyncAgent(store, lambda _: client)
    outcome = agent.run_once()
    assert outcome.sent == 28 and outcome.error == "Could not reach the server."
    assert store.get_setting("sync_stage") == STAGE_PULL_FORMS
    assert store.get_setting("sync_cursor") is None
    client.fail_pull = False
    assert agent.run_once() == SyncOutcome()
    assert store.get_setting("sync_stage") == STAGE_DONE


def test_an_unprovisioned_device_gets_a_clear_message(tmp_path: Path) -> None:
    with Store.open(tmp_path / "new.db") as fresh:
        outcome = SyncAgent(fresh).run_once()
    assert outcome.error is not None and "scan the provisioning QR code" in outcome.error


def test_a_sync_asked_for_while_one_runs_joins_it_and_uploads_nothing_twice(
    store: Store,
) -> None:
    """One owner: "Sync now" pressed during the automatic sync waits for it, follows its
    progress from then on, and gets its outcome; each instance is pushed once."""
    client = ScriptedClient({f"uuid:{n}": "stored" for n in range(28)})
    client.gate = threading.Event()
    agent = SyncAgent(store, lambda _: client)
    outcomes: list[SyncOutcome] = []
    first = threading.Thread(target=lambda: outcomes.append(agent.run_once()))
    first.start()
    assert client.pushing.wait(10)  # the first sync is inside its push, held at the gate
    assert agent.busy
    joined: list[SyncOutcome] = []
    seen: list[tuple[int, int, str]] = []
    second = threading.Thread(
        target=lambda: joined.append(agent.run_once(lambda *p: seen.append(p)))
    )
    second.start()
    wait_until(lambda: agent._watchers, "the second caller to join the running sync")
    client.gate.set()
    first.join(10)
    second.join(10)
    assert outcomes[0].sent == 28 and joined == outcomes
    assert sorted(client.pushed) == sorted(f"uuid:{n}" for n in range(28))
    assert seen[-1] == (28, 28, STAGE_PUSH) and not agent.busy
    assert agent.run_once() == SyncOutcome()  # a later sync is a sync of its own


def test_provisioning_from_an_image_sets_the_server_and_restarts_the_cursor(store: Store) -> None:
    store.set_setting("sync_cursor", "41")
    code = encode_settings(
        DeviceSettings(
            server_url="http://127.0.0.1:8765", token="T" * 43, project="1", username="ama"
        )
    )
    provision_from_image(store, make_qr_png(code))
    assert store.get_setting("server_url") == "http://127.0.0.1:8765"
    assert store.get_setting("token") == "T" * 43 and store.get_setting("enumerator") == "ama"
    assert store.get_setting("sync_cursor") is None
    client = client_from_settings(store)
    assert isinstance(client, SyncClient)
    client.close()
    with pytest.raises(ProvisioningError, match="not an image"):
        provision_from_image(store, b"not a picture")
    assert store.get_setting("token") == "T" * 43


def test_a_plain_odk_collect_code_makes_an_openrosa_client(store: Store) -> None:
    document = {"general": {"server_url": "http://127.0.0.1:9/v1/key/AbC/projects/3"}}
    code = base64.b64encode(zlib.compress(json.dumps(document).encode())).decode()
    provision_from_image(store, make_qr_png(code))
    assert store.get_setting("protocol") == "openrosa" and store.get_setting("project") == "3"
    client = client_from_settings(store)
    assert isinstance(client, OpenRosaClient)
    client.close()


@pytest.mark.parametrize(
    ("answer", "language", "said"),
    [
        (None, "fr", "La synchronisation a échoué : Le serveur est injoignable. Vos données sont"
                     " en sécurité sur cet appareil ; réessayez plus tard."),
        (401, "es", "La sincronización falló: El servidor rechazó este dispositivo. Pida un"
                    " nuevo código de configuración a su coordinador."),
        (413, "fr", "La synchronisation a échoué : Le serveur a refusé la demande (HTTP 413) :"
                    " batch too large"),
    ],
)  # fmt: skip
def test_a_failed_sync_is_told_in_the_enumerators_language(
    store: Store, answer: int | None, language: str, said: str
) -> None:
    """The real client against a server that is not there (a closed port) or that refuses:
    the outcome names the message, and the app says it in French or Spanish."""

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(answer or 500, json={"detail": "batch too large"})

    transport = None if answer is None else httpx.MockTransport(refuse)
    client = SyncClient("http://127.0.0.1:9", "t", transport=transport, sleep=lambda _: None,
                        retry=RetryPolicy(attempts=2))  # fmt: skip
    outcome = SyncAgent(store, lambda _: client).run_once()
    assert outcome.error and outcome.error_code is not None
    assert outcome_words(translator(language), outcome) == said
    assert _states(store)["uuid:0"] == "finalized"  # nothing sent, nothing lost


def test_every_sync_error_code_has_words_in_every_language() -> None:
    from fieldapp.i18n import texts
    from fieldapp.sync_agent import NotProvisioned
    from sync.client_errors import AuthError, ServerRefused

    codes = {e.code for e in (ConnectionFailed, ServerRefused, AuthError, NotProvisioned)}
    source = Path(provisioning.__file__).read_text(encoding="utf-8")
    setup = {part.split('"')[0] for part in source.split('"setup.')[1:]}
    assert len(setup) >= 8
    codes |= {f"setup.{code}" for code in setup}
    for language in ("en", "fr", "es"):
        assert codes <= set(texts(language)), language
