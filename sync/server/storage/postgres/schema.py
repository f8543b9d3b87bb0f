"""The PostgreSQL schema: numbered migrations, each a list of statements applied in one
transaction at start; `schema_migrations` keeps the numbers applied.

Add a migration only at the end; never change or reorder one already released. The first
one is the SQLite schema as it stands after its own migration 5, plus the derived tables
SQLite creates on first use, so both backends hold the same data.
"""

from __future__ import annotations

import re

V1 = (
    """CREATE TABLE users (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, district TEXT,
        token_hash TEXT NOT NULL UNIQUE, revoked INTEGER NOT NULL DEFAULT 0)""",
    "CREATE TABLE events (seq BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL)",
    """CREATE TABLE forms (
        form_id TEXT NOT NULL, version TEXT NOT NULL, title TEXT, md5 TEXT, xml TEXT,
        seq BIGINT, media TEXT, current INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (form_id, version))""",
    # `pos` is the order of arrival, what SQLite's rowid gives: exports stream by it and the
    # backfills keep their place in it.
    """CREATE TABLE submissions (
        pos BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        instance_id TEXT PRIMARY KEY, form_id TEXT NOT NULL, form_version TEXT, xml TEXT NOT NULL,
        xml_sha256 TEXT, deprecated_id TEXT, instance_name TEXT, submitted_at TEXT NOT NULL,
        enumerator TEXT, district TEXT, device_id TEXT, outbox TEXT, outbox_message TEXT,
        replaced_by TEXT, via TEXT)""",
    "CREATE INDEX submissions_enumerator ON submissions (enumerator)",
    "CREATE INDEX submissions_outbox ON submissions (outbox, pos)",
    "CREATE INDEX submissions_deprecated ON submissions (deprecated_id)",
    "CREATE INDEX submissions_submitted ON submissions (submitted_at)",
    "CREATE INDEX submissions_district_submitted ON submissions (district, submitted_at)",
    "CREATE INDEX submissions_form_pos ON submissions (form_id, pos)",
    """CREATE TABLE attachments (
        instance_id TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT, size BIGINT,
        received INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (instance_id, name))""",
    """CREATE TABLE reviews (
        seq BIGINT PRIMARY KEY, instance_id TEXT NOT NULL, decision TEXT NOT NULL,
        comment TEXT, question_comments TEXT, author TEXT, at TEXT, origin_seq BIGINT)""",
    "CREATE INDEX reviews_instance ON reviews (instance_id, seq)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)",
)
"""Core tables (users, events, forms, submissions, attachments, reviews, settings)."""

V2 = (
    # Quality facts: flags as jsonb, found by code through the GIN index (`@>`).
    """CREATE TABLE review_facts (
        instance_id TEXT PRIMARY KEY, form_id TEXT, district TEXT, enumerator TEXT, day TEXT,
        household_id TEXT, crop TEXT, facts JSONB NOT NULL, flags JSONB NOT NULL,
        flag_count INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX review_facts_household ON review_facts (form_id, household_id)",
    "CREATE INDEX review_facts_flags ON review_facts USING GIN (flags jsonb_path_ops)",
    "CREATE INDEX review_facts_district ON review_facts (district, enumerator)",
    """CREATE TABLE review_metrics (
        instance_id TEXT NOT NULL, form_id TEXT, district TEXT, crop TEXT, metric TEXT NOT NULL,
        value DOUBLE PRECISION NOT NULL, PRIMARY KEY (instance_id, metric))""",
    "CREATE INDEX review_metrics_group ON review_metrics (form_id, district, crop, metric, value)",
    # The review queue walks these newest first and stops at the page's end.
    "CREATE INDEX submissions_newest ON submissions (submitted_at DESC, instance_id DESC)",
    """CREATE INDEX submissions_district_newest
        ON submissions (district, submitted_at DESC, instance_id DESC)""",
    # Each submission's latest decision, read from the index alone, in instanceID order.
    "CREATE INDEX reviews_latest ON reviews (instance_id, seq DESC) INCLUDE (decision)",
    """CREATE TABLE export_parts (
        instance_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, parts TEXT NOT NULL)""",
    # A backfill's mark (see `export_rows.BackfillMark`): every submission up to `last_pos`
    # was checked; up to `pending_pos` too, but for those of transactions below
    # `pending_xmax` (a transaction id) that were running when it was set.
    """CREATE TABLE derived_checked (
        name TEXT PRIMARY KEY, last_pos BIGINT NOT NULL DEFAULT 0, pending_pos BIGINT,
        pending_xmax BIGINT)""",
    # The report's table itself follows the report's numbered layout (`report_rows`).
    "CREATE TABLE report_schema (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
)
"""Derived rows: quality facts and metric values, export rows, the backfills' marks."""

SHARED_STATE = (
    """CREATE TABLE export_jobs (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, form_id TEXT NOT NULL, kind TEXT NOT NULL,
        chosen TEXT NOT NULL, file TEXT NOT NULL, filename TEXT NOT NULL,
        media_type TEXT NOT NULL, state TEXT NOT NULL, done BIGINT NOT NULL DEFAULT 0,
        total BIGINT NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
        started TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        lease_until TIMESTAMPTZ NOT NULL, finished TIMESTAMPTZ)""",
    "CREATE INDEX export_jobs_owner ON export_jobs (owner, started)",
    "CREATE INDEX export_jobs_running ON export_jobs (lease_until) WHERE state = 'running'",
    """CREATE TABLE export_tickets (
        ticket_hash TEXT PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
        expires TIMESTAMPTZ NOT NULL, used BOOLEAN NOT NULL DEFAULT false)""",
    "CREATE INDEX export_tickets_job ON export_tickets (job_id)",
    # Written on every request, rebuilt by itself: no write-ahead log (`rate_limits.py`).
    """CREATE UNLOGGED TABLE rate_buckets (
        key TEXT PRIMARY KEY, level DOUBLE PRECISION NOT NULL, at TIMESTAMPTZ NOT NULL,
        taken BOOLEAN NOT NULL)""",
)
"""What the server processes share besides data: export jobs and their one-time tickets
(`jobs.py`), and the per-token rate limits (`rate_limits.py`)."""

DASHBOARD = (
    # The interview's duration as a column of its own, kept by the database from the facts.
    """ALTER TABLE review_facts ADD COLUMN duration_s DOUBLE PRECISION
        GENERATED ALWAYS AS ((facts ->> 'duration_s')::double precision) STORED""",
    # The dashboard reads every enumerator's facts day by day from this index alone.
    """CREATE INDEX review_facts_dashboard ON review_facts (enumerator, day)
        INCLUDE (district, flag_count, duration_s, instance_id)""",
    # It served the dashboard's rows of a district; nothing reads by it now.
    "DROP INDEX review_facts_district",
)
"""The dashboard's figures counted in the database (`review_index.DASHBOARD`)."""

LZ4 = (
    """DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_settings
                   WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
            ALTER TABLE submissions ALTER COLUMN xml SET COMPRESSION lz4;
            ALTER TABLE export_parts ALTER COLUMN parts SET COMPRESSION lz4;
        END IF;
    END $$""",
)
"""A submission's XML (13 kB for a living income household) and its export parts are
compressed with lz4 rather than PostgreSQL's default pglz, where the server was built with
it (Debian's and the official packages are): every ingestion compresses them and every
export reads them back. Inserting the benchmarks' 2,000 submissions one by one took about a
third less of PostgreSQL's CPU per insert than with pglz, for a table about a fifth larger
(`docs/storage.md`). Rows stored before keep their compression; they read back all the
same."""


def _bytewise(statements: tuple[str, ...]) -> tuple[str, ...]:
    """`statements` with every TEXT column declared `COLLATE "C"`: text is then ordered and
    compared byte by byte, as SQLite does, whatever the database's collation (an English
    one puts "amina" before "Bako", bytes put "B" first). The queue's order, its day bounds
    (`'\\uffff'`) and the export's order rest on it; one collation on every column also
    keeps joins between tables on their indexes."""
    return tuple(re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', statement) for statement in statements)


MIGRATIONS: list[tuple[str, ...]] = [_bytewise(V1), _bytewise(V2), SHARED_STATE, DASHBOARD, LZ4]
"""Schema changes in order; `schema_migrations` keeps the numbers applied. The helpers that
implement the derived repositories append their tables here as further migrations."""
