"""Downloaded forms and media are checked against the hash the server advertises; a hash
in a form the client does not recognise is refused, naming it, before anything is fetched."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from sync.client import ProtocolError, SyncClient
from sync.client_http import hash_matches
from sync.protocol import FormInfo, MediaInfo

DATA = b"name,label\nA,Village A\n"
MD5 = hashlib.md5(DATA).hexdigest()
SHA256 = hashlib.sha256(DATA).hexdigest()


@pytest.mark.parametrize(
    "expected",
    [f"md5:{MD5}", f"sha256:{SHA256}", MD5, SHA256, f"MD5:{MD5.upper()}", f" md5:{MD5} "],
)
def test_recognised_hashes_are_checked(expected: str) -> None:
    assert hash_matches(DATA, expected)
    assert not hash_matches(DATA + b"x", expected)


@pytest.mark.parametrize(
    "expected",
    [
        "",
        "md5:",
        f"sha1:{hashlib.sha1(DATA).hexdigest()}",
        f"crc32:{MD5}",
        f"md5:{SHA256}",
        f"sha256:{MD5}",
        f"md5:{MD5[:-1]}z",
        MD5[:-1],
    ],
)
def test_an_unrecognised_hash_is_refused_naming_it(expected: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        hash_matches(DATA, expected, "file 'villages.csv'")
    assert f"hash of the file 'villages.csv' as {expected!r}" in str(raised.value)
    assert "md5:<32 hex digits> or sha256:<64 hex digits>" in str(raised.value)


def test_a_form_whose_media_hash_is_unrecognised_is_not_downloaded() -> None:
    fetched: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        fetched.append(request.url.path)
        return httpx.Response(200, content=b"<h:html/>" if request.url.path == "/f" else DATA)

    client = SyncClient("http://hub.test", "tok", transport=httpx.MockTransport(serve))
    media = MediaInfo(name="villages.csv", hash="sha1:" + "0" * 40, download_url="/m")
    info = FormInfo(
        form_id="hh",
        version="1",
        title="Household",
        hash="md5:" + hashlib.md5(b"<h:html/>").hexdigest(),
        download_url="/f",
        media=[media],
    )
    with pytest.raises(ProtocolError, match=r"file 'villages.csv' as 'sha1:0+'"):
        client.download_form(info)
    assert fetched == ["/f"]
    good = media.model_copy(update={"hash": f"sha256:{SHA256}"})
    assert client.download_form(info.model_copy(update={"media": [good]})) == (
        "<h:html/>",
        {"villages.csv": DATA},
    )
