"""Server ingestion: the batch API and OpenRosa POST against a raw sqlite-utils insert.

A real `fieldapp-server serve` runs in a subprocess on 127.0.0.1; submissions
shaped like the living income survey's (about 250 fields: household, a roster of
6, 4 plots, incomes) go in over loopback with httpx keep-alive clients:

- batch API: gzip'd JSON batches of 50 (as our client sends them), one client;
- OpenRosa: one multipart POST per submission, from a few threads (devices),
  each with its own token, the way ODK Collect submits.

The baseline, in the same run and on the same disk, is a raw sqlite-utils
`insert_all` of the same rows into a WAL database, one transaction per 50: what
storing costs with no HTTP, parsing, authentication or idempotency checks.
Goals: batch ≥ 500 submissions/s, OpenRosa ≥ 100 submissions/s.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import httpx
import sqlite_utils

from sync.server.app import open_storage
from sync.server.auth import add_user
from sync.server.publish import publish_file

HERE = Path(__file__).resolve().parent
DEMO_FORM = HERE.parent / "assets" / "forms" / "demo_household.xml"
BATCH_COUNT = 2000
OPENROSA_COUNT = 600
BATCH_SIZE = 50
THREADS = 4
GOAL_BATCH = 500.0
GOAL_OPENROSA = 100.0
SERVER = [sys.executable, "-c", "from sync.server.cli import main; raise SystemExit(main())"]
SERVER_WITHOUT_FLAGS = [
    sys.executable,
    "-c",
    "import sync.server.ingest as i; assert callable(i.write_derived_rows);"
    " i.write_derived_rows = lambda *a: None;"
    " from sync.server.cli import main; raise SystemExit(main())",
]


def living_income_xml(number: int, members: int = 6, plots: int = 4) -> str:
    """One household's submission: 40 household fields, 26 per member, 14 per plot (252)."""
    household = "".join(f"<q{k:02d}>{(number * 7 + k) % 97}</q{k:02d}>" for k in range(30))
    roster = "".join(
        f"<member><name>Member {i} of household {number}</name><sex>{'fm'[i % 2]}</sex>"
        f"<age>{18 + 7 * i}</age><relation>child</relation><education>primary</education>"
        + "".join(f"<m{k:02d}>{(i + k) % 13}</m{k:02d}>" for k in range(21))
        + "</member>"
        for i in range(members)
    )
    fields = "".join(
        f"<plot><plot_id>P{i}</plot_id><crop>cocoa</crop><area_ha>{1.5 + i}</area_ha>"
        f"<harvest_kg>{400 + i * 35}</harvest_kg><price_per_kg>1500</price_per_kg>"
        + "".join(f"<p{k:02d}>{(i * k) % 11}</p{k:02d}>" for k in range(9))
        + "</plot>"
        for i in range(plots)
    )
    return (
        '<data xmlns:jr="http://openrosa.org/javarosa" id="demo_household" version="2026112601">'
        f"<start>2026-01-10T08:00:00Z</start><end>2026-01-10T09:10:00Z</end>"
        f"<household_id>CI-{number:05d}</household_id><region>north</region>"
        f"<district>north</district><village>Village {number % 40}</village>"
        f"<consent>yes</consent>{household}<hh_size>{members}</hh_size>"
        f"<roster>{roster}</roster><plots>{fields}</plots>"
        f"<meta><instanceID>uuid:bench-{number:06d}</instanceID>"
        f"<instanceName>CI-{number:05d} north</instanceName></meta></data>"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(data: Path, *, flags: bool = True) -> Iterator[str]:
    """`fieldapp-server serve` on a free loopback port; yields its base URL.

    `flags=False` is a diagnostic: the same server with the review index's quality flags
    (computed at ingestion) switched off, to show what they cost."""
    port = _free_port()
    command = SERVER if flags else SERVER_WITHOUT_FLAGS
    process = subprocess.Popen([*command, "serve", "--data", str(data), "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/api/v1/pull", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fieldapp-server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _prepare(data: Path, users: int) -> list[str]:
    storage, blobs = open_storage(data)
    publish_file(storage, blobs, DEMO_FORM, runs=1)
    return [add_user(storage, f"enum{i}", "enumerator", "north") for i in range(users)]


def batch_rate(url: str, token: str, xmls: list[str]) -> float:
    bodies = []
    for start in range(0, len(xmls), BATCH_SIZE):
        chunk = xmls[start : start + BATCH_SIZE]
        items = [
            {"instance_id": f"uuid:bench-{start + i:06d}", "form_id": "demo_household", "xml": x}
            for i, x in enumerate(chunk)
        ]
        batch = {"batch_id": f"b{start}", "device_id": "bench", "items": items}
        bodies.append(gzip.compress(json.dumps(batch).encode("utf-8"), compresslevel=6))
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        started = time.perf_counter()
        for body in bodies:
            answer = client.post("/api/v1/submissions", content=body)
            statuses = {r["status"] for r in answer.raise_for_status().json()["results"]}
            if statuses != {"stored"}:
                raise RuntimeError(f"batch ingestion answered {statuses}")
        return len(xmls) / (time.perf_counter() - started)


def openrosa_rate(url: str, tokens: list[str], xmls: list[str]) -> float:
    failures: list[str] = []

    def device(token: str, share: list[str]) -> None:
        with httpx.Client(base_url=f"{url}/v1/key/{token}/projects/1", timeout=60) as client:
            for xml in share:
                files = {"xml_submission_file": ("submission.xml", xml.encode(), "text/xml")}
                answer = client.post("/submission", files=files)
                if answer.status_code != 201:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")

    threads = [
        threading.Thread(target=device, args=(token, xmls[i :: len(tokens)]))
        for i, token in enumerate(tokens)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"OpenRosa ingestion failed: {failures[0]}")
    return len(xmls) / elapsed


def raw_insert_rate(path: Path, xmls: list[str]) -> float:
    """The same rows through sqlite-utils `insert_all`, one transaction per batch."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    rows = [
        {
            "instance_id": f"uuid:raw-{i:06d}",
            "form_id": "demo_household",
            "form_version": "2026112601",
            "xml": xml,
            "xml_sha256": hashlib.sha256(xml.encode("utf-8")).hexdigest(),
            "enumerator": "enum0",
            "district": "north",
        }
        for i, xml in enumerate(xmls)
    ]
    db.table("submissions").create({k: str for k in rows[0]}, pk="instance_id")
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH_SIZE):
        with db.conn:
            db.table("submissions").insert_all(rows[start : start + BATCH_SIZE], batch_size=100)
    elapsed = time.perf_counter() - started
    db.close()
    return len(rows) / elapsed


def measure() -> dict[str, float]:
    batch_xmls = [living_income_xml(i) for i in range(BATCH_COUNT)]
    openrosa_xmls = [living_income_xml(BATCH_COUNT + i) for i in range(OPENROSA_COUNT)]
    sample = batch_xmls[0]
    rates: dict[str, float] = {
        "fields": float(sum(1 for e in ElementTree.fromstring(sample).iter() if len(e) == 0)),
        "kb": len(sample.encode()) / 1024,
    }
    with tempfile.TemporaryDirectory(prefix=".ingest-", dir=HERE) as folder:
        rates["raw"] = raw_insert_rate(Path(folder) / "raw.db", batch_xmls)
        for flags in (True, False):
            data = Path(folder) / f"server-{flags}"
            tokens = _prepare(data, THREADS)
            with running_server(data, flags=flags) as url:
                rates[f"batch-{flags}"] = batch_rate(url, tokens[0], batch_xmls)
                rates[f"openrosa-{flags}"] = openrosa_rate(url, tokens, openrosa_xmls)
    return rates


def run() -> str:
    m = measure()
    raw = m["raw"]
    lines = [
        f"Submissions of {m['fields']:.0f} fields ({m['kb']:.1f} KB: roster of 6, 4 plots) "
        "into a real `fieldapp-server serve` subprocess over loopback, one after the other on "
        f"one server ({BATCH_COUNT} by batch, then {OPENROSA_COUNT} by OpenRosa); baseline a raw "
        f"sqlite-utils insert of the same rows, one transaction per 50: {raw:.0f}/s.",
        "",
        "| path | submissions/s | raw insert is | goal |",
        "|---|---:|---:|---|",
    ]
    for flags, label in ((True, ""), (False, ", quality flags off (diagnostic)")):
        for path, name, goal in (
            ("batch", "batch API (gzip JSON, 50 per request, 1 client)", GOAL_BATCH),
            ("openrosa", f"OpenRosa multipart POST ({THREADS} threads)", GOAL_OPENROSA),
        ):
            rate = m[f"{path}-{flags}"]
            verdict = ("met" if rate >= goal else "NOT met") if flags else "-"
            lines.append(
                f"| {name}{label} | {rate:.0f} | {raw / rate:.0f}x faster | ≥ {goal:g}/s: {verdict} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
