"""Exports and reports run as jobs: started by one request, followed with their progress,
downloaded when done.

A supervisor at HQ exporting a season's submissions waits tens of seconds; a plain
download would show nothing until the file is complete. A job runs in a background
thread (a large export's CPU work is in the export's own worker processes), records the
progress the writer reports, and leaves its file in `<data>/exports/`, kept for an hour
after it finished. Only the user who started a job (or an admin) sees it.

A browser download cannot carry the API token, so a finished job hands out one-time
links: `/api/v1/export-jobs/<id>/download?ticket=...`, valid five minutes, used once.
Jobs live in the server process: a restart forgets them and removes their files.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from sync.server.errors import DomainError, NotFound, TooManyRequests
from sync.server.exports.run import FORMATS, export, export_schema, output_for
from sync.server.exports.source import ExportFilter
from sync.server.report.build import report_for
from sync.server.report.html import render_html
from sync.server.storage import Storage, User

log = logging.getLogger(__name__)

KINDS = (*FORMATS, "report")
"""The export formats, and `report`: the living income report as HTML."""
KEEP_SECONDS = 3600.0
"""How long a finished job and its file are kept."""
TICKET_SECONDS = 300.0
RUNNING_PER_USER = 2

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


@dataclass
class Job:
    id: str
    owner: str
    form_id: str
    kind: str
    chosen: ExportFilter
    path: Path
    filename: str
    media_type: str
    state: State = "running"
    done: int = 0
    total: int = 0
    message: str = ""
    finished: float | None = None
    tickets: dict[str, float] = field(default_factory=dict)
    """One-time download tickets and when each expires (monotonic seconds)."""

    def view(self) -> JobView:
        size = self.path.stat().st_size if self.state == "done" and self.path.exists() else 0
        return JobView(
            id=self.id, form_id=self.form_id, kind=self.kind, state=self.state, done=self.done,
            total=self.total, message=self.message, filename=self.filename, size=size,
        )  # fmt: skip


class ExportJobs:
    """The server's jobs; one instance per app (its `state.export_jobs`)."""

    def __init__(self, storage: Storage, folder: Path, keep_seconds: float = KEEP_SECONDS) -> None:
        self.storage, self.folder, self.keep_seconds = storage, folder, keep_seconds
        shutil.rmtree(folder, ignore_errors=True)  # files of jobs a restart forgot
        folder.mkdir(parents=True, exist_ok=True)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

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
        self._expire()
        with self._lock:
            running = [j for j in self._jobs.values() if j.owner == user.name]
            if sum(j.state == "running" for j in running) >= RUNNING_PER_USER:
                raise TooManyRequests(
                    f"{RUNNING_PER_USER} of your exports are still running; wait for one to finish"
                )
            job_id = secrets.token_urlsafe(12)
            job = Job(
                job_id, user.name, form_id, kind, chosen, self.folder / f"{job_id}{suffix}",
                f"{form_id}{suffix}", media,
            )  # fmt: skip
            self._jobs[job_id] = job
        threading.Thread(
            target=self._run, args=(job,), name=f"export-{job_id}", daemon=True
        ).start()
        return job

    def get(self, user: User, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (job.owner != user.name and user.role != "admin"):
            raise NotFound(f"no export job {job_id!r} of yours")
        return job

    def mine(self, user: User) -> list[Job]:
        self._expire()
        with self._lock:
            return [j for j in self._jobs.values() if j.owner == user.name]

    def done_file(self, job: Job) -> Job:
        if job.state != "done":
            raise NotFound(f"export job {job.id} is {job.state}, it has no file yet")
        return job

    def ticket(self, user: User, job_id: str) -> str:
        """A one-time download ticket for a finished job of `user`."""
        job = self.done_file(self.get(user, job_id))
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            job.tickets[ticket] = time.monotonic() + TICKET_SECONDS
        return ticket

    def redeem(self, job_id: str, ticket: str) -> Job:
        """The job a ticket opens, once; any other ticket is refused the same way."""
        with self._lock:
            job = self._jobs.get(job_id)
            found = None
            if job is not None:
                for known in job.tickets:
                    if hmac.compare_digest(known, ticket):
                        found = known
                expires = job.tickets.pop(found, 0.0) if found is not None else 0.0
        if job is None or found is None or expires < time.monotonic():
            raise NotFound("this download link is unknown, used or expired; ask for a new one")
        return self.done_file(job)

    def _run(self, job: Job) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        partial = job.path.with_name(job.path.name + ".partial")
        try:
            if job.kind == "report":
                report = report_for(self.storage, job.form_id, job.chosen)
                html = render_html(report, f"Living income report: {job.form_id}")
                partial.write_text(html, encoding="utf-8")
                job.done = job.total = len(report.households) + len(report.skipped)
            else:
                with open(partial, "wb") as out:
                    count = export(self.storage, job.form_id, job.kind, job.chosen, out, progress)
                job.done = job.total = count
            partial.replace(job.path)
            job.state = "done"
        except DomainError as error:
            job.message, job.state = error.message, "failed"
        except Exception:  # the message names the job; the log has the traceback
            log.exception("export job %s failed", job.id)
            job.message = f"the export failed on the server (job {job.id}); see the server log"
            job.state = "failed"
        finally:
            partial.unlink(missing_ok=True)
            job.finished = time.monotonic()

    def _expire(self) -> None:
        now = time.monotonic()
        with self._lock:
            old = [
                j
                for j in self._jobs.values()
                if j.finished is not None and now - j.finished > self.keep_seconds
            ]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            job.path.unlink(missing_ok=True)
