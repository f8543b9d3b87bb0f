"""The review index: quality facts and flags per submission, the queue and the dashboard queries.

It lives in the server's own SQLite file (its tables next to `submissions` and `reviews`), so
the storage interface stays as it is; `index_for(storage)` finds it. Facts and flags are
written at ingestion on the storage's connection (`quality_record`); the queue, dashboard and
history read on the index's own connection.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import statistics
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import Element

from pydantic import BaseModel, Field, field_validator

from sync.server.quality import FLAG_LABELS, Facts, Flag
from sync.server.quality_peers import SCHEMA as METRICS_SCHEMA
from sync.server.quality_record import FactsRecorder, backfill_metrics
from sync.server.storage import Storage, SubmissionRecord

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_facts (
    instance_id TEXT PRIMARY KEY, form_id TEXT, district TEXT, enumerator TEXT, day TEXT,
    household_id TEXT, crop TEXT, facts TEXT NOT NULL, flags TEXT NOT NULL, flag_count INTEGER
);
CREATE INDEX IF NOT EXISTS review_facts_peers ON review_facts (form_id, district, crop);
CREATE INDEX IF NOT EXISTS review_facts_household ON review_facts (form_id, household_id);
"""

TOTAL_COUNT = "X-Total-Count"
"""The queue's response header with the number of matching submissions on all pages."""

QUEUE_PAGE = (
    "SELECT * FROM ({matching}) ORDER BY submitted_at DESC, instance_id DESC LIMIT ? OFFSET ?"
)
"""A page of the queue: `matching` (from `_matching`) newest first, walking the index on
`submitted_at` (or `district, submitted_at`) and stopping at the page's end."""

STATE_SQL = (
    "CASE WHEN EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
    " THEN 'superseded' ELSE coalesce((SELECT r.decision FROM reviews r"
    " WHERE r.instance_id = s.instance_id ORDER BY r.seq DESC LIMIT 1), 'received') END"
)


class QueueFilter(BaseModel):
    """What the queue shows; an empty value filters nothing."""

    district: str | None = None
    enumerator: str | None = None
    form_id: str | None = None
    state: Literal["received", "approved", "has_issues", "rejected", "superseded"] | None = None
    """None = all but superseded."""
    flag: str | None = None
    """A flag code (`quality.FLAG_LABELS`), or `any` for every flagged submission."""
    date_from: str | None = None
    date_to: str | None = None
    """Days the submissions arrived, both included, as YYYY-MM-DD."""
    limit: int = Field(default=200, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000_000)
    """How many of the newest matching submissions to skip: the queue is read a page at a time."""

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("flag")
    @classmethod
    def _known_flag(cls, value: str | None) -> str | None:
        if value is not None and value != "any" and value not in FLAG_LABELS:
            raise ValueError(f"no flag {value!r}; use 'any' or one of {', '.join(FLAG_LABELS)}")
        return value

    @field_validator("date_from", "date_to")
    @classmethod
    def _a_day(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


class QueueRow(BaseModel):
    instance_id: str
    form_id: str
    form_version: str | None
    instance_name: str | None
    enumerator: str
    district: str | None
    submitted_at: str
    state: str
    deprecated_id: str | None
    flags: list[Flag]


class EnumeratorStats(BaseModel):
    enumerator: str
    district: str | None
    interviews: int
    per_day: dict[str, int]
    interviews_per_day: float
    median_duration_min: float | None
    flag_rate: float
    rejections: int


class ReviewIndex:
    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA busy_timeout=5000")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        self.recorder = FactsRecorder()
        with self._lock:
            had_metrics = self.connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'review_metrics'"
            ).fetchone()
            self.connection.executescript(SCHEMA + METRICS_SCHEMA)
            if had_metrics is None:
                backfill_metrics(self.connection)

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self.connection.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def record(
        self, storage: Storage, submission: SubmissionRecord, root: Element | None = None
    ) -> list[Flag]:
        """Compute and keep the facts and flags of a just-stored submission (`quality_record`)."""
        return self.recorder.record(storage, submission, root)

    def replace_flags(self, instance_id: str, flags: list[Flag]) -> None:
        with self._lock, self.connection:
            self.connection.execute(
                "UPDATE review_facts SET flags = ?, flag_count = ? WHERE instance_id = ?",
                [json.dumps([f.model_dump() for f in flags]), len(flags), instance_id],
            )

    def flags(self, instance_id: str) -> tuple[Facts | None, list[Flag]]:
        rows = self._rows(
            "SELECT facts, flags FROM review_facts WHERE instance_id = ?", [instance_id]
        )
        if not rows:
            return None, []
        facts = Facts.model_validate_json(rows[0]["facts"])
        return facts, [Flag.model_validate(f) for f in json.loads(rows[0]["flags"])]

    def state(self, instance_id: str) -> str:
        rows = self._rows(
            f"SELECT {STATE_SQL} AS state FROM submissions s WHERE s.instance_id = ?",
            [instance_id],
        )
        return str(rows[0]["state"]) if rows else "unknown"

    def queue(self, where: QueueFilter) -> list[QueueRow]:
        """One page of the matching submissions, newest first (`where.limit` from `offset`)."""
        matching, params = _matching(where)
        outer = QUEUE_PAGE.format(matching=matching)
        params += [where.limit, where.offset]
        return [
            QueueRow(
                instance_id=r["instance_id"],
                form_id=r["form_id"],
                form_version=r["form_version"],
                instance_name=r["instance_name"],
                enumerator=r["enumerator"],
                district=r["district"],
                submitted_at=r["submitted_at"],
                state=r["state"],
                deprecated_id=r["deprecated_id"],
                flags=[Flag.model_validate(f) for f in json.loads(r["flag_list"])],
            )
            for r in self._rows(outer, params)
        ]

    def queue_count(self, where: QueueFilter) -> int:
        """How many submissions match `where`, on every page together."""
        matching, params = _matching(where)
        [row] = self._rows(f"SELECT count(*) AS n FROM ({matching})", params)
        return int(row["n"])

    def dashboard(self, district: str | None) -> list[EnumeratorStats]:
        """Per enumerator: interviews by the day they were done, median duration and flag rate
        over current versions (a correction replaces what it corrects); rejections of all."""
        rows = self._rows(
            "SELECT f.enumerator, f.district, f.day, f.flag_count,"
            " json_extract(f.facts, '$.duration_s') AS duration,"
            " EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = f.instance_id)"
            "  AS superseded,"
            " (SELECT count(*) FROM reviews r WHERE r.instance_id = f.instance_id"
            "  AND r.decision = 'rejected') AS rejections"
            " FROM review_facts f WHERE (? IS NULL OR f.district = ?) ORDER BY f.enumerator",
            [district, district],
        )
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(row["enumerator"], []).append(row)
        return [_enumerator_stats(name, items) for name, items in grouped.items()]

    def history(self, storage: Storage, instance_id: str) -> list[SubmissionRecord]:
        """Every version linked by deprecatedID, oldest first."""
        current = storage.submission(instance_id)
        chain: list[SubmissionRecord] = []
        seen: set[str] = set()
        while current is not None and current.instance_id not in seen:
            seen.add(current.instance_id)
            chain.insert(0, current)
            current = storage.submission(current.deprecated_id) if current.deprecated_id else None
        newer = self._rows(
            "SELECT instance_id FROM submissions WHERE deprecated_id = ?", [instance_id]
        )
        while newer and newer[0]["instance_id"] not in seen:
            record = storage.submission(str(newer[0]["instance_id"]))
            if record is None:
                break
            seen.add(record.instance_id)
            chain.append(record)
            newer = self._rows(
                "SELECT instance_id FROM submissions WHERE deprecated_id = ?", [record.instance_id]
            )
        return chain


_INDEXES: dict[str, ReviewIndex] = {}
_INDEXES_LOCK = threading.Lock()


def index_for(storage: Storage, ingesting: str | None = None) -> ReviewIndex:
    """The review index of a SQLite storage's file (one per file per process). Opening it records
    the facts of stored submissions that have none, but `ingesting` (`write_derived_rows` does)."""
    db = getattr(storage, "db", None)
    if db is None:
        raise TypeError("the review index needs the SQLite storage")
    path = next(str(row[2]) for row in db.execute("PRAGMA database_list") if row[1] == "main")
    with _INDEXES_LOCK:
        if path not in _INDEXES:
            _INDEXES[path] = ReviewIndex(Path(path))
            recovered = _INDEXES[path].recorder.recover(storage, ingesting)
            if recovered:
                log.warning("quality facts recorded for %d submissions that had none", recovered)
        return _INDEXES[path]


def _enumerator_stats(name: str, rows: list[dict[str, Any]]) -> EnumeratorStats:
    current = [r for r in rows if not r["superseded"]]
    days = Counter(str(r["day"]) for r in current)
    durations = [float(r["duration"]) for r in current if r["duration"] is not None]
    return EnumeratorStats(
        enumerator=name,
        district=rows[0]["district"],
        interviews=len(current),
        per_day=dict(sorted(days.items())),
        interviews_per_day=round(len(current) / len(days), 2) if days else 0.0,
        median_duration_min=round(statistics.median(durations) / 60, 1) if durations else None,
        flag_rate=round(sum(1 for r in current if r["flag_count"]) / len(current), 3)
        if current
        else 0.0,
        rejections=sum(int(r["rejections"]) for r in rows),
    )


def _matching(where: QueueFilter) -> tuple[str, list[Any]]:
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
