"""The PostgreSQL schema: numbered migrations, each a list of statements applied in one
transaction at start; `schema_migrations` keeps the numbers applied.

Add a migration only at the end; never change or reorder one already released. The first
one is the SQLite schema as it stands after its own migration 5, plus the derived tables
SQLite creates on first use, so both backends hold the same data.
"""

from __future__ import annotations

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

MIGRATIONS: list[tuple[str, ...]] = [V1]
"""Schema changes in order; `schema_migrations` keeps the numbers applied. The helpers that
implement the derived repositories append their tables here as further migrations."""
