"""The report's rows kept at ingestion: equal to reading the XML, dropped on edit, backfilled."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from report_support import HOUSEHOLDS, xml_of

from sync.server.app import open_storage
from sync.server.exports.source import ExportFilter
from sync.server.intake.ingest import ingest
from sync.server.report.household import LIVING_INCOME_MAPPING, household_from_xml
from sync.server.report.index import backfill, households
from sync.server.storage import Storage, SubmissionRecord, User

pytestmark = pytest.mark.sqlite_only("reads and rewrites the report table inside the SQLite file")

FORM = "living_income_household"
AMINA = User("amina", "enumerator", "north")


def rows(data: Path) -> list[str]:
    db = next(p for p in data.iterdir() if p.suffix == ".db")
    with sqlite3.connect(db) as connection:
        found = connection.execute(
            "SELECT name FROM sqlite_master WHERE name = 'report_households'"
        )
        if found.fetchone() is None:
            return []
        return [str(r[0]) for r in connection.execute("SELECT instance_id FROM report_households")]


def from_xml(storage: Storage, instance_id: str) -> object:
    record = storage.submission(instance_id)
    assert record is not None
    return household_from_xml(
        record.xml, LIVING_INCOME_MAPPING, instance_id=instance_id, district=record.district
    )


def test_rows_written_at_ingestion_equal_reading_the_xml_and_an_edit_drops_the_old_row(
    tmp_path: Path,
) -> None:
    storage, _ = open_storage(tmp_path)
    for h in HOUSEHOLDS:
        assert ingest(storage, AMINA, xml_of(h), require_known_form=False).status == "stored"
    ids = [str(h["id"]) for h in HOUSEHOLDS]
    assert sorted(rows(tmp_path)) == sorted(ids)  # written by ingestion, before any report
    assert backfill(storage) == 0
    read = list(households(storage, FORM, ExportFilter()))
    assert read == [from_xml(storage, i) for i in ids]

    old = xml_of(HOUSEHOLDS[0])
    edit = old.replace(str(HOUSEHOLDS[0]["id"]), "uuid:li-edit").replace(
        "</instanceID>", "</instanceID><deprecatedID>uuid:li-000</deprecatedID>"
    )
    edit = edit.replace("<wages>", "<wages>1").replace("<head_sex>female", "<head_sex>male")
    assert ingest(storage, AMINA, edit, require_known_form=False).status == "stored"
    assert "uuid:li-000" not in rows(tmp_path) and "uuid:li-edit" in rows(tmp_path)
    read = list(households(storage, FORM, ExportFilter(districts=("north",))))
    assert read == [from_xml(storage, i) for i in [*ids[1:], "uuid:li-edit"]]
    assert read[-1].head_sex == "male"


def test_a_database_without_rows_is_backfilled_once(tmp_path: Path) -> None:
    storage, _ = open_storage(tmp_path)

    def store(h: dict[str, object]) -> None:  # as before this table: no ingestion hook
        xml = xml_of(h)
        digest = hashlib.sha256(xml.encode()).hexdigest()
        storage.add_submission(
            SubmissionRecord(str(h["id"]), FORM, "1", xml, digest, None, None,
                             "2026-02-01T00:00:00", "amina", str(h["district"]), None),
            [],
        )  # fmt: skip

    for h in HOUSEHOLDS[:20]:
        store(h)
    assert rows(tmp_path) == []
    ids = [str(h["id"]) for h in HOUSEHOLDS]
    read = list(households(storage, FORM, ExportFilter()))
    assert read == [from_xml(storage, i) for i in ids[:20]]
    assert sorted(rows(tmp_path)) == sorted(ids[:20])
    assert backfill(storage) == 0
    for h in HOUSEHOLDS[20:]:  # stored, then the process died before their rows were written
        store(h)
    south = list(households(storage, FORM, ExportFilter(districts=("south",))))
    assert south == [from_xml(storage, i) for i, h in zip(ids, HOUSEHOLDS, strict=True)
                     if h["district"] == "south"]  # fmt: skip
    assert sorted(rows(tmp_path)) == sorted(ids)


def test_a_table_of_older_columns_is_rebuilt(tmp_path: Path) -> None:
    """Rows are derived: a table written before the benchmark, weight and men's columns is
    dropped and backfilled from the submissions."""
    storage, _ = open_storage(tmp_path)
    for h in HOUSEHOLDS[:3]:
        assert ingest(storage, AMINA, xml_of(h), require_known_form=False).status == "stored"
    db = next(p for p in tmp_path.iterdir() if p.suffix == ".db")
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TABLE report_households")
        connection.execute("CREATE TABLE report_households (instance_id TEXT PRIMARY KEY, seq"
                           " INTEGER, form_id TEXT, district TEXT)")  # fmt: skip
        connection.execute(
            "INSERT INTO report_households VALUES ('uuid:old', 1, ?, 'north')", [FORM]
        )
    ids = [str(h["id"]) for h in HOUSEHOLDS[:3]]
    read = list(households(storage, FORM, ExportFilter()))
    assert read == [from_xml(storage, i) for i in ids]
    assert [h.benchmark for h in read] == [str(h["benchmark"]) for h in HOUSEHOLDS[:3]]
    assert sorted(rows(tmp_path)) == sorted(ids)
