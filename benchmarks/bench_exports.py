"""Exports and the living income report over 100,000 households of the shipped questionnaire.

Submissions are stored straight into a server data directory, once per run, by
`living_income_store.generate`: households answered through `FormSession` (rosters of 2–9
members, 1–4 plots, 1–2 seasons, labour, other crops, animals and income sources, every
calculation filled), each submission with its own identity. Each measurement runs in a
fresh subprocess that reports its own peak RSS (`VmHWM` in /proc), so memory is the whole
process's, not Python's allocations.

Baseline, same run, same database: a bare `csv.writer` dump of the stored rows
(instanceID, date, enumerator, district and the raw XML) into a zip — reading and
writing the same bytes with no parsing or flattening, zipped at the exports' level 1.
Goals: streaming, peak RSS < 300 MB, CSV ≥ 5,000 submissions/s; report ≤ 10 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.living_income_households import FORM_ID
from benchmarks.living_income_store import POOL, generate
from sync.server.app import open_storage
from sync.server.storage import Storage

COUNT = 100_000
GOAL_RSS_MB = 300.0
GOAL_CSV_RATE = 5000.0
GOAL_REPORT_S = 10.0


def record_report_rows(data: Path) -> float:
    """Seconds to compute the report rows the ingestion hook writes (here in one backfill,
    as the submissions were inserted without it)."""
    from sync.server.report.index import backfill

    return _timed_backfill(data, backfill)


def record_export_rows(data: Path) -> float:
    """Seconds to compute the export rows the ingestion hook writes (one backfill, as for
    the report's rows; the backfill parses each XML, which ingestion has already done)."""
    from sync.server.exports.stored import backfill

    return _timed_backfill(data, backfill)


def _timed_backfill(data: Path, backfill: Callable[[Storage], int]) -> float:
    storage, _ = open_storage(data)
    start = time.perf_counter()
    backfill(storage)
    seconds = time.perf_counter() - start
    storage.db.conn.close()  # type: ignore[attr-defined]
    return seconds


EXPORT = """
import sys, time
PEAK
from pathlib import Path
from sync.server.app import open_storage
from sync.server.exports.run import export
from sync.server.exports.source import ExportFilter
storage, _ = open_storage(Path(sys.argv[1]))
start = time.perf_counter()
with open(sys.argv[3], "wb") as out:
    n = export(storage, sys.argv[2], sys.argv[4], ExportFilter(), out)
print(n, time.perf_counter() - start, peak())
"""

EXPORT_XML = """
import sys, time
PEAK
from pathlib import Path
from sync.server.app import open_storage
from sync.server.exports import source
from sync.server.exports.run import export_schema
from sync.server.exports.source import ExportFilter
from sync.server.exports.writers import write_csv_zip
storage, _ = open_storage(Path(sys.argv[1]))
start = time.perf_counter()
schema = export_schema(storage, sys.argv[2], ExportFilter())
chosen = source.submissions(storage, sys.argv[2], ExportFilter())
total = source.count(storage, sys.argv[2], ExportFilter())
with open(sys.argv[3], "wb") as out:
    n = write_csv_zip(schema, chosen, out, total=total)
print(n, time.perf_counter() - start, peak())
"""
"""The CSV zip flattened from the XML (no stored rows), for comparison."""

REPORT = """
import sys, time
PEAK
from pathlib import Path
from sync.server.app import open_storage
from sync.server.exports.source import ExportFilter
from sync.server.report.build import report_for
storage, _ = open_storage(Path(sys.argv[1]))
start = time.perf_counter()
report = report_for(storage, sys.argv[2], ExportFilter(states=("received",)))  # none reviewed
n = len(report.households) + len(report.skipped)
print(n, time.perf_counter() - start, peak())
"""

BASELINE = """
import csv, io, sqlite3, sys, time, zipfile
PEAK
start = time.perf_counter()
db = sqlite3.connect(f"file:{sys.argv[1]}/server.db?mode=ro", uri=True)
n = 0
with zipfile.ZipFile(sys.argv[3], "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
    with archive.open("dump.csv", "w") as raw, io.TextIOWrapper(raw, "utf-8", newline="") as text:
        writer = csv.writer(text)
        for row in db.execute("SELECT instance_id, submitted_at, enumerator, district, xml"
                              " FROM submissions WHERE form_id = ? ORDER BY rowid", [sys.argv[2]]):
            writer.writerow(row)
            n += 1
print(n, time.perf_counter() - start, peak())
"""


PEAK = """
def peak():
    import resource
    status = open("/proc/self/status").read()
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    return f'{status.split("VmHWM:")[1].split()[0]} {cpu:.2f}'
"""


def _hwm_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(status.split("VmHWM:")[1].split()[0]) if "VmHWM:" in status else 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def measure(script: str, *args: str) -> tuple[int, float, float, float, float]:
    """(rows, seconds, peak RSS in MB, workers' peak RSS summed in MB, CPU seconds of the
    process and its workers) of `script` run in
    a fresh interpreter. Worker processes are sampled every 0.1 s (`VmHWM` is their
    high-water mark since they started, so only growth in their last 0.1 s is missed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", script.replace("PEAK", PEAK), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers: dict[int, int] = {}
    while process.poll() is None:
        for child in _children(process.pid):
            workers[child] = max(workers.get(child, 0), _hwm_kb(child))
        time.sleep(0.1)
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(err[-2000:])
    rows, seconds, rss_kb, cpu = out.split()
    return (int(rows), float(seconds), int(rss_kb) / 1024, sum(workers.values()) / 1024,
            float(cpu))  # fmt: skip


def run(count: int = COUNT) -> str:
    """All measurements; `BENCH_EXPORTS_ONLY=csv` in the environment: the baseline and
    the CSV zip only (no report rows, Stata or report)."""
    only_csv = os.environ.get("BENCH_EXPORTS_ONLY", "") == "csv"
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as name:
        folder = Path(name)
        data = folder / "data"
        start = time.perf_counter()
        size = generate(data, count)
        generated = time.perf_counter() - start
        rows_seconds = 0.0 if only_csv else record_report_rows(data)
        parts_seconds = record_export_rows(data)
        database = next(p for p in data.iterdir() if p.suffix == ".db")
        base = measure(BASELINE.replace("server.db", database.name), str(data), FORM_ID,
                       str(folder / "dump.zip"))  # fmt: skip
        from_xml = measure(EXPORT_XML, str(data), FORM_ID, str(folder / "xml.csv.zip"))
        csv_zip = measure(EXPORT, str(data), FORM_ID, str(folder / "out.csv.zip"), "csv")
        if only_csv:
            return _csv_only(count, size, generated, base, csv_zip, from_xml, parts_seconds,
                             folder)  # fmt: skip
        dta = measure(EXPORT, str(data), FORM_ID, str(folder / "out.dta.zip"), "dta")
        report = measure(REPORT, str(data), FORM_ID)
        sizes = {k: (folder / f).stat().st_size / 1e6 for k, f in
                 (("base", "dump.zip"), ("csv", "out.csv.zip"), ("dta", "out.dta.zip"),
                  ("xml", "xml.csv.zip"))}  # fmt: skip
    lines = [
        _data_line(count, size, generated),
        f"The report's per-household rows, written at ingestion, computed for all of them in"
        f" {rows_seconds:.0f} s, {rows_seconds / count * 1000:.2f} ms each.",
        _parts_line(count, parts_seconds),
        "",
        *HEADER,
    ]
    for title, (rows, seconds, rss, worker, cpu), key in (
        ("baseline: raw rows → csv.writer zip", base, "base"),
        ("CSV zip from the XML (no stored rows)", from_xml, "xml"),
        ("CSV zip (Central's shape, 8 tables)", csv_zip, "csv"),
        ("Stata .dta zip (labels, 8 tables)", dta, "dta"),
        ("living income report (all groups)", report, ""),
    ):
        output = f"{sizes[key]:.1f}" if key else "–"
        lines.append(
            f"| {title} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {cpu:.1f} |"
            f" {rows / cpu:,.0f} | {rss:.0f} |"
            f" {f'{worker:.0f}' if worker else '–'} | {output} | {seconds / base[1]:.2f}x |"
        )
    worst_rss = max(csv_zip[2] + csv_zip[3], dta[2] + dta[3], report[2])
    verdict = [
        f"CSV {csv_zip[0] / csv_zip[1]:,.0f} submissions/s (goal ≥ {GOAL_CSV_RATE:,.0f}):"
        f" {'met' if csv_zip[0] / csv_zip[1] >= GOAL_CSV_RATE else 'NOT met'}",
        f"peak RSS {worst_rss:.0f} MB, main process and workers added up (goal <"
        f" {GOAL_RSS_MB:.0f}):"
        f" {'met' if worst_rss < GOAL_RSS_MB else 'NOT met'}",
        f"report {report[1]:.1f} s (goal ≤ {GOAL_REPORT_S:.0f}):"
        f" {'met' if report[1] <= GOAL_REPORT_S else 'NOT met'}",
    ]
    return "\n".join(lines) + "\n\n" + "; ".join(verdict) + "."


Measured = tuple[int, float, float, float, float]


def _row(title: str, measured: Measured, output: float, base_seconds: float) -> str:
    rows, seconds, rss, worker, cpu = measured
    return (
        f"| {title} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {cpu:.1f} |"
        f" {rows / cpu:,.0f} | {rss:.0f} | {f'{worker:.0f}' if worker else '–'} |"
        f" {output:.1f} | {seconds / base_seconds:.2f}x |"
    )


HEADER = (
    "| run | submissions | seconds | submissions/s | CPU s (with workers) |"
    " submissions per CPU s | peak RSS (MB) | workers' peak RSS, summed (MB) |"
    " output (MB) | time vs baseline |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
)


def _data_line(count: int, size: int, generated: float) -> str:
    households = min(POOL, count)
    return (
        f"{count:,} submissions of `{FORM_ID}`, {size / count / 1000:.1f} kB of XML on average"
        f" ({size / 1e9:.2f} GB in all): {households:,} households answered through FormSession,"
        f" each stored {count / households:,.0f} times with its own instanceID, household ID,"
        f" village, GPS point, date and member names; generated and stored in {generated:.0f} s."
    )


def _parts_line(count: int, seconds: float) -> str:
    return (
        f"The export rows written at ingestion (`exports/stored.py`) computed for all of them"
        f" in {seconds:.0f} s, {seconds / count * 1000:.2f} ms each including the XML parse"
        " that ingestion has already done."
    )


def _csv_only(
    count: int,
    size: int,
    generated: float,
    base: Measured,
    csv_zip: Measured,
    from_xml: Measured,
    parts_seconds: float,
    folder: Path,
) -> str:
    rate = csv_zip[0] / csv_zip[1]
    rss = max(csv_zip[2] + csv_zip[3], from_xml[2] + from_xml[3])
    mb = {name: (folder / name).stat().st_size / 1e6 for name in
          ("dump.zip", "xml.csv.zip", "out.csv.zip")}  # fmt: skip
    return "\n".join([
        _data_line(count, size, generated) + " BENCH_EXPORTS_ONLY=csv: baseline and CSV only.",
        _parts_line(count, parts_seconds),
        "",
        *HEADER,
        _row("baseline: raw rows → csv.writer zip", base, mb["dump.zip"], base[1]),
        _row("CSV zip from the XML (no stored rows)", from_xml, mb["xml.csv.zip"], base[1]),
        _row("CSV zip (Central's shape, 8 tables)", csv_zip, mb["out.csv.zip"], base[1]),
        "",
        f"CSV {rate:,.0f} submissions/s (goal ≥ {GOAL_CSV_RATE:,.0f}):"
        f" {'met' if rate >= GOAL_CSV_RATE else 'NOT met'}; peak RSS {rss:.0f} MB, main"
        f" process and workers added up (goal < {GOAL_RSS_MB:.0f}):"
        f" {'met' if rss < GOAL_RSS_MB else 'NOT met'}.",
    ])  # fmt: skip


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else COUNT))
