"""100 simulated devices syncing at once to a real `fieldapp-server serve` over loopback.

Each device (a thread with its own enumerator token) pushes its finalized interviews in
gzip batches and pulls, as the sync agent does. The baseline is one device doing the same
sync alone, measured in the same run against the same server. Goals: 0 errors, 0 lost
(every instanceID on the server exactly once), p95 latency reported.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

from sync.client import SyncClient, SyncError
from sync.protocol import SubmissionItem
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file
from sync.server.storage.sqlite import SqliteStorage

DEMO_FORM = Path(__file__).resolve().parents[1] / "assets" / "forms" / "demo_household.xml"
DEVICES = 100
PER_DEVICE = 10
BATCH = 5
SERVE = [sys.executable, "-c", "from sync.server.cli import main; raise SystemExit(main())"]


def interview(instance_id: str, household: int) -> str:
    """A finalized demo-household interview: 4 members, cocoa income, about 1.3 kB."""
    members = "".join(
        f"<member><name>Member {m}</name><sex>{'female' if m % 2 else 'male'}</sex>"
        f"<age>{20 + 7 * m}</age><adult_weight>{1 if m == 0 else 0.5}</adult_weight></member>"
        for m in range(4)
    )
    return (
        '<data xmlns:jr="http://openrosa.org/javarosa" id="demo_household" version="2026112601">'
        "<start>2026-11-26T09:00:00.000Z</start><end>2026-11-26T10:12:00.000Z</end>"
        "<today>2026-11-26</today><deviceid>fieldapp:bench</deviceid><enumerator>e01</enumerator>"
        f"<household_id>AB-{household % 10000:04d}</household_id><region>north</region>"
        "<location>6.2 -1.6 210 5</location><consent>yes</consent><interview><hh_size>4</hh_size>"
        f"{members}<equivalence_units>2.5</equivalence_units><cocoa_kg>820</cocoa_kg>"
        "<cocoa_price>14.5</cocoa_price><cocoa_costs>3100</cocoa_costs><other_income>1200</other_income>"
        "<net_income>9990</net_income><summary/></interview>"
        f"<meta><instanceID>{instance_id}</instanceID><instanceName>AB north</instanceName></meta></data>"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _device_sync(url: str, token: str, items: list[SubmissionItem]) -> float:
    started = time.perf_counter()
    with SyncClient(url, token, batch_size=BATCH, timeout=120.0, device_id=token[:8]) as client:
        results = client.push(items, lambda i, n: b"")
        client.pull(None)
    if any(r.status not in ("stored", "duplicate") for r in results):
        raise SyncError(f"not acknowledged: {[r for r in results if r.status != 'stored'][:1]}")
    return time.perf_counter() - started


def _items(device: int) -> list[SubmissionItem]:
    ids = [f"uuid:{uuid.uuid4()}" for _ in range(PER_DEVICE)]
    return [
        SubmissionItem(instance_id=i, form_id="demo_household", xml=interview(i, device * 100 + n))
        for n, i in enumerate(ids)
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run() -> str:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        storage, blobs = open_storage(data)
        publish_file(storage, blobs, DEMO_FORM, runs=1)
        tokens = [add_user(storage, f"e{d:03d}", "enumerator", "north") for d in range(DEVICES + 1)]
        storage.db.conn.close()  # type: ignore[attr-defined]
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [*SERVE, "serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(url)
            alone_items = _items(DEVICES)
            alone = _device_sync(url, tokens[DEVICES], alone_items)
            batches = [_items(d) for d in range(DEVICES)]
            latencies: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            gate = threading.Barrier(DEVICES)

            def device(number: int) -> None:
                gate.wait()
                try:
                    took = _device_sync(url, tokens[number], batches[number])
                except SyncError as error:
                    with lock:
                        errors.append(str(error))
                    return
                with lock:
                    latencies.append(took)

            started = time.perf_counter()
            threads = [threading.Thread(target=device, args=(d,)) for d in range(DEVICES)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        held = SqliteStorage(data / "server.db")
        expected = [i.instance_id for items in [alone_items, *batches] for i in items]
        lost = sum(1 for i in expected if held.submission(i) is None)
        extra = held.count_submissions() - len(expected)
    p50, p95 = _percentile(latencies, 0.5), _percentile(latencies, 0.95)
    total = DEVICES * PER_DEVICE
    rows = [
        "| measure | value | against one device alone |",
        "|---|---:|---:|",
        f"| devices syncing at once | {DEVICES} ({PER_DEVICE} interviews each, batches of {BATCH}) | |",
        f"| one device alone: push + pull | {alone * 1000:.0f} ms | 1.0x |",
        f"| p50 device sync latency | {p50 * 1000:.0f} ms | {p50 / alone:.1f}x |",
        f"| p95 device sync latency | {p95 * 1000:.0f} ms | {p95 / alone:.1f}x |",
        f"| throughput | {total / wall:.0f} submissions/s ({wall:.2f} s wall) | |",
        f"| errors | {len(errors)} (goal 0) | |",
        f"| lost / duplicated on the server | {lost} / {max(0, extra)} (goal 0 / 0) | |",
    ]
    if errors:
        rows.append(f"\nFirst error: {errors[0]}")
    return "\n".join(rows)


def _wait_until_up(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(f"{url}/api/v1/pull", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the server at {url} did not start")


if __name__ == "__main__":
    print(run())
