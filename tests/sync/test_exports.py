"""Exports read back (csv, openpyxl, pyreadstat, json) equal the stored submissions."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from export_support import (
    as_workbook,
    expected_tables,
    households,
    read_csv_zip,
    read_workbook,
    review,
    seed,
)

from sync.server.exports.run import export
from sync.server.exports.source import ExportFilter
from sync.server.exports.stata import stata_names
from sync.server.storage import Storage

pytestmark = pytest.mark.server_storage

ITEMS = households(12)
STATES = {ITEMS[1].instance_id: "approved", ITEMS[2].instance_id: "rejected"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="module")
def storage(data: Path) -> Storage:
    store = seed(data, ITEMS)
    review(store, ITEMS[1].instance_id, "approved")
    review(store, ITEMS[2].instance_id, "rejected")
    return store


def run(storage: Storage, kind: str, chosen: ExportFilter | None = None) -> bytes:
    out = io.BytesIO()
    export(storage, "survey_small", kind, chosen or ExportFilter(), out)
    return out.getvalue()


def test_csv_zip_is_centrals_shape_and_equals_the_submissions(storage: Storage) -> None:
    assert read_csv_zip(run(storage, "csv")) == expected_tables(ITEMS, STATES)


def test_xlsx_has_a_sheet_per_repeat_equal_to_the_submissions(storage: Storage) -> None:
    assert read_workbook(run(storage, "xlsx")) == as_workbook(expected_tables(ITEMS, STATES))


def test_stata_has_labels_and_values_equal_to_the_submissions(
    storage: Storage, tmp_path: Path
) -> None:
    import pyreadstat

    with zipfile.ZipFile(io.BytesIO(run(storage, "dta"))) as archive:
        archive.extractall(tmp_path)
    frame, meta = pyreadstat.read_dta(str(tmp_path / "survey_small.dta"))
    assert meta.column_names_to_labels["id_household_id"] == "Household ID"
    assert meta.column_names_to_labels["id_gps_Latitude"] == "Location: Latitude"
    assert meta.variable_value_labels["head_sex"] == {1: "Female", 2: "Male"}
    assert list(frame["id_household_id"]) == [h.household_id for h in ITEMS]
    assert list(frame["head_sex"]) == [1.0 if h.head_sex == "female" else 2.0 for h in ITEMS]
    assert list(frame["income"]) == [h.income for h in ITEMS]
    members, meta = pyreadstat.read_dta(str(tmp_path / "survey_small-member.dta"))
    assert meta.column_names_to_labels["activities_trade"] == "Activities: Trade"
    flat = [(m.name, m.age, "trade" in m.activities) for h in ITEMS for m in h.members]
    got = zip(members["name"], members["age"], members["activities_trade"], strict=True)
    assert [(n, int(a), t == 1) for n, a, t in got] == flat
    jobs, _ = pyreadstat.read_dta(str(tmp_path / "survey_small-job.dta"))
    assert list(jobs["pay"]) == [p for h in ITEMS for m in h.members for p in m.pays]


def test_stata_names_are_short_valid_and_unique() -> None:
    long = "a-" * 30
    names = stata_names(["1st", "in", long, long + "x", "x/y", "X_Y"])
    assert names[:2] == ["v_1st", "v_in"]
    assert all(len(n) <= 32 for n in names)
    assert len({n.lower() for n in names}) == len(names)


def test_geojson_has_one_point_per_located_interview(storage: Storage) -> None:
    collection = json.loads(run(storage, "geojson"))
    located = [h for h in ITEMS if h.gps]
    assert [f["properties"]["instanceID"] for f in collection["features"]] == [
        h.instance_id for h in located
    ]
    first = collection["features"][0]["geometry"]["coordinates"]
    lat, lon, alt, _ = (float(x) for x in located[0].gps.split())
    assert first == [lon, lat, alt]


@pytest.mark.parametrize(
    ("chosen", "keep"),
    [
        (ExportFilter(states=("approved",)), lambda n, h: n == 1),
        (ExportFilter(states=("received",)), lambda n, h: n not in (1, 2)),
        (ExportFilter(districts=("north",)), lambda n, h: h.district == "north"),
        (ExportFilter(since="2026-02-01", until="2026-02-28"), lambda n, h: h.day[5:7] == "02"),
        (ExportFilter(versions=("2",)), lambda n, h: False),
    ],
)
def test_filters_choose_the_submissions(
    storage: Storage, chosen: ExportFilter, keep: object
) -> None:
    assert callable(keep)
    wanted = [h.instance_id for n, h in enumerate(ITEMS) if keep(n, h)]
    assert [r["KEY"] for r in read_csv_zip(run(storage, "csv", chosen))["survey_small"]] == wanted


def test_a_bad_date_or_format_is_a_clear_message(storage: Storage) -> None:
    from pydantic import ValidationError

    from sync.server.errors import BadRequest

    with pytest.raises(ValidationError, match="not a date like"):
        ExportFilter(since="yesterday")
    with pytest.raises(BadRequest, match="export format must be one of"):
        run(storage, "sav")


def test_a_large_export_streams_with_bounded_memory_and_progress(tmp_path: Path) -> None:
    many = households(2000)
    store = seed(tmp_path / "big", many)
    calls: list[tuple[int, int]] = []
    tracemalloc.start()
    with open(tmp_path / "big.zip", "wb") as out:
        written = export(
            store, "survey_small", "csv", ExportFilter(), out, lambda d, t: calls.append((d, t))
        )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert written == 2000
    assert calls[0] == (500, 2000) and calls[-1] == (2000, 2000) and len(calls) == 5
    size = sum(len(h.instance_id) * 40 for h in many)
    assert peak < 5_000_000, f"peak {peak} bytes for an export of about {size} bytes"


def test_cli_exports_with_filters_and_refuses_a_bad_date(
    storage: Storage, data: Path, tmp_path: Path
) -> None:
    from sync.server.cli import main

    target = tmp_path / "north.zip"
    assert main(["export", "survey_small", "csv", "-o", str(target), "--district", "north", "--data", str(data)]) == 0  # fmt: skip
    keys = [r["KEY"] for r in read_csv_zip(target.read_bytes())["survey_small"]]
    assert keys == [h.instance_id for h in ITEMS if h.district == "north"]
    assert main(["export", "survey_small", "csv", "-o", str(target), "--since", "nope", "--data", str(data)]) == 1  # fmt: skip


def test_worker_processes_write_the_same_tables_in_the_same_order(tmp_path: Path) -> None:
    from sync.server.exports import source
    from sync.server.exports.parallel import CHUNK
    from sync.server.exports.run import export_schema
    from sync.server.exports.writers import PROGRESS_EVERY, stage_tables

    count = max(CHUNK, PROGRESS_EVERY) * 2 + 37
    store = seed(tmp_path / "data", households(count))
    schema = export_schema(store, "survey_small", ExportFilter())
    found: dict[int, dict[str, bytes]] = {}
    for workers in (0, 2):
        folder = tmp_path / f"w{workers}"
        folder.mkdir()
        calls: list[tuple[int, int]] = []
        chosen = source.submissions(store, "survey_small", ExportFilter())
        done = stage_tables(
            schema, chosen, folder, total=count, progress=lambda d, t, c=calls: c.append((d, t)),
            workers=workers,
        )  # fmt: skip
        assert done == count and calls[-1] == (count, count) and len(calls) >= 3
        found[workers] = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert found[2] == found[0]
    assert len(found[0]["survey_small-member.csv"].splitlines()) > count


def test_worker_deflated_csv_zip_has_the_same_tables_and_valid_crcs(tmp_path: Path) -> None:
    from sync.server.exports import source
    from sync.server.exports.parallel import CHUNK
    from sync.server.exports.run import export_schema
    from sync.server.exports.writers import write_csv_zip

    count = CHUNK * 3 + 11
    store = seed(tmp_path / "data", households(count))
    schema = export_schema(store, "survey_small", ExportFilter())
    tables: dict[int, dict[str, bytes]] = {}
    for workers in (0, 2):
        out = io.BytesIO()
        chosen = source.submissions(store, "survey_small", ExportFilter())
        assert write_csv_zip(schema, chosen, out, total=count, workers=workers) == count
        with zipfile.ZipFile(out) as archive:
            assert archive.testzip() is None
            tables[workers] = {n: archive.read(n) for n in archive.namelist()}
    assert list(tables[2]) == list(tables[0]) and tables[2] == tables[0]
    assert tables[0]["survey_small.csv"].startswith(b"\xef\xbb\xbfSubmissionDate")


def test_a_submission_gone_before_its_worker_reads_it_is_a_message(storage: Storage) -> None:
    from sync.server.errors import BadRequest
    from sync.server.exports import parallel, source
    from sync.server.exports.run import export_schema

    chosen = source.submissions(storage, "survey_small", ExportFilter())
    keyed = list(chosen.keyed())
    assert keyed and all(meta.xml == "" for _, meta in keyed)
    parallel._start(export_schema(storage, "survey_small", ExportFilter()), chosen.opener)
    pieces = parallel.deflate_chunk(keyed[:2])
    assert sum(p.size for p in pieces.values()) > 0
    rowid, meta = keyed[0]
    with pytest.raises(BadRequest, match=f"submission {meta.instance_id} was removed"):
        parallel.deflate_chunk([(rowid + 10_000, meta)])
