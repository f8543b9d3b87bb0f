"""Recording a submission's quality facts and flags at ingestion, at a cost that does not grow
with the number of stored submissions.

The storage keeps them (`Storage.quality_facts`): the facts, flags and metric values of a
submission in one transaction right after the submission's own commit, what judging reads
(the current form version, a duplicate household, the peers' values) read in the same
call, so no other submission is recorded in between. Facts are derived data: if the process
dies between the two commits, `recover` (run when the index is first opened in a process)
records every submission that has none. The peers' outlier fences come from
`quality_peers.PeerFences` (cached quartiles, see there); the duplicate household check is
one indexed lookup.
"""

from __future__ import annotations

import json
import logging
import threading
from xml.etree.ElementTree import Element

from sync.server.quality.checks import Facts, Flag, check, extract_facts
from sync.server.quality.config import SETTING_KEY, QualityConfig
from sync.server.quality.peers import PeerFences
from sync.server.storage import Storage, SubmissionRecord
from sync.server.storage.repositories import FactsLookup, FactsRow

log = logging.getLogger(__name__)


class FactsRecorder:
    """Per storage location and process (held by `review_store.ReviewIndex`)."""

    def __init__(self) -> None:
        self.fences = PeerFences()
        self._config: tuple[str | None, QualityConfig] | None = None
        self._config_lock = threading.Lock()

    def config(self, storage: Storage) -> QualityConfig:
        """The project's settings, parsed again only when their text changed."""
        text = storage.get_setting(SETTING_KEY)
        with self._config_lock:
            if self._config is None or self._config[0] != text:
                parsed = (
                    QualityConfig() if text is None else QualityConfig.model_validate_json(text)
                )
                self._config = (text, parsed)
            return self._config[1]

    def record(
        self,
        storage: Storage,
        submission: SubmissionRecord,
        root: Element | None = None,
        config: QualityConfig | None = None,
    ) -> list[Flag]:
        """Compute and keep the facts and flags of a just-stored submission (`root`: its parsed
        XML, when ingestion has it; `config`: the settings, when read for a whole batch)."""
        config = self.config(storage) if config is None else config
        fields = config.field_map(submission.form_id)
        facts = extract_facts(
            submission.xml if root is None else root, fields, config.dont_know_codes
        )
        group = (submission.form_id, submission.district, facts.crop)

        def judge(lookup: FactsLookup) -> FactsRow:
            """The row to keep, from what `lookup` reads now: the storage may call it again
            (a retried transaction), so it builds everything it returns afresh."""
            duplicate = None
            if facts.household_id:
                duplicate = lookup.duplicate_of(
                    submission.form_id,
                    facts.household_id,
                    submission.instance_id,
                    submission.deprecated_id,
                )
            flags = check(
                facts,
                config,
                district=submission.district,
                form_version=submission.form_version,
                current_version=lookup.current_version(submission.form_id),
                peers={},
                duplicate_of=duplicate,
                fences=self.fences.quartiles(lookup, group),
            )
            # Counted before the row is kept, still inside the storage's call: a row that
            # fails to be kept, or is judged again, only makes the group's quartiles refresh
            # one insertion early.
            self.fences.added(group)
            return FactsRow(
                instance_id=submission.instance_id,
                form_id=submission.form_id,
                district=submission.district,
                enumerator=submission.enumerator,
                day=facts.day or submission.submitted_at[:10],
                household_id=facts.household_id,
                crop=facts.crop,
                facts=facts.model_dump_json(),
                flags=json.dumps([f.model_dump() for f in flags]),
                flag_count=len(flags),
                metrics=facts.metrics,
            )

        kept = storage.quality_facts.record(judge)
        return [Flag.model_validate(flag) for flag in json.loads(kept.flags)]

    def recover(self, storage: Storage, ingesting: str | None = None) -> int:
        """Record the submissions that have no facts (a crash between the two commits, or a
        database from before the index), but `ingesting`, whose derived rows are about to be
        written (`write_derived_rows`); returns how many."""
        missing = [i for i in storage.quality_facts.missing() if i != ingesting]
        for instance_id in missing:
            record = storage.submission(instance_id)
            if record is None:
                continue
            try:
                self.record(storage, record)
            except Exception:  # advisory data: one bad submission does not stop the others
                log.exception("quality flags of %s not recovered", instance_id)
        return len(missing)


def store_facts(storage: Storage, instance_id: str, facts: Facts) -> None:
    """Replace the kept facts of a submission (its durations, once its audit log arrived)."""
    storage.quality_facts.replace_facts(instance_id, facts.model_dump_json())
