"""Nothing shown as saved is lost: killed process, corrupt file, full disk, migrations, WAL readers."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from store_support import DEMO_ID, DEMO_VERSION, instance_xml

from fieldapp.store import Store, StoreError
from fieldapp.store.connection import Connection
from fieldapp.store.errors import store_error_from
from fieldapp.store.schema import MIGRATIONS, migrate, schema_version

WRITER = """
import sys
from pathlib import Path
from fieldapp.store import Store

store = Store.open(Path(sys.argv[1]))
store.create_draft("demo_household", "1", "uuid:crash", "<data/>", None)
for i in range(1_000_000):
    store.save_draft("uuid:crash", f"<data><n>{i}</n>{'x' * 20000}</data>", f"n{i}", f"/data/q{i}")
    print(i, flush=True)
"""


def test_a_killed_app_keeps_every_save_it_reported(tmp_path: Path) -> None:
    path = tmp_path / "fieldapp.db"
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    last = -1
    for line in child.stdout:
        last = int(line)
        if last >= 30:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert last >= 30
    with Store.open(path) as store:
        assert store.recovered_from is None
        saved = store.get_instance("uuid:crash")
        number = int(saved.xml.split("<n>")[1].split("</n>")[0])
        assert number >= last
        assert (saved.name, saved.position) == (f"n{number}", f"/data/q{number}")
        assert saved.xml.endswith("x" * 20000 + "</data>")


def test_a_garbage_file_is_moved_aside_and_a_fresh_store_works(tmp_path: Path) -> None:
    path = tmp_path / "fieldapp.db"
    garbage = os.urandom(8192)
    path.write_bytes(garbage)
    with Store.open(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.name.startswith("fieldapp.db.corrupt-")
        assert store.recovered_from.name.endswith("Z")
        assert store.recovered_from.read_bytes() == garbage
        store.create_draft(DEMO_ID, DEMO_VERSION, "uuid:a", "<data/>", None)
    with Store.open(path) as again:
        assert again.recovered_from is None
        assert again.get_instance("uuid:a").xml == "<data/>"


def test_a_truncated_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "fieldapp.db"
    with Store.open(path) as store:
        for i in range(200):
            store.create_draft(DEMO_ID, DEMO_VERSION, f"uuid:{i}", instance_xml(f"uuid:{i}"), None)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with Store.open(path) as store:
        assert store.recovered_from is not None
        assert store.counts()["draft"] == 0


def test_a_full_disk_is_a_store_error_with_nothing_half_written_and_retry_works(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "fieldapp.db")
    store.create_draft(DEMO_ID, DEMO_VERSION, "uuid:a", "<data>small</data>", "before")
    conn = store._db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    big = "<data>" + "y" * 200_000 + "</data>"
    with pytest.raises(StoreError) as raised:
        store.save_draft("uuid:a", big, "after", "/data/x")
    assert raised.value.code == "store.disk_full"
    assert "full" in raised.value.message
    kept = store.get_instance("uuid:a")
    assert (kept.xml, kept.name, kept.position) == ("<data>small</data>", "before", None)
    conn.execute("PRAGMA max_page_count = 1073741823")
    store.save_draft("uuid:a", big, "after", "/data/x")
    assert store.get_instance("uuid:a").xml == big
    store.close()


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "store.disk_full"),
        (sqlite3.OperationalError("database or disk is full"), "store.disk_full"),
        (sqlite3.OperationalError("database is locked"), "store.busy"),
        (OSError(errno.EACCES, "Permission denied"), "store.io_error"),
    ],
)
def test_low_level_failures_map_to_store_codes(error: BaseException, code: str) -> None:
    assert store_error_from(error).code == code


def test_migrations_run_once_and_upgrade_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "fieldapp.db"
    old = Connection(path)
    old.configure()
    assert migrate(old, upto=1) == 1
    with old.write() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('enumerator', 'Awa')")
    old.close()
    with Store.open(path) as store:
        assert store.get_setting("enumerator") == "Awa"
        store.create_draft(DEMO_ID, DEMO_VERSION, "uuid:a", "<data/>", None)
        store.log_event("uuid:a", "shown")
    for _ in range(2):
        with Store.open(path) as store:
            assert schema_version(store._db) == len(MIGRATIONS)
            assert migrate(store._db) == len(MIGRATIONS)
            assert len(store.events("uuid:a")) == 1
            applied = store._db.rows("SELECT version FROM migrations ORDER BY version")
            assert [row[0] for row in applied] == list(range(1, len(MIGRATIONS) + 1))


def test_the_store_uses_wal_synchronous_full_and_foreign_keys(tmp_path: Path) -> None:
    with Store.open(tmp_path / "fieldapp.db") as store:
        conn = store._db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_reader_is_never_blocked_by_a_writer_and_sees_whole_saves(tmp_path: Path) -> None:
    path = tmp_path / "fieldapp.db"
    writer = Store.open(path)
    writer.create_draft(DEMO_ID, DEMO_VERSION, "uuid:a", instance_xml("uuid:a", "AB-0000"), None)
    reader = Store.open(path)
    done = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(150):
                writer.save_draft("uuid:a", instance_xml("uuid:a", f"AB-{i:04d}"), None, None)
        except BaseException as error:
            failures.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    seen = set()
    while not done.is_set():
        xml = reader.get_instance("uuid:a").xml
        household = xml.split("<household_id>")[1].split("</household_id>")[0]
        assert xml == instance_xml("uuid:a", household)
        seen.add(household)
        reader.counts()
    thread.join()
    assert failures == []
    assert reader.get_instance("uuid:a").xml == instance_xml("uuid:a", "AB-0149")
    assert len(seen) > 1
    writer.close()
    reader.close()


def test_a_store_that_cannot_be_created_is_a_clear_error_and_nothing_is_moved(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"a file where the data folder should be")
    with pytest.raises(StoreError) as raised:
        Store.open(blocker / "fieldapp.db")
    assert raised.value.code == "store.io_error"
    assert blocker.read_bytes() == b"a file where the data folder should be"
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]
