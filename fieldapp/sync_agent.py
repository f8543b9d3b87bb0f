"""The device's sync agent: push finalized instances, pull forms and returned instances.

A sync is a fixed sequence of named stages (morango style). The stage reached is
persisted; every stage is safe to run twice: pushes are idempotent by instanceID,
`mark_sent` and `mark_returned` accept repeats, a form already held is not fetched
again, and the pull cursor moves only after what it covers is stored.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from fieldapp.store import Store
from fieldapp.store.errors import StoreError
from fieldapp.store.records import FINALIZED, Comment
from sync.client import OpenRosaClient, SyncClient, SyncError
from sync.client_errors import ReadAttachment
from sync.protocol import (
    AttachmentRef,
    DeviceSettings,
    FormInfo,
    ItemResult,
    PullResult,
    SubmissionItem,
)
from sync.provisioning import app_user_url, decode_qr_image, decode_settings, is_fieldapp_code

__all__ = [
    "STAGES",
    "STAGE_DONE",
    "STAGE_PULL_FORMS",
    "STAGE_PULL_RETURNED",
    "STAGE_PUSH",
    "SyncAgent",
    "SyncOutcome",
    "client_from_settings",
    "provision",
    "provision_from_code",
    "provision_from_image",
]

STAGE_PUSH: Final = "push"
STAGE_PULL_FORMS: Final = "pull_forms"
STAGE_PULL_RETURNED: Final = "pull_returned"
STAGE_DONE: Final = "done"
STAGES: Final = (STAGE_PUSH, STAGE_PULL_FORMS, STAGE_PULL_RETURNED, STAGE_DONE)
ACKNOWLEDGED: Final = frozenset({"stored", "duplicate"})
PROTOCOL_BATCH: Final = "batch"
PROTOCOL_OPENROSA: Final = "openrosa"
CHUNK: Final = 25
"""Instances marked sent after each chunk, so a cut connection keeps what went through."""


class Client(Protocol):
    def push(
        self,
        items: Iterable[SubmissionItem],
        read_attachment: ReadAttachment,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[ItemResult]: ...
    def pull(self, cursor: str | None) -> PullResult: ...
    def download_form(self, info: FormInfo) -> tuple[str, dict[str, bytes]]: ...
    def close(self) -> None: ...


ClientFactory = Callable[[Store], Client]
StageProgress = Callable[[int, int, str], None]
Pause = Callable[[float], bool]
"""Waits up to the given seconds; True means the background loop should end."""


@dataclass(frozen=True)
class SyncOutcome:
    sent: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    forms_updated: int = 0
    returned: int = 0
    error: str | None = None
    """What went wrong, in English; None when the sync went through."""
    error_code: str | None = None
    """The same as a key of the app's word lists (`fieldapp/i18n/*.json`), when it has one."""
    error_params: Mapping[str, object] = field(default_factory=dict)


class NotProvisioned(SyncError):
    code = "sync.no_server"


def provision(store: Store, settings: DeviceSettings, *, openrosa: bool = False) -> None:
    """Keep what a provisioning code carries; a new server or token restarts the pull cursor.

    `openrosa=True` for a plain ODK Collect code: the device then syncs by OpenRosa.
    """
    if (store.get_setting("server_url"), store.get_setting("token")) != (
        settings.server_url,
        settings.token,
    ):
        store.set_setting("sync_cursor", None)
    store.set_setting("server_url", settings.server_url)
    store.set_setting("token", settings.token)
    store.set_setting("project", settings.project)
    store.set_setting("protocol", PROTOCOL_OPENROSA if openrosa else PROTOCOL_BATCH)
    if settings.username:
        store.set_setting("enumerator", settings.username)


def provision_from_code(store: Store, text: str) -> DeviceSettings:
    """Provision from a scanned or pasted code (ours or ODK Collect's); ProvisioningError if unreadable."""
    settings = decode_settings(text)
    provision(store, settings, openrosa=not is_fieldapp_code(text))
    return settings


def provision_from_image(store: Store, image: bytes) -> DeviceSettings:
    """Provision from a photo or image file of the QR code; ProvisioningError if none is found."""
    return provision_from_code(store, decode_qr_image(image))


def client_from_settings(store: Store) -> Client:
    server_url, token = store.get_setting("server_url"), store.get_setting("token")
    if not server_url or not token:
        raise NotProvisioned(
            "This device is not set up for a server yet: scan the provisioning QR code first."
        )
    if store.get_setting("protocol") == PROTOCOL_OPENROSA:
        settings = DeviceSettings(
            server_url=server_url, token=token, project=store.get_setting("project") or "1"
        )
        return OpenRosaClient(app_user_url(settings))
    return SyncClient(server_url, token, device_id=store.get_setting("device_id") or "unknown")


class SyncAgent:
    def __init__(self, store: Store, client_factory: ClientFactory | None = None) -> None:
        self.store = store
        self._factory = client_factory or client_from_settings
        self._running = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_outcome: SyncOutcome | None = None

    def run_once(self, on_progress: StageProgress | None = None) -> SyncOutcome:
        """One full sync; never raises for network, server or store trouble (see `.error`)."""
        if not self._running.acquire(blocking=False):
            return SyncOutcome(
                error="A sync is already running.", error_code="sync.already_running"
            )
        counts: dict[str, int] = dict.fromkeys(
            ("sent", "duplicates", "conflicts", "rejected", "forms_updated", "returned"), 0
        )
        error: str | None = None
        code: str | None = None
        params: Mapping[str, object] = {}
        try:
            client = self._factory(self.store)
            try:
                self._push(client, counts, on_progress)
                self._pull(client, counts, on_progress)
            finally:
                client.close()
            self._stage(STAGE_DONE)
            self.store.set_setting("last_sync", _now())
        except (SyncError, StoreError) as failure:
            error, code, params = str(failure), failure.code, failure.params
        finally:
            self._running.release()
        self.last_outcome = SyncOutcome(**counts, error=error, error_code=code, error_params=params)
        return self.last_outcome

    def _stage(self, stage: str) -> None:
        self.store.set_setting("sync_stage", stage)

    def _push(self, client: Client, counts: dict[str, int], progress: StageProgress | None) -> None:
        self._stage(STAGE_PUSH)
        items = [self._item(record.instance_id) for record in self.store.list_instances(FINALIZED)]
        total, done = len(items), 0
        for start in range(0, total, CHUNK):
            chunk = items[start : start + CHUNK]

            def batch_done(sent: int, _: int, before: int = done) -> None:
                if progress is not None:
                    progress(before + sent, total, STAGE_PUSH)

            results = client.push(chunk, self.store.read_attachment, batch_done)
            self._record(chunk, results, counts)
            done += len(chunk)
            if progress is not None:
                progress(done, total, STAGE_PUSH)

    def _record(
        self, chunk: Sequence[SubmissionItem], results: Sequence[ItemResult], counts: dict[str, int]
    ) -> None:
        asked = {item.instance_id for item in chunk}
        acknowledged = [
            r.instance_id
            for r in results
            if r.status in ACKNOWLEDGED and not r.missing_attachments and r.instance_id in asked
        ]
        self.store.mark_sent(acknowledged)
        for result in results:
            if result.instance_id not in asked:
                continue
            if result.status == "stored" and not result.missing_attachments:
                counts["sent"] += 1
            elif result.status == "duplicate" and not result.missing_attachments:
                counts["duplicates"] += 1
            elif result.status in ("conflict", "rejected"):
                counts["conflicts" if result.status == "conflict" else "rejected"] += 1
                self._note(result.instance_id, f"sync_{result.status}", result.message or "")
            if result.ignored_attachments:
                names = ", ".join(result.ignored_attachments)
                self._note(result.instance_id, "sync_files_not_kept", names)

    def _note(self, instance_id: str, event: str, value: str) -> None:
        """What the server said, once, in the instance's paradata: why it refused the instance
        (`sync_conflict`/`sync_rejected`), or the declared files it did not keep as no field
        names them (`sync_files_not_kept`; the instance is sent, those files are not asked for)."""
        history = self.store.events(instance_id)
        if not history or (history[-1].event, history[-1].value) != (event, value):
            self.store.log_event(instance_id, event, None, value)

    def _item(self, instance_id: str) -> SubmissionItem:
        record = self.store.get_instance(instance_id)
        return SubmissionItem(
            instance_id=record.instance_id,
            form_id=record.form_id,
            form_version=record.form_version,
            xml=record.xml,
            attachments=[
                AttachmentRef(name=a.filename, sha256=a.sha256, size=a.size)
                for a in self.store.attachments(instance_id)
            ],
        )

    def _pull(self, client: Client, counts: dict[str, int], progress: StageProgress | None) -> None:
        self._stage(STAGE_PULL_FORMS)
        result = client.pull(self.store.get_setting("sync_cursor"))
        held = {(f.form_id, f.version or "", f.hash) for f in self.store.list_forms()}
        wanted = [f for f in result.forms if (f.form_id, f.version or "", f.hash) not in held]
        for number, info in enumerate(wanted, 1):
            xform, media = client.download_form(info)
            self.store.add_form(xform, media)
            counts["forms_updated"] += 1
            if progress is not None:
                progress(number, len(wanted), STAGE_PULL_FORMS)
        self._stage(STAGE_PULL_RETURNED)
        for number, returned in enumerate(result.returned, 1):
            comments = [Comment(c.ref, c.text, c.author, c.at) for c in returned.comments]
            self.store.mark_returned(
                returned.instance_id,
                returned.xml,
                comments,
                returned.form_id,
                returned.form_version,
            )
            counts["returned"] += 1
            if progress is not None:
                progress(number, len(result.returned), STAGE_PULL_RETURNED)
        self.store.set_setting("sync_cursor", result.cursor)

    def start_background(
        self,
        interval_s: float,
        on_outcome: Callable[[SyncOutcome], None] | None = None,
        *,
        max_backoff_s: float = 3600.0,
        rng: random.Random | None = None,
        pause: Pause | None = None,
    ) -> None:
        """Sync every `interval_s`; after failures wait longer (doubling, jittered).

        `pause(seconds)` waits between syncs and says whether the loop should end; by
        default it waits until `stop()` or the time is up (a test passes its own)."""
        if self._thread is not None and self._thread.is_alive():
            return
        jitter = rng or random.Random()
        wait = pause or self._stop.wait
        self._stop.clear()

        def loop() -> None:
            failures = 0
            while not self._stop.is_set():
                outcome = self.run_once()
                if on_outcome is not None:
                    on_outcome(outcome)
                failures = failures + 1 if outcome.error else 0
                delay = min(max_backoff_s, interval_s * 2**failures)
                if wait(jitter.uniform(delay / 2, delay) if failures else delay):
                    return

        self._thread = threading.Thread(target=loop, name="fieldapp-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
