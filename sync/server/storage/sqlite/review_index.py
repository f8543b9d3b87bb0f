"""The review queue, dashboard and flags read from SQLite on a connection of their own.

The queue reads a page newest first by walking the index on `submitted_at` (or
`district, submitted_at`) and stopping at the page's end; its total is one count over the
same query.
"""

from __future__ import annotations

import itertools
import sqlite3
import statistics
import threading
from pathlib import Path
from typing import Any

from sync.server.storage.repositories import EnumeratorFigures, QueueQuery
from sync.server.storage.sqlite.quality import SCHEMA, backfill_metrics

QUEUE_PAGE = (
    "SELECT * FROM ({matching}) ORDER BY submitted_at DESC, instance_id DESC LIMIT ? OFFSET ?"
)
"""A page of the queue: `matching` (from `_matching`) newest first."""

CURRENT = "NOT EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = f.instance_id)"
"""Not replaced by a correction (none names it as its deprecatedID)."""
CHOSEN = "(:district IS NULL OR f.district = :district)"
DASHBOARD_DAYS = (
    "SELECT enumerator, day, min(district), sum(current), sum(current AND flag_count > 0)"
    f" FROM (SELECT f.*, {CURRENT} AS current FROM review_facts f WHERE {CHOSEN})"
    " GROUP BY enumerator, day ORDER BY enumerator, day"
)
"""Per enumerator and day, over every version: the district, and the current submissions
and those with flags (an enumerator whose versions are all replaced has days of none)."""
DASHBOARD_REJECTIONS = (
    "SELECT f.enumerator, count(*) FROM reviews r JOIN review_facts f USING (instance_id)"
    f" WHERE r.decision = 'rejected' AND {CHOSEN} GROUP BY f.enumerator"
)
DASHBOARD_DURATIONS = (
    "SELECT f.enumerator, json_extract(f.facts, '$.duration_s') AS duration"
    f" FROM review_facts f WHERE {CHOSEN} AND {CURRENT} AND duration IS NOT NULL"
    " ORDER BY f.enumerator, duration"
)
"""The current submissions' durations, by enumerator then duration: each median is read
from its enumerator's run of sorted values."""
DASHBOARD = (DASHBOARD_DAYS, DASHBOARD_REJECTIONS, DASHBOARD_DURATIONS)

STATE_SQL = (
    "CASE WHEN EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
    " THEN 'superseded' ELSE coalesce((SELECT r.decision FROM reviews r"
    " WHERE r.instance_id = s.instance_id ORDER BY r.seq DESC LIMIT 1), 'received') END"
)


class SqliteReviewIndex:
    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA busy_timeout=5000")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        self.closed = False
        with self._lock:
            had_metrics = self.connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'review_metrics'"
            ).fetchone()
            self.connection.executescript(SCHEMA)
            if had_metrics is None:
                backfill_metrics(self.connection)

    def close(self) -> None:
        with self._lock:
            self.connection.close()
            self.closed = True

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self.connection.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def replace_flags(self, instance_id: str, flags: str, count: int) -> None:
        with self._lock, self.connection:
            self.connection.execute(
                "UPDATE review_facts SET flags = ?, flag_count = ? WHERE instance_id = ?",
                [flags, count, instance_id],
            )

    def facts_and_flags(self, instance_id: str) -> tuple[str, str] | None:
        rows = self._rows(
            "SELECT facts, flags FROM review_facts WHERE instance_id = ?", [instance_id]
        )
        return (str(rows[0]["facts"]), str(rows[0]["flags"])) if rows else None

    def state(self, instance_id: str) -> str:
        rows = self._rows(
            f"SELECT {STATE_SQL} AS state FROM submissions s WHERE s.instance_id = ?",
            [instance_id],
        )
        return str(rows[0]["state"]) if rows else "unknown"

    def page(self, where: QueueQuery) -> list[dict[str, Any]]:
        matching, params = _matching(where)
        return self._rows(
            QUEUE_PAGE.format(matching=matching), [*params, where.limit, where.offset]
        )

    def total(self, where: QueueQuery) -> int:
        matching, params = _matching(where)
        [row] = self._rows(f"SELECT count(*) AS n FROM ({matching})", params)
        return int(row["n"])

    def dashboard(self, district: str | None) -> list[EnumeratorFigures]:
        chosen = {"district": district}
        with self._lock:
            self.connection.execute("BEGIN")  # the queries below see one moment
            try:
                days, rejected, durations = [
                    self.connection.execute(sql, chosen).fetchall() for sql in DASHBOARD
                ]
            finally:
                self.connection.execute("COMMIT")
        rejections = {enumerator: int(count) for enumerator, count in rejected}
        medians = {
            enumerator: statistics.median(float(row[1]) for row in rows)
            for enumerator, rows in itertools.groupby(durations, key=lambda row: row[0])
        }
        figures = []
        for enumerator, grouped in itertools.groupby(days, key=lambda row: row[0]):
            mine = list(grouped)
            figures.append(
                EnumeratorFigures(
                    enumerator=enumerator,
                    district=min((row[2] for row in mine if row[2] is not None), default=None),
                    per_day={str(row[1]): int(row[3]) for row in mine if row[3]},
                    median_duration_s=medians.get(enumerator),
                    flagged=sum(int(row[4]) for row in mine),
                    rejections=rejections.get(enumerator, 0),
                )
            )
        return figures

    def replacements(self, instance_id: str) -> list[str]:
        rows = self._rows(
            "SELECT instance_id FROM submissions WHERE deprecated_id = ?", [instance_id]
        )
        return [str(row["instance_id"]) for row in rows]


def _matching(where: QueueQuery) -> tuple[str, list[Any]]:
    """The query of the submissions that pass the filters (each row with its state and flags),
    and its parameters; superseded versions only when asked for by state."""
    sql = [
        "SELECT s.instance_id, s.form_id, s.form_version, s.instance_name, s.enumerator,"
        f" s.district, s.submitted_at, s.deprecated_id, {STATE_SQL} AS state,"
        " coalesce(f.flags, '[]') AS flag_list"
        " FROM submissions s LEFT JOIN review_facts f USING (instance_id) WHERE 1 = 1"
    ]
    params: list[Any] = []
    for column, value in (
        ("s.district", where.district),
        ("s.enumerator", where.enumerator),
        ("s.form_id", where.form_id),
    ):
        if value:
            sql.append(f"AND {column} = ?")
            params.append(value)
    if where.date_from:
        sql.append("AND substr(s.submitted_at, 1, 10) >= ?")
        params.append(where.date_from)
    if where.date_to:
        sql.append("AND substr(s.submitted_at, 1, 10) <= ?")
        params.append(where.date_to)
    if where.flag == "any":
        sql.append("AND f.flag_count > 0")
    elif where.flag:
        sql.append(
            "AND EXISTS (SELECT 1 FROM json_each(f.flags) j"
            " WHERE json_extract(j.value, '$.code') = ?)"
        )
        params.append(where.flag)
    matching = f"SELECT * FROM ({' '.join(sql)}) WHERE "
    if where.state:
        matching += "state = ?"
        params.append(where.state)
    else:
        matching += "state != 'superseded'"
    return matching, params
