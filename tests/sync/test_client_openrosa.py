"""OpenRosaClient against the real server app's OpenRosa routes (app-user URL), in-process:
HEAD for the limit, one instance per POST, 201 acknowledged (also on a resend), 409 conflict,
attachments split over several POSTs, too-large files refused before sending."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_faults import LoopTransport

from sync.client import AuthError, OpenRosaClient
from sync.client_openrosa import PART, _split
from sync.protocol import AttachmentRef, SubmissionItem
from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.publish import publish_xform
from sync.server.storage import Storage

pytestmark = pytest.mark.server_storage

XFORM = (
    '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">'
    '<h:head><h:title>HH</h:title><model><instance><data id="hh" version="1"><name/><photo/>'
    "<meta><instanceID/></meta></data></instance></model></h:head>"
    '<h:body><input ref="/data/name"><label>Name</label></input></h:body></h:html>'
)
FILES = {name: bytes([n]) * 25_000 for n, name in enumerate(("a.jpg", "b.jpg", "c.jpg"))}


def _item(n: int, name: str = "x", files: tuple[str, ...] = ()) -> SubmissionItem:
    xml = (
        f'<data id="hh" version="1"><name>{name}</name>'
        + "".join(f"<photo>{f}</photo>" for f in files)
        + f"<meta><instanceID>uuid:{n}</instanceID></meta></data>"
    )
    refs = [
        AttachmentRef(name=f, sha256=hashlib.sha256(FILES[f]).hexdigest(), size=len(FILES[f]))
        for f in files
    ]
    return SubmissionItem(instance_id=f"uuid:{n}", form_id="hh", xml=xml, attachments=refs)


class Recorder(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.seen = inner, list[tuple[str, int]]()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.seen.append((request.method, response.status_code))
        return response


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Recorder, str, Storage]]:
    storage, blobs = open_storage(tmp_path)
    publish_xform(
        storage,
        blobs,
        XFORM,
        form_id="hh",
        version="1",
        title="HH",
        media_files={"villages.csv": b"name,label\nkp,Kpando\n"},
    )
    token = add_user(storage, "awa", "enumerator", "north")
    app = create_app(ServerConfig(tmp_path, body_limit=60_000))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield Recorder(LoopTransport(loop, app)), token, app.state.storage
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def _client(served: tuple[Recorder, str, Storage], token: str | None = None) -> OpenRosaClient:
    recorder, good, _ = served
    return OpenRosaClient(
        f"http://central.test/v1/key/{token or good}/projects/1", transport=recorder
    )


def test_one_instance_per_post_after_a_head(served: tuple[Recorder, str, Storage]) -> None:
    recorder, _, storage = served
    progress: list[tuple[int, int]] = []
    results = _client(served).push(
        [_item(1), _item(2)], lambda i, n: FILES[n], lambda d, t: progress.append((d, t))
    )
    assert [(r.instance_id, r.status) for r in results] == [
        ("uuid:1", "stored"),
        ("uuid:2", "stored"),
    ]
    assert recorder.seen == [("HEAD", 204), ("POST", 201), ("POST", 201)]
    assert progress == [(1, 2), (2, 2)]
    assert storage.count_submissions() == 2


def test_resend_is_acknowledged_and_different_xml_is_a_conflict(
    served: tuple[Recorder, str, Storage],
) -> None:
    client = _client(served)
    client.push([_item(1)], lambda i, n: FILES[n])
    again, changed = client.push([_item(1), _item(1, name="other")], lambda i, n: FILES[n])
    assert again.status == "stored"
    assert changed.status == "conflict" and changed.message and "409" in changed.message
    assert served[2].count_submissions() == 1


def test_attachments_beyond_the_limit_go_over_several_posts(
    served: tuple[Recorder, str, Storage],
) -> None:
    recorder, _, storage = served
    (result,) = _client(served).push(
        [_item(3, files=("a.jpg", "b.jpg", "c.jpg"))], lambda i, n: FILES[n]
    )
    assert result.status == "stored"
    assert recorder.seen == [("HEAD", 204), ("POST", 201), ("POST", 201)]
    assert sorted((a.name, a.received) for a in storage.attachments("uuid:3")) == [
        ("a.jpg", True),
        ("b.jpg", True),
        ("c.jpg", True),
    ]


def test_a_file_larger_than_the_limit_is_refused_without_sending(
    served: tuple[Recorder, str, Storage],
) -> None:
    recorder, _, storage = served
    FILES["big.mp4"] = b"\0" * 70_000
    try:
        (result,) = _client(served).push([_item(4, files=("big.mp4",))], lambda i, n: FILES[n])
    finally:
        del FILES["big.mp4"]
    assert result.status == "rejected" and result.message and "60000 bytes" in result.message
    assert recorder.seen == [("HEAD", 204)] and storage.count_submissions() == 0


def test_a_wrong_app_user_token_is_an_auth_error(served: tuple[Recorder, str, Storage]) -> None:
    with pytest.raises(AuthError, match="refused this device's access token"):
        _client(served, token="not-a-token").push([_item(5)], lambda i, n: FILES[n])
    assert served[2].count_submissions() == 0


def test_pull_reads_the_form_list_and_manifest_then_downloads_checked_files(
    served: tuple[Recorder, str, Storage],
) -> None:
    client = _client(served)
    pulled = client.pull(None)
    assert pulled.returned == []
    (info,) = pulled.forms
    assert (info.form_id, info.version, info.title) == ("hh", "1", "HH")
    assert info.hash.startswith("md5:") and [m.name for m in info.media] == ["villages.csv"]
    xform, media = client.download_form(info)
    assert xform == XFORM
    assert media == {"villages.csv": b"name,label\nkp,Kpando\n"}


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 5000), max_size=12), room=st.integers(1, 8000))
def test_split_keeps_every_file_once_in_order_and_each_post_under_the_room(
    sizes: list[int], room: int
) -> None:
    refs = [AttachmentRef(name=f"f{n}", sha256="0" * 64, size=size) for n, size in enumerate(sizes)]
    groups = _split(refs, room)
    if any(size + PART > room for size in sizes):
        assert groups is None
        return
    assert groups is not None
    assert [ref for group in groups for ref in group] == refs
    assert all(sum(r.size + PART for r in group) <= room for group in groups)
    assert all(group for group in groups) or refs == []
