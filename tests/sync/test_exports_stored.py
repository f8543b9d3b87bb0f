"""Export rows stored at ingestion: used when they fit the export's schema, the XML otherwise.

Whether an export read the stored rows or the XML is shown by breaking the stored XML
after ingestion: the stored rows still give the expected tables, the XML path fails.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from export_support import (
    FORM_MD,
    expected_tables,
    household_xml,
    households,
    read_csv_zip,
    seed,
)

from forms.xlsform import compile_xlsform
from sync.server.app import open_storage
from sync.server.errors import BadRequest
from sync.server.exports import source, stored
from sync.server.exports.run import export, export_schema
from sync.server.exports.source import ExportFilter
from sync.server.exports.writers import write_csv_zip
from sync.server.intake.ingest import ingest
from sync.server.storage import FormRecord, Storage, User

pytestmark = pytest.mark.sqlite_only(
    "changes the stored rows inside the SQLite file to show what the export reads"
)

AMINA = User("amina", "enumerator", "north")
ITEMS = households(9)


def database(data: Path) -> Path:
    return next(p for p in data.iterdir() if p.suffix == ".db")


def publish(storage: Storage, form_md: str, version: str) -> None:
    compiled = compile_xlsform(form_md.encode("utf-8"), filename="survey_small.md")
    xform = compiled.xform
    md5 = hashlib.md5(xform.encode("utf-8")).hexdigest()
    storage.put_form(FormRecord("survey_small", version, "Small survey", md5, xform, 0))


def ingested(data: Path) -> Storage:
    """The households taken in through `ingest`, as the batch API and OpenRosa do."""
    storage, _ = open_storage(data)
    publish(storage, FORM_MD, "3")
    for h in ITEMS:
        assert ingest(storage, AMINA, household_xml(h)).status == "stored"
    return storage


def break_xml(data: Path) -> None:
    with sqlite3.connect(database(data)) as connection:
        connection.execute("UPDATE submissions SET xml = '<data><unclosed>'")


def parts_count(data: Path) -> int:
    with sqlite3.connect(database(data)) as connection:
        return int(connection.execute("SELECT count(*) FROM export_parts").fetchone()[0])


def csv_tables(storage: Storage) -> dict[str, list[dict[str, str]]]:
    out = io.BytesIO()
    export(storage, "survey_small", "csv", ExportFilter(), out)
    return read_csv_zip(out.getvalue())


def test_ingestion_stores_rows_and_the_export_reads_them_not_the_xml(tmp_path: Path) -> None:
    storage = ingested(tmp_path)
    assert parts_count(tmp_path) == len(ITEMS)
    before = csv_tables(storage)
    break_xml(tmp_path)
    after = csv_tables(storage)
    assert after == before
    expected = expected_tables(ITEMS, {})
    for table, rows in expected.items():
        for row in rows:
            row.pop("SubmissionDate", None)
            if "District" in row:
                row["District"] = "north"
        found = [{k: v for k, v in r.items() if k != "SubmissionDate"} for r in after[table]]
        assert found == rows


def test_a_version_that_changes_the_fields_flattens_the_xml_instead(tmp_path: Path) -> None:
    storage = ingested(tmp_path)
    before = csv_tables(storage)
    changed = FORM_MD.replace(
        "| | decimal | income | Income |",
        "| | decimal | income | Income |\n| | text | note | Note |",
    ).replace("| | survey_small | 3 |", "| | survey_small | 4 |")
    publish(storage, changed, "4")
    schema = export_schema(storage, "survey_small", ExportFilter())
    old = export_schema(storage, "survey_small", ExportFilter(versions=("3",)))
    assert schema.fingerprint != old.fingerprint
    after = csv_tables(storage)
    assert all(row["note"] == "" for row in after["survey_small"])
    for one, other in zip(before["survey_small"], after["survey_small"], strict=True):
        assert {k: v for k, v in other.items() if k != "note"} == one
    assert after["survey_small-member"] == before["survey_small-member"]
    break_xml(tmp_path)
    with pytest.raises(BadRequest, match=f"submission {ITEMS[0].instance_id}: its stored XML"):
        csv_tables(storage)
    assert csv_tables_of_version(storage, "3") == before


def csv_tables_of_version(storage: Storage, version: str) -> dict[str, list[dict[str, str]]]:
    out = io.BytesIO()
    export(storage, "survey_small", "csv", ExportFilter(versions=(version,)), out)
    return read_csv_zip(out.getvalue())


def test_republishing_a_version_with_other_choices_rebuilds_its_rows(tmp_path: Path) -> None:
    storage = ingested(tmp_path)
    fewer = FORM_MD.replace("| | activity | school | School |\n", "")
    publish(storage, fewer, "3")
    extra = households(10)[-1]
    assert ingest(storage, AMINA, household_xml(extra)).status == "stored"
    schema = export_schema(storage, "survey_small", ExportFilter())
    with sqlite3.connect(database(tmp_path)) as connection:
        prints = dict(connection.execute("SELECT instance_id, fingerprint FROM export_parts"))
    assert prints[extra.instance_id] == schema.fingerprint
    assert {prints[h.instance_id] for h in ITEMS} != {schema.fingerprint}
    members = csv_tables(storage)["survey_small-member"]
    assert members and all("activities/school" not in row for row in members)


def test_backfill_records_what_ingestion_did_not_once(tmp_path: Path) -> None:
    storage = seed(tmp_path, ITEMS)
    assert stored.backfill(storage) == len(ITEMS)
    assert stored.backfill(storage) == 0
    assert parts_count(tmp_path) == len(ITEMS)
    expected = expected_tables(ITEMS, {})
    break_xml(tmp_path)
    assert csv_tables(storage) == expected


def test_worker_processes_read_what_they_are_told(tmp_path: Path) -> None:
    """With the fingerprint, the stored rows (the XML broken); without it, the XML (the
    stored rows scrambled): the same zip either way."""
    from sync.server.exports.parallel import CHUNK

    count = CHUNK * 2 + 7
    storage = seed(tmp_path, households(count))
    schema = export_schema(storage, "survey_small", ExportFilter())
    assert stored.backfill(storage) == count
    with sqlite3.connect(database(tmp_path)) as connection:
        kept = connection.execute("SELECT instance_id, parts FROM export_parts").fetchall()
        connection.execute('UPDATE export_parts SET parts = \'[[0, "", "scrambled"]]\'')
    found: dict[str, dict[str, bytes]] = {}
    for name, fingerprint in (("xml", None), ("stored", schema.fingerprint)):
        if fingerprint is not None:
            with sqlite3.connect(database(tmp_path)) as connection:
                connection.executemany(
                    "UPDATE export_parts SET parts = ? WHERE instance_id = ?",
                    [(parts, instance_id) for instance_id, parts in kept],
                )
            break_xml(tmp_path)
        out = io.BytesIO()
        chosen = source.submissions(storage, "survey_small", ExportFilter(), fingerprint)
        assert write_csv_zip(schema, chosen, out, total=count, workers=2) == count
        with zipfile.ZipFile(out) as archive:
            assert archive.testzip() is None
            found[name] = {n: archive.read(n) for n in archive.namelist()}
    assert found["stored"] == found["xml"]
    assert b"scrambled" not in found["xml"]["survey_small.csv"]
