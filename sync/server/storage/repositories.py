"""What the server keeps besides its records: derived rows, read and written per purpose.

Quality facts, the review queue, export rows and report rows are computed outside the
storage (in `quality_record`, `review_store`, `exports`, `report`); each repository here
keeps and reads them, each method one transaction. A backend implements them all (the
SQLite one in `storage.sqlite`); no module outside the storage package touches a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

Group = tuple[str, str | None, str]
"""(form, district, crop): the peers whose metric values give the outlier fences."""


@dataclass(frozen=True)
class FactsRow:
    """One submission's quality facts and flags (as JSON) and its metric values."""

    instance_id: str
    form_id: str
    district: str | None
    enumerator: str
    day: str
    household_id: str | None
    crop: str
    facts: str
    flags: str
    flag_count: int
    metrics: Mapping[str, float] = field(default_factory=dict)


class FactsLookup(Protocol):
    """What judging a submission reads, inside `QualityFacts.record`'s transaction."""

    def current_version(self, form_id: str) -> str | None: ...
    def duplicate_of(
        self, form_id: str, household_id: str, instance_id: str, deprecated_id: str | None
    ) -> str | None: ...
    def metric_values(self, group: Group) -> Iterable[tuple[str, float]]:
        """The group's (metric, value) pairs, by metric then value."""
        ...


class QualityFacts(Protocol):
    def record(self, judge: Callable[[FactsLookup], FactsRow]) -> FactsRow:
        """Read what `judge` needs and keep the row it makes, with nothing written in
        between by another caller."""
        ...

    def missing(self) -> list[str]:
        """The submissions without facts, in the order they arrived."""
        ...

    def replace_facts(self, instance_id: str, facts: str) -> None: ...


class QueueQuery(Protocol):
    """The review queue's filters (`review_store.QueueFilter`)."""

    @property
    def district(self) -> str | None: ...
    @property
    def enumerator(self) -> str | None: ...
    @property
    def form_id(self) -> str | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def flag(self) -> str | None: ...
    @property
    def date_from(self) -> str | None: ...
    @property
    def date_to(self) -> str | None: ...
    @property
    def limit(self) -> int: ...
    @property
    def offset(self) -> int: ...


@dataclass(frozen=True)
class EnumeratorFigures:
    """One enumerator's dashboard figures, counted in the database. A submission that
    another names as its deprecatedID is replaced: it counts only among the rejections."""

    enumerator: str
    district: str | None
    """The enumerator's district (the first in byte order if the facts name several)."""
    per_day: Mapping[str, int]
    """Current submissions by the day the interview was done."""
    median_duration_s: float | None
    """The median of the current submissions' durations (None: none has one)."""
    flagged: int
    """Current submissions with at least one flag."""
    rejections: int
    """`rejected` decisions on any version of the enumerator's submissions."""


class ReviewIndex(Protocol):
    """The review queue, dashboard and flags, read on a connection of their own."""

    def page(self, where: QueueQuery) -> list[dict[str, Any]]: ...
    def total(self, where: QueueQuery) -> int: ...
    def dashboard(self, district: str | None) -> list[EnumeratorFigures]:
        """The figures of every enumerator with facts (in `district`, or all), in byte
        order of their names, all read at one moment."""
        ...

    def state(self, instance_id: str) -> str: ...
    def facts_and_flags(self, instance_id: str) -> tuple[str, str] | None: ...
    def replace_flags(self, instance_id: str, flags: str, count: int) -> None: ...
    def replacements(self, instance_id: str) -> list[str]:
        """The submissions naming `instance_id` as their deprecatedID."""
        ...

    def close(self) -> None:
        """End its connection (SQLite) or pool (PostgreSQL)."""
        ...

    @property
    def closed(self) -> bool:
        """Closed, by itself or with the storage that opened it."""
        ...


class ExportQuery(Protocol):
    """Which submissions an export or report reads (`exports.source.ExportFilter`)."""

    @property
    def states(self) -> tuple[str, ...]: ...
    @property
    def districts(self) -> tuple[str, ...]: ...
    @property
    def versions(self) -> tuple[str, ...]: ...
    @property
    def since(self) -> str | None: ...
    @property
    def until(self) -> str | None: ...


ExportRow = tuple[str, str, str, str | None, str, str | None, str, str | None]
"""instanceID, submitted_at, enumerator, district, state, form version, XML, stored rows."""
Stored = tuple[str, str, str]
"""(instanceID, fingerprint, parts as JSON): one submission's stored export rows."""


class Bodies(Protocol):
    def bodies(
        self, rowids: list[int], fingerprint: str | None
    ) -> dict[int, tuple[str, str | None]]: ...


class BodiesOpener(Protocol):
    """Picklable: a worker process opens its own reader with it."""

    def open(self) -> Bodies: ...


class ExportRows(Protocol):
    def count(self, form_id: str, chosen: ExportQuery) -> int: ...
    def stream(
        self, form_id: str, chosen: ExportQuery, fingerprint: str | None, whole: bool
    ) -> Iterator[tuple[int, ExportRow]]:
        """Current versions in the order they arrived, with their position; without
        `whole`, with an empty XML and no stored rows."""
        ...

    def bodies_opener(self) -> BodiesOpener: ...
    def form_version(self, form_id: str, version: str | None) -> tuple[str, str] | None:
        """(version, md5) of the submission's own form version, else the current one."""
        ...

    def write_parts(self, rows: list[Stored]) -> None: ...
    def unchecked_parts(self) -> tuple[int, int]:
        """(last position checked, last position stored) for the parts' backfill."""
        ...

    def parts_missing(
        self, since: int, top: int, limit: int
    ) -> list[tuple[int, str, str, str | None, str]]: ...
    def parts_checked(self, top: int) -> None: ...


@dataclass(frozen=True)
class ReportLayout:
    """The report table's columns, its SQLite creation statements and their number; `kinds`
    gives each column's type (`TEXT`, `INTEGER` or `REAL`, maybe `NOT NULL`), from which
    other backends write their own statements. The first column is the key."""

    columns: tuple[str, ...]
    schema: tuple[str, ...]
    version: int
    kinds: tuple[str, ...] = ()


class ReportRows(Protocol):
    def write(self, layout: ReportLayout, rows: list[tuple[Any, ...]], dropped: list[str]) -> None:
        """Keep `rows`, drop those of `dropped` (replaced submissions)."""
        ...

    def position(self, instance_id: str) -> int: ...
    def unchecked(
        self, layout: ReportLayout, forms: list[str]
    ) -> tuple[int, list[tuple[str, int]]]:
        """(last position stored, current submissions of `forms` since the last check
        without a row)."""
        ...

    def checked(self, top: int) -> None: ...
    def households(
        self, form_id: str, chosen: ExportQuery, columns: str
    ) -> Iterator[tuple[Any, ...]]: ...
    def crop_rows(self, form_id: str, columns: str) -> Iterator[tuple[Any, ...]]: ...


@dataclass(frozen=True)
class JobRow:
    """An export or report job as every server process sees it (`exports.jobs`).

    `chosen` is its filter as JSON; `file` the name of its file in the shared exports
    folder, `filename` the name a download gets. While it runs, its process renews its
    lease (`Jobs.renew`); a job whose lease ran out is failed (`Jobs.lapse`)."""

    id: str
    owner: str
    form_id: str
    kind: str
    chosen: str
    file: str
    filename: str
    media_type: str
    state: str = "running"
    done: int = 0
    total: int = 0
    message: str = ""


JOB_COLUMNS = ", ".join(f.name for f in fields(JobRow))
"""A job's columns, in `JobRow`'s order."""


class Jobs(Protocol):
    """Export and report jobs and their one-time download tickets, shared by every process
    of a server; times come from the database's clock."""

    def add(self, job: JobRow, lease: float, running_limit: int) -> bool:
        """Keep `job` as running, unless its owner already runs `running_limit` jobs whose
        lease holds (False: nothing kept). Checked and kept in one transaction."""
        ...

    def get(self, job_id: str) -> JobRow | None: ...
    def of_owner(self, owner: str) -> list[JobRow]:
        """The owner's jobs, oldest first."""
        ...

    def renew(self, job_id: str, done: int, total: int, lease: float) -> None:
        """The running job's progress, and its lease for `lease` more seconds."""
        ...

    def finish(self, job_id: str, state: str, done: int, total: int, message: str) -> None: ...
    def lapse(self, message: str) -> list[JobRow]:
        """Mark failed, saying `message`, the running jobs whose lease ran out (their
        process died); returns them."""
        ...

    def expire(self, keep: float) -> list[JobRow]:
        """Forget the jobs that finished more than `keep` seconds ago, and their tickets;
        returns them."""
        ...

    def add_ticket(self, job_id: str, ticket_hash: str, valid: float) -> None: ...
    def redeem(self, job_id: str, ticket_hash: str) -> bool:
        """Use the ticket once: True only for the first use of a valid ticket of `job_id`,
        whichever process asks."""
        ...


class RateLimits(Protocol):
    """A token bucket per key: `rate` requests a second, bursts up to `burst`."""

    def take(self, key: str, rate: float, burst: float) -> bool:
        """Take one request from the key's bucket; False if it is empty (nothing taken)."""
        ...


class WorkLocks(Protocol):
    """Keeps two workers (threads, or processes on one database) from doing the same
    work at once, such as a backfill: the second waits, then finds the work done."""

    def hold(self, name: str) -> AbstractContextManager[None]: ...
