"""A submission judged twice (PostgreSQL retries `QualityFacts.record` after a deadlock)
gets its flags once: the judge builds what it returns on each call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from record_support import submission

from sync.server.quality.record import FactsRecorder
from sync.server.review.store import ReviewIndex
from sync.server.storage import SubmissionRecord
from sync.server.storage.postgres import PostgresStorage
from sync.server.storage.postgres import quality as pg_quality
from sync.server.storage.repositories import FactsRow


@pytest.fixture
def storage(postgres_url: str) -> Iterator[PostgresStorage]:
    opened = PostgresStorage(postgres_url)
    yield opened
    opened.close()


def _submission(instance_id: str) -> SubmissionRecord:
    xml = (
        '<data id="demo_household" version="1"><household_id>H-1</household_id>'
        f"<crop>cocoa</crop><meta><instanceID>{instance_id}</instanceID></meta></data>"
    )
    return submission(instance_id, form_id="demo_household", xml=xml)


def test_a_deadlock_after_judging_keeps_and_returns_each_flag_once(
    storage: PostgresStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = FactsRecorder()
    for instance_id in ("uuid:first", "uuid:second"):
        assert storage.add_submission(_submission(instance_id), [])
    assert recorder.record(storage, storage.submission("uuid:first")) == []  # type: ignore[arg-type]
    writes: list[str] = []
    store_facts = pg_quality.store_facts

    def deadlocked_once(connection: psycopg.Connection[Any], row: FactsRow) -> None:
        writes.append(row.instance_id)
        if len(writes) == 1:  # as PostgreSQL ends the victim of a deadlock, after the judge ran
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        store_facts(connection, row)

    monkeypatch.setattr(pg_quality, "store_facts", deadlocked_once)
    flags = recorder.record(storage, storage.submission("uuid:second"))  # type: ignore[arg-type]
    assert writes == ["uuid:second", "uuid:second"]
    assert [flag.code for flag in flags] == ["duplicate_household"]
    assert "uuid:first" in flags[0].message
    index = storage.open_review_index()
    try:
        kept = ReviewIndex(index).flags("uuid:second")[1]
    finally:
        index.close()
    assert kept == flags
