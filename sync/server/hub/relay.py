"""District hub: forward what devices sent here to the upstream server, exactly once.

The outbox state lives in the hub's database (`submissions.outbox`: pending, sent,
refused), so a restart of either side just resumes: the upstream answers "duplicate"
for anything it already holds. Each item names the enumerator and device that made it; the
upstream files it under them, with the hub as its route. Form updates and the returned
interviews of the district's enumerators come back down through `pull` (those the hub never
held too, with their XML), each return with the upstream's number for it, and are stored
for the devices (see `routes_batch` on what a device's pull cursor counts). The hub's users
come from upstream too (`relay_users`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Protocol

from sync.protocol import (
    AttachmentRef,
    FormInfo,
    HubUser,
    ItemResult,
    PullResult,
    ReturnedInstance,
    SubmissionItem,
)
from sync.server.errors import BadRequest
from sync.server.hub.trust import USERS_AT_KEY, USERS_EVERY, served
from sync.server.hub.users import HubUsersRefresh, for_coordinator
from sync.server.intake.ingest import now
from sync.server.intake.instance_fields import read_instance
from sync.server.publish import publish_xform
from sync.server.storage import ReviewRecord, Storage, SubmissionRecord
from sync.server.storage.blobs import BlobStore

log = logging.getLogger("fieldapp.relay")
CURSOR_KEY = "upstream_cursor"
BATCH = 50


class Upstream(Protocol):
    def push(
        self, items: Iterable[SubmissionItem], read_attachment: ReadAttachment
    ) -> list[ItemResult]: ...
    def pull(self, cursor: str | None) -> PullResult: ...
    def download_form(self, info: FormInfo) -> tuple[str, dict[str, bytes]]: ...
    def hub_users(self) -> list[HubUser]: ...


class ReadAttachment(Protocol):
    def __call__(self, instance_id: str, name: str, /) -> bytes: ...


class Forwarder:
    def __init__(
        self,
        storage: Storage,
        blobs: BlobStore,
        upstream: Upstream,
        *,
        name: str = "upstream",
        users_every: float = USERS_EVERY,
        say: Callable[[str], None] = log.info,
    ) -> None:
        """`name`: the upstream as the hub's messages call it (its URL); `say`: where the
        lines for the coordinator running the hub go."""
        self.storage, self.blobs, self.upstream = storage, blobs, upstream
        self.name, self.say = name, say
        self.users = HubUsersRefresh(storage, lambda: upstream.hub_users(), name, users_every)

    def read_attachment(self, instance_id: str, name: str) -> bytes:
        for attachment in self.storage.attachments(instance_id):
            if attachment.name == name and attachment.received:
                return self.blobs.read(attachment.sha256)
        raise KeyError(name)

    def _item(self, instance_id: str) -> SubmissionItem | None:
        record = self.storage.submission(instance_id)
        if record is None:
            return None
        attachments = self.storage.attachments(instance_id)
        return SubmissionItem(
            instance_id=record.instance_id,
            form_id=record.form_id,
            form_version=record.form_version,
            xml=record.xml,
            attachments=[
                AttachmentRef(name=a.name, sha256=a.sha256, size=a.size)
                for a in attachments
                if a.received
            ],
            enumerator=record.enumerator,
            device_id=record.device_id,
        )

    def push_pending(self) -> int:
        """Forward every pending submission whose attachments are all here; count the sent."""
        sent = 0
        while True:
            pending = self.storage.outbox_pending(BATCH)
            ready = [
                s
                for s in pending
                if all(a.received for a in self.storage.attachments(s.instance_id))
            ]
            items = [item for s in ready if (item := self._item(s.instance_id)) is not None]
            if not items:
                return sent
            for result in self.upstream.push(items, self.read_attachment):
                if result.status in ("stored", "duplicate") and not result.missing_attachments:
                    self.storage.outbox_mark(result.instance_id, "sent", None)
                    sent += 1
                elif result.status in ("conflict", "rejected"):
                    self.storage.outbox_mark(result.instance_id, "refused", result.message)
            if len(pending) < BATCH or len(ready) < len(pending):
                return sent

    def pull_down(self) -> int:
        """Store form updates and returned instances from upstream; count the returned."""
        answer = self.upstream.pull(self.storage.get_setting(CURSOR_KEY))
        for info in answer.forms:
            xform, media = self.upstream.download_form(info)
            publish_xform(
                self.storage,
                self.blobs,
                xform,
                form_id=info.form_id,
                version=info.version,
                title=info.title,
                media_files=media,
            )
        for returned in answer.returned:
            self._return(returned)
        self.storage.set_setting(CURSOR_KEY, answer.cursor)
        return len(answer.returned)

    def _return(self, returned: ReturnedInstance) -> None:
        """Record a return once: a pull repeated after a stop before the cursor was saved
        brings the same return (same upstream number, or same instance and returned_at from
        an upstream that numbers none) again. An interview the hub never held (its device
        sent it straight to HQ) is kept, as sent, so the device gets it back here too."""
        if self.storage.submission(returned.instance_id) is None and not self._keep(returned):
            return
        if any(
            r.origin_seq == returned.seq
            if returned.seq is not None
            else r.decision == "rejected" and r.at == returned.returned_at
            for r in self.storage.reviews(returned.instance_id)
        ):
            return
        general = [c for c in returned.comments if c.ref is None]
        self.storage.add_review(
            ReviewRecord(
                instance_id=returned.instance_id,
                decision="rejected",
                comment="\n".join(c.text for c in general),
                question_comments={c.ref: c.text for c in returned.comments if c.ref},
                author=general[0].author if general else "upstream",
                at=returned.returned_at,
                seq=0,
                origin_seq=returned.seq,
            )
        )

    def _keep(self, returned: ReturnedInstance) -> bool:
        """Store a returned interview this hub never held; False if it cannot say whose it
        is (an upstream that predates `ReturnedInstance.enumerator`) or cannot read it."""
        if returned.enumerator is None:
            return False
        try:
            fields = read_instance(returned.xml)
        except BadRequest as error:
            log.warning("returned interview %s not kept: %s", returned.instance_id, error)
            return False
        maker = self.storage.user(returned.enumerator)
        record = SubmissionRecord(
            instance_id=returned.instance_id,
            form_id=returned.form_id,
            form_version=returned.form_version,
            xml=returned.xml,
            xml_sha256=hashlib.sha256(returned.xml.encode("utf-8")).hexdigest(),
            deprecated_id=fields.deprecated_id,
            instance_name=fields.instance_name,
            submitted_at=now(),
            enumerator=returned.enumerator,
            district=maker.district if maker is not None else None,
            device_id=None,
        )
        self.storage.add_submission(record, [], outbox="sent")
        return True

    def run(
        self,
        stop: threading.Event,
        interval: float = 5.0,
        listening: threading.Event | None = None,
        address: str = "",
    ) -> None:
        """Forward and pull until `stop` is set; an uplink that is down is retried next round
        (said once, until the reason changes or a round goes through). Once the hub is
        `listening` on `address` and has its users, one line says it is ready; then a line
        per round that forwarded or brought back something."""
        if listening is not None:
            listening.wait()
        said: str | None = None
        ready = False
        while not stop.is_set():
            self.users.when_due()
            if not ready and self.storage.get_setting(USERS_AT_KEY) is not None:
                ready = True
                self.say(self.ready_line(address, interval))
            try:
                forwarded, returned = self.push_pending(), self.pull_down()
                log.debug("relay round: %d forwarded, %d returned", forwarded, returned)
                if forwarded or returned:
                    self.say(round_line(forwarded, returned, self.name))
                said = None
            except Exception as error:  # uplink down, upstream refusing: retry later
                reason = for_coordinator(error, self.name)
                message = f"relay round failed, retrying in {interval:g}s: {reason}"
                log.log(logging.DEBUG if message == said else logging.WARNING, message)
                said = message
            stop.wait(interval)

    def ready_line(self, address: str, interval: float) -> str:
        users = sum(not user.revoked for user, _ in self.storage.hub_users(None))
        return (
            f"Hub ready on {address}: {users} user{'' if users == 1 else 's'} of"
            f" {served(self.storage)} from {self.name}; forwarding every {interval:g} s"
        )


def round_line(forwarded: int, returned: int, upstream: str) -> str:
    """What a round did: `3 interviews forwarded to URL; 1 returned for correction`."""
    done = []
    if forwarded:
        done.append(f"{forwarded} interview{'' if forwarded == 1 else 's'} forwarded to {upstream}")
    if returned:
        done.append(f"{returned} returned for correction, kept for the tablets")
    return "; ".join(done)
