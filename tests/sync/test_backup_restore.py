"""Issue #18 item 9: the backups and restores of docs/deployment.md, as commands. SQLite:
`fieldapp-server backup` while the server takes submissions, then the blobs folder, restored
into a new data directory. PostgreSQL: `pg_dump -Fc` and `pg_restore` into a new database,
every table the same. Each restored server knows every instanceID it held (a resend is a
duplicate) and takes new submissions."""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from server_support import CLI, DEMO_FORM, instance_xml

from sync.client import SyncClient
from sync.protocol import AttachmentRef, SubmissionItem
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file
from sync.server.storage import Storage
from sync.server.storage.open import DATABASE_ENV
from tests.postgres_cluster import DatabaseMaker, PostgresCluster
from tests.waiting import free_port, wait_serving

PER_PUSH = 5
IN_PROGRESS = shutil.ignore_patterns(".incoming-*", "tmp*")
"""Files a running server is still writing into its blobs folder, which a backup leaves out
(rsync's --exclude in docs/deployment.md); a finished blob is named by 62 hex digits."""


def _photo(instance_id: str) -> bytes:
    return f"photo of {instance_id}".encode() * 50


def _items(prefix: str, count: int) -> list[SubmissionItem]:
    def one(instance_id: str) -> SubmissionItem:
        photo = _photo(instance_id)
        xml = instance_xml(instance_id).replace("<consent>", "<photo>photo.jpg</photo><consent>")
        ref = AttachmentRef(
            name="photo.jpg", sha256=hashlib.sha256(photo).hexdigest(), size=len(photo)
        )
        return SubmissionItem(
            instance_id=instance_id, form_id="demo_household", xml=xml, attachments=[ref]
        )

    return [one(f"uuid:{prefix}-{n}") for n in range(count)]


def _read(instance_id: str, name: str) -> bytes:
    return _photo(instance_id)


def _prepare(data: Path, database: str) -> str:
    """The demo form and an enumerator (its token) in a new server's storage."""
    storage, blobs = open_storage(data, database)
    try:
        publish_file(storage, blobs, DEMO_FORM, runs=1)
        return add_user(storage, "amina", "enumerator", "north")
    finally:
        storage.close()


@contextmanager
def _serving(data: Path, database: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--data", str(data), "--database", database, "--port", str(port)],
        env={k: v for k, v in os.environ.items() if k != DATABASE_ENV},
    )
    try:
        wait_serving(process, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)


def _push(url: str, token: str, items: list[SubmissionItem]) -> list[str]:
    with SyncClient(url, token) as client:
        results = client.push(items, _read)
    assert all(not r.missing_attachments for r in results)
    return [r.status for r in results]


def _held(storage: Storage, data: Path, instance_id: str) -> tuple[str, list[str]] | None:
    """A submission's XML and its files' contents as a server holds them (None: not held)."""
    record = storage.submission(instance_id)
    if record is None:
        return None
    files = [
        hashlib.sha256((data / "blobs" / a.sha256[:2] / a.sha256[2:]).read_bytes()).hexdigest()
        for a in storage.attachments(instance_id)
    ]
    return record.xml, files


def _backup(data: Path, to: Path) -> str:
    done = subprocess.run(
        [*CLI, "backup", "--data", str(data), "--database", "sqlite:", "--to", str(to)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_sqlite_backup_while_serving_then_restore(tmp_path: Path) -> None:
    data, saved = tmp_path / "data", tmp_path / "saved"
    saved.mkdir()
    token = _prepare(data, "sqlite:")
    pushed: list[SubmissionItem] = []
    progress, stop = threading.Condition(), threading.Event()
    with _serving(data, "sqlite:") as url, ThreadPoolExecutor(1) as pool:

        def pushing() -> None:
            for n in itertools.count():
                if stop.is_set():
                    return
                batch = _items(f"s{n}", PER_PUSH)
                assert set(_push(url, token, batch)) == {"stored"}
                with progress:
                    pushed.extend(batch)
                    progress.notify_all()

        def pushed_more_than(count: int) -> None:
            with progress:
                progress.wait_for(lambda: len(pushed) > count or pusher.done(), 120)
            assert len(pushed) > count, pusher.result()

        pusher = pool.submit(pushing)
        try:
            pushed_more_than(0)
            said = _backup(data, saved / "during.db")
            shutil.copytree(data / "blobs", saved / "during-blobs", ignore=IN_PROGRESS)
            pushed_more_than(len(pushed) + PER_PUSH)  # a whole push after the backup
        finally:
            stop.set()
        pusher.result()
        _backup(data, saved / "after.db")
        shutil.copytree(data / "blobs", saved / "after-blobs", ignore=IN_PROGRESS)

    ids = [i.instance_id for i in pushed]
    during = _restored(tmp_path / "restored-during", saved / "during", data, ids)
    assert ids[: len(during)] == during  # what was acknowledged before, in arrival order
    assert PER_PUSH <= len(during) < len(ids)
    assert said.startswith(f"wrote {saved / 'during.db'}: {len(during)} submissions")
    assert _restored(tmp_path / "restored-after", saved / "after", data, ids) == ids

    with _serving(tmp_path / "restored-after", "sqlite:") as url:
        assert set(_push(url, token, pushed)) == {"duplicate"}
        assert _push(url, token, _items("new", 1)) == ["stored"]


def _restored(into: Path, backup: Path, data: Path, ids: list[str]) -> list[str]:
    """Restore `backup` (.db and -blobs) into `into` as docs/deployment.md says: the file as
    server.db, the blobs folder beside it. The instanceIDs it holds, each the same as the
    original server holds it."""
    into.mkdir()
    shutil.copyfile(backup.with_suffix(".db"), into / "server.db")
    shutil.copytree(backup.with_name(f"{backup.name}-blobs"), into / "blobs")
    return _compared((into, "sqlite:"), (data, "sqlite:"), ids)


def _compared(restored: tuple[Path, str], original: tuple[Path, str], ids: list[str]) -> list[str]:
    """The instanceIDs of `ids` the restored server (data directory, database) holds, each
    held as the original server holds it, and no other."""
    copy, _ = open_storage(*restored)
    source, _ = open_storage(*original)
    try:
        kept = [i for i in ids if copy.submission(i) is not None]
        assert all(_held(copy, restored[0], i) == _held(source, original[0], i) for i in kept)
        assert copy.count_submissions() == len(kept)
        return kept
    finally:
        copy.close()
        source.close()


def _tables(url: str) -> dict[str, Any]:
    """Every table of the database: its row count and a hash of its rows in order."""
    with psycopg.connect(url) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        query = "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
        return {
            name: connection.execute(sql.SQL(query).format(sql.Identifier(name))).fetchone()
            for name in names
        }


def test_pg_dump_and_pg_restore_into_a_new_database(
    tmp_path: Path, postgres_server: PostgresCluster, postgres_databases: DatabaseMaker
) -> None:
    source, target = postgres_databases(), postgres_databases()
    data, dump = tmp_path / "data", tmp_path / "fieldapp.dump"
    token = _prepare(data, source)
    items = _items("p", 3 * PER_PUSH)
    with _serving(data, source) as url:
        assert set(_push(url, token, items)) == {"stored"}
    before = _tables(source)
    assert before["submissions"][0] == len(items)

    pg = postgres_server.bin
    subprocess.run([f"{pg}/pg_dump", "-Fc", "--dbname", source, "-f", str(dump)], check=True)
    shutil.copytree(data / "blobs", tmp_path / "saved-blobs", ignore=IN_PROGRESS)
    restore = [f"{pg}/pg_restore", "--no-owner", "--exit-on-error", "--dbname", target, str(dump)]
    subprocess.run(restore, check=True)
    assert _tables(target) == before

    restored_data = tmp_path / "restored"
    restored_data.mkdir()
    shutil.copytree(tmp_path / "saved-blobs", restored_data / "blobs")
    ids = [i.instance_id for i in items]
    assert _compared((restored_data, target), (data, source), ids) == ids
    with _serving(restored_data, target) as url:
        assert set(_push(url, token, items)) == {"duplicate"}
        assert _push(url, token, _items("new", 1)) == ["stored"]
