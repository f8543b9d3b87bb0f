"""The review index: quality facts and flags per submission, the queue and the dashboard.

The storage keeps and reads them (`Storage.quality_facts` at ingestion, `quality_record`;
the queue, dashboard and history through the reader `Storage.open_review_index` gives, on a
connection of its own); `index_for(storage)` finds the one of a storage location.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Literal
from xml.etree.ElementTree import Element

from pydantic import BaseModel, Field, field_validator

from sync.server.quality.checks import FLAG_LABELS, Facts, Flag
from sync.server.quality.config import QualityConfig
from sync.server.quality.record import FactsRecorder
from sync.server.storage import Storage, SubmissionRecord, repositories

log = logging.getLogger(__name__)

TOTAL_COUNT = "X-Total-Count"
"""The queue's response header with the number of matching submissions on all pages."""


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
    def __init__(self, store: repositories.ReviewIndex) -> None:
        self.store = store
        self.recorder = FactsRecorder()

    def record(
        self,
        storage: Storage,
        submission: SubmissionRecord,
        root: Element | None = None,
        config: QualityConfig | None = None,
    ) -> list[Flag]:
        """Compute and keep the facts and flags of a just-stored submission (`quality_record`)."""
        return self.recorder.record(storage, submission, root, config)

    def settings(self, storage: Storage) -> QualityConfig:
        """The project's quality settings, as flags are judged now."""
        return self.recorder.config(storage)

    def replace_flags(self, instance_id: str, flags: list[Flag]) -> None:
        self.store.replace_flags(
            instance_id, json.dumps([f.model_dump() for f in flags]), len(flags)
        )

    def flags(self, instance_id: str) -> tuple[Facts | None, list[Flag]]:
        found = self.store.facts_and_flags(instance_id)
        if found is None:
            return None, []
        facts = Facts.model_validate_json(found[0])
        return facts, [Flag.model_validate(f) for f in json.loads(found[1])]

    def state(self, instance_id: str) -> str:
        return self.store.state(instance_id)

    def queue(self, where: QueueFilter) -> list[QueueRow]:
        """One page of the matching submissions, newest first (`where.limit` from `offset`)."""
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
            for r in self.store.page(where)
        ]

    def queue_count(self, where: QueueFilter) -> int:
        """How many submissions match `where`, on every page together."""
        return self.store.total(where)

    def dashboard(self, district: str | None) -> list[EnumeratorStats]:
        """Per enumerator: interviews by the day they were done, median duration and flag rate
        over current versions (a correction replaces what it corrects); rejections of all."""
        return [_enumerator_stats(figures) for figures in self.store.dashboard(district)]

    def history(self, storage: Storage, instance_id: str) -> list[SubmissionRecord]:
        """Every version linked by deprecatedID, oldest first."""
        current = storage.submission(instance_id)
        chain: list[SubmissionRecord] = []
        seen: set[str] = set()
        while current is not None and current.instance_id not in seen:
            seen.add(current.instance_id)
            chain.insert(0, current)
            current = storage.submission(current.deprecated_id) if current.deprecated_id else None
        newer = self.store.replacements(instance_id)
        while newer and newer[0] not in seen:
            record = storage.submission(newer[0])
            if record is None:
                break
            seen.add(record.instance_id)
            chain.append(record)
            newer = self.store.replacements(record.instance_id)
        return chain


RECOVERY_LOCK = "quality facts recovery"
_INDEXES: dict[str, ReviewIndex] = {}
_INDEXES_LOCK = threading.Lock()


def index_for(storage: Storage, ingesting: str | None = None) -> ReviewIndex:
    """The review index of a storage's location (one per location per process: a reader,
    it caches no data, so a decision taken through another process shows at once). Opening
    it records the facts of stored submissions that have none, but `ingesting`
    (`write_derived_rows` does), one process at a time: the next finds them recorded. A
    reader closed with the storage that opened it is replaced by one `storage` opens."""
    path = storage.location
    with _INDEXES_LOCK:
        if path not in _INDEXES or _INDEXES[path].store.closed:
            _INDEXES[path] = ReviewIndex(storage.open_review_index())
            with storage.work_locks.hold(RECOVERY_LOCK):
                recovered = _INDEXES[path].recorder.recover(storage, ingesting)
            if recovered:
                log.warning("quality facts recorded for %d submissions that had none", recovered)
        return _INDEXES[path]


def _enumerator_stats(figures: repositories.EnumeratorFigures) -> EnumeratorStats:
    interviews = sum(figures.per_day.values())
    days = len(figures.per_day)
    median = figures.median_duration_s
    return EnumeratorStats(
        enumerator=figures.enumerator,
        district=figures.district,
        interviews=interviews,
        per_day=dict(sorted(figures.per_day.items())),
        interviews_per_day=round(interviews / days, 2) if days else 0.0,
        median_duration_min=round(median / 60, 1) if median is not None else None,
        flag_rate=round(figures.flagged / interviews, 3) if interviews else 0.0,
        rejections=figures.rejections,
    )
