"""`fieldapp-server submissions import PATH --data DIR`, through the real CLI: a rehearsal
folder written by `fieldapp forms check --save` reads in exports and the report as if its
interviews had come over OpenRosa; a second import stores nothing; zips with attachments;
zip-slip, zip bombs and bad files refused by name, changing nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fieldapp.cli import main as fieldapp
from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.cli import main as server
from sync.server.exports.source import ExportFilter
from sync.server.intake.files import MAX_UNZIPPED_BYTES
from sync.server.report.build import report_for

pytestmark = pytest.mark.server_storage

FORM = Path(__file__).resolve().parents[2] / "forms" / "library" / "living_income_household.xlsx"
FORM_ID = "living_income_household"
SITE_VISIT = Path(__file__).with_name("site_visit.xml")
VISIT = (
    '<data id="site_visit" version="1"><farm><farmer>Ama Owusu</farmer><photo>house.jpg</photo>'
    "<document>title.pdf</document></farm><plot><plot_name>Riverside</plot_name>"
    "<plot_photo>plot1.png</plot_photo></plot><meta><instanceID>uuid:visit-1</instanceID>"
    "<audit>audit.csv</audit></meta></data>"
)
FILES = {"house.jpg": b"\xff\xd8 a house", "audit.csv": b"event,node,start,end\n"}


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six simulated households of the shipped form, as `forms check --save` writes them."""
    folder = tmp_path_factory.mktemp("rehearsal")
    assert (
        fieldapp(["forms", "check", str(FORM), "--runs", "6", "--seed", "5", "--save", str(folder)])
        == 0
    )
    assert len(list(folder.glob("uuid-*.xml"))) == 6
    return folder


def published(data: Path, form: Path = FORM) -> Path:
    """`data` with `form` published and amina, an enumerator of north, added."""
    assert server(["forms", "publish", str(form), "--data", str(data)]) == 0
    assert (
        server(
            [
                "users",
                "add",
                "amina",
                "--role",
                "enumerator",
                "--district",
                "north",
                "--data",
                str(data),
            ]
        )
        == 0
    )
    return data


def run_import(
    capsys: pytest.CaptureFixture[str], data: Path, path: Path, *flags: str
) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = server(["submissions", "import", str(path), "--data", str(data), *flags])
    return code, capsys.readouterr().out.splitlines()


def zipped(target: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def export_tables(data: Path, out: Path, database: str | None = None) -> dict[str, list[list[str]]]:
    """The CSV zip export's tables, without the submission date (the moment it arrived)."""
    chosen = ["--database", database] if database else []
    assert server(["export", FORM_ID, "csv", "-o", str(out), "--data", str(data), *chosen]) == 0
    tables = {}
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            dated = rows[0].index("SubmissionDate") if "SubmissionDate" in rows[0] else None
            tables[name] = [[c for i, c in enumerate(r) if i != dated] for r in rows]
    return tables


def test_a_rehearsal_reads_in_exports_and_report_as_if_sent_over_openrosa(
    rehearsal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], other_database: str | None
) -> None:
    imported = published(tmp_path / "imported")
    code, out = run_import(capsys, imported, rehearsal, "--as", "amina")
    assert code == 0
    assert out == [f"stored 6, skipped 0, refused 0 (as amina, from {rehearsal})"]

    sent = tmp_path / "sent"  # the same households sent by amina over OpenRosa
    chosen = ["--database", other_database] if other_database else []
    assert server(["forms", "publish", str(FORM), "--data", str(sent), *chosen]) == 0
    token = add_user(open_storage(sent, other_database)[0], "amina", "enumerator", "north")
    client = TestClient(create_app(ServerConfig(sent, database=other_database)))
    for path in sorted(rehearsal.iterdir()):
        part = ("xml_submission_file", (path.name, path.read_bytes(), "text/xml"))
        answer = client.post(f"/v1/key/{token}/projects/1/submission", files=[part])
        assert answer.status_code == 201, answer.text

    tables = export_tables(imported, tmp_path / "imported.zip")
    assert len(tables[f"{FORM_ID}.csv"]) == 7
    assert tables == export_tables(sent, tmp_path / "sent.zip", other_database)
    received = ExportFilter(states=("received",))
    report = report_for(open_storage(imported)[0], FORM_ID, received)
    assert report.households and len(report.households) + len(report.skipped) == 6
    assert report == report_for(open_storage(sent, other_database)[0], FORM_ID, received)

    for path in rehearsal.iterdir():
        stored = open_storage(imported)[0].submission(path.stem.replace("uuid-", "uuid:", 1))
        assert stored is not None and (stored.enumerator, stored.district) == ("amina", "north")
        assert stored.device_id == f"import:{rehearsal.name}"


def test_importing_again_stores_nothing_and_says_so_per_instance(
    rehearsal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = published(tmp_path / "data")
    first = sorted(rehearsal.iterdir())[0]
    assert run_import(capsys, data, first) == (
        0,
        [f"stored 1, skipped 0, refused 0 (as import, from {first})"],
    )
    assert run_import(capsys, data, rehearsal)[1][-1].startswith("stored 5, skipped 1, refused 0")
    # the same files again, now as amina: stored already (as import's), so skipped
    code, out = run_import(capsys, data, rehearsal, "--verbose", "--as", "amina")
    assert code == 0
    storage = open_storage(data)[0]
    assert storage.count_submissions() == 6
    for path, line in zip(sorted(rehearsal.iterdir()), out, strict=False):
        record = storage.submission(path.stem.replace("uuid-", "uuid:", 1))
        assert record is not None
        assert line == f"skipped: {path}: {record.instance_id} (already stored)"
        assert (record.enumerator, record.district) == ("import", None)
        assert record.device_id == (
            f"import:{first.name}" if path == first else f"import:{rehearsal.name}"
        )
    assert out[6:] == [f"stored 0, skipped 6, refused 0 (as amina, from {rehearsal})"]


def test_a_zip_of_instance_folders_brings_the_files_they_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = published(tmp_path / "data", SITE_VISIT)
    members = {"visit-1/visit-1.xml": VISIT.encode()} | {
        f"visit-1/{n}": b for n, b in FILES.items()
    }
    members["__MACOSX/visit-1/._visit-1.xml"] = b"\x00\x05\x16\x07 resource fork"
    first = zipped(tmp_path / "day1.zip", members)
    code, out = run_import(capsys, data, first, "--as", "amina")
    assert (code, out[-1]) == (0, f"stored 1, skipped 0, refused 0 (as amina, from {first})")
    storage, blobs = open_storage(data)
    kept = {a.name: a for a in storage.attachments("uuid:visit-1")}
    assert sorted(kept) == ["audit.csv", "house.jpg"]
    for name, content in FILES.items():
        assert kept[name].received and kept[name].sha256 == hashlib.sha256(content).hexdigest()
        assert blobs.read(kept[name].sha256) == content

    members["visit-1/plot1.png"] = b"\x89PNG a plot"
    again = zipped(tmp_path / "day1-with-plot.zip", members)
    code, out = run_import(capsys, data, again, "--as", "amina", "--verbose")
    assert code == 0
    assert out == [
        f"stored: {again}/visit-1/visit-1.xml: uuid:visit-1: added 1 missing file(s)",
        f"stored 1, skipped 0, refused 0 (as amina, from {again})",
    ]
    assert [a.name for a in storage.attachments("uuid:visit-1")] == [
        "audit.csv",
        "house.jpg",
        "plot1.png",
    ]
    assert storage.count_submissions() == 1


@pytest.mark.parametrize("member", ["../evil", "visit-1/../../evil", "/tmp/evil", "C:/evil"])
def test_a_zip_with_a_member_leaving_its_folder_is_refused_whole(
    member: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = published(tmp_path / "data", SITE_VISIT)
    archive = zipped(tmp_path / "slip.zip", {"visit-1/visit-1.xml": VISIT.encode(), member: b"x"})
    code, out = run_import(capsys, data, archive)
    assert code == 1
    assert out[0] == (
        f"refused: {archive}: member {member!r} would leave the zip's folder (an absolute path"
        " or '..'); nothing was imported from this zip"
    )
    assert out[1] == f"stored 0, skipped 0, refused 1 (as import, from {archive})"
    assert open_storage(data)[0].count_submissions() == 0


def test_a_zip_that_would_inflate_past_the_limit_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The central directory claims 4 GiB + for a member: refused before anything is read."""
    data = published(tmp_path / "data", SITE_VISIT)
    archive = zipped(
        tmp_path / "bomb.zip", {"visit-1/visit-1.xml": VISIT.encode(), "big.bin": b"0" * 100}
    )
    raw = bytearray(archive.read_bytes())
    at = raw.rindex(b"PK\x01\x02")  # the last member's central directory entry
    raw[at + 24 : at + 28] = struct.pack("<I", 0xFFFFFFF0)  # its uncompressed size
    archive.write_bytes(bytes(raw))
    code, out = run_import(capsys, data, archive)
    assert code == 1
    claimed = 0xFFFFFFF0 + len(VISIT)
    assert out[0] == (
        f"refused: {archive}: its files come to {claimed:,} bytes uncompressed; the limit is"
        f" {MAX_UNZIPPED_BYTES:,} (a zip bomb guard); nothing was imported from this zip"
    )
    assert open_storage(data)[0].count_submissions() == 0


def test_each_bad_file_is_refused_by_name_and_the_rest_stored(
    rehearsal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = published(tmp_path / "data")
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = sorted(rehearsal.iterdir())[0]
    shutil.copy(good, folder / good.name)
    xml = good.read_text(encoding="utf-8")
    root = f'id="{FORM_ID}" version="'
    newer = xml.replace(root, f"{root}9").replace("<instanceID>uuid:", "<instanceID>uuid:v9")
    bad = {
        "notes.xml": (b"household notes, typed in Word", "submission is not well-formed XML"),
        "no_id.xml": (
            b'<data id="living_income_household"><meta/></data>',
            "submission has no meta/instanceID",
        ),
        "census.xml": (
            b'<data id="census"><meta><instanceID>uuid:c-1</instanceID></meta></data>',
            "form 'census' is not published on this server",
        ),
        "newer.xml": (newer.encode(), "form 'living_income_household' has no version '9"),
        "latin1.xml": ("<data id='x'>caf\xe9</data>".encode("latin-1"), "not UTF-8 text"),
        "photo.jpg": (b"\xff\xd8", "not an .xml file, and no submission in its folder names it"),
        "zz-changed.xml": (
            f"{xml}\n".encode(),
            f"a different submission with instanceID {good.stem.replace('uuid-', 'uuid:')} is stored",
        ),
        "gone.xml": (None, "cannot read it (No such file or directory)"),
    }
    for name, (content, _) in bad.items():
        if content is None:
            (folder / name).symlink_to(tmp_path / "nowhere.xml")
        else:
            (folder / name).write_bytes(content)
    (folder / ".DS_Store").write_bytes(b"\x00Bud1")
    code, out = run_import(capsys, data, folder)
    assert code == 1
    refused = {line.split(": ", 2)[1]: line.split(": ", 2)[2] for line in out[:-1]}
    assert sorted(refused) == sorted(str(folder / name) for name in bad)
    for name, (_, why) in bad.items():
        assert refused[str(folder / name)].startswith(why), name
    assert out[-1] == f"stored 1, skipped 0, refused 8 (as import, from {folder})"
    assert open_storage(data)[0].count_submissions() == 1


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("day1.zip", b"PK but not really a zip", "not a folder, a zip or an XML file"),
        ("missing", None, "cannot read it (no such file or folder)"),
    ],
)
def test_a_path_that_is_no_folder_zip_or_xml_is_refused(
    name: str, content: bytes | None, why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out = run_import(capsys, tmp_path / "data", path)
    assert code == 1
    assert out[0].startswith(f"refused: {path}: {why}")
    assert out[1] == f"stored 0, skipped 0, refused 1 (as import, from {path})"


@pytest.mark.parametrize(
    ("user", "message"),
    [("nobody", "error: no user 'nobody'"), ("sue", "error: a supervisor cannot submit")],
)
def test_as_must_name_a_user_who_may_submit(
    user: str, message: str, rehearsal: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    add_user(open_storage(data)[0], "sue", "supervisor", "north")
    capsys.readouterr()
    assert server(["submissions", "import", str(rehearsal), "--as", user, "--data", str(data)]) == 1
    assert capsys.readouterr().err.startswith(message)
    assert open_storage(data)[0].count_submissions() == 0
