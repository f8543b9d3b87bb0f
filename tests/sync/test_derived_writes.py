"""A submission's derived rows (quality facts, report row, export rows) at ingestion.

On PostgreSQL they share one transaction (`Storage.derived_writes`): each statement is a
round trip to the database, so one BEGIN and one COMMIT instead of three of each. What
that must not change: they become visible together, and a failure of one part does not
cost the others (ingestion writes each again on its own). On SQLite each part commits on
its own, as before. A batch reads the quality settings and its form's version once for all its items.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from report_support import amina, household, living_income_server, xml_of

from sync.protocol import SubmissionBatch, SubmissionItem
from sync.server.api.batch import _Intake
from sync.server.exports import stored
from sync.server.intake import derived_rows
from sync.server.intake.ingest import ingest
from sync.server.storage import Storage

pytestmark = pytest.mark.server_storage

FORM_ID = "living_income_household"


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    yield from living_income_server(tmp_path / "data")


def _kept(storage: Storage, instance_id: str) -> dict[str, bool]:
    """Which of the submission's derived rows are kept."""
    index = storage.open_review_index()
    try:
        facts = index.facts_and_flags(instance_id) is not None
    finally:
        index.close()
    report = any(
        row[0] == instance_id for row in storage.report_rows.crop_rows(FORM_ID, "instance_id")
    )
    storage.export_rows.unchecked_parts()  # SQLite makes its table of export rows first
    parts_missing = {row[1] for row in storage.export_rows.parts_missing(0, 10**9, 100)}
    return {"facts": facts, "report": report, "exports": instance_id not in parts_missing}


TABLES = ("review_facts", "review_metrics", "report_households")


def _rows_in(connection: psycopg.Connection[Any], table: str) -> int:
    """The rows of `table` another connection sees (0 when it sees no such table: the
    report's table is made by its first write)."""
    exists = connection.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()
    if exists is None or not exists[0]:
        return 0
    found = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(found[0]) if found else 0


def test_ingestion_keeps_all_three_derived_rows(storage: Storage) -> None:
    h = household(1)
    assert ingest(storage, amina(storage), xml_of(h)).status == "stored"
    assert _kept(storage, str(h["id"])) == {"facts": True, "report": True, "exports": True}


def test_a_failing_part_costs_only_itself(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The export rows fail every time: the flags and the report row are kept all the same
    (on PostgreSQL the shared transaction rolls back and each part is written again alone),
    and the failure is logged with the submission's instanceID."""

    def failing(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("export rows cannot be written")

    monkeypatch.setattr(derived_rows, "record_parts", failing)
    h = household(2)
    with caplog.at_level(logging.WARNING, logger=derived_rows.__name__):
        assert ingest(storage, amina(storage), xml_of(h)).status == "stored"
    assert _kept(storage, str(h["id"])) == {"facts": True, "report": True, "exports": False}
    assert f"export rows of {h['id']} not recorded" in caplog.text


def test_a_part_failing_once_is_written_again(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, server_backend: str
) -> None:
    """The export rows fail on their first write only. PostgreSQL rolls the shared
    transaction back and writes each part again: all three are kept. SQLite writes each
    part once, on its own: the export rows are left to the backfill."""
    calls: list[int] = []
    real = stored.record_parts

    def once_failing(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a first write fails")
        real(*args, **kwargs)

    monkeypatch.setattr(derived_rows, "record_parts", once_failing)
    h = household(3)
    assert ingest(storage, amina(storage), xml_of(h)).status == "stored"
    together = server_backend == "postgres"
    assert _kept(storage, str(h["id"])) == {"facts": True, "report": True, "exports": together}


@pytest.mark.postgres_only("one transaction shared by the derived rows is PostgreSQL's")
def test_the_derived_rows_become_visible_together(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the export rows are being written, another connection sees none of the facts,
    metric values and report row written before them in the same ingestion (a probe that
    failed would make ingestion write each part again on its own, and be seen twice);
    afterwards all three are kept."""
    url = storage.url  # type: ignore[attr-defined]
    seen: list[tuple[int, ...]] = []
    real = stored.record_parts

    def looking(*args: Any, **kwargs: Any) -> None:
        with psycopg.connect(url, autocommit=True) as other:
            seen.append(tuple(_rows_in(other, table) for table in TABLES))
        real(*args, **kwargs)

    monkeypatch.setattr(derived_rows, "record_parts", looking)
    h = household(4)
    assert ingest(storage, amina(storage), xml_of(h)).status == "stored"
    assert seen == [(0, 0, 0)]
    assert _kept(storage, str(h["id"])) == {"facts": True, "report": True, "exports": True}


def test_a_batch_reads_the_quality_settings_and_the_form_version_once(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three items, one read of the settings and one of their form's version; every item
    flagged by those settings and exported by that version all the same."""
    reads: list[str] = []
    real = storage.get_setting
    versions: list[tuple[str, str | None]] = []
    real_version = storage.export_rows.form_version

    def counting(key: str) -> str | None:
        reads.append(key)
        return real(key)

    def counting_versions(form_id: str, version: str | None) -> tuple[str, str] | None:
        versions.append((form_id, version))
        return real_version(form_id, version)

    monkeypatch.setattr(storage, "get_setting", counting)
    monkeypatch.setattr(storage.export_rows, "form_version", counting_versions)
    items = [
        SubmissionItem(instance_id=str(h["id"]), form_id=FORM_ID, xml=xml_of(h))
        for h in (household(n) for n in (5, 6, 7))
    ]
    batch = SubmissionBatch(batch_id="b-1", device_id="dev-1", items=items)
    intake = _Intake(storage, amina(storage), require_known_form=True, file_limit=10**6)
    results = intake.batch(batch.model_dump_json().encode())
    assert [r.status for r in results.results] == ["stored"] * 3
    assert len(reads) == 1
    assert len(versions) == 1 and versions[0][0] == FORM_ID
    for item in items:  # the third report row with the layout checked in its insert
        assert _kept(storage, item.instance_id) == {"facts": True, "report": True, "exports": True}
