"""A real `fieldapp-server serve` on loopback with the demo form and a user of each role,
for the hardening tests (issue #17); and raw HTTP over a socket, to hold a body open."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from server_support import instance_xml, make_server, serving

from sync.server.api.auth import add_user
from sync.server.publish import publish_file
from sync.server.storage import Storage
from sync.server.storage.blobs import BlobStore


def photo_xml(instance_id: str) -> str:
    """The demo form's instance with a field naming `photo.jpg`."""
    return instance_xml(instance_id).replace("<consent>", "<photo>photo.jpg</photo><consent>")


def file_ref(name: str, data: bytes) -> dict[str, object]:
    """A file as the batch API declares it."""
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


@dataclass
class Live:
    url: str
    tokens: dict[str, str]
    storage: Storage
    data: Path

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def openrosa(self, user: str) -> str:
        return f"{self.url}/v1/key/{self.tokens[user]}/projects/1"


@contextmanager
def live_server(data: Path, *forms: Path) -> Iterator[Live]:
    """Users amina and kofi (enumerators), sue and sam (supervisors), hub (coordinator) and
    ada (admin), the demo form and `forms`; the server runs in its own process until the
    block ends."""
    made = make_server(data)
    tokens = {**made.tokens, "ada": add_user(made.storage, "ada", "admin", None)}
    blobs = BlobStore(data / "blobs")
    for form in forms:
        publish_file(made.storage, blobs, form, runs=1)
    with serving(data) as url:
        yield Live(url, tokens, made.storage, data)


def raw_request(url: str, method: str, path: str, headers: dict[str, str]) -> socket.socket:
    """Send a request's head only (its body, if any, is the caller's to send or withhold)."""
    parts = urlsplit(url)
    connection = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=30)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    return connection


def read_head(connection: socket.socket) -> str:
    """The status line and headers of the next response (or interim 100 Continue)."""
    seen = b""
    while b"\r\n\r\n" not in seen:
        chunk = connection.recv(1)
        if not chunk:
            break
        seen += chunk
    return seen.decode("latin-1")
