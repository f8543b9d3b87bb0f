"""On a database whose text sorts as English does (ICU, en-US), the queue's order, its day
bounds and the dashboard's order are SQLite's byte order all the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from record_support import facts_row, submission

from sync.server.review.store import QueueFilter, ReviewIndex
from sync.server.storage import Storage
from sync.server.storage.postgres import PostgresStorage
from sync.server.storage.sqlite import SqliteStorage

# instanceID, enumerator, submitted_at: equal times are ordered by instanceID, where English
# puts "uuid:b" before "uuid:C" and bytes put "C" first; "Bako" and "amina" likewise.
SUBMISSIONS = [
    ("uuid:C", "Bako", "2026-03-02T10:00:00Z"),
    ("uuid:b", "amina", "2026-03-02T10:00:00Z"),
    ("uuid:D", "amina", "2026-03-02T23:59:59Z"),
    ("uuid:a", "Bako", "2026-03-03T08:00:00Z"),
    ("uuid:E", "amina", "2026-03-01T09:00:00Z"),
]
FILTERS = [
    QueueFilter(),
    QueueFilter(limit=2, offset=1),
    QueueFilter(date_from="2026-03-02", date_to="2026-03-02"),
    QueueFilter(date_to="2026-03-02"),
    QueueFilter(date_from="2026-03-03"),
    QueueFilter(enumerator="amina", date_to="2026-03-02"),
]


@pytest.fixture
def indexes(tmp_path: Path, english_url: str) -> Iterator[tuple[ReviewIndex, ReviewIndex]]:
    """(SQLite's, PostgreSQL's in English) review index, each holding `SUBMISSIONS`."""
    opened: list[Storage] = [SqliteStorage(tmp_path / "server.db"), PostgresStorage(english_url)]
    readers = [storage.open_review_index() for storage in opened]  # SQLite's makes its tables
    for storage in opened:
        for instance_id, enumerator, at in SUBMISSIONS:
            _keep(storage, instance_id, enumerator, at)
    yield ReviewIndex(readers[0]), ReviewIndex(readers[1])
    for reader, storage in zip(readers, opened, strict=True):
        reader.close()
        storage.close()


def _keep(storage: Storage, instance_id: str, enumerator: str, at: str) -> None:
    record = submission(instance_id, enumerator=enumerator, submitted_at=at)
    assert storage.add_submission(record, [])
    kept = facts_row(record, at[:10])
    storage.quality_facts.record(lambda lookup: kept)


def test_the_database_sorts_as_english_where_bytes_sort_otherwise(english_url: str) -> None:
    with psycopg.connect(english_url) as connection:
        [(english,)] = connection.execute(
            "SELECT array_agg(x ORDER BY x) FROM unnest(ARRAY['uuid:C', 'uuid:b']) x"
        ).fetchall()
    assert english == ["uuid:b", "uuid:C"]


@pytest.mark.parametrize("where", FILTERS)
def test_the_queue_is_in_byte_order_with_sqlites_day_bounds(
    indexes: tuple[ReviewIndex, ReviewIndex], where: QueueFilter
) -> None:
    sqlite, english = indexes
    expected = [row.instance_id for row in sqlite.queue(where)]
    assert [row.instance_id for row in english.queue(where)] == expected
    assert (
        english.queue_count(where)
        == sqlite.queue_count(where)
        == len(sqlite.queue(where.model_copy(update={"limit": 1000, "offset": 0})))
    )


def test_the_queue_and_dashboard_orders_are_those_of_bytes(
    indexes: tuple[ReviewIndex, ReviewIndex],
) -> None:
    sqlite, english = indexes
    newest = [row.instance_id for row in english.queue(QueueFilter())]
    assert newest == ["uuid:a", "uuid:D", "uuid:b", "uuid:C", "uuid:E"]
    on_day = english.queue(QueueFilter(date_from="2026-03-02", date_to="2026-03-02"))
    assert [row.instance_id for row in on_day] == ["uuid:D", "uuid:b", "uuid:C"]
    names = [stats.enumerator for stats in english.dashboard(None)]
    assert names == [stats.enumerator for stats in sqlite.dashboard(None)] == ["Bako", "amina"]
