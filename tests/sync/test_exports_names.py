"""An export is the file its name says: one `.dta` or `.csv` for a form without repeats,
a zip of one per table for a form with them, whatever asks for it (the CLI's `-o`, a
download, a job).

Stata and pyreadstat refuse a zip named `.dta` (the issue this fixes); ODK Central names
its zip of CSVs `.zip` and a single table's CSV `.csv`. An `-o` that names another kind
of file than the export makes is refused with the name to use, and nothing is written.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pyreadstat
import pytest
from export_support import ExportServer, add_xml, households, publish_md

from sync.server.cli import main

pytestmark = pytest.mark.server_storage

FLAT_MD = """
| survey | type | name | label |
| | text | household_id | Household ID |
| | integer | members | Members |
| | select_one yn | farms | Does the household farm? |
| choices | list_name | name | label |
| | yn | 1 | Yes |
| | yn | 0 | No |
| settings | form_id | version |
| | flat | 1 |
"""
FLAT = [("uuid:f-1", "HH-001", 4, "1"), ("uuid:f-2", "HH-002", 7, "0")]


def flat_xml(instance_id: str, household: str, members: int, farms: str) -> str:
    return (
        f'<flat id="flat" version="1"><household_id>{household}</household_id>'
        f"<members>{members}</members><farms>{farms}</farms>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></flat>"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> ExportServer:
    """`survey_small` (with repeats) and `flat` (without) on one server."""
    found = ExportServer(tmp_path_factory.mktemp("export-names"), households(3), {})
    publish_md(found.storage, FLAT_MD, "flat", "1")
    for instance_id, household, members, farms in FLAT:
        xml = flat_xml(instance_id, household, members, farms)
        add_xml(found.storage, instance_id, xml, "2026-02-01T10:00:00+00:00", "north")
    return found


def cli(server: ExportServer, *args: str) -> int:
    return main(["export", *args, "--data", str(server.data)])


def test_a_form_without_repeats_exports_one_dta_that_pyreadstat_reads(
    server: ExportServer, tmp_path: Path
) -> None:
    target = tmp_path / "li.dta"
    assert cli(server, "flat", "dta", "-o", str(target)) == 0
    frame, meta = pyreadstat.read_dta(str(target))
    assert list(frame["household_id"]) == [h for _, h, _, _ in FLAT]
    assert list(frame["members"]) == [float(m) for _, _, m, _ in FLAT]
    assert list(frame["farms"]) == [int(f) for _, _, _, f in FLAT]
    assert meta.variable_value_labels["farms"] == {1: "Yes", 0: "No"}
    assert meta.column_names_to_labels["household_id"] == "Household ID"


def test_a_form_without_repeats_exports_one_csv(server: ExportServer, tmp_path: Path) -> None:
    target = tmp_path / "li.csv"
    assert cli(server, "flat", "csv", "-o", str(target)) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [(r["KEY"], r["household_id"], r["members"]) for r in rows] == [
        (i, h, str(m)) for i, h, m, _ in FLAT
    ]


def test_a_form_with_repeats_exports_a_zip_of_one_dta_per_table(
    server: ExportServer, tmp_path: Path
) -> None:
    target = tmp_path / "survey.zip"
    assert cli(server, "survey_small", "dta", "-o", str(target)) == 0
    with zipfile.ZipFile(target) as archive:
        names = sorted(archive.namelist())
    assert names == sorted(f"survey_small{t}.dta" for t in ("", "-member", "-job"))


@pytest.mark.parametrize(
    ("form", "kind", "name", "message"),
    [
        ("survey_small", "dta", "li.dta",
         "the form has repeats: the export is a zip of one .dta per table; use -o {}/li.zip"),
        ("survey_small", "csv", "li.csv",
         "the form has repeats: the export is a zip of one .csv per table (ODK Central's"
         " shape); use -o {}/li.zip"),
        ("flat", "dta", "li.zip",
         "the form has no repeats: the export is a single .dta file; use -o {}/li.dta"),
        ("flat", "csv", "li.csv.zip",
         "the form has no repeats: the export is a single .csv file; use -o {}/li.csv"),
        ("survey_small", "xlsx", "li.csv",
         "the xlsx export is the same with or without repeats: the export is one workbook,"
         " a sheet per table; use -o {}/li.xlsx"),
    ],
)  # fmt: skip
def test_an_output_named_for_another_kind_of_file_is_refused_and_nothing_written(
    server: ExportServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    form: str,
    kind: str,
    name: str,
    message: str,
) -> None:
    assert cli(server, form, kind, "-o", str(tmp_path / name)) == 1
    assert capsys.readouterr().err.strip() == f"error: {message.format(tmp_path)}"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "filename", "media_type"),
    [
        ("flat.dta", "flat.dta", "application/x-stata-dta"),
        ("flat.csv", "flat.csv", "text/csv; charset=utf-8"),
        ("survey_small.dta", "survey_small.dta.zip", "application/zip"),
        ("survey_small.csv", "survey_small.csv.zip", "application/zip"),
        ("flat.xlsx", "flat.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)  # fmt: skip
def test_downloads_and_jobs_are_named_for_what_they_are(
    server: ExportServer, path: str, filename: str, media_type: str
) -> None:
    status, body, headers = server.get(f"/api/v1/exports/{path}", "ann")
    assert status == 200, body
    assert headers["content-type"] == media_type
    assert headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert body.startswith(b"PK") == filename.endswith((".zip", ".xlsx"))
    form, kind = path.split(".")
    job = server.call("POST", "/api/v1/export-jobs", "ann", json={"form": form, "format": kind})
    assert job.status_code == 202 and job.json()["filename"] == filename


def test_a_single_dta_download_reads_back(server: ExportServer, tmp_path: Path) -> None:
    _, body, _ = server.get("/api/v1/exports/flat.dta", "ann")
    (tmp_path / "flat.dta").write_bytes(body)
    frame, _ = pyreadstat.read_dta(str(tmp_path / "flat.dta"))
    assert list(frame["KEY"]) == [i for i, *_ in FLAT]


def test_an_output_in_a_missing_folder_is_a_message(
    server: ExportServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nowhere" / "li.dta"
    assert cli(server, "flat", "dta", "-o", str(target)) == 1
    said = capsys.readouterr().err.strip()
    assert said.endswith(f"error: cannot write {target}: No such file or directory")
