"""Run every benchmark and write the tables to docs/benchmarks.md.

Each benchmark compares against a baseline measured in the same run, so the
ratios mean something on any machine. Each section carries its own stamp (UTC time,
commit, Python, load average before and after), so rerunning one section
(`python -m benchmarks.run exports`) leaves the others, stamps included, as they were.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    bench_autosave,
    bench_exports,
    bench_ingest,
    bench_navigation,
    bench_pg_ingest,
    bench_pg_scale,
    bench_queue,
    bench_reading,
    bench_scenarios,
    bench_screen_change,
    bench_session,
    bench_sync_devices,
    bench_uploads,
    bench_xpath,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


BENCHMARKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("XPath evaluation against elementpath", bench_xpath.run),
    ("Reading an XForm against a bare ElementTree parse", bench_reading.run),
    ("FormSession: open, answer, test-drive", bench_session.run),
    ("Autosave: Store.save_draft against a bare sqlite3 commit", bench_autosave.run),
    ("Server ingestion: batch API and OpenRosa against a raw insert", bench_ingest.run),
    ("100 devices syncing at once over loopback", bench_sync_devices.run),
    ("Exports and the living income report over 100,000 households", bench_exports.run),
    ("Review queue and dashboard over 100,000 submissions", bench_queue.run),
    ("Screen change in Chromium: Next to the next screen", bench_screen_change.run),
    ("Navigation: Next with 1,000 repeat instances, test-drive with 500", bench_navigation.run),
    ("Server memory under 50 concurrent 19 MB uploads", bench_uploads.run),
    ("Income driver scenarios over 100,000 households", bench_scenarios.run),
    ("Ingestion on PostgreSQL, 1 and 2 server processes, against SQLite", bench_pg_ingest.run),
    ("Queue, dashboard, export and report at 1,000,000 on PostgreSQL", bench_pg_scale.run),
)


SECTIONS = {
    "xpath": 0, "reading": 1, "session": 2, "autosave": 3, "ingest": 4, "devices": 5,
    "exports": 6, "queue": 7, "screen": 8, "navigation": 9, "uploads": 10, "scenarios": 11,
    "pg-ingest": 12, "pg-scale": 13,
}  # fmt: skip
"""Names for `python -m benchmarks.run NAME ...`: rerun only these sections."""


HEADER = (
    "# Benchmarks\n\n"
    'Regenerate with `make bench` (or some sections: `make bench ONLY="exports queue"`). Each'
    " section ends with when, on which commit and under what load it was measured: the ratios"
    " compare against baselines measured in the same run, absolute times follow the load.\n"
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def commit() -> str:
    """The checked-out commit, "+changes" when tracked files other than this table (which the
    run itself rewrites, section by section) differ from it."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        table = DOCS.relative_to(DOCS.parents[1]).as_posix()
        dirty = _git(
            "status", "--porcelain", "--untracked-files=no", "--", ":/", f":(top,exclude){table}"
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + ("+changes" if dirty else "")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=DOCS.parent, capture_output=True, text=True, check=True
    ).stdout.strip()


def section(title: str, run: Callable[[], str]) -> str:
    before = os.getloadavg()[0]
    table = run().strip()
    after = os.getloadavg()[0]
    stamp = (
        f"Measured {now().isoformat(timespec='seconds')} on commit {commit()},"
        f" Python {platform.python_version()}, {platform.machine()}; load average (1 min)"
        f" {before:.1f} before, {after:.1f} after, on {os.cpu_count()} cores."
    )
    return f"\n## {title}\n\n{table}\n\n{stamp}\n"


def splice(text: str, title: str, fresh: str) -> str:
    """`text` (the doc) with the section called `title` replaced by `fresh` (or added)."""
    start = text.find(f"\n## {title}\n")
    if start < 0:
        return text.rstrip("\n") + "\n" + fresh
    end = text.find("\n## ", start + 1)
    return text[:start] + fresh + (text[end:] if end >= 0 else "")


def main(names: list[str]) -> None:
    """Rerun the sections `names` (all when empty); each is written to the doc as soon as
    it is measured, so an interrupted run keeps what it measured and the older rest."""
    unknown = [name for name in names if name not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(SECTIONS)}")
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    body = text[text.index("\n## ") :] if "\n## " in text else ""
    fresh: dict[str, str] = {}
    for name in names or SECTIONS:
        title, run = BENCHMARKS[SECTIONS[name]]
        fresh[title] = section(title, run)
        body = splice(body, title, fresh[title])
        DOCS.write_text(HEADER + body, encoding="utf-8")
    if not names:
        body = "".join(fresh[title] for title, _ in BENCHMARKS)
        DOCS.write_text(HEADER + body, encoding="utf-8")
    print(HEADER + body)


if __name__ == "__main__":
    main(sys.argv[1:])
