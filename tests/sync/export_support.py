"""A small survey with groups, nested repeats, a geopoint and selects, and its submissions."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from forms.xlsform import compile_xlsform
from sync.server.app import open_storage
from sync.server.exports.schema import GEO_PARTS
from sync.server.storage import FormRecord, ReviewRecord, Storage, SubmissionRecord

FORM_MD = """
| survey | type | name | label |
| | begin group | id | Identification |
| | text | household_id | Household ID |
| | geopoint | gps | Location |
| | end group | | |
| | select_one sex | head_sex | Sex of the head |
| | begin repeat | member | Member |
| | text | name | Name |
| | integer | age | Age |
| | select_multiple activity | activities | Activities |
| | begin repeat | job | Job |
| | decimal | pay | Pay |
| | end repeat | | |
| | end repeat | | |
| | decimal | income | Income |
| choices | list_name | name | label |
| | sex | female | Female |
| | sex | male | Male |
| | activity | farm | Own farm |
| | activity | trade | Trade |
| | activity | school | School |
| settings | form_id | version |
| | survey_small | 3 |
"""


@dataclass(frozen=True)
class Member:
    name: str
    age: int
    activities: tuple[str, ...]
    pays: tuple[float, ...]


@dataclass(frozen=True)
class Household:
    instance_id: str
    household_id: str
    gps: str
    head_sex: str
    members: tuple[Member, ...]
    income: float
    district: str
    day: str


def household_xml(h: Household) -> str:
    members = "".join(
        f"<member><name>{m.name}</name><age>{m.age}</age>"
        f"<activities>{' '.join(m.activities)}</activities>"
        + "".join(f"<job><pay>{p}</pay></job>" for p in m.pays)
        + "</member>"
        for m in h.members
    )
    return (
        '<data xmlns:jr="http://openrosa.org/javarosa" id="survey_small" version="3">'
        f"<id><household_id>{h.household_id}</household_id><gps>{h.gps}</gps></id>"
        f"<head_sex>{h.head_sex}</head_sex>{members}<income>{h.income}</income>"
        f"<meta><instanceID>{h.instance_id}</instanceID></meta></data>"
    )


def households(count: int) -> list[Household]:
    found = []
    for n in range(count):
        members = tuple(
            Member(
                f"p{n}_{k}",
                20 + (n * 7 + k * 11) % 50,
                tuple(a for j, a in enumerate(("farm", "trade", "school")) if (n + k + j) % 2),
                tuple(float(100 * n + 10 * k + j) for j in range((n + k) % 3)),
            )
            for k in range(1 + n % 4)
        )
        gps = "" if n % 5 == 4 else f"{5 + n / 100:.5f} {-4 - n / 100:.5f} {100 + n}.0 {n % 9}.5"
        found.append(
            Household(
                f"uuid:0000-{n:04d}",
                f"HH-{n:03d}",
                gps,
                "female" if n % 3 == 0 else "male",
                members,
                1000.5 * n,
                "north" if n % 2 else "south",
                f"2026-0{1 + n % 3}-1{n % 9}T08:00:00.000+00:00",
            )
        )
    return found


def publish_md(
    storage: Storage, form_md: str, form_id: str, version: str, title: str | None = None
) -> None:
    """Publish an XLSForm written as markdown (its settings give `form_id` and `version`)."""
    compiled = compile_xlsform(form_md.encode("utf-8"), filename=f"{form_id}.md")
    md5 = hashlib.md5(compiled.xform.encode("utf-8")).hexdigest()
    storage.put_form(FormRecord(form_id, version, title or form_id, md5, compiled.xform, 0))


def add_xml(storage: Storage, instance_id: str, xml: str, day: str, district: str) -> None:
    """Store a submission by `amina` (its form and version from the root's `id`, `version`)."""
    root = ElementTree.fromstring(xml)
    digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
    record = SubmissionRecord(
        instance_id, root.get("id", ""), root.get("version"), xml, digest, None, None, day,
        "amina", district, "dev1",
    )  # fmt: skip
    storage.add_submission(record, [])


def seed(data: Path, items: list[Household]) -> Storage:
    storage, _ = open_storage(data)
    publish_md(storage, FORM_MD, "survey_small", "3", "Small survey")
    for h in items:
        add_xml(storage, h.instance_id, household_xml(h), h.day, h.district)
    return storage


def review(storage: Storage, instance_id: str, decision: str) -> None:
    storage.add_review(ReviewRecord(instance_id, decision, "", {}, "sue", "2026-03-01", 0))


def expected_tables(
    items: list[Household], states: dict[str, str]
) -> dict[str, list[dict[str, str]]]:
    """What Central would export, built by hand from the households."""
    root, members, jobs = [], [], []
    for h in items:
        lat, lon, alt, acc = h.gps.split() or ["", "", "", ""]
        state = states.get(h.instance_id, "received")
        root.append({
            "SubmissionDate": h.day, "id-household_id": h.household_id,
            "id-gps-Latitude": lat, "id-gps-Longitude": lon, "id-gps-Altitude": alt,
            "id-gps-Accuracy": acc, "head_sex": h.head_sex, "income": str(h.income),
            "meta-instanceID": h.instance_id, "KEY": h.instance_id, "SubmitterName": "amina",
            "District": h.district, "ReviewState": state, "FormVersion": "3",
        })  # fmt: skip
        for i, m in enumerate(h.members, start=1):
            key = f"{h.instance_id}/member[{i}]"
            row = {"name": m.name, "age": str(m.age), "activities": " ".join(m.activities)}
            for choice in ("farm", "trade", "school"):
                row[f"activities/{choice}"] = (
                    "" if not m.activities else str(int(choice in m.activities))
                )
            members.append({**row, "PARENT_KEY": h.instance_id, "KEY": key})
            for j, pay in enumerate(m.pays, start=1):
                jobs.append({"pay": str(pay), "PARENT_KEY": key, "KEY": f"{key}/job[{j}]"})
    return {"survey_small": root, "survey_small-member": members, "survey_small-job": jobs}


NUMBERS = {"age", "pay", "income", *(f"id-gps-{p}" for p in GEO_PARTS)}


def as_workbook(tables: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, object]]]:
    """`expected_tables` as the workbook types its cells (numbers, the submission date),
    sheets named as Excel allows (`test_exports_typed.py` checks the cells' types)."""

    def typed(column: str, text: str) -> object:
        if not text:
            return None
        if column in NUMBERS or column.startswith("activities/"):
            return float(text)
        if column == "SubmissionDate":
            return datetime.fromisoformat(text).replace(tzinfo=None)
        return text

    return {
        name[:31]: [{k: typed(k, v) for k, v in row.items()} for row in rows]
        for name, rows in tables.items()
    }


def read_workbook(data: bytes) -> dict[str, list[dict[str, object]]]:
    """Each sheet's rows as dicts keyed by its first row, with the cells' typed values."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    found = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        found[sheet.title] = [dict(zip(map(str, rows[0]), r, strict=True)) for r in rows[1:]]
    return found


def read_csv_zip(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
        }  # fmt: skip


class ExportServer:
    """The real app (in-process) over the seeded households, with a supervisor of north
    (`sue`, and `sam`), an admin (`ann`) and an enumerator (`amina`)."""

    def __init__(self, data: Path, items: list[Household], states: dict[str, str]) -> None:
        from fastapi.testclient import TestClient

        from sync.server.api.auth import add_user
        from sync.server.app import ServerConfig, create_app

        store = seed(data, items)
        for instance_id, decision in states.items():
            review(store, instance_id, decision)
        self.tokens = {
            name: add_user(store, name, role, district)
            for name, role, district in (
                ("sue", "supervisor", "north"),
                ("sam", "supervisor", "north"),
                ("ann", "admin", None),
                ("amina", "enumerator", "north"),
            )
        }
        self.storage, self.data = store, data
        self.client = TestClient(create_app(ServerConfig(data)))

    def call(self, method: str, path: str, user: str | None, **kwargs: Any) -> Any:
        """The response to `method path` with `user`'s token (none: no token)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, user: str) -> tuple[int, bytes, dict[str, str]]:
        response = self.call("GET", path, user)
        return response.status_code, response.content, dict(response.headers)
