"""Review decisions and the returns devices pull, in PostgreSQL.

A decision's number comes from `_event`, whose lock is held until the decision commits:
decisions become visible in the order of their numbers, so a device that pulled up to
number n never misses a return numbered n or less that committed after its pull."""

from __future__ import annotations

import json
from dataclasses import replace

from sync.server.storage.postgres.base import PgBase
from sync.server.storage.records import ReturnScope, ReviewRecord
from sync.server.storage.rows import returns_query, review_of


class Reviews(PgBase):
    # reviews
    def add_review(self, review: ReviewRecord) -> ReviewRecord:
        with self._transaction() as conn:
            seq = self._event(conn, "review", review.instance_id)
            conn.execute(
                "INSERT INTO reviews (seq, instance_id, decision, comment, question_comments,"
                " author, at, origin_seq) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    seq,
                    review.instance_id,
                    review.decision,
                    review.comment,
                    json.dumps(review.question_comments),
                    review.author,
                    review.at,
                    review.origin_seq,
                ],
            )
        return replace(review, seq=seq, question_comments=dict(review.question_comments))

    def returned_since(self, scope: ReturnScope, seq: int) -> list[ReviewRecord]:
        """Returns in `scope` numbered past `seq`, in order (see `rows.returns_query`)."""
        rows = self._rows(*returns_query(scope, seq, "%s"))
        return [review_of(row) for row in rows]

    def reviews(self, instance_id: str) -> list[ReviewRecord]:
        rows = self._rows(
            "SELECT * FROM reviews WHERE instance_id = %s ORDER BY seq", [instance_id]
        )
        return [review_of(row) for row in rows]

    def last_seq(self) -> int:
        return int(self._rows("SELECT coalesce(max(seq), 0) AS n FROM events")[0]["n"])
