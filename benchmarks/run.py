"""Run every benchmark and write the tables to docs/benchmarks.md.

Each benchmark compares against a baseline measured in the same run, so the
ratios mean something on any machine.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    bench_autosave,
    bench_exports,
    bench_ingest,
    bench_reading,
    bench_screen_change,
    bench_session,
    bench_sync_devices,
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
    ("Screen change in Chromium: Next to the next screen", bench_screen_change.run),
)


def main() -> None:
    body = ""
    for title, run in BENCHMARKS:
        before = os.getloadavg()[0]
        table = run().strip()
        after = os.getloadavg()[0]
        load = f"Load average (1 min) {before:.1f} before, {after:.1f} after, on {os.cpu_count()} cores."
        body += f"\n## {title}\n\n{table}\n\n{load}\n"
    header = (
        "# Benchmarks\n\n"
        f"Latest run: {dt.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{platform.machine()}. Regenerate with `make bench` on a quiet machine: the ratios "
        "compare against baselines measured in the same run, but absolute times follow the "
        "load.\n"
    )
    DOCS.write_text(header + body, encoding="utf-8")
    print(header + body)


if __name__ == "__main__":
    main()
