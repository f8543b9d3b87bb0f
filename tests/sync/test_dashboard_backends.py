"""The dashboard's figures, counted by each backend's database, are the same on SQLite and
PostgreSQL, and equal to figures worked out here from the raw rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from record_support import facts_row, submission

from sync.server.review.store import EnumeratorStats, ReviewIndex
from sync.server.storage import ReviewRecord, Storage
from sync.server.storage.postgres import PostgresStorage
from sync.server.storage.sqlite import SqliteStorage

# instanceID, enumerator, district, day the interview was done, seconds, flags, replaces
ROWS = [
    ("uuid:a1", "amina", "north", "2026-03-02", 2520.5, 0, None),
    ("uuid:a2", "amina", "north", "2026-03-02", 1800.25, 1, None),
    ("uuid:a3", "amina", "north", "2026-03-04", None, 0, None),
    ("uuid:a4", "amina", "north", "2026-03-05", 3000.0, 2, None),
    ("uuid:a2b", "amina", "north", "2026-03-06", 1900.75, 0, "uuid:a2"),
    ("uuid:b1", "Bako", "south", "2026-03-01", 600.0, 1, None),
    ("uuid:b2", "Bako", "south", "2026-03-01", 4100.5, 0, None),
    ("uuid:b3", "Bako", "south", "2026-03-03", 2000.0, 0, None),
    ("uuid:k1", "kofi", "south", "2026-03-01", 1000.0, 0, None),
    ("uuid:k2", "kofi", "north", "2026-03-02", None, 1, None),
    ("uuid:z1", "zed", "north", "2026-03-07", 1234.0, 1, None),
    ("uuid:z1b", "zed", "north", "2026-03-08", 1400.0, 0, "uuid:z1"),
    ("uuid:z1c", "amina", "north", "2026-03-08", 1500.0, 0, "uuid:z1b"),
]
"""Corrections: a2b replaces a2; z1 is replaced by z1b, itself replaced by z1c (taken over
by amina), so zed has rejections and no current interview."""
DECISIONS = [
    ("uuid:a2", "rejected"),
    ("uuid:a4", "approved"),
    ("uuid:b1", "rejected"),
    ("uuid:b1", "rejected"),
    ("uuid:b2", "has_issues"),
    ("uuid:z1", "rejected"),
    ("uuid:z1b", "rejected"),
]


@pytest.fixture
def indexes(tmp_path: Path, postgres_url: str) -> Iterator[list[ReviewIndex]]:
    """The review index of each backend, holding `ROWS` and `DECISIONS`."""
    opened: list[Storage] = [SqliteStorage(tmp_path / "server.db"), PostgresStorage(postgres_url)]
    readers = [storage.open_review_index() for storage in opened]  # SQLite's makes its tables
    for storage in opened:
        for row in ROWS:
            _keep(storage, row)
        for instance_id, decision in DECISIONS:
            storage.add_review(ReviewRecord(instance_id, decision, "", {}, "sue", "2026-03-09", 0))
    yield [ReviewIndex(reader) for reader in readers]
    for reader, storage in zip(readers, opened, strict=True):
        reader.close()
        storage.close()


def _keep(storage: Storage, row: tuple[str, str, str, str, float | None, int, str | None]) -> None:
    instance_id, enumerator, district, day, seconds, flags, replaces = row
    record = submission(
        instance_id,
        enumerator=enumerator,
        district=district,
        submitted_at="2026-03-09T10:00:00Z",  # arrived together, done on different days
        deprecated_id=replaces,
    )
    assert storage.add_submission(record, [])
    kept = facts_row(record, day, seconds, flags)
    storage.quality_facts.record(lambda lookup: kept)


def _by_hand(district: str | None) -> list[EnumeratorStats]:
    """The figures as a supervisor would count them on paper from `ROWS` and `DECISIONS`."""
    replaced = {row[6] for row in ROWS if row[6]}
    chosen = [row for row in ROWS if district is None or row[2] == district]
    figures = []
    for name in sorted({row[1] for row in chosen}, key=lambda name: name.encode()):
        mine = [row for row in chosen if row[1] == name]
        current = [row for row in mine if row[0] not in replaced]
        per_day: dict[str, int] = {}
        for row in sorted(current, key=lambda row: row[3]):
            per_day[row[3]] = per_day.get(row[3], 0) + 1
        seconds = sorted(row[4] for row in current if row[4] is not None)
        middle = len(seconds) // 2
        median = None
        if seconds:
            median = (
                seconds[middle] if len(seconds) % 2 else (seconds[middle - 1] + seconds[middle]) / 2
            )
        ids = {row[0] for row in mine}
        figures.append(
            EnumeratorStats(
                enumerator=name,
                district=min(row[2] for row in mine),
                interviews=len(current),
                per_day=per_day,
                interviews_per_day=round(len(current) / len(per_day), 2) if per_day else 0.0,
                median_duration_min=None if median is None else round(median / 60, 1),
                flag_rate=round(sum(1 for row in current if row[5]) / len(current), 3)
                if current
                else 0.0,
                rejections=sum(1 for i, d in DECISIONS if i in ids and d == "rejected"),
            )
        )
    return figures


@pytest.mark.parametrize("district", [None, "north", "south", "east"])
def test_both_backends_count_the_dashboard_as_worked_out_by_hand(
    indexes: list[ReviewIndex], district: str | None
) -> None:
    expected = [stats.model_dump_json() for stats in _by_hand(district)]
    for index in indexes:
        assert [stats.model_dump_json() for stats in index.dashboard(district)] == expected


def test_the_figures_worked_out_by_hand_are_the_ones_a_supervisor_expects() -> None:
    """The hand count itself, on the cases that matter: a correction replaces what it
    corrects, every rejection counts, names in byte order ("Bako" before "amina")."""
    stats = {s.enumerator: s for s in _by_hand(None)}
    assert list(stats) == ["Bako", "amina", "kofi", "zed"]
    amina = stats["amina"]
    assert amina.per_day == {"2026-03-02": 1, "2026-03-04": 1, "2026-03-05": 1, "2026-03-06": 1,
                             "2026-03-08": 1}  # fmt: skip
    assert (amina.interviews, amina.median_duration_min, amina.flag_rate) == (5, 36.8, 0.2)
    assert (stats["Bako"].rejections, stats["Bako"].median_duration_min) == (2, 33.3)
    assert (stats["kofi"].district, stats["kofi"].interviews_per_day) == ("north", 1.0)
    assert stats["zed"].model_dump() == {
        "enumerator": "zed", "district": "north", "interviews": 0, "per_day": {},
        "interviews_per_day": 0.0, "median_duration_min": None, "flag_rate": 0.0,
        "rejections": 2}  # fmt: skip
