"""Exports and reports run as jobs: started by one request, followed with their progress,
downloaded when done.

A supervisor at HQ exporting a season's submissions waits tens of seconds; a plain
download would show nothing until the file is complete. A job runs in a background
thread (a large export's CPU work is in the export's own worker processes), records the
progress the writer reports, and leaves its file in `<data>/exports/`, kept for an hour
after it finished. Only the user who started a job (or an admin) sees it.

A browser download cannot carry the API token, so a finished job hands out one-time
links: `/api/v1/export-jobs/<id>/download?ticket=...`, valid five minutes, used once.

Jobs are kept by the storage (`Storage.jobs`), so every process of a server sees the same
ones: a job started through one process is followed and downloaded through another, and
the per-user limit counts them all. The process running a job renews its lease every
`HEARTBEAT_SECONDS` with the progress; a job whose lease ran out (its process died) is
failed by the next process that looks, and its partial file removed.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from sync.server.errors import DomainError, NotFound, TooManyRequests
from sync.server.exports.run import FORMATS, export, export_schema, output_for
from sync.server.exports.source import ExportFilter
from sync.server.report.build import report_for
from sync.server.report.html import render_html
from sync.server.storage import Storage, User
from sync.server.storage.repositories import JobRow

log = logging.getLogger(__name__)

KINDS = (*FORMATS, "report")
"""The export formats, and `report`: the living income report as HTML."""
KEEP_SECONDS = 3600.0
"""How long a finished job and its file are kept."""
TICKET_SECONDS = 300.0
RUNNING_PER_USER = 2
LEASE_SECONDS = 15.0
"""How long a running job is trusted without news from its process."""
HEARTBEAT_SECONDS = 1.0
"""How often a running job's progress is written and its lease renewed."""
LAPSED = "the server process running this export stopped before it finished; start it again"

State = Literal["running", "done", "failed"]


class JobView(BaseModel):
    """What the API shows of a job."""

    id: str
    form_id: str
    kind: str
    state: State
    done: int
    total: int
    message: str = ""
    filename: str
    size: int = 0


@dataclass(frozen=True)
class Job:
    """A job as the storage last had it, and where its file is."""

    row: JobRow
    folder: Path

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def state(self) -> str:
        return self.row.state

    @property
    def path(self) -> Path:
        return self.folder / self.row.file

    @property
    def filename(self) -> str:
        return self.row.filename

    @property
    def media_type(self) -> str:
        return self.row.media_type

    def view(self) -> JobView:
        done = self.row.state == "done" and self.path.exists()
        return JobView.model_validate(
            {**asdict(self.row), "size": self.path.stat().st_size if done else 0}
        )


def _hashed(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


class ExportJobs:
    """The server's jobs, as this process starts and shows them (its `state.export_jobs`)."""

    def __init__(
        self,
        storage: Storage,
        folder: Path,
        keep_seconds: float = KEEP_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.storage, self.folder = storage, folder
        self.keep_seconds, self.lease_seconds = keep_seconds, lease_seconds
        folder.mkdir(parents=True, exist_ok=True)
        self._tidy()
        self._remove_unknown_files()

    def start(self, user: User, form_id: str, kind: str, chosen: ExportFilter) -> Job:
        """Start a job for `user` (whose filter is already scoped); refused at once for an
        unknown format or form, or when the user already runs `RUNNING_PER_USER` jobs."""
        if kind not in KINDS:
            raise NotFound(f"no export format {kind!r}; choose one of {', '.join(KINDS)}")
        if self.storage.form(form_id, None) is None:
            raise NotFound(f"no form {form_id!r} on this server")
        suffix, media = ("-report.html", "text/html")
        if kind != "report":
            made = output_for(export_schema(self.storage, form_id, chosen), kind)
            suffix, media = made.suffixes[0], made.media_type
        self._tidy()
        job_id = secrets.token_urlsafe(12)
        row = JobRow(
            job_id, user.name, form_id, kind, chosen.model_dump_json(), f"{job_id}{suffix}",
            f"{form_id}{suffix}", media,
        )  # fmt: skip
        if not self.storage.jobs.add(row, self.lease_seconds, RUNNING_PER_USER):
            raise TooManyRequests(
                f"{RUNNING_PER_USER} of your exports are still running; wait for one to finish"
            )
        job = Job(row, self.folder)
        threading.Thread(
            target=self._run, args=(job, chosen), name=f"export-{job_id}", daemon=True
        ).start()
        return job

    def get(self, user: User, job_id: str) -> Job:
        self._tidy()
        row = self.storage.jobs.get(job_id)
        if row is None or (row.owner != user.name and user.role != "admin"):
            raise NotFound(f"no export job {job_id!r} of yours")
        return Job(row, self.folder)

    def mine(self, user: User) -> list[Job]:
        self._tidy()
        return [Job(row, self.folder) for row in self.storage.jobs.of_owner(user.name)]

    def done_file(self, job: Job) -> Job:
        if job.state != "done":
            raise NotFound(f"export job {job.id} is {job.state}, it has no file yet")
        return job

    def ticket(self, user: User, job_id: str) -> str:
        """A one-time download ticket for a finished job of `user` (kept hashed)."""
        job = self.done_file(self.get(user, job_id))
        ticket = secrets.token_urlsafe(24)
        self.storage.jobs.add_ticket(job.id, _hashed(ticket), TICKET_SECONDS)
        return ticket

    def redeem(self, job_id: str, ticket: str) -> Job:
        """The job a ticket opens, once; any other ticket is refused the same way."""
        row = self.storage.jobs.get(job_id) if ticket else None
        if row is None or not self.storage.jobs.redeem(job_id, _hashed(ticket)):
            raise NotFound("this download link is unknown, used or expired; ask for a new one")
        return self.done_file(Job(row, self.folder))

    def _run(self, job: Job, chosen: ExportFilter) -> None:
        counts = [0, 0]
        stop = threading.Event()

        def progress(done: int, total: int) -> None:
            counts[:] = [done, total]

        def heartbeat() -> None:
            while not stop.wait(HEARTBEAT_SECONDS):
                try:
                    self.storage.jobs.renew(job.id, counts[0], counts[1], self.lease_seconds)
                except Exception:  # the next beat tries again; the lease allows for a few
                    log.exception("export job %s: progress not written", job.id)

        threading.Thread(target=heartbeat, name=f"lease-{job.id}", daemon=True).start()
        partial = job.path.with_name(job.path.name + ".partial")
        state, message = "failed", ""
        try:
            if job.row.kind == "report":
                report = report_for(self.storage, job.row.form_id, chosen)
                html = render_html(report, f"Living income report: {job.row.form_id}")
                partial.write_text(html, encoding="utf-8")
                counts[:] = [len(report.households) + len(report.skipped)] * 2
            else:
                with open(partial, "wb") as out:
                    count = export(
                        self.storage, job.row.form_id, job.row.kind, chosen, out, progress
                    )
                counts[:] = [count, count]
            partial.replace(job.path)
            state = "done"
        except DomainError as error:
            message = error.message
        except Exception:  # the message names the job; the log has the traceback
            log.exception("export job %s failed", job.id)
            message = f"the export failed on the server (job {job.id}); see the server log"
        finally:
            stop.set()
            partial.unlink(missing_ok=True)
            self.storage.jobs.finish(job.id, state, counts[0], counts[1], message)

    def _tidy(self) -> None:
        """Fail the jobs whose process died and forget those finished `keep_seconds` ago,
        with their files: whichever process looks first does it."""
        for row in (*self.storage.jobs.lapse(LAPSED), *self.storage.jobs.expire(self.keep_seconds)):
            path = self.folder / row.file
            path.with_name(path.name + ".partial").unlink(missing_ok=True)
            path.unlink(missing_ok=True)

    def _remove_unknown_files(self) -> None:
        """Files no job names: left by jobs forgotten while no process was running."""
        for path in self.folder.iterdir():
            row = self.storage.jobs.get(path.name.split(".", 1)[0].removesuffix("-report"))
            if row is None or (path.name.endswith(".partial") and row.state != "running"):
                path.unlink(missing_ok=True)
