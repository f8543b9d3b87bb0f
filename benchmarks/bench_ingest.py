"""Server ingestion: the batch API and OpenRosa POST against a raw sqlite-utils insert.

A real `fieldapp-server serve` runs in a subprocess on 127.0.0.1 with the shipped living
income questionnaire published; submissions are that form's, answered through
`FormSession` (`living_income_households`: rosters, plots, seasons, costs, other incomes,
every calculation filled, each household different), and go in over loopback with httpx
keep-alive clients, the normal ingestion path: stored, then the quality flags, the
report's household row and the export rows written from the parsed XML.

- batch API: gzip'd JSON batches of 50 (as our client sends them), one client;
- OpenRosa: one multipart POST per submission, from a few threads (devices), each with
  its own token, the way ODK Collect submits.

After each run the server's database is checked: every submission has its quality facts,
report row and export rows (or, in a diagnostic run, none of the part switched off).
Diagnostic rows (batch API only) run the same server with one part of the derived rows
switched off, to show what each costs. The baseline, in the same run and on the same
disk, is a raw sqlite-utils `insert_all` of the same rows into a WAL database, one
transaction per 50: what storing costs with no HTTP, parsing, authentication,
idempotency checks or derived rows. Goals: batch ≥ 500 submissions/s, OpenRosa ≥ 100.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import sqlite_utils

from benchmarks.living_income_households import FORM, FORM_ID, households
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.publish import publish_file

HERE = Path(__file__).resolve().parent
BATCH_COUNT = 1000
OPENROSA_COUNT = 400
BATCH_SIZE = 50
THREADS = 4
GOAL_BATCH = 500.0
GOAL_OPENROSA = 100.0
DERIVED = {"review_facts": "quality facts", "report_households": "report rows",
           "export_parts": "export rows"}  # fmt: skip
"""The tables ingestion writes besides the submission, and what they hold."""
SWITCHES: tuple[tuple[str, str, str], ...] = (
    ("quality flags off (the review index's `record` is skipped)", "review_facts",
     "import sync.server.intake.derived_rows as d, types; assert callable(d.index_for);"
     " d.index_for = lambda *a: types.SimpleNamespace(record=lambda *a: None)"),
    ("report row off (`record_household` is skipped)", "report_households",
     "import sync.server.intake.derived_rows as d; assert callable(d.record_household);"
     " d.record_household = lambda *a: None"),
    ("export rows off (`record_parts` is skipped)", "export_parts",
     "import sync.server.intake.derived_rows as d; assert callable(d.record_parts);"
     " d.record_parts = lambda *a: None"),
    ("flags, report row and export rows all off (`write_derived_rows` is skipped)", "*",
     "import sync.server.intake.ingest as i; assert callable(i.write_derived_rows);"
     " i.write_derived_rows = lambda *a, **k: None"),
)  # fmt: skip
"""Diagnostics: (what is switched off, the table left empty ("*": all of them), code run
before the server starts)."""
SERVE = "from sync.server.cli import main; raise SystemExit(main())"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(data: Path, switch_off: str = "", options: Sequence[str] = ()) -> Iterator[str]:
    """`fieldapp-server serve` on a free loopback port, after running `switch_off` (a
    diagnostic's patch), with more `options` of `serve`; yields its base URL."""
    port = _free_port()
    command = [sys.executable, "-c", f"{switch_off}; {SERVE}" if switch_off else SERVE]
    serve = ["serve", "--data", str(data), "--port", str(port), *options]
    process = subprocess.Popen([*command, *serve])
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
    publish_file(storage, blobs, FORM, runs=1)
    tokens = [add_user(storage, f"enum{i}", "enumerator", "north") for i in range(users)]
    storage.db.conn.close()  # type: ignore[attr-defined]
    return tokens


def derived_counts(data: Path) -> dict[str, int]:
    """Rows per derived table in the server's database (0 for a table never created)."""
    counts = {}
    with closing(sqlite3.connect(data / "server.db")) as db:
        for table in DERIVED:
            try:
                counts[table] = db.execute(
                    f"SELECT count(DISTINCT instance_id) FROM {table}"
                ).fetchone()[0]
            except sqlite3.OperationalError:
                counts[table] = 0
    return counts


def _check_derived(data: Path, stored: int, off: str) -> None:
    """Every stored submission has its derived rows, but those of the part switched off."""
    for table, count in derived_counts(data).items():
        wanted = 0 if off in (table, "*") else stored
        if count != wanted:
            raise RuntimeError(f"{DERIVED[table]}: {count} submissions have them, not {wanted}")


def batch_bodies(xmls: list[str]) -> list[bytes]:
    """`xmls` as the gzip'd JSON batches of `BATCH_SIZE` our client sends."""
    bodies = []
    for start in range(0, len(xmls), BATCH_SIZE):
        chunk = xmls[start : start + BATCH_SIZE]
        items = [{"instance_id": _instance_id(x), "form_id": FORM_ID, "xml": x} for x in chunk]
        batch = {"batch_id": f"b{start}", "device_id": "bench", "items": items}
        bodies.append(gzip.compress(json.dumps(batch).encode("utf-8"), compresslevel=6))
    return bodies


def send_batches(url: str, token: str, bodies: list[bytes]) -> None:
    """Post `bodies` one after the other on one keep-alive client; each item must be stored."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for body in bodies:
            answer = client.post("/api/v1/submissions", content=body)
            statuses = {r["status"] for r in answer.raise_for_status().json()["results"]}
            if statuses != {"stored"}:
                raise RuntimeError(f"batch ingestion answered {statuses}")


def batch_rate(url: str, token: str, xmls: list[str]) -> float:
    bodies = batch_bodies(xmls)
    started = time.perf_counter()
    send_batches(url, token, bodies)
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
            "instance_id": _instance_id(xml),
            "form_id": FORM_ID,
            "form_version": "2026112601",
            "xml": xml,
            "xml_sha256": hashlib.sha256(xml.encode("utf-8")).hexdigest(),
            "enumerator": "enum0",
            "district": "north",
        }
        for xml in xmls
    ]
    db.table("submissions").create({k: str for k in rows[0]}, pk="instance_id")
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH_SIZE):
        with db.conn:
            db.table("submissions").insert_all(rows[start : start + BATCH_SIZE], batch_size=100)
    elapsed = time.perf_counter() - started
    db.close()
    return len(rows) / elapsed


def _instance_id(xml: str) -> str:
    start = xml.index("<instanceID>") + len("<instanceID>")
    return xml[start : xml.index("</instanceID>", start)]


Rates = dict[str, float]


def measure() -> Rates:
    batch_xmls = list(households(BATCH_COUNT))
    openrosa_xmls = list(households(OPENROSA_COUNT, start=BATCH_COUNT))
    sizes = [len(x.encode("utf-8")) for x in batch_xmls + openrosa_xmls]
    rates: Rates = {"kb": statistics.fmean(sizes) / 1000, "min": min(sizes) / 1000,
                    "max": max(sizes) / 1000}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix=".ingest-", dir=HERE) as folder:
        rates["raw"] = raw_insert_rate(Path(folder) / "raw.db", batch_xmls)
        data = Path(folder) / "server"
        tokens = _prepare(data, THREADS)
        with running_server(data) as url:
            rates["batch"] = batch_rate(url, tokens[0], batch_xmls)
            rates["openrosa"] = openrosa_rate(url, tokens, openrosa_xmls)
        _check_derived(data, BATCH_COUNT + OPENROSA_COUNT, "")
        for n, (_, table, patch) in enumerate(SWITCHES):
            data = Path(folder) / f"diagnostic-{n}"
            token = _prepare(data, 1)[0]
            with running_server(data, patch) as url:
                rates[f"off-{n}"] = batch_rate(url, token, batch_xmls)
            _check_derived(data, BATCH_COUNT, table)
    return rates


def run() -> str:
    m = measure()
    raw = m["raw"]
    lines = [
        f"Submissions of `{FORM_ID}` answered through FormSession, each household different:"
        f" {m['kb']:.1f} kB of XML on average ({m['min']:.1f}–{m['max']:.1f} kB). They go into"
        " a real `fieldapp-server serve` subprocess over loopback, one run after the other on"
        f" one server ({BATCH_COUNT:,} by batch, then {OPENROSA_COUNT} by OpenRosa), each"
        " stored with its quality flags, report row and export rows (counted in the database"
        " afterwards). Baseline: a raw sqlite-utils insert of the same rows, one transaction"
        f" per {BATCH_SIZE}, {raw:,.0f}/s.",
        "",
        "| path | submissions/s | raw insert is | goal |",
        "|---|---:|---:|---|",
    ]
    batch = f"batch API (gzip JSON, {BATCH_SIZE} per request, 1 client)"
    for name, rate, goal in (
        (batch, m["batch"], GOAL_BATCH),
        (f"OpenRosa multipart POST ({THREADS} threads)", m["openrosa"], GOAL_OPENROSA),
    ):
        verdict = "met" if rate >= goal else "NOT met"
        lines.append(
            f"| {name} | {rate:.0f} | {raw / rate:.0f}x faster | ≥ {goal:g}/s: {verdict} |"
        )
    for n, (what, _, _) in enumerate(SWITCHES):
        rate = m[f"off-{n}"]
        lines.append(f"| diagnostic: {batch}, {what} | {rate:.0f} | {raw / rate:.0f}x faster | – |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
