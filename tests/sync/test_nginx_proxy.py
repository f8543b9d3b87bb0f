"""Issue #18: the nginx site of docs/deployment.md ("A reverse proxy with TLS"), run in front
of `serve --workers 2` on PostgreSQL. The site is read from the doc's ```nginx block, so the
doc as written is what is tested; only what belongs to one machine is replaced (the listen
port, the certificate, the upstream's address). Through it, over https: the OpenRosa formList
names https download URLs on the proxy's address, a 15 MB submission goes through and a 22 MB
one gets the server's own 413 message, and a CSV export downloads."""

from __future__ import annotations

import io
import os
import re
import shutil
import ssl
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from defusedxml.ElementTree import fromstring
from hardening_support import photo_xml
from server_support import CLI, DEMO_FORM

from sync.server.api.auth import add_user
from sync.server.publish import publish_file
from sync.server.storage.blobs import BlobStore
from sync.server.storage.open import DATABASE_ENV
from sync.server.storage.postgres import PostgresStorage
from tests.waiting import free_port, wait_serving

pytestmark = pytest.mark.postgres_only("the doc's proxy is for several processes on PostgreSQL")

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
NGINX_BLOCK = re.compile(r"^```nginx\n(.*?)^```", re.MULTILINE | re.DOTALL)
NS = {"x": "http://openrosa.org/xforms/xformsList", "r": "http://openrosa.org/http/response"}
COLLECT = {"X-OpenRosa-Version": "1.0"}
MB = 1024 * 1024
LIMIT_MESSAGE = f"size limit of {20 * MB} bytes"
"""The server's own words for a body over its 20 MB limit (nginx's page would be HTML)."""


def _nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail("nginx is missing: apt-get install nginx (or make pytest)", pytrace=False)
    return found


def _replace_once(site: str, pattern: str, replacement: str, what: str) -> str:
    changed, count = re.subn(pattern, replacement, site, flags=re.MULTILINE)
    assert count == 1, f"{DOC.name}'s nginx block should have one {what}, it has {count}"
    return changed


def doc_site(port: int, upstream: int, certificate: Path, key: Path) -> str:
    """The doc's nginx site with this machine's port, certificate and upstream."""
    blocks = NGINX_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 1, f"{DOC} should hold one ```nginx block, it holds {len(blocks)}"
    site: str = blocks[0]
    site = _replace_once(site, r"(^\s*listen\s+)443\b", rf"\g<1>127.0.0.1:{port}", "listen 443")
    site = _replace_once(
        site, r"(^\s*ssl_certificate\s+)[^;]+;", rf"\g<1>{certificate};", "ssl_certificate"
    )
    site = _replace_once(
        site, r"(^\s*ssl_certificate_key\s+)[^;]+;", rf"\g<1>{key};", "certificate key"
    )
    return _replace_once(
        site, r"(^\s*server\s+)[\w.:\[\]-]+;", rf"\g<1>127.0.0.1:{upstream};", "upstream server"
    )


def main_config(folder: Path, site: Path) -> str:
    """An nginx.conf that keeps everything in `folder` and includes `site`."""
    # As root, nginx's workers would switch to nobody, who cannot enter pytest's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events {\n    worker_connections 64;\n}\n"
        f"http {{\n    access_log {folder / 'access.log'};\n{temp}    include {site};\n}}\n"
    )


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost valid for a day, and its key."""
    certificate, key = folder / "localhost.pem", folder / "localhost.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-days", "1"]
        + ["-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    return certificate, key


def _logs(folder: Path) -> str:
    """What nginx said on its way out."""
    logs = [folder / "nginx.stderr", folder / "error.log"]
    return "".join(log.read_text() for log in logs if log.exists())


@dataclass
class Proxy:
    url: str
    """https://localhost:PORT, the proxy's address as a device is given it."""
    client: httpx.Client
    tokens: dict[str, str]
    database: str
    trusted: ssl.SSLContext
    """The proxy's certificate, trusted."""

    def openrosa(self) -> str:
        return f"{self.url}/v1/key/{self.tokens['amina']}/projects/1"

    def submit(
        self, instance_id: str, photo: bytes, client: httpx.Client | None = None
    ) -> httpx.Response:
        parts = {
            "xml_submission_file": ("submission.xml", photo_xml(instance_id).encode(), "text/xml"),
            "photo.jpg": ("photo.jpg", photo, "image/jpeg"),
        }
        sender = self.client if client is None else client
        return sender.post(f"{self.openrosa()}/submission", files=parts, headers=COLLECT)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, shared_database: str) -> Iterator[Proxy]:
    """The demo form and two users on the module's database, `serve --workers 2` on it, and
    the doc's nginx site in front."""
    folder = tmp_path_factory.mktemp("nginx-proxy")
    storage = PostgresStorage(shared_database)
    try:
        publish_file(storage, BlobStore(folder / "data" / "blobs"), DEMO_FORM, runs=1)
        tokens = {
            "amina": add_user(storage, "amina", "enumerator", "north"),
            "sue": add_user(storage, "sue", "supervisor", "north"),
        }
    finally:
        storage.close()
    upstream, port = free_port(), free_port()
    certificate, key = self_signed(folder)
    site = folder / "site.conf"
    site.write_text(doc_site(port, upstream, certificate, key))
    config = folder / "nginx.conf"
    config.write_text(main_config(folder, site))
    with ExitStack() as running:
        server = subprocess.Popen(
            [*CLI, "serve", "--workers", "2", "--data", str(folder / "data")]
            + ["--host", "127.0.0.1", "--port", str(upstream)],
            env={**os.environ, DATABASE_ENV: shared_database},
        )
        running.callback(server.wait, 30)
        running.callback(server.terminate)
        wait_serving(server, upstream)
        with (folder / "nginx.stderr").open("wb") as errors:
            nginx = subprocess.Popen(
                [_nginx(), "-p", str(folder), "-c", str(config)],
                stdout=errors,
                stderr=subprocess.STDOUT,
            )
        running.callback(nginx.wait, 30)
        running.callback(nginx.terminate)
        wait_serving(nginx, port, said=lambda: _logs(folder))
        trusted = ssl.create_default_context(cafile=str(certificate))
        client = running.enter_context(httpx.Client(verify=trusted, timeout=60))
        yield Proxy(f"https://localhost:{port}", client, tokens, shared_database, trusted)


def test_form_list_names_https_download_urls_on_the_proxys_address(proxy: Proxy) -> None:
    answer = proxy.client.get(f"{proxy.openrosa()}/formList", headers=COLLECT)
    assert answer.status_code == 200, answer.text
    (url,) = [e.text for e in fromstring(answer.content).iterfind(".//x:downloadUrl", NS)]
    assert url == f"{proxy.openrosa()}/forms/demo_household.xml"
    form = proxy.client.get(url, headers=COLLECT)
    assert form.status_code == 200 and b'id="demo_household"' in form.content


def test_a_device_speaking_http2_gets_the_form_list_and_submits_with_a_photo(
    proxy: Proxy,
) -> None:
    """The doc's `listen 443 ssl http2` offers HTTP/2 by ALPN, which ODK Collect's HTTP
    client (OkHttp) takes when offered: the form list still names the proxy's https address
    (nginx gives the request's `:authority` as `Host`), and a submission with its photo is
    stored."""
    with httpx.Client(http2=True, verify=proxy.trusted, timeout=60) as client:
        answer = client.get(f"{proxy.openrosa()}/formList", headers=COLLECT)
        assert (answer.http_version, answer.status_code) == ("HTTP/2", 200), answer.text
        (url,) = [e.text for e in fromstring(answer.content).iterfind(".//x:downloadUrl", NS)]
        assert url == f"{proxy.openrosa()}/forms/demo_household.xml"
        photo = b"\xff\xd8" + bytes(range(256)) * (2 * MB // 256)
        kept = proxy.submit("uuid:nginx-h2", photo, client)
        assert (kept.http_version, kept.status_code) == ("HTTP/2", 201), kept.text
    storage = PostgresStorage(proxy.database)
    try:
        (attachment,) = storage.attachments("uuid:nginx-h2")
        assert (attachment.size, attachment.received) == (len(photo), True)
    finally:
        storage.close()


def test_a_15_mb_submission_passes_and_a_22_mb_one_gets_the_servers_413(proxy: Proxy) -> None:
    photo = b"\xff\xd8" + bytes(range(256)) * (15 * MB // 256)
    kept = proxy.submit("uuid:nginx-15mb", photo)
    assert kept.status_code == 201, kept.text
    refused = proxy.submit("uuid:nginx-22mb", photo + b"\x00" * (7 * MB))
    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"].startswith("text/xml"), refused.text
    message = fromstring(refused.content).findtext("r:message", namespaces=NS)
    assert message is not None and LIMIT_MESSAGE in message
    storage = PostgresStorage(proxy.database)
    try:
        (attachment,) = storage.attachments("uuid:nginx-15mb")
        assert (attachment.size, attachment.received) == (len(photo), True)
        assert storage.submission("uuid:nginx-22mb") is None
    finally:
        storage.close()


def test_a_csv_export_downloads(proxy: Proxy) -> None:
    assert proxy.submit("uuid:nginx-export", b"\xff\xd8 a photo").status_code == 201
    answer = proxy.client.get(
        f"{proxy.url}/api/v1/exports/demo_household.csv",
        headers={"Authorization": f"Bearer {proxy.tokens['sue']}"},
    )
    assert answer.status_code == 200, answer.text
    assert 'filename="demo_household.csv.zip"' in answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        tables = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    assert "uuid:nginx-export" in tables
