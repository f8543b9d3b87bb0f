"""The PostgreSQL repositories of derived rows: what only several processes on one database
need (judging serialised across processes, backfills that see late commits, exports read
through a server-side cursor) and the queue read as the SQLite backend reads it."""

from __future__ import annotations

import json
import multiprocessing
import pickle
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from sync.server.exports.source import ExportFilter
from sync.server.review.store import QueueFilter
from sync.server.storage import ReviewRecord, SubmissionRecord
from sync.server.storage.postgres import PostgresStorage
from sync.server.storage.postgres.export_rows import ITERSIZE, PgExportRows
from sync.server.storage.postgres.quality import PgQualityFacts
from sync.server.storage.postgres.report_rows import PgReportRows
from sync.server.storage.postgres.review_index import PgReviewIndex, page_query
from sync.server.storage.repositories import FactsLookup, FactsRow, ReportLayout
from sync.server.storage.sqlite import SqliteStorage
from tests.waiting import wait_until

GROUP = ("demo", "north", "cocoa")
LAYOUT = ReportLayout(
    ("instance_id", "seq", "form_id"), (), 1, ("TEXT", "INTEGER", "TEXT NOT NULL")
)


@pytest.fixture
def storage(postgres_url: str) -> Iterator[PostgresStorage]:
    opened = PostgresStorage(postgres_url)
    yield opened
    opened.close()


def _record(
    instance_id: str, *, deprecated_id: str | None = None, at: str = "2026-11-26T10:00:00Z"
) -> SubmissionRecord:
    return SubmissionRecord(
        instance_id=instance_id,
        form_id="demo",
        form_version="1",
        xml=f"<data><id>{instance_id}</id></data>",
        xml_sha256="0" * 64,
        deprecated_id=deprecated_id,
        instance_name=None,
        submitted_at=at,
        enumerator="amina" if instance_id < "uuid:5" else "bako",
        district="north" if instance_id < "uuid:7" else "south",
        device_id="dev-1",
    )


def _facts(instance_id: str, flags: str = "[]", value: float = 1.0) -> FactsRow:
    return FactsRow(
        instance_id=instance_id,
        form_id="demo",
        district="north",
        enumerator="amina",
        day="2026-11-26",
        household_id="H-1",
        crop="cocoa",
        facts='{"duration_s": 600.0}',
        flags=flags,
        flag_count=flags.count('"code"'),
        metrics={"yield": value},
    )


def _judge_and_hold(url: str, read: Any, go: Any, seen: Any) -> None:
    """In another process: judge uuid:1, then keep the transaction open until `go`."""
    storage = PostgresStorage(url)

    def judge(lookup: FactsLookup) -> FactsRow:
        seen.put(
            (lookup.duplicate_of("demo", "H-1", "uuid:1", None), [*lookup.metric_values(GROUP)])
        )
        read.set()
        assert go.wait(60), "the test never let the first judge finish"
        return _facts("uuid:1", value=1.0)

    PgQualityFacts(storage.pool).record(judge)
    storage.close()


def _waiting_for_advisory_lock(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as connection:
        found = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
    return bool(found and found[0])


def test_judging_the_same_household_in_two_processes_goes_one_after_the_other(
    storage: PostgresStorage, postgres_url: str
) -> None:
    """The second judge waits until the first one's row is committed, so it finds the
    household's duplicate and the first one's metric value among its peers."""
    for name in ("uuid:1", "uuid:2"):
        assert storage.add_submission(_record(name), [])
    context = multiprocessing.get_context("spawn")
    read, go, seen = context.Event(), context.Event(), context.Queue()
    first = context.Process(target=_judge_and_hold, args=(postgres_url, read, go, seen))
    first.start()
    try:
        assert read.wait(60), "the first judge never read"
        second: list[tuple[str | None, list[tuple[str, float]]]] = []

        def judge(lookup: FactsLookup) -> FactsRow:
            duplicate = lookup.duplicate_of("demo", "H-1", "uuid:2", None)
            second.append((duplicate, [*lookup.metric_values(GROUP)]))
            return _facts("uuid:2", value=2.0)

        thread = threading.Thread(target=PgQualityFacts(storage.pool).record, args=(judge,))
        thread.start()
        wait_until(lambda: _waiting_for_advisory_lock(postgres_url), "the second judge to wait")
        assert second == []
        go.set()
        thread.join(60)
    finally:
        go.set()
        first.join(60)
    assert first.exitcode == 0
    assert seen.get(timeout=10) == (None, [])
    assert second == [("uuid:1", [("yield", 1.0)])]
    assert PgQualityFacts(storage.pool).missing() == []


def _export_round(rows: PgExportRows) -> list[str]:
    since, top = rows.unchecked_parts()
    missing = [found[1] for found in rows.parts_missing(since, top, 100)]
    rows.write_parts([(instance_id, "fp", "[]") for instance_id in missing])
    rows.parts_checked(top)
    return missing


def _report_round(rows: PgReportRows) -> list[str]:
    top, missing = rows.unchecked(LAYOUT, ["demo"])
    rows.write(LAYOUT, [(instance_id, pos, "demo") for instance_id, pos in missing], [])
    rows.checked(top)
    return [instance_id for instance_id, _ in missing]


def _one(url: str, sql: str, params: list[Any] | None = None) -> Any:
    with psycopg.connect(url, autocommit=True) as connection:
        found = connection.execute(sql, params).fetchone()
    assert found is not None
    return found[0]


@pytest.mark.parametrize("name", ["export_parts", "report_households"])
def test_a_submission_committed_after_a_later_one_is_still_backfilled(
    storage: PostgresStorage, postgres_url: str, name: str
) -> None:
    """A position is taken at insert and seen at commit: the backfill that checked the
    later one first does not step over the earlier one committed afterwards, and its mark
    moves past both once nothing is running."""
    exports = PgExportRows(postgres_url, storage.pool)
    reports = PgReportRows(postgres_url, storage.pool)
    backfill = (
        (lambda: _export_round(exports))
        if name == "export_parts"
        else (lambda: _report_round(reports))
    )
    with psycopg.connect(postgres_url) as late:
        late.execute(
            "INSERT INTO submissions (instance_id, form_id, xml, submitted_at)"
            " VALUES ('uuid:late', 'demo', '<data/>', '2026-11-26T09:00:00Z')"
        )
        assert storage.add_submission(_record("uuid:early"), [])
        assert backfill() == ["uuid:early"]
        late.commit()
    order = "SELECT array_agg(instance_id ORDER BY pos) FROM submissions"
    assert _one(postgres_url, order) == ["uuid:late", "uuid:early"]
    assert backfill() == ["uuid:late"]
    assert backfill() == []
    mark = _one(postgres_url, "SELECT last_pos FROM derived_checked WHERE name = %s", [name])
    assert mark == _one(postgres_url, "SELECT max(pos) FROM submissions")


def test_an_export_streams_current_versions_through_a_server_side_cursor(
    storage: PostgresStorage, postgres_url: str
) -> None:
    """A batch at a time in memory (the stream's connection fetches from a named cursor),
    in arrival order, without the versions an edit replaced; workers read the bodies."""
    count = ITERSIZE * 2 + 1
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO submissions (instance_id, form_id, xml, submitted_at)"
            " SELECT 'uuid:' || lpad(i::text, 6, '0'), 'demo', '<data>' || i || '</data>',"
            " '2026-11-26T10:00:00Z' FROM generate_series(1, %s) i",
            [count],
        )
    assert storage.add_submission(_record("uuid:edit", deprecated_id="uuid:000001"), [])
    storage.add_review(ReviewRecord("uuid:000002", "approved", "", {}, "sam", "2026-11-27", 0))
    exports = PgExportRows(postgres_url, storage.pool)
    rows = exports.stream("demo", ExportFilter(), None, whole=True)
    first = next(rows)
    fetching = "SELECT count(*) FROM pg_stat_activity WHERE query = %s"
    batch = f'FETCH FORWARD {ITERSIZE} FROM "fieldapp_stream"'
    assert _one(postgres_url, fetching, [batch]) == 1
    found = [first, *rows]
    assert _one(postgres_url, fetching, [batch]) == 0  # its connection closed at the end
    assert [row[1][0] for row in found[:2]] == ["uuid:000002", "uuid:000003"]
    assert found[-1][1][0] == "uuid:edit"
    assert len(found) == count
    assert [pos for pos, _ in found] == sorted(pos for pos, _ in found)
    assert found[0][1][4] == "approved" and found[1][1][4] == "received"
    assert exports.count("demo", ExportFilter(districts=("south",))) == 1

    opener = pickle.loads(pickle.dumps(exports.bodies_opener()))
    exports.write_parts([("uuid:000003", "fp-1", '[["row"]]')])
    bodies = opener.open().bodies([found[0][0], found[1][0]], "fp-1")
    assert bodies == {found[0][0]: ("<data>2</data>", None), found[1][0]: ("", '[["row"]]')}


def _facts_of(instance_id: str, flags: list[str], district: str) -> FactsRow:
    listed = json.dumps([{"code": code, "message": f"about {code}"} for code in flags])
    return replace(
        _facts(instance_id, listed), district=district, enumerator=_record(instance_id).enumerator
    )


QUEUES = [
    QueueFilter(),
    QueueFilter(district="north"),
    QueueFilter(district="south", form_id="demo"),
    QueueFilter(enumerator="bako"),
    QueueFilter(state="superseded"),
    QueueFilter(state="rejected"),
    QueueFilter(state="received"),
    QueueFilter(flag="any"),
    QueueFilter(flag="too_short"),
    QueueFilter(flag="duplicate_household", state="received"),
    QueueFilter(date_from="2026-11-23", date_to="2026-11-25"),
    QueueFilter(limit=2, offset=3),
]


def test_the_queue_and_dashboard_read_as_sqlite_reads_them(
    storage: PostgresStorage, postgres_url: str, tmp_path: Path
) -> None:
    sqlite = SqliteStorage(tmp_path / "server.db")
    expected = sqlite.open_review_index()
    index = PgReviewIndex(postgres_url)
    flags = {"uuid:2": ["too_short"], "uuid:4": ["outlier_yield", "duplicate_household"]}
    for number in range(1, 10):
        name = f"uuid:{number}"
        record = _record(
            name,
            deprecated_id="uuid:3" if number == 9 else None,
            at=f"2026-11-2{number}T0{number}:00:00Z",
        )
        facts = _facts_of(name, flags.get(name, []), record.district or "")
        for kept in (sqlite, storage):
            assert kept.add_submission(record, [])
        sqlite.quality_facts.record(lambda lookup, facts=facts: facts)
        PgQualityFacts(storage.pool).record(lambda lookup, facts=facts: facts)
    for name, decision in (
        ("uuid:1", "approved"),
        ("uuid:1", "rejected"),
        ("uuid:5", "has_issues"),
    ):
        for kept in (sqlite, storage):
            kept.add_review(ReviewRecord(name, decision, "", {}, "sam", "2026-11-30", 0))

    def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**row, "flag_list": json.loads(row["flag_list"])} for row in rows]

    for where in QUEUES:
        assert plain(index.page(where)) == plain(expected.page(where)), where
        assert index.total(where) == expected.total(where), where
    assert index.total(QueueFilter()) == 8
    for district in (None, "south"):
        assert index.dashboard(district) == expected.dashboard(district)
    assert index.state("uuid:3") == "superseded" and index.state("uuid:1") == "rejected"
    assert index.replacements("uuid:3") == ["uuid:9"]
    index.replace_flags("uuid:4", json.dumps([{"code": "too_short", "message": "m"}]), 1)
    assert [r["instance_id"] for r in index.page(QueueFilter(flag="too_short"))] == [
        "uuid:4",
        "uuid:2",
    ]
    found = index.facts_and_flags("uuid:4")
    assert found is not None and json.loads(found[0]) == {"duration_s": 600.0}
    index.close()


def _main_path(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The plan's nodes but those of subqueries run per row (a state's lookup)."""
    yield plan
    for child in plan.get("Plans", []):
        if child.get("Parent Relationship") not in ("SubPlan", "InitPlan"):
            yield from _main_path(child)


@pytest.mark.parametrize(
    ("where", "walked"),
    [
        (QueueFilter(), "submissions_newest"),
        (QueueFilter(state="received", offset=100), "submissions_newest"),
        (QueueFilter(district="north"), "submissions_district_newest"),
    ],
)
def test_a_queue_page_walks_an_index_newest_first_instead_of_sorting_every_row(
    storage: PostgresStorage, postgres_url: str, where: QueueFilter, walked: str
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO submissions (instance_id, form_id, xml, submitted_at, district)"
            " SELECT 'uuid:' || i, 'demo', '<data/>', '2026-11-26T10:00:00Z' || i,"
            " CASE WHEN i % 10 = 0 THEN 'north' ELSE 'south' END"
            " FROM generate_series(1, 100000) i"
        )
        connection.execute("ANALYZE")
        sql, params = page_query(where)
        [[plan]] = connection.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchall()
    nodes = list(_main_path(plan[0]["Plan"]))
    assert walked in [node.get("Index Name") for node in nodes], nodes
    assert "Sort" not in [node["Node Type"] for node in nodes], nodes


def test_facts_are_kept_with_their_metrics_or_not_at_all_and_a_deadlock_is_tried_again(
    storage: PostgresStorage,
) -> None:
    facts = PgQualityFacts(storage.pool)
    assert storage.add_submission(_record("uuid:1"), [])
    bad = replace(_facts("uuid:1"), metrics={"yield": 1.0, "price": "a word"})  # type: ignore[dict-item]
    with pytest.raises(psycopg.Error):
        facts.record(lambda lookup: bad)
    assert facts.missing() == ["uuid:1"]
    judged: list[str | None] = []

    def judge(lookup: FactsLookup) -> FactsRow:
        judged.append(lookup.current_version("demo"))
        if len(judged) == 1:  # as PostgreSQL ends the victim of a deadlock
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return _facts("uuid:1")

    assert facts.record(judge).instance_id == "uuid:1"
    assert judged == [None, None]
    assert facts.missing() == []
    facts.replace_facts("uuid:1", '{"duration_s": 60.0}')
    index = PgReviewIndex(storage.url)
    assert index.facts_and_flags("uuid:1") == ('{"duration_s": 60.0}', "[]")
    assert index.dashboard("north")[0].median_duration_s == 60.0
    index.close()


def test_a_report_row_never_goes_into_a_table_another_process_made_for_another_layout(
    storage: PostgresStorage,
) -> None:
    """A process trusts the report table's layout once it has seen it committed, and then
    checks the layout's version in the row's own insert. Another process (another version
    of the code, during an upgrade) replaces the table with its layout: the next row of the
    first process is not written into that table under the first layout's columns; the
    first process makes its table again, as before the check moved into the insert."""
    wider = ReportLayout((*LAYOUT.columns, "note"), (), 2, (*LAYOUT.kinds, "TEXT"))
    first = PgReportRows(storage.url, storage.pool)
    other = PgReportRows(storage.url, storage.pool)
    for n in (1, 2, 3):  # made, then seen committed, then written with the check in the insert
        first.write(LAYOUT, [(f"uuid:{n}", n, "demo")], [])
    other.write(wider, [("uuid:9", 9, "demo", "wider")], [])
    assert _one(storage.url, "SELECT version FROM report_schema") == 2
    first.write(LAYOUT, [("uuid:4", 4, "demo")], [])
    assert _one(storage.url, "SELECT version FROM report_schema") == 1
    assert _one(storage.url, "SELECT array_agg(instance_id) FROM report_households") == ["uuid:4"]
