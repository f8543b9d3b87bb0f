"""Many living income submissions in PostgreSQL from a few thousand ingested for real.

Loading a million submissions through the HTTP path takes hours, so `base` households go in
through the real server (every derived row the server's own), and `multiply` copies them
inside PostgreSQL with `INSERT … SELECT` over `generate_series`. Copy `k` of base
submission number `src` (its instanceID `uuid:bench-<src>`) becomes number `n = k × base +
src`, and in every table:

- instanceID `uuid:bench-<n>`, household ID `HH-<n>` (in the XML, the instance name and
  every text or JSON column of a derived row, such as the export rows' KEY);
- the XML's SHA-256 recomputed from the new XML;
- `submitted_at` `k` hours before the original, the district `DISTRICTS[n % 4]` and the
  enumerator `enum<n % 40>` (each enumerator in one district, as the users table has them),
  copied from the new submission to the derived rows that repeat them (quality facts,
  metric values, the report's rows, whose `seq` is the new submission's position);
- a review decision `seq` of `k × top + seq` (`top`: the last event number of the base
  data), so decisions keep their order and never collide; the events counter moves past them;
- every other column as it was: the answers, flags, facts, metric values and export rows.

Copies are inserted in order of `n`, one transaction per `CHUNK` copies.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from benchmarks.living_income_store import DISTRICTS

CHUNK = 25
"""Copies of the base per transaction (50,000 submissions for a base of 2,000)."""
PREFIX = "uuid:bench-"
MAP = """
CREATE TEMP TABLE copy_map (
    old_id TEXT, new_id TEXT PRIMARY KEY, old_hh TEXT, new_hh TEXT, n BIGINT, k INTEGER
) ON COMMIT DELETE ROWS"""
FILL = """
INSERT INTO copy_map
SELECT s.instance_id, %(prefix)s || lpad(c.n::text, 7, '0'), 'HH-' || lpad(c.src::text, 7, '0'),
       'HH-' || lpad(c.n::text, 7, '0'), c.n, c.k
FROM submissions s, generate_series(%(first)s::int, %(last)s::int) AS k(k),
     LATERAL (SELECT k.k AS k, substr(s.instance_id, %(cut)s)::bigint AS src) AS b,
     LATERAL (SELECT b.k, b.src, b.k * %(base)s + b.src AS n) AS c
WHERE s.pos <= %(base_top)s"""
NEW_XML = "replace(replace(d.xml, m.old_id, m.new_id), m.old_hh, m.new_hh)"
SUBMISSION = {
    "instance_id": "m.new_id",
    "xml": NEW_XML,
    "xml_sha256": f"encode(sha256(convert_to({NEW_XML}, 'UTF8')), 'hex')",
    "submitted_at": "to_char((d.submitted_at::timestamptz - m.k * interval '1 hour')"
    " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') || '+00:00'",
    "district": "(%(districts)s::text[])[m.n %% 4 + 1]",
    "enumerator": "'enum' || (m.n %% 40)",
}
"""The new submission's columns that differ from the original's (`d`), given `m`."""
FROM_SUBMISSION = ("district", "enumerator", "submitted_at")
"""Columns a derived row repeats from its submission."""
REVIEW_SEQ = "d.seq + m.k * %(top)s"


def _columns(conn: psycopg.Connection[Any], table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT column_name, data_type, is_generated, identity_generation"
        " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
        " ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [(r[0], r[1]) for r in rows if r[2] != "ALWAYS" and r[3] is None]


def derived_tables(conn: psycopg.Connection[Any]) -> list[str]:
    """Every table besides `submissions` whose rows belong to one submission."""
    rows = conn.execute(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
        " USING (table_schema, table_name) WHERE c.table_schema = 'public'"
        " AND c.column_name = 'instance_id' AND t.table_type = 'BASE TABLE'"
        " AND c.table_name <> 'submissions' ORDER BY c.table_name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _expression(table: str, column: str, kind: str) -> str:
    if table == "submissions" and column in SUBMISSION:
        return SUBMISSION[column]
    if table == "reviews" and column == "seq":
        return REVIEW_SEQ
    if table != "submissions" and column == "instance_id":
        return "m.new_id"
    if table != "submissions" and column in FROM_SUBMISSION:
        return f"s.{column}"
    if table == "report_households" and column == "seq":
        return "s.pos"
    if column == "xml" or kind not in ("text", "jsonb"):
        return f"d.{column}"
    swapped = f"replace(replace(d.{column}::text, m.old_id, m.new_id), m.old_hh, m.new_hh)"
    return f"({swapped})::{kind}"


def _copy(conn: psycopg.Connection[Any], table: str, params: dict[str, object]) -> None:
    """Copy `table`'s rows of the mapped submissions (`copy_map`) under their new identity."""
    columns = _columns(conn, table)
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    # The expressions are this module's constants over column names from the catalog.
    chosen = sql.SQL(", ".join(_expression(table, name, kind) for name, kind in columns))
    if table == "submissions":
        source = "FROM copy_map m JOIN {table} d ON d.instance_id = m.old_id ORDER BY m.n"
    else:
        source = (
            "FROM copy_map m JOIN {table} d ON d.instance_id = m.old_id"
            " JOIN submissions s ON s.instance_id = m.new_id"
        )
    statement = sql.SQL("INSERT INTO {table} ({names}) SELECT {chosen} " + source)
    conn.execute(statement.format(table=sql.Identifier(table), names=names, chosen=chosen), params)


def multiply(url: str, base: int, first: int, last: int) -> None:
    """Add copies `first` to `last` (inclusive, from 1) of the `base` submissions that arrived
    first, with every derived row, in chunks of `CHUNK` copies."""
    with psycopg.connect(url) as conn:
        conn.execute(MAP)
        [(base_top,)] = conn.execute(
            "SELECT max(pos) FROM (SELECT pos FROM submissions ORDER BY pos LIMIT %s) AS b", [base]
        ).fetchall()
        # Copies add no events: the last one is still the base data's.
        [(top,)] = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchall()
        tables = ["submissions", *derived_tables(conn)]
        for start in range(first, last + 1, CHUNK):
            params = {"prefix": PREFIX, "cut": len(PREFIX) + 1, "base": base, "first": start,
                      "last": min(last, start + CHUNK - 1), "base_top": base_top, "top": top,
                      "districts": list(DISTRICTS)}  # fmt: skip
            conn.execute(FILL, params)
            for table in tables:
                _copy(conn, table, params)
            conn.commit()
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('events', 'seq'),"
            " greatest((SELECT max(seq) FROM events), (SELECT max(seq) FROM reviews)))"
        )
        conn.commit()
