"""Exports and the living income report over 100,000 households of the shipped questionnaire.

Submissions are generated straight into a server data directory, once per run: a pool
of households is filled leaf by leaf from `assets/forms/living_income_household.xml`
(every field of the form, rosters of 2–9 members, 1–4 plots, 1–2 seasons, labour,
other crops, animals and income sources, values by type and choice list), and each
of the 100,000 submissions is one of them with its own instanceID, household ID and
income figures. Each measurement runs in a fresh subprocess that reports its own
peak RSS (`VmHWM` in /proc), so memory is the whole process's, not Python's allocations.

Baseline, same run, same database: a bare `csv.writer` dump of the stored rows
(instanceID, date, enumerator, district and the raw XML) into a zip — reading and
writing the same bytes with no parsing or flattening, zipped at the exports' level 1.
Goals: streaming, peak RSS < 300 MB, CSV ≥ 5,000 submissions/s; report ≤ 10 s.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from forms.definition import FormDefinition, TemplateNode
from forms.xform_reader import read_xform
from sync.server.app import open_storage
from sync.server.exports.schema import choices_of
from sync.server.storage import FormRecord, Storage

HERE = Path(__file__).resolve().parent
FORM = HERE.parent / "assets" / "forms" / "living_income_household.xml"
FORM_ID = "living_income_household"
COUNT = 100_000
POOL = 500
GOAL_RSS_MB = 300.0
GOAL_CSV_RATE = 5000.0
GOAL_REPORT_S = 10.0
REPEATS = {"member": (2, 9), "plot": (1, 4), "season": (1, 2), "labour": (1, 4),
           "crop_other": (0, 3), "animal": (0, 2), "source": (0, 3)}  # fmt: skip
FIGURES = ("main_net", "other_crops_net", "livestock_net", "wages", "business",
           "remittances", "transfers", "own_consumption", "women_income")  # fmt: skip
DISTRICTS = ("north", "south", "east", "west")


class Generator:
    """Filled households of the form, with `@IID@`, `@HH@` and `@<figure>@` left to set."""

    def __init__(self, definition: FormDefinition, seed: int = 7) -> None:
        self.definition = definition
        self.rng = random.Random(seed)

    def value(self, node: TemplateNode) -> str:
        rng, name = self.rng, node.name
        if name == "instanceID":
            return "@IID@"
        if name == "household_id":
            return "@HH@"
        if name in FIGURES:
            return f"@{name}@"
        if name == "age":
            return str(rng.choice((rng.randint(20, 70), rng.randint(0, 19))))
        fixed = {
            "bm_value": "3887292",
            "bm_ref_units": "2.7",
            "head_sex": rng.choice(("male", "male", "female")),
        }
        if name in fixed:
            return fixed[name]
        if name.startswith("ad_"):
            return str(rng.randint(0, 1))
        control = self.definition.control_for(node.path)
        choices = choices_of(self.definition, control, None) if control is not None else ()
        if control is not None and choices:
            values = [choice.value for choice in choices]
            if control.kind == "select":
                return " ".join(rng.sample(values, rng.randint(1, min(3, len(values)))))
            return rng.choice(values)
        kind = node.datatype or "string"
        if kind in ("int", "integer"):
            return str(rng.randint(0, 400))
        if kind in ("decimal", "double"):
            return f"{rng.uniform(0, 2000):.2f}"
        if kind == "geopoint":
            return f"{rng.uniform(5, 8):.6f} {rng.uniform(-7, -3):.6f} 210.0 {rng.randint(3, 40)}.0"
        if kind in ("date", "dateTime"):
            return "2026-01-10T08:00:00.000+00:00" if kind == "dateTime" else "2026-01-10"
        if rng.random() < 0.3:
            return ""
        return escape(f"{name} {rng.randint(1, 9999)} é")

    def fill(self, node: TemplateNode) -> str:
        seen: set[str] = set()
        parts = []
        for child in node.children:
            if child.path in seen:
                continue
            seen.add(child.path)
            if child.path in self.definition.repeat_paths:
                low, high = REPEATS.get(child.name, (1, 2))
                parts += [self.fill(child) for _ in range(self.rng.randint(low, high))]
            elif child.children:
                parts.append(self.fill(child))
            else:
                parts.append(f"<{child.name}>{self.value(child)}</{child.name}>")
        attributes = f' id="{FORM_ID}" version="@VERSION@"' if node.path == "/data" else ""
        return f"<{node.name}{attributes}>{''.join(parts)}</{node.name}>"


def generate(data: Path, count: int = COUNT) -> int:
    """Store `count` submissions in a fresh data directory; returns the XML bytes stored."""
    xform = FORM.read_text(encoding="utf-8")
    definition = read_xform(xform, source_name=FORM.name)
    version = definition.version or ""
    storage, _ = open_storage(data)
    md5 = hashlib.md5(xform.encode("utf-8")).hexdigest()
    storage.put_form(FormRecord(FORM_ID, version, "Living income", md5, xform, 0))
    generator = Generator(definition)
    pool = [generator.fill(definition.instance).replace("@VERSION@", version) for _ in range(POOL)]
    rng = random.Random(11)
    size = 0

    def rows() -> object:
        nonlocal size
        for n in range(count):
            xml = pool[n % POOL].replace("@IID@", f"uuid:bench-{n:07d}")
            xml = xml.replace("@HH@", f"HH-{n:07d}")
            for figure in FIGURES:
                xml = xml.replace(f"@{figure}@", str(rng.randint(-50_000, 2_000_000)))
            size += len(xml)
            digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
            day = f"2026-0{1 + n % 6}-{1 + n % 28:02d}T08:00:00.000+00:00"
            yield (f"uuid:bench-{n:07d}", FORM_ID, version, xml, digest, None, f"HH-{n:07d}",
                   day, f"enum{n % 40}", DISTRICTS[n % 4], f"dev{n % 40}", "done")  # fmt: skip

    db = storage.db  # type: ignore[attr-defined]
    with db.conn:
        db.conn.executemany(
            "INSERT INTO submissions (instance_id, form_id, form_version, xml, xml_sha256,"
            " deprecated_id, instance_name, submitted_at, enumerator, district, device_id,"
            " outbox) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )
    db.conn.close()
    return size


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
report = report_for(storage, sys.argv[2], ExportFilter())
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
    load = os.getloadavg()
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
            return _csv_only(count, size, generated, load, base, csv_zip, from_xml,
                             parts_seconds, folder)  # fmt: skip
        dta = measure(EXPORT, str(data), FORM_ID, str(folder / "out.dta.zip"), "dta")
        report = measure(REPORT, str(data), FORM_ID)
        sizes = {k: (folder / f).stat().st_size / 1e6 for k, f in
                 (("base", "dump.zip"), ("csv", "out.csv.zip"), ("dta", "out.dta.zip"),
                  ("xml", "xml.csv.zip"))}  # fmt: skip
    lines = [
        f"{count:,} submissions of `{FORM_ID}` ({size / count / 1000:.1f} kB of XML each,"
        f" {size / 1e9:.2f} GB in all; generated and stored in {generated:.0f} s; the report's"
        f" per-household rows, written at ingestion, computed for all of them in"
        f" {rows_seconds:.0f} s, {rows_seconds / count * 1000:.2f} ms each).",
        _parts_line(count, parts_seconds),
        f"Machine load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after"
        f" ({os.cpu_count()} cores; shared with other work while measured).",
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
        output = f"{sizes[key]:.0f}" if key else "–"
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
        f" {output:.0f} | {seconds / base_seconds:.2f}x |"
    )


HEADER = (
    "| run | submissions | seconds | submissions/s | CPU s (with workers) |"
    " submissions per CPU s | peak RSS (MB) | workers' peak RSS, summed (MB) |"
    " output (MB) | time vs baseline |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
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
    load: tuple[float, float, float],
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
        f"{count:,} submissions of `{FORM_ID}` ({size / count / 1000:.1f} kB of XML each;"
        f" generated in {generated:.0f} s). BENCH_EXPORTS_ONLY=csv: baseline and CSV only.",
        _parts_line(count, parts_seconds),
        f"Machine load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after"
        f" ({os.cpu_count()} cores).",
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
