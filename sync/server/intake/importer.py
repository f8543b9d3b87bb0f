"""`fieldapp-server submissions import PATH`: instance XMLs from a folder or a zip, each
through `ingest` as an OpenRosa submission would go, so flags, report rows and export rows
are the same as if a device had sent them.

Idempotent by instanceID: one already stored with the same XML is "skipped (already
stored)" (its files that never arrived are added). Each file is stored, skipped or refused
on its own; a refused file changes nothing. Which files are read is `submission_files`'
layout rule.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from sync.protocol import AttachmentRef
from sync.server.api.auth import SUBMITTERS
from sync.server.app import ServerConfig
from sync.server.errors import BadRequest, Conflict, DomainError
from sync.server.intake.files import Entry, Folder, chunks, open_source, read_entry
from sync.server.intake.ingest import check_received_files, ingest, referenced_names
from sync.server.intake.instance_fields import instance_fields, parse_submission
from sync.server.intake.limits import check_attachments
from sync.server.quality.sections import on_attachment
from sync.server.storage import AttachmentRecord, Storage, User
from sync.server.storage.blobs import BlobStore, Incoming

IMPORT_USER = "import"
"""Whom submissions are filed under without `--as` (an admin with no district), unless a
user of that name exists."""

PROGRESS_EVERY = 1000
"""Submission files between two progress lines of the command."""
Say = Callable[[str, str, str], None]
"""(outcome, place, detail): `stored`, `skipped` or `refused`, the file, what happened."""
Progress = Callable[[int, int], None]
"""(done, total): submission files taken in so far, and in all."""


def importer_of(storage: Storage, name: str | None) -> User:
    """The user the imported submissions are filed under (its district is theirs)."""
    user = storage.user(name or IMPORT_USER)
    if user is None and name is None:
        return User(IMPORT_USER, "admin", None)
    if user is None:
        raise DomainError(f"no user {name!r}; add one with `fieldapp-server users add`")
    if user.revoked:
        raise DomainError(f"user {user.name!r} is revoked")
    if user.role not in SUBMITTERS:
        raise DomainError(
            f"a {user.role} cannot submit; --as names an enumerator, a coordinator or an admin"
        )
    return user


@dataclass
class Importer:
    storage: Storage
    blobs: BlobStore
    user: User
    device_id: str
    """What the submissions' device field says: `import:` and the file or folder name."""
    file_limit: int
    say: Say
    progress: Progress
    done: int = 0
    total: int = 0

    def run(self, path: Path) -> None:
        try:
            with open_source(path) as folders:
                self.total = sum(len(folder.submissions) for folder in folders)
                for folder in folders:
                    self._folder(folder)
        except BadRequest as error:
            self.say("refused", str(path), error.message)

    def _folder(self, folder: Folder) -> None:
        for place, why in folder.refused:
            self.say("refused", place, why)
        named: set[str] = set()
        for entry in folder.submissions:
            try:
                self._submission(entry, folder.others, named)
            except (BadRequest, Conflict) as error:
                self.say("refused", entry.place, error.message)
            self.done += 1
            self.progress(self.done, self.total)
        unnamed = "not an .xml file, and no submission in its folder names it"
        for name in sorted(folder.others.keys() - named):
            self.say("refused", folder.others[name].place, unnamed)

    def _submission(self, entry: Entry, others: dict[str, Entry], named: set[str]) -> None:
        data = read_entry(entry, self.file_limit)
        try:
            xml = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("not UTF-8 text, so not a submission's XML") from None
        root = parse_submission(xml)
        fields = instance_fields(root)
        files = sorted(referenced_names(root) & others.keys())
        named.update(files)
        if fields.version and self.storage.form(fields.form_id, fields.version) is None:
            if self.storage.form(fields.form_id, None) is not None:
                raise BadRequest(
                    f"form {fields.form_id!r} has no version {fields.version!r} on this server"
                    " (publish that version first)"
                )
        check_attachments([others[n].size for n in files], self.file_limit)
        with ExitStack() as stack:
            received = {n: stack.enter_context(self.blobs.receiving()) for n in files}
            for name, incoming in received.items():
                for chunk in chunks(others[name]):
                    incoming.write(chunk)
            self._ingest(entry, xml, root, fields.instance_id, received)

    def _ingest(
        self,
        entry: Entry,
        xml: str,
        root: Element,
        instance_id: str,
        received: dict[str, Incoming],
    ) -> None:
        known = {a.name: a for a in self.storage.attachments(instance_id)}
        check_received_files(received, known, self.file_limit)
        refs = [AttachmentRef(name=n, sha256=f.sha256, size=f.size) for n, f in received.items()]
        result = ingest(
            self.storage,
            self.user,
            xml,
            attachments=refs,
            device_id=self.device_id,
            file_limit=self.file_limit,
            root=root,
        )
        if result.status == "rejected":
            raise BadRequest(result.message or "refused by ingestion")
        if result.status == "conflict" and not self._same_xml(instance_id, xml):
            raise BadRequest(f"a different submission with instanceID {instance_id} is stored")
        added = self._keep(instance_id, received)
        if result.status == "stored":
            self.say("stored", entry.place, instance_id)
        elif added:
            self.say("stored", entry.place, f"{instance_id}: added {added} missing file(s)")
        else:
            self.say("skipped", entry.place, f"{instance_id} (already stored)")

    def _same_xml(self, instance_id: str, xml: str) -> bool:
        stored = self.storage.submission(instance_id)
        digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
        return stored is not None and stored.xml_sha256 == digest

    def _keep(self, instance_id: str, received: dict[str, Incoming]) -> int:
        """Store the files not received before, as OpenRosa does; how many were new."""
        added = 0
        for name, incoming in received.items():
            digest = self.blobs.keep(incoming)
            record = AttachmentRecord(instance_id, name, digest, incoming.size, True)
            if self.storage.put_attachment(record):
                on_attachment(self.storage, self.blobs, instance_id, name)
                added += 1
        return added


def run_import(storage: Storage, blobs: BlobStore, args: argparse.Namespace) -> int:
    """The CLI command: refused files always listed, the others with --verbose; a summary;
    exit 1 if anything was refused."""
    counts = {"stored": 0, "skipped": 0, "refused": 0}

    def say(outcome: str, place: str, detail: str) -> None:
        counts[outcome] += 1
        if outcome == "refused" or args.verbose:
            print(f"{outcome}: {place}: {detail}")

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0:
            print(f"{done:,} of {total:,} submission files", file=sys.stderr, flush=True)

    user = importer_of(storage, args.as_user)
    limit = ServerConfig(args.data).body_limit
    device = f"import:{args.path.name}"[:100]
    Importer(storage, blobs, user, device, limit, say, progress).run(args.path)
    summary = ", ".join(f"{outcome} {n}" for outcome, n in counts.items())
    print(f"{summary} (as {user.name}, from {args.path})")
    return 1 if counts["refused"] else 0
