"""Issue #17, findings 2 and 4: integer parameters are bounded (422 naming the parameter, not
a 500); a submission's instanceID, answers and attachments have limits, each refused with a
message naming it; an XLSX cell past Excel's limit is cut with a marker, the CSV keeps it all.
Against a real `fieldapp-server serve` over loopback."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import httpx
import pytest
from hardening_support import Live, live_server
from openpyxl import load_workbook
from server_support import instance_xml

from sync.server.intake.limits import MAX_ATTACHMENTS, MAX_FIELD_CHARS, MAX_INSTANCE_ID

pytestmark = pytest.mark.server_storage

HUGE = "99999999999999999999"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("limits")) as server:
        yield server


@pytest.mark.parametrize(
    ("path", "user", "parameter"),
    [
        (f"/api/v1/review/queue?offset={HUGE}", "sue", "offset"),
        (f"/api/v1/review/queue?limit={HUGE}", "sue", "limit"),
        (f"/api/v1/pull?cursor={HUGE}", "amina", "cursor"),
        ("/api/v1/pull?cursor=-1", "amina", "cursor"),
        (f"/api/v1/review/submissions/uuid:1/attachments/a.jpg?width={HUGE}", "sue", "width"),
    ],
)
def test_integer_parameters_out_of_range_are_422_naming_them(
    live: Live, path: str, user: str, parameter: str
) -> None:
    answer = httpx.get(live.url + path, headers=live.auth(user))
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith(f"invalid query parameter {parameter}:")


def _push(live: Live, *items: dict[str, object]) -> list[dict[str, object]]:
    batch = {"batch_id": "b", "device_id": "d", "items": list(items)}
    answer = httpx.post(f"{live.url}/api/v1/submissions", json=batch, headers=live.auth("amina"))
    assert answer.status_code == 200, answer.text
    results: list[dict[str, object]] = answer.json()["results"]
    return results


def _item(instance_id: str, household: str = "AB-0001", **extra: object) -> dict[str, object]:
    xml = instance_xml(instance_id, household=household)
    return {"instance_id": instance_id, "form_id": "demo_household", "xml": xml, **extra}


def _photo(number: int, size: int = 10) -> dict[str, object]:
    return {"name": f"p{number}.jpg", "sha256": "ab" * 32, "size": size}


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        (_item("uuid:" + "a" * MAX_INSTANCE_ID), f"the limit is {MAX_INSTANCE_ID}"),
        (_item("uuid:vast", household="</household_id><x>" * 300_000), "the limit is 5,242,880"),
        (_item("uuid:a/../b"), "the limit on its characters"),
        (_item("uuid:long", household="x" * (MAX_FIELD_CHARS + 1)), "'household_id' has 100,001"),
        (
            _item("uuid:many", attachments=[_photo(n) for n in range(MAX_ATTACHMENTS + 1)]),
            f"the limit is {MAX_ATTACHMENTS} per submission",
        ),
        (
            _item("uuid:big", attachments=[_photo(1, size=21 * 1024 * 1024)]),
            "the limit for one file is 20971520 bytes",
        ),
        (
            _item("uuid:heavy", attachments=[_photo(n, 19 * 1024 * 1024) for n in range(30)]),
            "the limit is 524,288,000 bytes per submission",
        ),
        (
            _item("uuid:hash", attachments=[{"name": "p.jpg", "sha256": "zz", "size": 1}]),
            "sha256 is not 64 hex digits",
        ),
    ],
)
def test_a_submission_past_a_limit_is_refused_naming_it(
    live: Live, entry: dict[str, object], said: str
) -> None:
    (result,) = _push(live, entry)
    assert result["status"] == "rejected"
    assert said in str(result["message"])
    assert live.storage.submission(str(entry["instance_id"])) is None


def test_a_long_answer_is_cut_in_the_xlsx_with_a_marker_and_whole_in_the_csv(live: Live) -> None:
    long = "H" * 40_000
    (result,) = _push(live, _item("uuid:long-answer", household=long))
    assert result["status"] == "stored"
    base = f"{live.url}/api/v1/exports/demo_household"
    xlsx = httpx.get(f"{base}.xlsx", headers=live.auth("ada"), timeout=60)
    assert xlsx.status_code == 200, xlsx.text
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    [row] = [r for r in rows if r[header.index("KEY")] == "uuid:long-answer"]
    cell = str(row[header.index("household_id")])
    assert len(cell) == 32_767
    assert cell.startswith("H" * 32_000)
    assert cell.endswith("cut at Excel's 32,767-character limit; 40,000 in the CSV export]")
    csv = httpx.get(f"{base}.csv", headers=live.auth("ada"), timeout=60)
    with zipfile.ZipFile(io.BytesIO(csv.content)) as archive:
        assert long in archive.read("demo_household.csv").decode("utf-8")
