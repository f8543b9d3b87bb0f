"""The Exports screen: a form, a format and filters; a job with its progress; a download.

The export runs on the server as a job (`sync/server/exports/jobs.py`); this screen polls
it twice a second and, once it is done, asks for a one-time link and opens it in a new
browser tab, so the file goes from the server straight to the supervisor's browser (the
API token never appears in a URL). The jobs of the last hour are listed with their own
download buttons.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import flet as ft

from sync.server.supervisor_ui.api import ReviewApi, ReviewApiError
from sync.server.supervisor_ui.widgets import button, keep_typing, size_text, text

FORMATS = (("csv", "CSV"), ("xlsx", "Excel"), ("dta", "Stata"), ("geojson", "GeoJSON"),
           ("report", "Living income report"))  # fmt: skip
FILTERS = (("state", "States", "received, approved, has_issues, rejected"),
           ("district", "Districts", "north, south"), ("version", "Form versions", "2026112601"),
           ("since", "From date", "2026-01-31"), ("until", "To date", "2026-03-31"))  # fmt: skip
"""(name, label, hint); the first three take several values separated by commas."""
POLL_SECONDS = 0.5
REPORT_TIMEOUT = 300.0
"""Seconds the report screen waits for the server's report."""


class ExportsApi(ReviewApi):
    """The export jobs API, with the same token and the same messages as the review API."""

    def __init__(self, server: str, token: str, timeout: float = 15.0) -> None:
        super().__init__(server, token, timeout)
        self.server = server.rstrip("/")
        self.client.base_url = self.server + "/api/v1"

    def forms(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", "/export-forms")
        return found

    def start(self, form: str, kind: str, filters: dict[str, str]) -> dict[str, Any]:
        body: dict[str, Any] = {"form": form, "format": kind}
        for name, value in filters.items():
            if not value.strip():
                continue
            parts = [p.strip() for p in value.split(",") if p.strip()]
            body[name] = value.strip() if name in ("since", "until") else parts
        job: dict[str, Any] = self._call("POST", "/export-jobs", json=body)
        return job

    def job(self, job_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", f"/export-jobs/{job_id}")
        return found

    def jobs(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", "/export-jobs")
        return found

    def report(self, form: str, states: tuple[str, ...] = ()) -> dict[str, Any]:
        """The living income report's groups and charts (`report/summary.json`) over the
        submissions in `states` (none: the server's default, approved): computed over every
        household, so it may take a while (10 s for 100,000)."""
        params: dict[str, Any] = {"form": form, "state": list(states)}
        found: dict[str, Any] = self._call(
            "GET", "/report/summary.json", params=params, timeout=REPORT_TIMEOUT
        )
        return found

    def link(self, job_id: str) -> str:
        """An absolute one-time download URL of a finished job."""
        return self.server + str(self._call("POST", f"/export-jobs/{job_id}/link")["url"])


def progress_text(job: dict[str, Any]) -> str:
    if job["state"] == "failed":
        return f"Failed: {job['message']}"
    if job["state"] == "done":
        count = f"{job['done']:,} submission{'' if job['done'] == 1 else 's'}"
        return f"Done: {job['filename']}, {count}, {size_text(job['size'])}"
    if job["total"]:
        return f"Exporting: {job['done']:,} of {job['total']:,} submissions"
    return "Exporting: starting"


class ExportsScreen:
    """Built by the supervisor screens' `Exports` button; `show(title, controls)` draws."""

    def __init__(
        self, page: ft.Page, api: ExportsApi, show: Callable[[str, list[ft.Control]], None]
    ) -> None:
        self.page, self.api, self.show = page, api, show
        self.form: str | None = None
        self.kind = "csv"
        self.filters = {
            name: ft.TextField(label=label, hint_text=hint, width=250, on_change=keep_typing)
            for name, label, hint in FILTERS
        }
        self.status = text("")
        self.bar = ft.ProgressBar(value=0, width=420, semantics_label="Export progress")
        self.launcher = ft.UrlLauncher()
        self._watching: str | None = None

    def open(self) -> None:
        forms = self.api.forms()
        if self.form is None and forms:
            self.form = forms[0]["form_id"]
        chosen_form = text(f"Form: {self.form or 'none published'}", bold=True)
        chosen_kind = text(f"Format: {dict(FORMATS)[self.kind]}", bold=True)
        pick_form: list[ft.Control] = [
            button(f"Form {f['form_id']}", lambda f=f["form_id"]: self._pick_form(f)) for f in forms
        ]
        pick_kind: list[ft.Control] = [
            button(label, lambda k=kind: self._pick_kind(k)) for kind, label in FORMATS
        ]
        jobs = self.api.jobs()
        listed: list[ft.Control] = [text(f"Your exports of the last hour: {len(jobs)}")]
        for job in reversed(jobs):
            line: list[ft.Control] = [text(progress_text(job))]
            if job["state"] == "done":
                line.append(button(f"Download {job['filename']}", lambda j=job["id"]: self._get(j)))
            listed.append(ft.Row(line, wrap=True))
        self.show(
            "Exports and report",
            [
                chosen_form,
                ft.Row(pick_form, wrap=True),
                chosen_kind,
                ft.Row(pick_kind, wrap=True),
                ft.Row(list(self.filters.values()), wrap=True),
                button("Start export", self._start),
                self.bar,
                self.status,
                *listed,
            ],
        )

    def _pick_form(self, form: str) -> None:
        self.form = form
        self._guarded(self.open)

    def _pick_kind(self, kind: str) -> None:
        self.kind = kind
        self._guarded(self.open)

    def _start(self) -> None:
        if self.form is None:
            self._say("No form is published on the server yet.")
            return
        filters = {name: str(field.value or "") for name, field in self.filters.items()}
        try:
            job = self.api.start(self.form, self.kind, filters)
        except ReviewApiError as error:
            self._say(f"Export not started: {error}")
            return
        self._watching = job["id"]
        self.bar.value = 0
        self._say(progress_text(job))
        self.page.run_thread(self._watch, job["id"])

    def _watch(self, job_id: str) -> None:
        """Poll the job until it ends (or another export is started), then offer it."""
        while self._watching == job_id:
            try:
                job = self.api.job(job_id)
            except ReviewApiError as error:
                self._say(f"Lost track of the export: {error}")
                return
            self.bar.value = job["done"] / job["total"] if job["total"] else 0
            if job["state"] != "running":
                self.bar.value = 1 if job["state"] == "done" else 0
                self._guarded(self.open)
                self._say(progress_text(job))
                return
            self._say(progress_text(job))
            time.sleep(POLL_SECONDS)

    def _get(self, job_id: str) -> None:
        try:
            url = self.api.link(job_id)
        except ReviewApiError as error:
            self._say(f"Download not possible: {error}")
            return
        self.page.run_task(self._launch, url)

    async def _launch(self, url: str) -> None:
        await self.launcher.launch_url(url, web_only_window_name="_blank")

    def _say(self, message: str) -> None:
        self.status.value = message
        self.page.update()

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except ReviewApiError as error:
            self._say(str(error))
