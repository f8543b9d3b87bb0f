"""What only the PostgreSQL storage has to get right: several processes on one database.

Each storage here has a pool of its own, so two of them are two sessions of the database,
as two server processes are. They race on the same instanceIDs, attachments, users and
forms; they start at once on an empty database; and event numbers become visible in order.
What both backends share is tested on both by the server suite, not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import psycopg
import pytest

from sync.server.storage import (
    AttachmentRecord,
    FormRecord,
    ReturnScope,
    ReviewRecord,
    SubmissionRecord,
    User,
)
from sync.server.storage.postgres import (
    MIGRATIONS,
    DatabaseUnavailable,
    PostgresStorage,
    without_password,
)
from tests.waiting import together, wait_until

ROUNDS = 60


@pytest.fixture
def servers(postgres_url: str) -> Iterator[tuple[PostgresStorage, PostgresStorage]]:
    """Two storages on one database: what two server processes hold."""
    first, second = PostgresStorage(postgres_url), PostgresStorage(postgres_url)
    yield first, second
    first.close()
    second.close()


def _record(instance_id: str) -> SubmissionRecord:
    return SubmissionRecord(
        instance_id=instance_id,
        form_id="demo",
        form_version="1",
        xml=f"<data><meta><instanceID>{instance_id}</instanceID></meta></data>",
        xml_sha256="0" * 64,
        deprecated_id=None,
        instance_name=None,
        submitted_at="2026-12-02T05:00:00Z",
        enumerator="amina",
        district="north",
        device_id="dev-1",
    )


def _photo(instance_id: str, received: bool) -> AttachmentRecord:
    return AttachmentRecord(instance_id, "photo.jpg", "1" * 64, 2048, received)


def test_the_same_instance_sent_to_two_servers_at_once_is_stored_once(
    servers: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = servers
    for n in range(ROUNDS):
        instance_id = f"uuid:race-{n}"
        calls = [
            lambda s=storage, i=instance_id: s.add_submission(_record(i), [_photo(i, False)])
            for storage in (first, second, first, second)
        ]
        assert sorted(together(*calls)) == [False, False, False, True], instance_id
    assert first.count_submissions() == ROUNDS
    assert second.attachments("uuid:race-7") == [_photo("uuid:race-7", False)]
    pending = second.outbox_pending(ROUNDS + 1)
    assert [s.instance_id for s in pending] == [f"uuid:race-{n}" for n in range(ROUNDS)]


def test_an_attachment_received_by_two_servers_at_once_is_taken_once(
    servers: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = servers
    for n in range(ROUNDS):
        assert first.add_submission(_record(f"uuid:{n}"), [_photo(f"uuid:{n}", False)])
    for n in range(ROUNDS):
        photo = _photo(f"uuid:{n}", True)
        results = together(
            lambda p=photo: first.put_attachment(p), lambda p=photo: second.put_attachment(p)
        )
        assert sorted(results) == [False, True], photo
    assert all(a.received for n in range(ROUNDS) for a in second.attachments(f"uuid:{n}"))


def test_two_hubs_refreshing_their_users_at_once_end_with_one_whole_list(
    servers: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = servers
    lists = {
        district: [(User(f"enum-{n}", "enumerator", district), f"{district}-{n}") for n in range(5)]
        for district in ("north", "south")
    }
    for _ in range(ROUNDS // 3):
        together(
            lambda: first.replace_users(lists["north"]),
            lambda: second.replace_users(lists["south"]),
        )
        assert first.hub_users(None) in (lists["north"], lists["south"])


def test_two_publications_of_one_form_at_once_leave_one_current_version(
    servers: tuple[PostgresStorage, PostgresStorage],
) -> None:
    first, second = servers
    for n in range(ROUNDS // 3):
        forms = [FormRecord("demo", f"{n}-{side}", "Demo", "md5", "<h:html/>", 0) for side in "ab"]
        published = together(
            *[lambda s=s, f=f: s.put_form(f) for s, f in zip(servers, forms, strict=True)]
        )
        current = first.current_forms()
        assert len(current) == 1
        assert current[0].seq == max(form.seq for form in published)


def _rejection(instance_id: str) -> ReviewRecord:
    return ReviewRecord(instance_id, "rejected", "recount the plots", {}, "sup", "now", 0)


def test_a_return_numbered_later_waits_for_an_earlier_one_to_commit(
    servers: tuple[PostgresStorage, PostgresStorage],
) -> None:
    """A device's pull cursor moves to the highest number it saw: a return that committed
    after a higher-numbered one would be skipped for good. So the second decision waits."""
    first, second = servers
    for n in (1, 2):
        assert first.add_submission(_record(f"uuid:{n}"), [])
    everyone = ReturnScope()
    with ThreadPoolExecutor(1) as thread:
        with first._transaction() as open_decision:
            earlier = first._event(open_decision, "review", "uuid:1")
            open_decision.execute(
                "INSERT INTO reviews (seq, instance_id, decision)"
                " VALUES (%s, 'uuid:1', 'rejected')",
                [earlier],
            )
            later = thread.submit(second.add_review, _rejection("uuid:2"))
            wait_until(lambda: _waiting_for_a_lock(second), "the second decision to wait")
            assert second.returned_since(everyone, 0) == []
            assert not later.done()
        latest = later.result().seq
    assert latest > earlier
    pulled = [(r.instance_id, r.seq) for r in first.returned_since(everyone, 0)]
    assert pulled == [("uuid:1", earlier), ("uuid:2", latest)]
    assert second.last_seq() == latest


def _waiting_for_a_lock(storage: PostgresStorage) -> bool:
    rows = storage._rows(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    )
    return bool(rows[0]["n"])


def test_servers_starting_at_once_on_an_empty_database_migrate_it_once(
    postgres_url: str,
) -> None:
    started = together(*[lambda: PostgresStorage(postgres_url) for _ in range(4)])
    try:
        rows = started[0]._rows("SELECT number FROM schema_migrations ORDER BY number")
        assert [row["number"] for row in rows] == list(range(1, len(MIGRATIONS) + 1))
        assert started[3].add_submission(_record("uuid:1"), [])
    finally:
        for storage in started:
            storage.close()


def test_a_submissions_xml_and_its_export_parts_are_compressed_with_lz4(
    servers: tuple[PostgresStorage, PostgresStorage],
) -> None:
    """Migration 5 (`schema.LZ4`): values past PostgreSQL's 2 kB TOAST threshold are
    compressed with lz4, not the default pglz; both read back unchanged."""
    storage, _ = servers
    plots = "".join(f"<plot><crop>cocoa</crop><area>{n}.5</area></plot>" for n in range(300))
    big = replace(_record("uuid:lz4"), xml=f"<data>{plots}</data>")
    parts = '{"plots": "' + "cocoa;" * 1000 + '"}'
    assert storage.add_submission(big, [])
    storage.export_rows.write_parts([("uuid:lz4", "fingerprint", parts)])
    (held,) = storage._rows(
        "SELECT pg_column_compression(s.xml) AS xml, pg_column_compression(p.parts) AS parts,"
        " s.xml AS xml_text, p.parts AS parts_text"
        " FROM submissions s JOIN export_parts p USING (instance_id)"
    )
    assert (held["xml"], held["parts"]) == ("lz4", "lz4")
    assert (held["xml_text"], held["parts_text"]) == (big.xml, parts)


def test_a_database_migrated_by_a_newer_server_is_refused_by_name(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        PostgresStorage(postgres_url).close()
        admin.execute("INSERT INTO schema_migrations (number) VALUES (%s)", [len(MIGRATIONS) + 1])
    with pytest.raises(DatabaseUnavailable, match="upgrade this server") as refused:
        PostgresStorage(postgres_url)
    assert postgres_url.rsplit("/", 1)[1] in str(refused.value)


def test_an_unreachable_database_is_named_without_its_password(postgres_url: str) -> None:
    wrong = postgres_url.replace("postgres@", "postgres:s3cret@").rsplit("/", 1)[0] + "/nowhere"
    with pytest.raises(DatabaseUnavailable, match='"nowhere" does not exist') as refused:
        PostgresStorage(wrong)
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:s3cret@db:5432/field", "postgresql://app@db:5432/field"),
        ("postgresql://app@db/field?password=s3cret&sslmode=require", "postgresql://app@db/field?sslmode=require"),
        ("postgresql://:s3cret@db/field", "postgresql://db/field"),
        ("postgresql:///field", "postgresql:///field"),
        ("host=db password=s3cret dbname=field", "dbname=field host=db"),
        ("host=db password", "?"),
    ],
)  # fmt: skip
def test_the_location_never_holds_the_password(url: str, shown: str) -> None:
    assert without_password(url) == shown
