"""The storage's export jobs, tickets, rate limits and work locks, on SQLite and PostgreSQL.

On PostgreSQL each storage has a pool of its own, as each server process does: `second` is
another process on the same database. On SQLite (one process) `second` is the same storage.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from sync.server.storage import Storage
from sync.server.storage.postgres import PostgresStorage
from sync.server.storage.repositories import JobRow
from sync.server.storage.sqlite import SqliteStorage
from tests.waiting import together, wait_until

LONG = 600.0


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Storage, Storage]]:
    if request.param == "sqlite":
        storage = SqliteStorage(tmp_path / "server.db")
        yield storage, storage
        return
    url: str = request.getfixturevalue("postgres_url")
    first, second = PostgresStorage(url), PostgresStorage(url)
    yield first, second
    first.close()
    second.close()


def _job(job_id: str, owner: str = "sue") -> JobRow:
    return JobRow(
        job_id, owner, "survey", "csv", '{"states":[]}', f"{job_id}.csv.zip", "survey.csv.zip",
        "application/zip",
    )  # fmt: skip


def test_a_job_kept_by_one_process_is_followed_from_the_other(
    pair: tuple[Storage, Storage],
) -> None:
    first, second = pair
    assert first.jobs.add(_job("j1"), LONG, 2)
    seen = second.jobs.get("j1")
    assert seen is not None and seen.state == "running"
    first.jobs.renew("j1", 40, 100, LONG)
    assert second.jobs.get("j1") == replace(_job("j1"), done=40, total=100)
    first.jobs.finish("j1", "done", 100, 100, "")
    ended = second.jobs.get("j1")
    assert ended is not None and (ended.state, ended.done, ended.total) == ("done", 100, 100)
    assert [j.id for j in second.jobs.of_owner("sue")] == ["j1"] and second.jobs.of_owner("x") == []
    assert second.jobs.get("nope") is None


def test_running_jobs_are_capped_per_owner_and_a_lapsed_lease_frees_its_place(
    pair: tuple[Storage, Storage],
) -> None:
    first, second = pair
    assert first.jobs.add(_job("a"), LONG, 2) and second.jobs.add(_job("b"), 0.0, 2)
    assert not first.jobs.add(_job("c"), LONG, 1)
    assert first.jobs.add(_job("c"), LONG, 2)  # b's lease has run out: it no longer counts
    assert not second.jobs.add(_job("d"), LONG, 2) and first.jobs.get("d") is None
    assert second.jobs.add(_job("e", owner="sam"), LONG, 2)
    lapsed = first.jobs.lapse("its process stopped")
    assert [(j.id, j.state, j.message) for j in lapsed] == [("b", "failed", "its process stopped")]
    second.jobs.finish("b", "done", 1, 1, "")  # too late: a lapsed job stays failed
    second.jobs.renew("b", 1, 1, LONG)
    still = first.jobs.get("b")
    assert still is not None and still.state == "failed" and first.jobs.lapse("again") == []


def test_the_cap_holds_when_both_processes_start_jobs_at_once(
    pair: tuple[Storage, Storage],
) -> None:
    first, second = pair
    calls = [lambda i=i: (first, second)[i % 2].jobs.add(_job(f"j{i}"), LONG, 2) for i in range(8)]
    assert sum(together(*calls)) == 2
    assert sum(j.state == "running" for j in first.jobs.of_owner("sue")) == 2


def test_a_ticket_opens_its_job_once_whichever_process_redeems_it(
    pair: tuple[Storage, Storage],
) -> None:
    first, second = pair
    first.jobs.add(_job("j1"), LONG, 2)
    first.jobs.add(_job("j2"), LONG, 2)
    first.jobs.add_ticket("j1", "hash-1", LONG)
    first.jobs.add_ticket("j1", "hash-old", -1.0)
    assert not second.jobs.redeem("j2", "hash-1")  # another job's ticket
    assert not second.jobs.redeem("j1", "hash-old")  # expired
    redeemed = together(*[lambda s=s: s.jobs.redeem("j1", "hash-1") for s in (first, second) * 4])
    assert sum(redeemed) == 1 and not first.jobs.redeem("j1", "hash-1")


def test_finished_jobs_expire_with_their_tickets(pair: tuple[Storage, Storage]) -> None:
    first, second = pair
    for name in ("old", "new", "busy"):
        first.jobs.add(_job(name), LONG, 5)
    first.jobs.finish("old", "done", 3, 3, "")
    first.jobs.add_ticket("old", "hash-old", LONG)
    assert second.jobs.expire(LONG) == []
    gone = second.jobs.expire(0.0)
    assert [j.id for j in gone] == ["old"] and first.jobs.get("old") is None
    assert not first.jobs.redeem("old", "hash-old")
    assert sorted(j.id for j in first.jobs.of_owner("sue")) == ["busy", "new"]


def test_a_rate_limit_counts_the_requests_of_every_process(
    pair: tuple[Storage, Storage],
) -> None:
    first, second = pair
    taken = [(first, second)[i % 2].rate_limits.take("token", 0.001, 5) for i in range(7)]
    assert taken == [True] * 5 + [False] * 2
    assert second.rate_limits.take("other token", 0.001, 5)
    calls = [lambda i=i: (first, second)[i % 2].rate_limits.take("burst", 0.001, 10) for i in range(16)]  # fmt: skip
    assert sum(together(*calls)) == 10
    wait_until(lambda: first.rate_limits.take("token", 50.0, 5), "the bucket to refill")


def test_a_refused_request_takes_nothing_from_the_bucket(pair: tuple[Storage, Storage]) -> None:
    first, second = pair
    assert first.rate_limits.take("token", 20.0, 1)
    refused = 0
    while not second.rate_limits.take("token", 20.0, 1):
        refused += 1
    assert refused >= 1  # the bucket refilled despite the refusals, within 1/rate seconds


def test_a_work_lock_keeps_the_second_process_waiting(postgres_url: str) -> None:
    first, second = PostgresStorage(postgres_url), PostgresStorage(postgres_url)
    entered = threading.Event()

    def backfill() -> None:
        with second.work_locks.hold("export rows backfill"):
            entered.set()

    waiting = threading.Thread(target=backfill)
    with first.work_locks.hold("export rows backfill"):
        waiting.start()
        with psycopg.connect(postgres_url, autocommit=True) as watch:
            wait_until(
                lambda: (
                    watch.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    ).fetchone()
                    == (1,)
                ),
                "the second process to wait for the lock",
            )
        assert not entered.is_set()
    waiting.join(30)
    assert entered.is_set()
    with first.work_locks.hold("another backfill"), second.work_locks.hold("export rows backfill"):
        pass
    first.close()
    second.close()
