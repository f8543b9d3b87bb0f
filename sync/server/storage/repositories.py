"""What the server keeps besides its records: derived rows, read and written per purpose.

Quality facts, the review queue, export rows and report rows are computed outside the
storage (in `quality_record`, `review_store`, `exports`, `report`); each repository here
keeps and reads them, each method one transaction. A backend implements them all (the
SQLite one in `storage.sqlite`); no module outside the storage package touches a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
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


class ReviewIndex(Protocol):
    """The review queue, dashboard and flags, read on a connection of their own."""

    def page(self, where: QueueQuery) -> list[dict[str, Any]]: ...
    def total(self, where: QueueQuery) -> int: ...
    def dashboard_rows(self, district: str | None) -> list[dict[str, Any]]: ...
    def state(self, instance_id: str) -> str: ...
    def facts_and_flags(self, instance_id: str) -> tuple[str, str] | None: ...
    def replace_flags(self, instance_id: str, flags: str, count: int) -> None: ...
    def replacements(self, instance_id: str) -> list[str]:
        """The submissions naming `instance_id` as their deprecatedID."""
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
    """The report table's columns, its creation statements and their number."""

    columns: tuple[str, ...]
    schema: tuple[str, ...]
    version: int


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
