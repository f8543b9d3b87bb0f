"""Quality facts, flags and metric values in PostgreSQL, on the storage's pool.

`record` reads what judging needs and writes the row in one transaction. Several processes
record at once, so what SQLite's lock gave is here two transaction-scoped advisory locks,
taken as the judge first asks: the household's (duplicate check) before the group's (peer
values), the order the judge asks in. Two submissions of one household, or of one peer
group, are then judged one after the other, each seeing the other's row once committed.
A deadlock (two lock names sharing a key) rolls back and the whole call runs again.

Facts are derived data (`quality.record.recover` rebuilds what a crash loses), so their
commit does not wait for the disk (`derived.ASYNCHRONOUS_COMMIT`); at ingestion they share
one transaction with the report's and the exports' rows (`derived.DerivedWrites`), and a
deadlock there is not retried here: the whole transaction is gone, and ingestion writes
each part again on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from sync.server.storage.postgres.base import advisory_lock, lock_key
from sync.server.storage.postgres.derived import DerivedWrites
from sync.server.storage.repositories import FactsLookup, FactsRow, Group

Pool = ConnectionPool[psycopg.Connection[dict[str, Any]]]
ATTEMPTS = 3
"""Runs of `record` before a deadlock is given up on (one is already rare)."""

DUPLICATE_SQL = (
    "SELECT f.instance_id FROM review_facts f JOIN submissions s USING (instance_id)"
    " WHERE f.form_id = %s AND f.household_id = %s AND f.instance_id != %s"
    " AND f.instance_id IS DISTINCT FROM %s"
    " AND NOT EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
    " ORDER BY s.submitted_at LIMIT 1"
)
"""Another current submission of the form with this household ID (not an older version)."""
FACT_COLUMNS = (
    "instance_id", "form_id", "district", "enumerator", "day", "household_id", "crop", "facts",
    "flags", "flag_count",
)  # fmt: skip
"""The columns of `review_facts`, each a field of `FactsRow`."""


def upsert_sql(table: str, columns: tuple[str, ...], source: str | None = None) -> str:
    """Insert a row of `columns` into `table`, or replace the one of its key (the first);
    `source`: what gives the row (by default `VALUES` of one parameter per column)."""
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns[1:])
    values = f"VALUES ({', '.join(['%s'] * len(columns))})" if source is None else source
    return f"INSERT INTO {table} ({', '.join(columns)}) {values} ON CONFLICT ({columns[0]}) DO " + (
        f"UPDATE SET {updates}" if updates else "NOTHING"
    )


UPSERT_FACTS = upsert_sql("review_facts", FACT_COLUMNS)

STORE_FACTS = (
    f"WITH facts AS ({UPSERT_FACTS}),"
    " gone AS (DELETE FROM review_metrics WHERE instance_id = %s AND NOT metric = ANY(%s))"
    " INSERT INTO review_metrics (instance_id, form_id, district, crop, metric, value)"
    " SELECT %s, %s, %s, %s, m.metric, m.value"
    " FROM unnest(%s::text[], %s::double precision[]) AS m (metric, value)"
    " ON CONFLICT (instance_id, metric) DO UPDATE SET form_id = EXCLUDED.form_id,"
    " district = EXCLUDED.district, crop = EXCLUDED.crop, value = EXCLUDED.value"
)
"""A submission's facts row and its metric values in one statement: the row upserted, the
metrics it no longer has deleted, the ones it has upserted (the parts of one statement see
the same snapshot, so the delete and the insert never touch the same metric)."""
HOUSEHOLD_LOCK = (
    "SELECT pg_advisory_xact_lock(%s) AS locked,"
    " (SELECT version FROM forms WHERE form_id = %s AND current = 1) AS version"
)
"""The household's lock, and the form's current version read in the same round trip."""


def district_is(column: str, district: str | None) -> tuple[str, list[Any]]:
    """`column` equal to `district`, NULL included, in a form an index can serve (`IS NOT
    DISTINCT FROM` cannot)."""
    if district is None:
        return f"{column} IS NULL", []
    return f"{column} = %s", [district]


class _Lookup:
    """What the judge reads, in `record`'s transaction, each read behind its lock."""

    def __init__(self, connection: psycopg.Connection[dict[str, Any]]) -> None:
        self.connection = connection
        self.versions: dict[str, str | None] = {}
        """The current version of each form, as read in this transaction."""

    def current_version(self, form_id: str) -> str | None:
        if form_id not in self.versions:
            found = self.connection.execute(
                "SELECT version FROM forms WHERE form_id = %s AND current = 1", [form_id]
            ).fetchone()
            self.versions[form_id] = (found["version"] or None) if found is not None else None
        return self.versions[form_id]

    def duplicate_of(
        self, form_id: str, household_id: str, instance_id: str, deprecated_id: str | None
    ) -> str | None:
        key = lock_key(f"quality household:{form_id}\n{household_id}")
        locked = self.connection.execute(HOUSEHOLD_LOCK, [key, form_id]).fetchone()
        assert locked is not None
        self.versions[form_id] = locked["version"] or None
        found = self.connection.execute(
            DUPLICATE_SQL, [form_id, household_id, instance_id, deprecated_id]
        ).fetchone()
        return str(found["instance_id"]) if found else None

    def metric_values(self, group: Group) -> Iterable[tuple[str, float]]:
        form_id, district, crop = group
        advisory_lock(self.connection, f"quality group:{form_id}\n{district}\n{crop}")
        same, params = district_is("district", district)
        rows = self.connection.execute(
            f"SELECT metric, value FROM review_metrics WHERE form_id = %s AND {same}"
            " AND crop = %s ORDER BY metric, value",
            [form_id, *params, crop],
        )
        return [(str(row["metric"]), float(row["value"])) for row in rows]


def store_facts(connection: psycopg.Connection[Any], row: FactsRow) -> None:
    """Keep `row` and its metric values (inside the caller's transaction)."""
    metrics = list(row.metrics)
    connection.execute(
        STORE_FACTS,
        [
            *(getattr(row, column) for column in FACT_COLUMNS),
            row.instance_id,
            metrics,
            row.instance_id,
            row.form_id,
            row.district,
            row.crop,
            metrics,
            [row.metrics[metric] for metric in metrics],
        ],
    )


class PgQualityFacts:
    def __init__(self, pool: Pool, derived: DerivedWrites | None = None) -> None:
        """`derived`: where the rows are written (by default, transactions on `pool`)."""
        self.pool = pool
        self.derived = DerivedWrites(pool) if derived is None else derived

    def record(self, judge: Callable[[FactsLookup], FactsRow]) -> FactsRow:
        if self.derived.is_shared:
            return self._record_once(judge)  # a deadlock ends the shared transaction
        attempt = 1
        while True:
            try:
                return self._record_once(judge)
            except psycopg.errors.DeadlockDetected:
                if attempt == ATTEMPTS:
                    raise
                attempt += 1

    def _record_once(self, judge: Callable[[FactsLookup], FactsRow]) -> FactsRow:
        with self.derived.transaction() as connection:
            row = judge(_Lookup(connection))
            store_facts(connection, row)
        return row

    def missing(self) -> list[str]:
        with self.pool.connection() as connection:
            rows = connection.execute(
                "SELECT s.instance_id FROM submissions s WHERE NOT EXISTS"
                " (SELECT 1 FROM review_facts f WHERE f.instance_id = s.instance_id)"
                " ORDER BY s.pos"
            ).fetchall()
        return [str(row["instance_id"]) for row in rows]

    def replace_facts(self, instance_id: str, facts: str) -> None:
        with self.derived.transaction() as connection:
            connection.execute(
                "UPDATE review_facts SET facts = %s WHERE instance_id = %s", [facts, instance_id]
            )
