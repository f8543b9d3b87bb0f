"""The review queue, dashboard and flags read from PostgreSQL on a pool of their own.

A page walks the index on `submitted_at DESC, instance_id DESC` (or the district's) and
stops at the page's end; each row's state is looked up for the rows walked only. The
total counts index entries rather than computing every row's state: the matching
submissions less the superseded ones among them, found from the few that another
submission names as deprecatedID. A state asked for is matched against each submission's
latest review, read once from `reviews` (not a lookup per submission). Flags are `jsonb`,
found by code through the GIN index (`flags @> '[{"code": ...}]'`).
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import ConnectionPool

from sync.server.storage.repositories import EnumeratorFigures, QueueQuery

REPLACED = "EXISTS (SELECT 1 FROM submissions n WHERE n.deprecated_id = s.instance_id)"
"""Superseded, looked up per row: for the rows a page walks."""
REPLACED_SET = (
    "s.instance_id IN (SELECT n.deprecated_id FROM submissions n WHERE n.deprecated_id IS NOT NULL)"
)
"""Superseded, from the (few) submissions naming a deprecatedID: for counting."""
LATEST = (
    "coalesce((SELECT r.decision FROM reviews r WHERE r.instance_id = s.instance_id"
    " ORDER BY r.seq DESC LIMIT 1), 'received')"
)
STATE_SQL = f"CASE WHEN {REPLACED} THEN 'superseded' ELSE {LATEST} END"
NO_REVIEW = "NOT EXISTS (SELECT 1 FROM reviews r WHERE r.instance_id = s.instance_id)"
"""State `received`: no decision yet (a decision is approved, has_issues or rejected)."""
DECIDED = (
    "EXISTS (SELECT 1 FROM (SELECT DISTINCT ON (instance_id) instance_id, decision"
    " FROM reviews ORDER BY instance_id, seq DESC) l"
    " WHERE l.instance_id = s.instance_id AND l.decision = %s)"
)
"""A submission whose latest review decision is the one given."""
MATCHING = "FROM submissions s LEFT JOIN review_facts f ON f.instance_id = s.instance_id WHERE "
PAGE = (
    "SELECT s.instance_id, s.form_id, s.form_version, s.instance_name, s.enumerator,"
    f" s.district, s.submitted_at, s.deprecated_id, {STATE_SQL} AS state,"
    " coalesce(f.flags, '[]'::jsonb)::text AS flag_list "
    f"{MATCHING}{{conditions}}"
    " ORDER BY s.submitted_at DESC, s.instance_id DESC LIMIT %s OFFSET %s"
)
COUNT = f"SELECT count(*) AS n {MATCHING}{{conditions}}"
DASHBOARD = (
    "SELECT f.enumerator, f.day, grouping(f.day) AS whole, min(f.district) AS district,"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY f.duration_s) FILTER (WHERE f.current)"
    "  AS median,"
    " count(*) FILTER (WHERE f.current) AS interviews,"
    " count(*) FILTER (WHERE f.current AND f.flag_count > 0) AS flagged,"
    " count(*) FILTER (WHERE f.rejected) AS rejected"
    " FROM (SELECT f.enumerator, f.day, f.district, f.duration_s, f.flag_count,"
    "  f.instance_id NOT IN (SELECT deprecated_id FROM submissions"
    "   WHERE deprecated_id IS NOT NULL) AS current,"
    "  f.instance_id IN (SELECT instance_id FROM reviews WHERE decision = 'rejected')"
    "   AS rejected"
    "  FROM review_facts f WHERE {district}) f"
    " GROUP BY f.enumerator, ROLLUP (f.day)"
    " HAVING grouping(f.day) = 1 OR count(*) FILTER (WHERE f.current) > 0"
)
"""Per enumerator and day, then per enumerator (`whole`), in one pass over the index
`review_facts_dashboard` (enumerator, day) alone: no sort, no table read. Whether a
submission is current (no correction names it) or rejected is looked up in a hash of the
(few) deprecatedIDs and rejected instanceIDs."""
REJECTED_AGAIN = (
    "SELECT f.enumerator, sum(r.n - 1) AS n FROM (SELECT instance_id, count(*) AS n"
    " FROM reviews WHERE decision = 'rejected' GROUP BY instance_id HAVING count(*) > 1) r"
    " JOIN review_facts f ON f.instance_id = r.instance_id WHERE {district}"
    " GROUP BY f.enumerator"
)
"""The rejections beyond the first of a submission, which `DASHBOARD` counts once."""
DASHBOARD_MEMORY = "SET LOCAL work_mem = '64MB'"
"""Room for the hashes of deprecatedIDs and rejected instanceIDs (hundreds of thousands
each) to stay hashes: past the memory allowed, each row would scan the list instead."""


class PgReviewIndex:
    def __init__(self, url: str, *, max_size: int = 4) -> None:
        self.pool: ConnectionPool[psycopg.Connection[dict[str, Any]]] = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={"row_factory": dict_row, "autocommit": True},
            open=True,
        )

    def close(self) -> None:
        self.pool.close()

    @property
    def closed(self) -> bool:
        return self.pool.closed

    def _rows(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        with self.pool.connection() as connection:
            return connection.execute(sql, params).fetchall()

    def replace_flags(self, instance_id: str, flags: str, count: int) -> None:
        with self.pool.connection() as connection:
            connection.execute(
                "UPDATE review_facts SET flags = %s::jsonb, flag_count = %s WHERE instance_id = %s",
                [flags, count, instance_id],
            )

    def facts_and_flags(self, instance_id: str) -> tuple[str, str] | None:
        rows = self._rows(
            "SELECT facts::text AS facts, flags::text AS flags FROM review_facts"
            " WHERE instance_id = %s",
            [instance_id],
        )
        return (str(rows[0]["facts"]), str(rows[0]["flags"])) if rows else None

    def state(self, instance_id: str) -> str:
        rows = self._rows(
            f"SELECT {STATE_SQL} AS state FROM submissions s WHERE s.instance_id = %s",
            [instance_id],
        )
        return str(rows[0]["state"]) if rows else "unknown"

    def page(self, where: QueueQuery) -> list[dict[str, Any]]:
        return self._rows(*page_query(where))

    def total(self, where: QueueQuery) -> int:
        conditions, params = _filters(where)
        if where.state == "superseded":
            sql, params = COUNT.format(conditions=f"{conditions} AND {REPLACED_SET}"), params
        else:
            decided, more = _decided(where.state)
            matching = f"{conditions}{decided}"
            sql = (
                f"SELECT ({COUNT.format(conditions=matching)})"
                f" - ({COUNT.format(conditions=f'{matching} AND {REPLACED_SET}')}) AS n"
            )
            params = [*params, *more, *params, *more]
        [row] = self._rows(sql, params)
        return int(row["n"])

    def dashboard(self, district: str | None) -> list[EnumeratorFigures]:
        chosen, params = ("true", []) if district is None else ("f.district = %s", [district])
        with self.pool.connection() as connection, connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            connection.execute(DASHBOARD_MEMORY)
            again = connection.execute(REJECTED_AGAIN.format(district=chosen), params)
            more = {row["enumerator"]: int(row["n"]) for row in again}
            with connection.cursor(row_factory=tuple_row) as cursor:  # 70,000 rows at 1M
                rows = cursor.execute(DASHBOARD.format(district=chosen), params).fetchall()
        per_day: dict[str, dict[str, int]] = {}
        people = []
        for enumerator, day, whole, first_district, median, interviews, flagged, rejected in rows:
            if whole:
                people.append((enumerator, first_district, median, flagged, rejected))
            else:
                per_day.setdefault(enumerator, {})[str(day)] = interviews
        return [
            EnumeratorFigures(
                enumerator=enumerator,
                district=first_district,
                per_day=per_day.get(enumerator, {}),
                median_duration_s=median,
                flagged=flagged,
                rejections=rejected + more.get(enumerator, 0),
            )
            for enumerator, first_district, median, flagged, rejected in sorted(people)
        ]

    def replacements(self, instance_id: str) -> list[str]:
        rows = self._rows(
            "SELECT instance_id FROM submissions WHERE deprecated_id = %s ORDER BY pos",
            [instance_id],
        )
        return [str(row["instance_id"]) for row in rows]


def page_query(where: QueueQuery) -> tuple[str, list[Any]]:
    """The query of a page of the queue, and its parameters."""
    conditions, params = _filters(where)
    if where.state == "superseded":
        conditions += f" AND {REPLACED}"
    else:
        conditions += f" AND NOT {REPLACED}"
        if where.state == "received":
            conditions += f" AND {NO_REVIEW}"
        elif where.state is not None:  # looked up per walked row: the page stops early
            conditions += f" AND {LATEST} = %s"
            params.append(where.state)
    return PAGE.format(conditions=conditions), [*params, where.limit, where.offset]


def _filters(where: QueueQuery) -> tuple[str, list[Any]]:
    """The conditions of every filter but the state, and their parameters."""
    sql = ["true"]
    params: list[Any] = []
    for column, value in (
        ("s.district", where.district),
        ("s.enumerator", where.enumerator),
        ("s.form_id", where.form_id),
    ):
        if value:
            sql.append(f"{column} = %s")
            params.append(value)
    # A day's bounds as a range of `submitted_at` (ISO text), which the index serves.
    if where.date_from:
        sql.append("s.submitted_at >= %s")
        params.append(where.date_from)
    if where.date_to:
        sql.append("s.submitted_at < %s")
        params.append(where.date_to + "\uffff")
    if where.flag == "any":
        sql.append("f.flag_count > 0")
    elif where.flag:
        sql.append("f.flags @> %s::jsonb")
        params.append(json.dumps([{"code": where.flag}]))
    return " AND ".join(sql), params


def _decided(state: str | None) -> tuple[str, list[Any]]:
    """The condition (after an AND) that the latest decision is `state`, from every
    submission's latest review read at once; none without a state."""
    if state is None:
        return "", []
    if state == "received":
        return f" AND {NO_REVIEW}", []
    return f" AND {DECIDED}", [state]
