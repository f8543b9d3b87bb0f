"""Settings provisioning from a pasted code or a QR picture, the language names, and
"Sync now" in a worker thread with its outcome in words (real store, real agent)."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from fieldapp.app import load_demo_forms, open_store
from fieldapp.store import Store
from fieldapp.sync_agent import SyncAgent, SyncOutcome
from fieldapp.ui.settings import apply_setup_code
from fieldapp.ui.syncing import (
    BackgroundSync,
    is_refusal,
    outcome_words,
    parse_stamp,
    when_words,
)
from fieldapp.ui.words import languages, translator
from sync.client_errors import ReadAttachment
from sync.protocol import DeviceSettings, FormInfo, ItemResult, PullResult, SubmissionItem
from sync.provisioning import encode_settings, make_qr_png

SERVER = DeviceSettings(server_url="http://127.0.0.1:8123", token="tok-1", project="cocoa-ci")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path)
    yield opened
    opened.close()


@pytest.mark.parametrize("as_image", [False, True])
def test_a_setup_code_pasted_or_pictured_provisions_the_device(
    store: Store, as_image: bool
) -> None:
    code = encode_settings(SERVER)
    ok, words = apply_setup_code(
        store, translator("en"), make_qr_png(code) if as_image else f"  {code}\n"
    )
    assert ok
    assert words == "Set up for http://127.0.0.1:8123, project cocoa-ci"
    settings = {k: store.get_setting(k) for k in ("server_url", "token", "project", "protocol")}
    assert settings == {
        "server_url": "http://127.0.0.1:8123",
        "token": "tok-1",
        "project": "cocoa-ci",
        "protocol": "batch",
    }


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("not a code", "copiez tout le code envoyé par votre coordinateur, ou scannez son code QR."),
        (b"not an image", "ce fichier n'est pas une image lisible."),
        (make_qr_png("hello"), "copiez tout le code envoyé par votre coordinateur, ou scannez"
                               " son code QR."),
        (make_qr_png("   "), "le code est vide."),
        (blank_png(), "aucun code QR n'a été trouvé dans cette image."),
    ],
)  # fmt: skip
def test_an_unreadable_code_is_a_message_in_the_users_language_and_changes_nothing(
    store: Store, bad: str | bytes, why: str
) -> None:
    ok, words = apply_setup_code(store, translator("fr"), bad)
    assert not ok
    assert words.startswith(f"Ce code de configuration est illisible : {why}"), words
    assert store.get_setting("server_url") is None and store.get_setting("token") is None


def test_languages_are_listed_by_their_own_names() -> None:
    assert languages() == {"en": "English", "es": "Español", "fr": "Français"}


def test_the_outcome_of_a_sync_in_words() -> None:
    done = SyncOutcome(sent=2, duplicates=1, returned=1, forms_updated=0, rejected=1)
    assert outcome_words(translator("en"), done) == (
        "Sync finished: 3 interviews sent · 1 interview returned for correction"
        " · 0 forms updated · 1 interview refused by the server"
    )
    assert "2 entrevistas enviadas" in outcome_words(translator("es"), SyncOutcome(sent=2))
    failed = outcome_words(translator("fr"), SyncOutcome(error="server not reachable"))
    assert failed == "La synchronisation a échoué : server not reachable"


class HeldClient:
    """A server that answers the pull only once `release` is set."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release

    def push(
        self,
        items: Iterable[SubmissionItem],
        read_attachment: ReadAttachment,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[ItemResult]:
        return [ItemResult(instance_id=item.instance_id, status="stored") for item in items]

    def pull(self, cursor: str | None) -> PullResult:
        assert self.release.wait(10)
        return PullResult(cursor="c1", forms=[], returned=[])

    def download_form(self, info: FormInfo) -> tuple[str, dict[str, bytes]]:
        raise AssertionError("no form to download")

    def close(self) -> None:
        pass


def test_sync_now_runs_in_a_worker_and_reports_progress_and_outcome(store: Store) -> None:
    load_demo_forms(store)
    form_id = "demo_household"
    xml = '<data id="demo_household"><meta><instanceID>uuid:s1</instanceID></meta></data>'
    store.create_draft(form_id, store.get_form(form_id).version, "uuid:s1", xml, "S1")
    store.finalize("uuid:s1", xml, "S1")
    release = threading.Event()
    syncing = BackgroundSync(store, SyncAgent(store, lambda _s: HeldClient(release)))
    progress: list[tuple[float | None, str]] = []
    outcomes: list[str] = []
    finished = threading.Event()

    def on_done(_outcome: SyncOutcome, words: str) -> None:
        assert not syncing.running  # Home, redrawn now, shows the outcome, not "Syncing…"
        outcomes.append(words)
        finished.set()

    t = translator("en")
    assert syncing.start(t, lambda share, words: progress.append((share, words)), on_done)
    assert syncing.running and outcomes == []  # the caller (the UI) is not held up
    assert not syncing.start(t, lambda *_: None, on_done)  # one sync at a time
    release.set()
    assert finished.wait(10)
    syncing.join(10)
    assert outcomes == [
        "Sync finished: 1 interview sent · 0 interviews returned for correction · 0 forms updated"
    ]
    assert progress == [(1.0, "Sending interviews: 1 of 1")]
    assert store.counts().get("sent") == 1
    assert store.get_setting("last_sync")


@pytest.fixture
def nairobi(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The device's clock in East Africa Time (UTC+3, no daylight saving)."""
    monkeypatch.setenv("TZ", "Africa/Nairobi")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("nairobi")
def test_sync_times_are_said_in_local_time_relative_to_today() -> None:
    """The store keeps UTC; Home says the local day and time. At 23:30 in Nairobi, 22:30 UTC
    the day before is already today there."""
    now = dt.datetime(2026, 12, 2, 20, 30, tzinfo=dt.UTC)

    def said(language: str, *moment: int) -> str:
        return when_words(translator(language), language, dt.datetime(*moment, tzinfo=dt.UTC), now)

    assert said("en", 2026, 12, 2, 11, 32) == "today 14:32"
    assert said("en", 2026, 12, 1, 22, 30) == "today 01:30"
    assert said("fr", 2026, 12, 1, 6, 10) == "hier à 09:10"
    assert said("es", 2026, 11, 28, 6, 0) == "28 nov 2026 a las 09:00"
    assert parse_stamp("2026-12-02T11:32:05Z") == dt.datetime(2026, 12, 2, 11, 32, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("outcome", "refused"),
    [
        (SyncOutcome(error="down", error_code="sync.offline"), False),
        (SyncOutcome(error="no", error_code="sync.unauthorized"), True),
        (SyncOutcome(error="closed", error_code="sync.server_refused"), True),
        (SyncOutcome(sent=2, rejected=1), True),
        (SyncOutcome(sent=2), False),
    ],
)
def test_a_refusal_is_told_apart_from_a_server_that_does_not_answer(
    outcome: SyncOutcome, refused: bool
) -> None:
    assert is_refusal(outcome) is refused
