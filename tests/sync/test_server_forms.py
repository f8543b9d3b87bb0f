"""Publishing forms: media files next to the form, the OpenRosa manifest, versions that must change."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from fastapi.testclient import TestClient
from server_support import DEMO_FORM

from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.cli import main

pytestmark = pytest.mark.server_storage

NS = {
    "x": "http://openrosa.org/xforms/xformsList",
    "m": "http://openrosa.org/xforms/xformsManifest",
}
VILLAGES = b"name,label\nv1,Village one\nv2,Village two\n"


def _form_with_media(folder: Path, title: str = "Demo household income") -> Path:
    xform = DEMO_FORM.read_text(encoding="utf-8")
    xform = xform.replace(
        '<instance id="yes_no">',
        '<instance id="villages" src="jr://file-csv/villages.csv"/><instance id="yes_no">',
        1,
    ).replace("<h:title>Demo household income</h:title>", f"<h:title>{title}</h:title>")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "villages.csv").write_bytes(VILLAGES)
    path = folder / "household.xml"
    path.write_text(xform, encoding="utf-8")
    return path


def test_published_media_is_in_the_manifest_and_downloads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = _form_with_media(tmp_path / "design")
    assert main(["forms", "publish", str(form), "--data", str(tmp_path / "data")]) == 0
    assert capsys.readouterr().out.startswith("published: demo_household version 2026112601")
    storage, _ = open_storage(tmp_path / "data")
    token = add_user(storage, "ama", "enumerator", "north")
    client = TestClient(create_app(ServerConfig(tmp_path / "data")))
    base = f"/v1/key/{token}/projects/1"

    listing = fromstring(client.get(f"{base}/formList").content)
    manifest_url = listing.find("x:xform/x:manifestUrl", NS)
    assert manifest_url is not None and manifest_url.text is not None
    answer = client.get(manifest_url.text)
    assert answer.status_code == 200 and answer.headers["X-OpenRosa-Version"] == "1.0"
    files = fromstring(answer.content).findall("m:mediaFile", NS)
    assert [f.findtext("m:filename", namespaces=NS) for f in files] == ["villages.csv"]
    assert files[0].findtext("m:hash", namespaces=NS) == f"md5:{hashlib.md5(VILLAGES).hexdigest()}"
    download = files[0].findtext("m:downloadUrl", namespaces=NS)
    assert download is not None and client.get(download).content == VILLAGES

    pulled = client.get("/api/v1/pull", headers={"Authorization": f"Bearer {token}"}).json()
    media = pulled["forms"][0]["media"]
    assert [m["name"] for m in media] == ["villages.csv"]
    assert media[0]["hash"] == f"sha256:{hashlib.sha256(VILLAGES).hexdigest()}"
    assert (
        client.get(media[0]["download_url"], headers={"Authorization": f"Bearer {token}"}).content
        == VILLAGES
    )
    assert client.get(f"{base}/forms/demo_household/attachments/other.csv").status_code == 404


def test_same_version_with_other_content_is_refused_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "data")
    assert main(["forms", "publish", str(DEMO_FORM), "--data", data]) == 0
    storage, _ = open_storage(tmp_path / "data")
    before = storage.form("demo_household", None)
    capsys.readouterr()

    changed = _form_with_media(tmp_path / "design", title="Household income (revised)")
    assert main(["forms", "publish", str(changed), "--data", data]) == 1
    error = capsys.readouterr().err
    assert "version '2026112601' is already published with other content" in error
    assert "change the version" in error and "Traceback" not in error
    assert storage.form("demo_household", None) == before

    bumped = changed.read_text(encoding="utf-8").replace(
        'version="2026112601"', 'version="2026112602"'
    )
    changed.write_text(bumped, encoding="utf-8")
    assert main(["forms", "publish", str(changed), "--data", data]) == 0
    assert capsys.readouterr().out.startswith("published: demo_household version 2026112602")
    current = storage.form("demo_household", None)
    assert current is not None and current.title == "Household income (revised)"
    assert storage.form("demo_household", "2026112601") == before
