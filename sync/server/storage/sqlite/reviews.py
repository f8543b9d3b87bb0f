"""Review decisions and the returns devices pull, in SQLite."""

from __future__ import annotations

import json

from sync.server.storage.records import ReturnScope, ReviewRecord
from sync.server.storage.rows import returns_query, review_of
from sync.server.storage.sqlite.base import SqliteBase


class Reviews(SqliteBase):
    # reviews
    def add_review(self, review: ReviewRecord) -> ReviewRecord:
        with self._transaction():
            seq = self._event("review", review.instance_id)
            self.db.table("reviews").insert(
                {
                    "seq": seq,
                    "instance_id": review.instance_id,
                    "decision": review.decision,
                    "comment": review.comment,
                    "question_comments": json.dumps(review.question_comments),
                    "author": review.author,
                    "at": review.at,
                    "origin_seq": review.origin_seq,
                }
            )
        return ReviewRecord(
            review.instance_id,
            review.decision,
            review.comment,
            dict(review.question_comments),
            review.author,
            review.at,
            seq,
            review.origin_seq,
        )

    def returned_since(self, scope: ReturnScope, seq: int) -> list[ReviewRecord]:
        """Returns in `scope` numbered past `seq`, in order (see `rows.returns_query`)."""
        with self._lock:
            rows = self._rows(*returns_query(scope, seq, "?"))
        return [review_of(row) for row in rows]

    def reviews(self, instance_id: str) -> list[ReviewRecord]:
        with self._lock:
            rows = self._rows(
                "SELECT * FROM reviews WHERE instance_id = ? ORDER BY seq", [instance_id]
            )
        return [review_of(row) for row in rows]

    def last_seq(self) -> int:
        with self._lock:
            return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])
