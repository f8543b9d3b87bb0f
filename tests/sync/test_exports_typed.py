"""The workbook's cells carry the form's types, and labels show their `${name}` references.

Read back with openpyxl: integers and decimals are numeric cells, dates and date-times
are dates with a number format that shows them (Excel shows a bare date serial
otherwise), text stays text, also a text answer that looks like a number (`00123` keeps
its zeros, as ODK Central's export keeps it). A label "Relation of ${name} to the
household head" is exported as "Relation of [name] to the household head", in Stata's
variable labels and value labels alike, not with a hole where the name was.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pyreadstat
import pytest
from export_support import add_xml, publish_md
from openpyxl import load_workbook

from sync.server.app import open_storage
from sync.server.exports.run import export
from sync.server.exports.source import ExportFilter
from sync.server.storage import Storage

pytestmark = pytest.mark.server_storage

FORM_MD = """
| survey | type | name | label |
| | text | household_id | Household ID |
| | integer | members | Members |
| | decimal | income | Net income |
| | date | visit | Visit date |
| | dateTime | arrived | Arrived at |
| | time | left | Left at |
| | decimal | ratio | Ratio |
| | begin repeat | member | Member |
| | text | name | Name |
| | select_one rel | relation | Relation of ${name} to the household head |
| | end repeat | | |
| choices | list_name | name | label |
| | rel | head | Head |
| | rel | child | Child of ${household_id} |
| settings | form_id | version |
| | typed | 1 |
"""
XML = (
    '<typed id="typed" version="1"><household_id>00123</household_id><members>12</members>'
    "<income>2500.75</income><visit>2026-02-03</visit>"
    "<arrived>2026-02-03T09:15:30.000+01:00</arrived><left>11:45:00.000+01:00</left>"
    "<ratio>NaN</ratio>"
    "<member><name>Awa</name><relation>head</relation></member>"
    "<member><name>Ali</name><relation>child</relation></member>"
    "<meta><instanceID>uuid:t-1</instanceID></meta></typed>"
)
SUBMITTED = "2026-02-04T17:05:00.000+00:00"


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory, shared_database: str | None) -> Storage:
    found, _ = open_storage(tmp_path_factory.mktemp("typed"))
    publish_md(found, FORM_MD, "typed", "1")
    add_xml(found, "uuid:t-1", XML, SUBMITTED, "north")
    return found


def exported(storage: Storage, kind: str) -> bytes:
    out = io.BytesIO()
    export(storage, "typed", kind, ExportFilter(), out)
    return out.getvalue()


def test_xlsx_cells_are_typed_as_the_form_types_its_fields(storage: Storage) -> None:
    sheet = load_workbook(io.BytesIO(exported(storage, "xlsx")))["typed"]
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    expected = {
        "household_id": ("s", "00123"),
        "members": ("n", 12),
        "income": ("n", 2500.75),
        "visit": ("d", datetime(2026, 2, 3)),
        "arrived": ("d", datetime(2026, 2, 3, 9, 15, 30)),
        "left": ("d", time(11, 45)),
        "ratio": ("s", "NaN"),  # a decimal the device could not compute stays as written
        "SubmissionDate": ("d", datetime(2026, 2, 4, 17, 5)),
        "KEY": ("s", "uuid:t-1"),
    }
    found = {}
    for name in expected:
        cell = cells[name]
        kind = "d" if cell.is_date else cell.data_type
        found[name] = (kind, cell.value)
    assert found == expected
    assert type(cells["members"].value) is int and type(cells["income"].value) is float
    assert cells["visit"].number_format == "yyyy-mm-dd"
    assert cells["arrived"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert cells["left"].number_format == "hh:mm:ss"
    assert isinstance(cells["visit"].value, date)


def test_an_unanswered_question_is_an_empty_cell(tmp_path: Path) -> None:
    storage, _ = open_storage(tmp_path)
    publish_md(storage, FORM_MD, "typed", "1")
    empty = XML.replace("<members>12</members>", "<members/>").replace(">2026-02-03<", "><")
    add_xml(storage, "uuid:t-1", empty, SUBMITTED, "north")
    sheet = load_workbook(io.BytesIO(exported(storage, "xlsx")))["typed"]
    cells = dict(zip([c.value for c in sheet[1]], sheet[2], strict=True))
    assert cells["members"].value is None and cells["visit"].value is None


def test_stata_labels_name_the_references_they_show(storage: Storage, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(exported(storage, "dta"))) as archive:
        archive.extractall(tmp_path)
    frame, meta = pyreadstat.read_dta(str(tmp_path / "typed-member.dta"))
    assert meta.column_names_to_labels["relation"] == "Relation of [name] to the household head"
    assert meta.variable_value_labels["relation"] == {1: "Head", 2: "Child of [household_id]"}
    assert list(frame["relation"]) == [1, 2]


CALC_MD = """
| survey | type | name | label | calculation | bind::type |
| | decimal | crop | Crop income | | |
| | decimal | other | Other income | | |
| | calculate | income_total | | ${crop} + ${other} | |
| | calculate | members_calc | | 4 | |
| | calculate | code | | concat('00', '123') | |
| | calculate | typed_total | | ${crop} * 2 | decimal |
| | calculate | signed | | '+5' | |
| settings | form_id | version | | | |
| | calcs | 1 | | | |
"""


def test_xlsx_calculates_that_hold_numbers_are_numbers(tmp_path: Path) -> None:
    """ODK calculates are strings unless `bind::type` says otherwise; a value written the way
    XPath's string() writes a number is a figure to sum, a code with leading zeros or a
    sign is not (ODK XForms spec: string() of a number has no leading zeros, no `+`)."""
    storage, _ = open_storage(tmp_path)
    publish_md(storage, CALC_MD, "calcs", "1")
    crop, other = 2000.25, 464866.205622186
    total = repr(crop + other)
    xml = (
        f'<calcs id="calcs" version="1"><crop>{crop}</crop><other>{other}</other>'
        f"<income_total>{total}</income_total><members_calc>4</members_calc>"
        f"<code>00123</code><typed_total>{crop * 2}</typed_total><signed>+5</signed>"
        "<meta><instanceID>uuid:c-1</instanceID></meta></calcs>"
    )
    add_xml(storage, "uuid:c-1", xml, SUBMITTED, "north")
    out = io.BytesIO()
    export(storage, "calcs", "xlsx", ExportFilter(), out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["calcs"]
    cells = dict(zip([c.value for c in sheet[1]], sheet[2], strict=True))
    found = {name: (cells[name].data_type, cells[name].value) for name in
             ("income_total", "members_calc", "code", "typed_total", "signed")}  # fmt: skip
    assert found == {
        "income_total": ("n", float(total)),
        "members_calc": ("n", 4),
        "code": ("s", "00123"),
        "typed_total": ("n", crop * 2),
        "signed": ("s", "+5"),
    }
