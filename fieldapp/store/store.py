"""The on-device store: one SQLite file (WAL, `synchronous=FULL`) plus a folder of files.

Every write method is one transaction committed to disk before it returns, so
what the UI shows as saved survives a killed app. Failures are `StoreError`s
with a code the UI translates; after one, nothing was half-written.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from fieldapp.store import forms_table, instances
from fieldapp.store.connection import Clock, open_connection, system_clock
from fieldapp.store.errors import StoreError
from fieldapp.store.files import FileStore
from fieldapp.store.records import Attachment, Comment, Event, FormRecord, InstanceRecord
from fieldapp.store.schema import migrate

SETTING_KEYS = (
    "server_url",
    "token",
    "project",
    "device_id",
    "enumerator",
    "language",
    "last_sync",
)
_EMPTY: Mapping[str, bytes] = {}


class Store:
    def __init__(self, path: Path, clock: Clock = system_clock) -> None:
        """Use `Store.open(path)`."""
        self.path = path
        self._db, self.recovered_from = open_connection(path, clock)
        self._files = FileStore(path.with_name(path.name + ".files"))

    @classmethod
    def open(cls, path: Path, *, clock: Clock = system_clock) -> Store:
        """Open (creating, migrating or, if corrupt, moving aside and recreating) the store;
        `clock` stamps its rows and paradata (the system's UTC time unless a test sets it)."""
        store = cls(Path(path), clock)
        try:
            migrate(store._db)
            if store.get_setting("device_id") is None:
                store.set_setting("device_id", f"fieldapp:{uuid.uuid4().hex}")
        except BaseException:
            store.close()
            raise
        return store

    @staticmethod
    def default_path() -> Path:
        """$FIELDAPP_DATA, else Flet's app data folder, else ~/.local/share/fieldapp."""
        for variable in ("FIELDAPP_DATA", "FLET_APP_STORAGE_DATA"):
            folder = os.environ.get(variable)
            if folder:
                return Path(folder) / "fieldapp.db"
        return Path.home() / ".local" / "share" / "fieldapp" / "fieldapp.db"

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # forms
    def add_form(self, xform: str, media: Mapping[str, bytes] = _EMPTY) -> FormRecord:
        return forms_table.add(self._db, self._files, xform, media)

    def list_forms(self) -> list[FormRecord]:
        return forms_table.list_all(self._db)

    def get_form(self, form_id: str, version: str | None = None) -> FormRecord:
        return forms_table.get(self._db, form_id, version)

    def form_media(self, form_id: str, version: str | None) -> dict[str, bytes]:
        return forms_table.media(self._db, self._files, form_id, version)

    # instances
    def create_draft(
        self,
        form_id: str,
        version: str | None,
        instance_id: str,
        xml: str,
        name: str | None,
        language: str | None = None,
    ) -> InstanceRecord:
        return instances.create_draft(self._db, form_id, version, instance_id, xml, name, language)

    def save_draft(
        self,
        instance_id: str,
        xml: str,
        name: str | None,
        position: str | None,
        language: str | None = None,
    ) -> None:
        """Commit a draft; `language` (the form language it is in) is kept when given."""
        instances.save_draft(self._db, instance_id, xml, name, position, language)

    def finalize(
        self,
        instance_id: str,
        xml: str,
        name: str | None,
        attachments: Mapping[str, bytes] = _EMPTY,
    ) -> None:
        """Finalize, attaching `attachments` (e.g. the audit log) in the same transaction."""
        for filename in attachments:
            _check_filename(filename)
        with self._db.lock:  # no file is discarded between storing it and pointing at it
            stored = [
                (filename, self._files.put(data)[0], len(data))
                for filename, data in attachments.items()
            ]
            try:
                replaced = instances.finalize(self._db, instance_id, xml, name, stored)
            except StoreError:
                for _, sha256, _ in stored:
                    self._discard_if_unused(sha256)
                raise
        for sha256 in replaced:
            self._discard_if_unused(sha256)

    def reopen(self, instance_id: str) -> None:
        instances.reopen(self._db, instance_id)

    def replace_for_edit(
        self, old_instance_id: str, new_instance_id: str, xml: str
    ) -> InstanceRecord:
        return instances.replace_for_edit(self._db, old_instance_id, new_instance_id, xml)

    def mark_sent(self, instance_ids: Iterable[str]) -> None:
        instances.mark_sent(self._db, instance_ids)

    def mark_returned(
        self,
        instance_id: str,
        xml: str,
        comments: list[Comment],
        form_id: str,
        version: str | None,
    ) -> None:
        instances.mark_returned(self._db, instance_id, xml, comments, form_id, version)

    def delete_draft(self, instance_id: str) -> None:
        for sha256 in instances.delete_draft(self._db, instance_id):
            self._discard_if_unused(sha256)

    def get_instance(self, instance_id: str) -> InstanceRecord:
        return instances.get(self._db, instance_id)

    def list_instances(self, state: str | None = None) -> list[InstanceRecord]:
        return instances.list_all(self._db, state)

    def counts(self) -> dict[str, int]:
        return instances.counts(self._db)

    # attachments
    def add_attachment(self, instance_id: str, filename: str, data: bytes) -> Attachment:
        _check_filename(filename)
        self.get_instance(instance_id)
        with self._db.lock, self._db.write() as conn:
            sha256, path = self._files.put(data)
            previous = instances.attach(conn, instance_id, filename, sha256, len(data))
        if previous is not None:
            self._discard_if_unused(previous)
        return Attachment(instance_id, filename, sha256, len(data), path)

    def attachments(self, instance_id: str) -> list[Attachment]:
        rows = self._db.rows(
            "SELECT * FROM attachments WHERE instance_id = ? ORDER BY filename", (instance_id,)
        )
        return [
            Attachment(
                instance_id,
                row["filename"],
                row["sha256"],
                row["size"],
                self._files.path(row["sha256"]),
            )
            for row in rows
        ]

    def read_attachment(self, instance_id: str, filename: str) -> bytes:
        row = self._db.row(
            "SELECT sha256 FROM attachments WHERE instance_id = ? AND filename = ?",
            (instance_id, filename),
        )
        if row is None:
            raise StoreError("store.attachment_missing", filename=filename)
        return self._files.get(row["sha256"], filename)

    # paradata
    def log_event(
        self,
        instance_id: str,
        event: str,
        ref: str | None = None,
        value: str | None = None,
        *,
        at: str | None = None,
    ) -> None:
        """One line of paradata, stamped now or, given, `at` (a moment the store stamped)."""
        self.log_events(instance_id, [(event, ref, value)], at=at)

    def log_events(
        self,
        instance_id: str,
        entries: Iterable[tuple[str, str | None, str | None]],
        *,
        at: str | None = None,
    ) -> None:
        """(event, ref, value) lines in one transaction, all stamped with the same moment."""
        with self._db.write() as conn:
            if (
                conn.execute(
                    "SELECT 1 FROM instances WHERE instance_id = ?", (instance_id,)
                ).fetchone()
                is None
            ):
                raise StoreError("store.no_instance", instance_id=instance_id)
            moment = at or self._db.now()
            conn.executemany(
                "INSERT INTO events (instance_id, event, ref, value, at) VALUES (?, ?, ?, ?, ?)",
                [(instance_id, event, ref, value, moment) for event, ref, value in entries],
            )

    def events(self, instance_id: str) -> list[Event]:
        rows = self._db.rows(
            "SELECT * FROM events WHERE instance_id = ? ORDER BY id", (instance_id,)
        )
        return [Event(instance_id, r["event"], r["ref"], r["value"], r["at"]) for r in rows]

    def history_events(self, instance_id: str) -> list[Event]:
        """Paradata of the versions the instance replaced (its `deprecated_id`s, as far as this
        device holds them), oldest first, then its own."""
        chain: list[str] = []
        current: str | None = instance_id
        while current is not None and current not in chain:
            row = self._db.row(
                "SELECT deprecated_id FROM instances WHERE instance_id = ?", (current,)
            )
            if row is None:
                break
            chain.append(current)
            current = row[0]
        return [event for version in reversed(chain) for event in self.events(version)]

    # settings
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self._db.row("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None or row[0] is None else str(row[0])

    def set_setting(self, key: str, value: str | None) -> None:
        """Set (or, with None, remove) a setting; `device_id` is generated once and kept."""
        if key == "device_id" and self.get_setting(key) is not None:
            raise StoreError("store.device_id_fixed")
        with self._db.write() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value)
                )

    def _discard_if_unused(self, sha256: str) -> None:
        with self._db.lock:
            used = self._db.row(
                "SELECT 1 FROM attachments WHERE sha256 = ? UNION ALL "
                "SELECT 1 FROM form_media WHERE sha256 = ? LIMIT 1",
                (sha256, sha256),
            )
            if used is None:
                self._files.discard(sha256)


def _check_filename(filename: str) -> None:
    if not filename or "/" in filename or "\\" in filename or filename in (".", ".."):
        raise StoreError("store.bad_filename", filename=filename)
