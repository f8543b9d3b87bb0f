"""Autosave: `Store.save_draft` of a realistic ~20 KB instance, against a bare sqlite3 upsert.

Both write to files in the same folder on the same disk, with WAL and
`synchronous=FULL`, so each commit is fsync'd. The baseline is the least a
durable save can cost: one `INSERT ... ON CONFLICT DO UPDATE` and a `COMMIT` on a
bare connection. The two alternate, so drift in the disk hits both alike.
Goal: median save within 5 ms and within 2x the bare commit.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fieldapp.store import Store

RUNS = 300
GOAL_MS = 5.0
GOAL_RATIO = 2.0
HERE = Path(__file__).resolve().parent


def household_xml(answer: int, members: int = 15, plots: int = 10) -> str:
    """An instance like the living income survey's: roster, plots, incomes (about 20 KB)."""
    people = "".join(
        f"<member><name>Member number {i} of the household</name><sex>female</sex>"
        f"<age>{20 + i}</age><relation>child</relation><education>primary</education>"
        f"<works_on_farm>yes</works_on_farm><earns>yes</earns><income_kind>cocoa wage</income_kind>"
        f"<income_month>{1000 * i}</income_month><decides>joint</decides><owns_land>no</owns_land>"
        f"<notes>Lives in the compound since {1990 + i}; works the family plots in season.</notes>"
        + "".join(
            f"<source><kind>activity {k}</kind><months>6</months><net>{500 * k + i}</net>"
            "<paid_in>cash</paid_in><who_keeps>self</who_keeps></source>"
            for k in range(6)
        )
        + "</member>"
        for i in range(members)
    )
    fields = "".join(
        f"<plot><plot_id>P{i}</plot_id><crop>cocoa</crop><area_ha>{1.5 + i}</area_ha>"
        f"<tenure>owned</tenure><manager>head</manager><harvest_kg>{400 + i}</harvest_kg>"
        f"<price_per_kg>1500</price_per_kg><inputs_cost>{20000 + i}</inputs_cost>"
        f"<labour_days>{30 + i}</labour_days><location>5.3{i} -4.0{i} 120 4.5</location>"
        f"<comment>Plot {i} near the river, shaded cocoa with some plantain and cassava.</comment>"
        "</plot>"
        for i in range(plots)
    )
    return (
        '<data id="living_income" version="2026112601"><start>2026-01-10T08:00:00Z</start>'
        f"<household_id>CI-{answer:04d}</household_id><region>south</region>"
        f"<interview><hh_size>{members}</hh_size>{people}{fields}"
        f"<other_income>{answer}</other_income></interview>"
        "<meta><instanceID>uuid:5b1a3f2e-bench</instanceID></meta></data>"
    )


def bare_saver(path: Path) -> tuple[Callable[[str], None], Callable[[], None]]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE drafts (id TEXT PRIMARY KEY, xml TEXT NOT NULL)")

    def save(xml: str) -> None:
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO drafts (id, xml) VALUES ('a', ?) ON CONFLICT(id) DO UPDATE SET xml = excluded.xml",
            (xml,),
        )
        conn.execute("COMMIT")

    return save, conn.close


def measure(runs: int = RUNS) -> tuple[float, float, int]:
    """Median ms of the bare upsert and of `save_draft`, and the instance size in bytes."""
    with tempfile.TemporaryDirectory(prefix=".autosave-", dir=HERE) as folder:
        bare, close_bare = bare_saver(Path(folder) / "bare.db")
        store = Store.open(Path(folder) / "fieldapp.db")
        store.create_draft("living_income", "2026112601", "uuid:bench", household_xml(0), None)
        bare_times, store_times = [], []
        for i in range(runs):
            xml = household_xml(i)
            started = time.perf_counter()
            bare(xml)
            bare_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            store.save_draft("uuid:bench", xml, f"CI-{i:04d} south", "/data/interview/other_income")
            store_times.append(time.perf_counter() - started)
        store.close()
        close_bare()
    size = len(household_xml(0).encode("utf-8"))
    return statistics.median(bare_times) * 1000, statistics.median(store_times) * 1000, size


def run() -> str:
    bare_ms, store_ms, size = measure()
    ratio = store_ms / bare_ms
    met = "met" if store_ms <= GOAL_MS and ratio <= GOAL_RATIO else "NOT met"
    return "\n".join(
        [
            "| measurement | baseline ms | ms | ratio | goal |",
            "|---|---:|---:|---:|---|",
            f"| save_draft of a {size / 1024:.0f} KB instance (WAL, synchronous=FULL), median of {RUNS}, "
            f"against a bare sqlite3 upsert + commit | {bare_ms:.3f} | {store_ms:.3f} | {ratio:.2f} "
            f"| ≤ {GOAL_MS:g} ms and ≤ {GOAL_RATIO:g}x: {met} |",
        ]
    )


if __name__ == "__main__":
    print(run())
