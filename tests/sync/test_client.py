"""SyncClient against an in-memory batch server (httpx.MockTransport): batching, gzip,
retries with full jitter, Retry-After, attachments, downloads, typed errors."""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import random
import time

import httpx
import pytest

from sync.client import (
    AuthError,
    ConnectionFailed,
    ProtocolError,
    RetryPolicy,
    ServerRefused,
    SyncClient,
)
from sync.protocol import AttachmentRef, FormInfo, MediaInfo, SubmissionItem

FILES = {("uuid:2", "photo.jpg"): b"\xff\xd8jpeg-bytes", ("uuid:2", "sig.png"): b"\x89PNGsig"}


def _item(n: int, *files: str) -> SubmissionItem:
    refs = [
        AttachmentRef(name=f, sha256=hashlib.sha256(FILES[(f"uuid:{n}", f)]).hexdigest(), size=1)
        for f in files
    ]
    xml = f"<data id='hh'><meta><instanceID>uuid:{n}</instanceID></meta></data>"
    return SubmissionItem(instance_id=f"uuid:{n}", form_id="hh", xml=xml, attachments=refs)


class BatchServer:
    """What the batch API promises, in memory; `script` answers the first requests instead."""

    def __init__(self, script: list[httpx.Response | Exception] | None = None) -> None:
        self.script = list(script or [])
        self.stored: dict[str, str] = {}
        self.files: dict[tuple[str, str], bytes] = {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        assert request.headers["Authorization"] == "Bearer tok"
        if request.method == "PUT":
            _, instance, _, name = request.url.path.rsplit("/", 3)
            assert (
                request.headers["X-Content-SHA256"] == hashlib.sha256(request.content).hexdigest()
            )
            self.files[(instance, name)] = request.content
            return httpx.Response(204)
        assert request.headers["Content-Encoding"] == "gzip"
        batch = json.loads(gzip.decompress(request.content))
        results = []
        for item in batch["items"]:
            status = "duplicate" if item["instance_id"] in self.stored else "stored"
            self.stored[item["instance_id"]] = item["xml"]
            missing = [
                a["name"]
                for a in item["attachments"]
                if (item["instance_id"], a["name"]) not in self.files
            ]
            results.append(
                {
                    "instance_id": item["instance_id"],
                    "status": status,
                    "missing_attachments": missing,
                }
            )
        return httpx.Response(200, json={"batch_id": batch["batch_id"], "results": results})


def _client(server: BatchServer, sleeps: list[float] | None = None, **kw: object) -> SyncClient:
    return SyncClient(
        "http://hub.test",
        "tok",
        transport=httpx.MockTransport(server),
        sleep=(sleeps if sleeps is not None else []).append,
        rng=random.Random(3),
        **kw,  # type: ignore[arg-type]
    )


def test_push_sends_gzip_batches_of_batch_size_and_reports_progress() -> None:
    server = BatchServer()
    progress: list[tuple[int, int]] = []
    results = _client(server, batch_size=2).push(
        [_item(n) for n in range(5)], FILES.__getitem__, lambda d, t: progress.append((d, t))
    )
    assert [r.status for r in results] == ["stored"] * 5
    assert len(server.requests) == 3
    assert progress == [(2, 5), (4, 5), (5, 5)]
    again = _client(server).push([_item(1)], FILES.__getitem__)
    assert again[0].status == "duplicate"


def test_missing_attachments_are_uploaded_then_confirmed() -> None:
    server = BatchServer()
    (result,) = _client(server).push([_item(2, "photo.jpg", "sig.png")], lambda i, n: FILES[(i, n)])
    assert result.status == "stored" and result.missing_attachments == []
    assert server.files == FILES
    assert [r.method for r in server.requests] == ["POST", "PUT", "PUT", "POST"]


def test_interrupted_upload_resumes_with_only_the_missing_file() -> None:
    server = BatchServer()
    server.files[("uuid:2", "photo.jpg")] = FILES[("uuid:2", "photo.jpg")]
    _client(server).push([_item(2, "photo.jpg", "sig.png")], lambda i, n: FILES[(i, n)])
    puts = [r.url.path for r in server.requests if r.method == "PUT"]
    assert puts == ["/api/v1/submissions/uuid:2/attachments/sig.png"]


def test_transient_failures_are_retried_with_full_jitter_backoff() -> None:
    server = BatchServer(
        [
            httpx.ConnectError("refused"),
            httpx.Response(503),
            httpx.Response(502),
            httpx.ReadError("reset"),
        ]
    )
    sleeps: list[float] = []
    policy = RetryPolicy(attempts=6, base_delay=1.0, max_delay=3.0)
    results = _client(server, sleeps, retry=policy).push([_item(1)], FILES.__getitem__)
    assert results[0].status == "stored"
    assert len(sleeps) == 4
    for attempt, pause in enumerate(sleeps):
        assert 0.0 <= pause <= min(3.0, 2**attempt)
    assert len(set(sleeps)) == 4


def test_retry_after_is_honoured() -> None:
    server = BatchServer([httpx.Response(429, headers={"Retry-After": "7"})])
    sleeps: list[float] = []
    _client(server, sleeps, retry=RetryPolicy(base_delay=0.01, max_delay=30)).push(
        [_item(1)], FILES.__getitem__
    )
    assert sleeps == [7.0]


def test_retry_after_as_an_http_date_is_honoured() -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    server = BatchServer([httpx.Response(503, headers={"Retry-After": when})])
    sleeps: list[float] = []
    _client(server, sleeps, retry=RetryPolicy(base_delay=0.01, max_delay=30)).push(
        [_item(1)], FILES.__getitem__
    )
    assert len(sleeps) == 1 and 17 <= sleeps[0] <= 21


def test_redirects_are_not_followed_so_the_token_stays_home() -> None:
    server = BatchServer([httpx.Response(302, headers={"Location": "http://evil.test/"})])
    with pytest.raises(ServerRefused, match="HTTP 302"):
        _client(server).push([_item(1)], FILES.__getitem__)
    assert [r.url.host for r in server.requests] == ["hub.test"]


def test_truncated_answer_is_retried_as_the_batch_is_safe_to_resend() -> None:
    server = BatchServer([httpx.Response(200, content=b'{"batch_id": "x", "resu')])
    (result,) = _client(server).push([_item(1)], FILES.__getitem__)
    assert result.status == "stored"
    assert len(server.requests) == 2


def test_gives_up_with_a_clear_message_after_the_last_try() -> None:
    server = BatchServer([httpx.ConnectError("refused")] * 3)
    with pytest.raises(ConnectionFailed, match=r"Could not reach the server .* after 3 tries"):
        _client(server, retry=RetryPolicy(attempts=3)).push([_item(1)], FILES.__getitem__)
    assert server.stored == {}


def test_refused_token_is_not_retried() -> None:
    server = BatchServer([httpx.Response(401, json={"detail": "unknown token"})])
    with pytest.raises(AuthError, match="unknown token.*provisioning code") as caught:
        _client(server).push([_item(1)], FILES.__getitem__)
    assert caught.value.status == 401
    assert len(server.requests) == 1


def test_an_answer_for_other_instances_is_a_protocol_error() -> None:
    server = BatchServer(
        [
            httpx.Response(
                200,
                json={"batch_id": "b", "results": [{"instance_id": "uuid:9", "status": "stored"}]},
            )
        ]
    )
    with pytest.raises(ProtocolError, match="answered for 1 submissions of a batch of 1"):
        _client(server).push([_item(1)], FILES.__getitem__)


def test_download_form_checks_hashes_and_stays_on_the_server() -> None:
    xform, media = b"<h:html/>", b"a,b\n1,2\n"
    routes = {"/f/hh.xml": xform, "/f/m/villages.csv": media}
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=routes[r.url.path]))
    client = SyncClient("http://hub.test", "tok", transport=transport)
    info = FormInfo(
        form_id="hh",
        version="3",
        title="Household",
        hash="md5:" + hashlib.md5(xform).hexdigest(),
        download_url="/f/hh.xml",
        media=[
            MediaInfo(
                name="villages.csv",
                hash="sha256:" + hashlib.sha256(media).hexdigest(),
                download_url="http://hub.test/f/m/villages.csv",
            )
        ],
    )
    assert client.download_form(info) == ("<h:html/>", {"villages.csv": media})
    with pytest.raises(ProtocolError, match="does not match its hash"):
        client.download_form(info.model_copy(update={"hash": "md5:" + "0" * 32}))
    with pytest.raises(ProtocolError, match="another server"):
        client.download_form(info.model_copy(update={"download_url": "http://evil.test/x"}))


def test_pull_passes_the_cursor() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"cursor": "c2", "forms": [], "returned": []})

    client = SyncClient("http://hub.test/", "tok", transport=httpx.MockTransport(answer))
    assert client.pull("c1").cursor == "c2"
    client.pull(None)
    assert seen == ["http://hub.test/api/v1/pull?cursor=c1", "http://hub.test/api/v1/pull"]
