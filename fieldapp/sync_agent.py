"""The device's sync agent: push finalized instances, pull forms and returned instances.

A sync is a fixed sequence of named stages (morango style). The stage reached is
persisted; every stage is safe to run twice: pushes are idempotent by instanceID,
`mark_sent` and `mark_returned` accept repeats, a form already held is not fetched
again, and the pull cursor moves only after what it covers is stored.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from fieldapp.store import Store
from fieldapp.store.errors import StoreError
from fieldapp.store.records import FINALIZED, Comment
from fieldapp.sync_route import (
    PROTOCOL_BATCH,
    PROTOCOL_OPENROSA,
    PULL_CURSOR,
    Client,
    NotProvisioned,
    client_from_settings,
)
from sync.client import SyncError
from sync.protocol import AttachmentRef, DeviceSettings, ItemResult, SubmissionItem
from sync.provisioning import (
    SetupOptions,
    decode_options,
    decode_qr_image,
    decode_settings,
    is_fieldapp_code,
)

__all__ = [
    "STAGES",
    "STAGE_DONE",
    "STAGE_PULL_FORMS",
    "STAGE_PULL_RETURNED",
    "STAGE_PUSH",
    "NotProvisioned",
    "SyncAgent",
    "SyncOutcome",
    "autosend_on",
    "client_from_settings",
    "provision",
    "provision_from_code",
    "provision_from_image",
    "set_addresses",
]

STAGE_PUSH: Final = "push"
STAGE_PULL_FORMS: Final = "pull_forms"
STAGE_PULL_RETURNED: Final = "pull_returned"
STAGE_DONE: Final = "done"
STAGES: Final = (STAGE_PUSH, STAGE_PULL_FORMS, STAGE_PULL_RETURNED, STAGE_DONE)
ACKNOWLEDGED: Final = frozenset({"stored", "duplicate"})
AUTOSEND: Final = "autosend"
"""The setting for automatic sending: "on" (the default once set up) or "off"."""
CHUNK: Final = 25
"""Instances marked sent after each chunk, so a cut connection keeps what went through."""


ClientFactory = Callable[[Store], Client]
StageProgress = Callable[[int, int, str], None]


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


def provision(
    store: Store,
    settings: DeviceSettings,
    *,
    openrosa: bool = False,
    options: SetupOptions | None = None,
) -> None:
    """Keep what a provisioning code carries; a new central server or token restarts the pull
    cursor. `openrosa=True` for a plain ODK Collect code: the device then syncs by OpenRosa.
    `options` are the code's hub address (none removes a hub set before) and automatic
    sending (kept as it was when the code does not say)."""
    if store.get_setting("token") != settings.token:
        store.set_setting(PULL_CURSOR, None)
    hub = options.hub_url if options is not None else store.get_setting("hub_url")
    set_addresses(store, settings.server_url, hub)
    store.set_setting("token", settings.token)
    store.set_setting("project", settings.project)
    store.set_setting("protocol", PROTOCOL_OPENROSA if openrosa else PROTOCOL_BATCH)
    if options is not None and options.autosend is not None:
        store.set_setting(AUTOSEND, "on" if options.autosend else "off")
    if settings.username:
        store.set_setting("enumerator", settings.username)


def set_addresses(store: Store, server_url: str | None, hub_url: str | None) -> None:
    """Keep the central server's and the hub's addresses (None: none). Another central server
    restarts the pull cursor; another hub does not, since a hub answers in the central
    server's numbering."""
    if store.get_setting("server_url") != server_url:
        store.set_setting(PULL_CURSOR, None)
    store.set_setting("server_url", server_url)
    store.set_setting("hub_url", hub_url)


def provision_from_code(store: Store, text: str) -> DeviceSettings:
    """Provision from a scanned or pasted code (ours or ODK Collect's); ProvisioningError if unreadable."""
    settings, options = decode_settings(text), decode_options(text)
    provision(store, settings, openrosa=not is_fieldapp_code(text), options=options)
    return settings


def provision_from_image(store: Store, image: bytes) -> DeviceSettings:
    """Provision from a photo or image file of the QR code; ProvisioningError if none is found."""
    return provision_from_code(store, decode_qr_image(image))


def autosend_on(store: Store) -> bool:
    """Automatic sending: on once the device has a server, unless turned off."""
    has_server = bool(store.get_setting("server_url") or store.get_setting("hub_url"))
    return has_server and store.get_setting(AUTOSEND) != "off"


class SyncAgent:
    """Runs syncs, one at a time: whoever asks while one runs (the automatic loop, "Sync
    now") waits for it and gets its outcome, so nothing is uploaded twice at once."""

    def __init__(self, store: Store, client_factory: ClientFactory | None = None) -> None:
        self.store = store
        self._factory = client_factory or client_from_settings
        self._state = threading.Condition()
        self._watchers: list[StageProgress] = []
        self._finished = 0
        self._busy = False
        self.last_outcome: SyncOutcome | None = None

    @property
    def busy(self) -> bool:
        return self._busy

    def run_once(self, on_progress: StageProgress | None = None) -> SyncOutcome:
        """One full sync, or the outcome of the one already running (joined, with its
        progress from then on); never raises for network, server or store trouble."""
        with self._state:
            if on_progress is not None:
                self._watchers.append(on_progress)
            if self._busy:
                finished = self._finished
                self._state.wait_for(lambda: self._finished != finished)
                assert self.last_outcome is not None
                return self.last_outcome
            self._busy = True
        outcome = self._sync()
        with self._state:
            self.last_outcome, self._busy, self._watchers = outcome, False, []
            self._finished += 1
            self._state.notify_all()
        return outcome

    def _progress(self, done: int, total: int, stage: str) -> None:
        with self._state:
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher(done, total, stage)

    def _sync(self) -> SyncOutcome:
        counts: dict[str, int] = dict.fromkeys(
            ("sent", "duplicates", "conflicts", "rejected", "forms_updated", "returned"), 0
        )
        error: str | None = None
        code: str | None = None
        params: Mapping[str, object] = {}
        try:
            client = self._factory(self.store)
            try:
                self._push(client, counts, self._progress)
                self._pull(client, counts, self._progress)
            finally:
                client.close()
            self._stage(STAGE_DONE)
            self.store.set_setting("last_sync", _now())
        except (SyncError, StoreError) as failure:
            error, code, params = str(failure), failure.code, failure.params
        return SyncOutcome(**counts, error=error, error_code=code, error_params=params)

    def _stage(self, stage: str) -> None:
        self.store.set_setting("sync_stage", stage)

    def _push(self, client: Client, counts: dict[str, int], progress: StageProgress) -> None:
        self._stage(STAGE_PUSH)
        items = [self._item(record.instance_id) for record in self.store.list_instances(FINALIZED)]
        total, done = len(items), 0
        for start in range(0, total, CHUNK):
            chunk = items[start : start + CHUNK]

            def batch_done(sent: int, _: int, before: int = done) -> None:
                progress(before + sent, total, STAGE_PUSH)

            results = client.push(chunk, self.store.read_attachment, batch_done)
            self._record(chunk, results, counts)
            done += len(chunk)
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

    def _pull(self, client: Client, counts: dict[str, int], progress: StageProgress) -> None:
        self._stage(STAGE_PULL_FORMS)
        result = client.pull(self.store.get_setting(PULL_CURSOR))
        held = {(f.form_id, f.version or "", f.hash) for f in self.store.list_forms()}
        wanted = [f for f in result.forms if (f.form_id, f.version or "", f.hash) not in held]
        for number, info in enumerate(wanted, 1):
            xform, media = client.download_form(info)
            self.store.add_form(xform, media)
            counts["forms_updated"] += 1
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
            progress(number, len(result.returned), STAGE_PULL_RETURNED)
        self.store.set_setting(PULL_CURSOR, result.cursor)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
