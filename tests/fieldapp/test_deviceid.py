"""A form's `deviceid` is filled with the installation's ID, and exports show it.

ODK Collect fills the `deviceid` property preload with one ID per installation
(`collect:` and a random install ID, generated at first use and kept in its settings;
the OpenRosa metadata scheme asks for `scheme:value`). Ours is the device store's
`device_id` setting (`fieldapp:` and random hex), the ID the sync client names the
device with: the same on every interview and after the app is restarted, another on
another installation.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

from store_support import DEMO_XFORM

from fieldapp.app import load_demo_forms
from fieldapp.interview import Interview
from fieldapp.store import Store
from forms.xpath import Environment
from sync.server.app import open_storage
from sync.server.exports.run import export
from sync.server.exports.source import ExportFilter
from sync.server.storage import FormRecord, SubmissionRecord

FORM = "demo_household"


def started(store: Store) -> Interview:
    return Interview.start(store, FORM)


def deviceid(interview: Interview) -> str:
    return interview.session.value("/data/deviceid")


def test_every_interview_of_an_installation_gets_its_id(tmp_path: Path) -> None:
    path = tmp_path / "fieldapp.db"
    with Store.open(path) as store:
        load_demo_forms(store)
        kept = store.get_setting("device_id")
        assert kept is not None and kept.startswith("fieldapp:") and len(kept) > len("fieldapp:")
        assert deviceid(started(store)) == deviceid(started(store)) == kept
    with Store.open(path) as reopened:
        assert deviceid(started(reopened)) == kept
    with Store.open(tmp_path / "other.db") as other:
        load_demo_forms(other)
        assert deviceid(started(other)) not in ("", kept)


def test_a_deviceid_the_caller_gives_is_kept(tmp_path: Path) -> None:
    with Store.open(tmp_path / "fieldapp.db") as store:
        load_demo_forms(store)
        env = Environment(properties={"deviceid": "collect:abc"})
        assert deviceid(Interview.start(store, FORM, env=env)) == "collect:abc"


def test_the_export_shows_the_deviceid(tmp_path: Path) -> None:
    with Store.open(tmp_path / "fieldapp.db") as store:
        load_demo_forms(store)
        interview = started(store)
        expected = store.get_setting("device_id")
        xml = interview.session.to_xml()
    server, _ = open_storage(tmp_path / "server")
    md5 = hashlib.md5(DEMO_XFORM.encode("utf-8")).hexdigest()
    version = interview.session.definition.version or ""
    server.put_form(FormRecord(FORM, version, "Demo", md5, DEMO_XFORM, 0))
    digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
    server.add_submission(
        SubmissionRecord(
            interview.instance_id,
            FORM,
            version,
            xml,
            digest,
            None,
            None,
            "2026-02-01T10:00:00+00:00",
            "amina",
            "north",
            "dev1",
        ),  # fmt: skip
        [],
    )
    out = io.BytesIO()
    export(server, FORM, "csv", ExportFilter(), out)
    with zipfile.ZipFile(out) as archive:
        text = archive.read(f"{FORM}.csv").decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["deviceid"] == expected
