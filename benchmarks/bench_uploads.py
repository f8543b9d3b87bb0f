"""Server memory under 50 concurrent 19 MB uploads, without a token and with valid ones.

A real `fieldapp-server serve` on loopback; 50 threads each POST a 19 MB photo over
OpenRosa at once (a submission naming photo.jpg), first with a token the server does not
know, then each with its own enumerator's token. The server's resident memory (its process
and any children) is sampled every 20 ms; the baseline is the same server at rest, measured
in the same run. Goal: the peak stays under 250 MB in both runs (issue #17: 20 such
uploads without a token took the server from 153 MB to 548 MB).
"""

from __future__ import annotations

import collections
import contextlib
import gzip
import json
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from benchmarks.bench_sync_devices import DEMO_FORM, SERVE, _free_port, _wait_until_up
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file

UPLOADS = 50
PHOTO = 19 * 1024 * 1024
GOAL_MB = 250.0


def _submission(number: int) -> bytes:
    return (
        '<data id="demo_household" version="2026112601"><enumerator>e01</enumerator>'
        f"<household_id>UP-{number:04d}</household_id><region>north</region>"
        "<consent>no</consent><photo>photo.jpg</photo>"
        f"<meta><instanceID>uuid:upload-{number}</instanceID></meta></data>"
    ).encode()


def _rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[parent].append(int(entry.name))
    total_kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children[current]
        try:
            status = (Path("/proc") / str(current) / "status").read_text()
        except OSError:
            continue
        total_kb += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
    return total_kb / 1024


class Sampler:
    """The highest RSS seen while the block runs, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb(self.pid))

    def __enter__(self) -> Sampler:
        self.peak = _rss_mb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb(self.pid))


Send = Callable[[int, str], int]
"""One upload: the uploader's number and token; the HTTP status (0: no answer)."""


def _photo_over_openrosa(url: str, photo: bytes) -> Send:
    def send(number: int, token: str) -> int:
        files = [
            ("xml_submission_file", ("submission.xml", _submission(number), "text/xml")),
            ("photo.jpg", ("photo.jpg", photo, "image/jpeg")),
        ]
        answer = httpx.post(f"{url}/v1/key/{token}/projects/1/submission", files=files, timeout=300)
        return answer.status_code

    return send


def _batch(number: int) -> bytes:
    """A batch of 4 submissions of 4.8 MB each (answers of 1,000 characters): 19 MB."""
    answers = "".join(f"<a{n}>{'y' * 1000}</a{n}>" for n in range(4_700))
    items = [
        {
            "instance_id": f"uuid:batch-{number}-{k}",
            "form_id": "demo_household",
            "xml": _submission(number)
            .decode()
            .replace("<consent>", answers + "<consent>")
            .replace(f"uuid:upload-{number}", f"uuid:batch-{number}-{k}"),
        }
        for k in range(4)
    ]
    return json.dumps({"batch_id": f"b{number}", "device_id": "d", "items": items}).encode()


def _batch_api(url: str, gzipped: bool) -> Send:
    bodies = {n: _batch(n) for n in range(UPLOADS)}
    if gzipped:
        bodies = {n: gzip.compress(body, 1) for n, body in bodies.items()}
    encoding = {"Content-Encoding": "gzip"} if gzipped else {}

    def send(number: int, token: str) -> int:
        headers = {**encoding, "Authorization": f"Bearer {token}"}
        answer = httpx.post(
            f"{url}/api/v1/submissions", content=bodies[number], headers=headers, timeout=300
        )
        return answer.status_code

    return send


def _wave(tokens: list[str], send: Send) -> tuple[collections.Counter[int], float]:
    """Every token sends at once; the status codes and the seconds until all are answered."""
    statuses: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()
    gate = threading.Barrier(len(tokens))

    def upload(number: int, token: str) -> None:
        gate.wait()
        try:
            status = send(number, token)
        except httpx.TransportError:
            status = 0
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=upload, args=(n, t)) for n, t in enumerate(tokens)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, time.perf_counter() - started


def _codes(statuses: collections.Counter[int]) -> str:
    return ", ".join(f"{n}× {code or 'no answer'}" for code, n in sorted(statuses.items()))


@contextlib.contextmanager
def _serving(data: Path) -> Iterator[tuple[str, int]]:
    """A fresh server process on `data`: its URL and pid."""
    port = str(_free_port())
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*SERVE, "serve", "--data", str(data), "--host", "127.0.0.1", "--port", port],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(url)
        yield url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def run() -> str:
    photo = bytes(range(256)) * (PHOTO // 256)
    rows = [
        "| server (a fresh process each) | peak RSS | against at rest | goal | answers | wall |",
        "|---|---:|---:|---:|---|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        storage, blobs = open_storage(data)
        publish_file(storage, blobs, DEMO_FORM, runs=1)
        tokens = [add_user(storage, f"u{n:02d}", "enumerator", "north") for n in range(UPLOADS)]
        storage.db.conn.close()  # type: ignore[attr-defined]
        with _serving(data) as (_, pid), Sampler(pid) as rest:
            time.sleep(1.0)
        rows.append(f"| at rest (baseline) | {rest.peak:.0f} MB | 1.00x | | | |")
        phases: list[tuple[str, list[str], Callable[[str], Send]]] = [
            ("OpenRosa, 19 MB photo, no valid token", ["not-a-token"] * UPLOADS,
             lambda url: _photo_over_openrosa(url, photo)),
            ("OpenRosa, 19 MB photo, each a valid token", tokens,
             lambda url: _photo_over_openrosa(url, photo)),
            ("batch API, 19 MB JSON, each a valid token", tokens,
             lambda url: _batch_api(url, gzipped=False)),
            ("batch API, the same gzipped (0.2 MB each)", tokens,
             lambda url: _batch_api(url, gzipped=True)),
        ]  # fmt: skip
        for name, who, sender in phases:
            with _serving(data) as (url, pid):
                send = sender(url)
                with Sampler(pid) as sampler:
                    statuses, seconds = _wave(who, send)
            verdict = "met" if sampler.peak < GOAL_MB else "missed"
            rows.append(
                f"| {UPLOADS} at once: {name} | {sampler.peak:.0f} MB"
                f" | {sampler.peak / rest.peak:.2f}x | < {GOAL_MB:.0f} MB: {verdict}"
                f" | {_codes(statuses)} | {seconds:.1f} s |"
            )
    rows.append("")
    rows.append(
        "201/200 = taken in; 401 = refused from the headers, before any of the body was read;"
        " 503 = the upload slots (2 per user, 8 in all) or the memory budget for JSON bodies"
        " (40 MB) taken, with Retry-After. Each phase starts a fresh server on the same data."
    )
    return "\n".join(rows)


if __name__ == "__main__":
    print(run())
