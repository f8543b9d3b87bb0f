"""Queue, submission and dashboard screens; every control has a label a test (and a screen
reader) can find. Language choice is a row of buttons (a Dropdown hides its label here)."""

from __future__ import annotations

from typing import Any

import flet as ft

from sync.server.quality.checks import FLAG_LABELS
from sync.server.supervisor_ui.answers_view import sections
from sync.server.supervisor_ui.api import ReviewApi, ReviewApiError
from sync.server.supervisor_ui.comments import OVERALL, CommentBook
from sync.server.supervisor_ui.exports_screen import ExportsApi, ExportsScreen
from sync.server.supervisor_ui.media import Attachments
from sync.server.supervisor_ui.repeat_tables import cell_places
from sync.server.supervisor_ui.report_screen import ReportScreen
from sync.server.supervisor_ui.scenarios_screen import ScenariosScreen
from sync.server.supervisor_ui.widgets import button, duration_text, keep_typing, text

FILTERS = ("district", "enumerator", "form_id", "state", "flag", "date_from", "date_to")
LABELS = {"district": "District", "enumerator": "Enumerator", "form_id": "Form",
          "state": "State", "flag": "Flag", "date_from": "From date", "date_to": "To date"}  # fmt: skip
DECISIONS = (("approved", "Approve"), ("has_issues", "Has issues"), ("rejected", "Reject"))
ANY = "*"
"""The choice of a filter list that filters nothing."""
CHOICES = {
    "state": ((ANY, "Any but superseded"), ("received", "Received"), ("approved", "Approved"),
              ("has_issues", "Has issues"), ("rejected", "Rejected"),
              ("superseded", "Superseded")),
    "flag": ((ANY, "Flagged or not"), ("any", "Any flag"), *FLAG_LABELS.items()),
}  # fmt: skip
STATE_LABELS = dict(CHOICES["state"])
PAGE = 100
"""Submissions per page of the queue."""


def _section_times(view: dict[str, Any]) -> list[ft.Control]:
    """Time per section from the audit log, or why there is none."""
    if view["timing_source"] != "audit.csv paradata":
        audit = [f for f in view["files"] if f["name"] == "audit.csv"]
        why = "audit.csv not received yet" if audit else "no audit.csv with this submission"
        return [text(f"Time per section: no paradata ({why})")]
    lines: list[ft.Control] = [text("Time per section (from audit.csv):")]
    for section in view["rendered"]["sections"]:
        if section["ref"].count("/") > 1:  # the form's top-level questions have no section time
            spent = section["seconds"]
            took = duration_text(spent) if spent is not None else "nothing recorded"
            called = section["label"] or section["ref"].rsplit("/", 1)[-1]
            lines.append(text(f"  {called}: {took}"))
    return lines


def _filter_field(name: str) -> ft.TextField | ft.Dropdown:
    """A text field, or for state and flag a list of what the server knows (a misspelt code
    would show an empty queue); `ANY` filters nothing."""
    choices = CHOICES.get(name)
    if choices is None:
        hint = "YYYY-MM-DD" if name.startswith("date") else None
        return ft.TextField(label=LABELS[name], width=160, hint_text=hint, on_change=keep_typing)
    return ft.Dropdown(
        label=LABELS[name],
        tooltip=LABELS[name],  # its name for a screen reader too
        width=240,
        value=ANY,
        options=[ft.DropdownOption(key=key, text=said) for key, said in choices],
        on_select=keep_typing,
    )


def queue_line(row: dict[str, Any]) -> str:
    """A queue row as a supervisor reads it: `Has issues · amina · north · 2026-03-02 09:41 ·
    GPS missing, Interview too short`."""
    state = STATE_LABELS.get(row["state"], row["state"])
    flags = ", ".join(FLAG_LABELS.get(f["code"], f["code"]) for f in row["flags"]) or "no flags"
    arrived = row["submitted_at"][:16].replace("T", " ")
    return f"{state} · {row['enumerator']} · {row['district']} · {arrived} · {flags}"


def page_text(offset: int, shown: int, total: int) -> str:
    """What part of the queue is on the screen: `Submissions 101–200 of 5,412, newest first`."""
    if total == 0:
        return "No submissions match"
    if shown == total:
        return f"{total:,} submission{'s' if total > 1 else ''}, newest first"
    if shown == 1:
        return f"Submission {offset + 1:,} of {total:,}, newest first"
    return f"Submissions {offset + 1:,}–{offset + shown:,} of {total:,}, newest first"


def _places(rendered: dict[str, Any]) -> dict[str, str]:
    """Every answer's ref with what a reader calls it: its label, or its table cell's place."""
    places: dict[str, str] = {}
    for section in rendered["sections"]:
        places |= {answer["ref"]: answer["label"] for answer in section["answers"]}
        for table in section["tables"]:
            places |= cell_places(table)
    return places


def _shown(change: dict[str, Any], side: str) -> str:
    """A version's value as a reader sees it (a choice by its label), else as stored."""
    return str(change.get(f"shown_{side}") or change[side])


class SupervisorScreens:
    def __init__(
        self,
        page: ft.Page,
        api: ReviewApi,
        exports: ExportsApi | None = None,
        page_size: int = PAGE,
    ) -> None:
        self.page, self.api, self.page_size = page, api, page_size
        self.exports = None if exports is None else ExportsScreen(page, exports, self.show)
        self.report = (
            None if exports is None else ReportScreen(exports, self.show, self.export_report)
        )
        self.scenarios = None if exports is None else ScenariosScreen(exports, self.show)
        self.body = _body()
        self.frame = ft.SafeArea(content=self.body, expand=True)
        self.filters: dict[str, ft.TextField | ft.Dropdown] = {
            name: _filter_field(name) for name in FILTERS
        }
        self.message = text("")
        self.status = ""
        """A line for the next screen only (what a decision did), then gone."""
        self.language: str | None = None
        """Kept from one submission to the next."""
        self.offset = 0
        """Where the queue's page starts: kept while submissions are opened and decided."""

    def start(self) -> None:
        self.page.title = "Supervisor review"
        self.page.theme_mode = ft.ThemeMode.LIGHT
        self.page.add(self.frame)
        self.queue()

    def show(self, title: str, controls: list[ft.Control]) -> None:
        nav = ft.Row([button("Queue", self.queue), button("Dashboard", self.dashboard)], wrap=True)
        if self.exports is not None:
            nav.controls.append(button("Exports", lambda: self.guarded(self.exports_screen)))
        if self.report is not None:
            nav.controls.append(button("Report", lambda: self.guarded(self.report_screen)))
        if self.scenarios is not None:
            nav.controls.append(button("Scenarios", lambda: self.guarded(self.scenarios_screen)))
        self.message = text(self.status)
        self.status = ""
        # a new scrolling column: each screen opens at its top, not where the last one was
        self.body = _body([nav, text(title, bold=True, size=22), self.message, *controls])
        self.frame.content = self.body
        self.page.title = f"{title} · Supervisor review"
        self.page.update()

    def guarded(self, action: Any) -> None:
        try:
            action()
        except ReviewApiError as error:
            self.message.value = str(error)
            self.page.update()

    def queue(self) -> None:
        self.guarded(self._queue)

    def queue_from(self, offset: int) -> None:
        self.offset = max(0, offset)
        self.queue()

    def exports_screen(self) -> None:
        if self.exports is not None:
            self.exports.open()

    def report_screen(self) -> None:
        if self.report is not None:
            self.report.open()

    def scenarios_screen(self) -> None:
        if self.scenarios is not None:
            self.scenarios.open()

    def export_report(self, form: str) -> None:
        """The Exports screen, set for the HTML report of `form`."""
        if self.exports is not None:
            self.exports.form, self.exports.kind = form, "report"
            self.guarded(self.exports.open)

    def _queue(self) -> None:
        filters = {
            k: "" if f.value in (None, ANY) else str(f.value) for k, f in self.filters.items()
        }
        size = self.page_size
        rows, total = self.api.queue(filters, self.offset, size)
        if not rows and total and self.offset:  # the last page emptied by decisions: go back
            self.offset = (total - 1) // size * size
            rows, total = self.api.queue(filters, self.offset, size)
        pages: list[ft.Control] = []
        if self.offset:
            pages.append(button(f"Newer {size}", lambda: self.queue_from(self.offset - size)))
        if self.offset + len(rows) < total:
            pages.append(button(f"Older {size}", lambda: self.queue_from(self.offset + size)))
        lines: list[ft.Control] = [
            ft.Row(list(self.filters.values()), wrap=True),
            button("Apply filters", lambda: self.queue_from(0)),
            text(page_text(self.offset, len(rows), total)),
            ft.Row(pages, wrap=True),
        ]
        for row in rows:
            name = row["instance_name"] or row["instance_id"]
            lines.append(
                ft.Row(
                    [
                        button(f"Open {name}", lambda i=row["instance_id"]: self.open(i)),
                        text(queue_line(row)),
                    ],
                    wrap=True,
                )
            )
        self.show("Review queue", lines)

    def open(self, instance_id: str, language: str | None = None) -> None:
        if language is not None:
            self.language = language
        self.guarded(lambda: self._open(instance_id))

    def _open(self, instance_id: str) -> None:
        view = self.api.submission(instance_id, self.language)
        rendered = view["rendered"]
        files = Attachments(self.page, self.api, instance_id, view["files"])
        lines: list[ft.Control] = [
            text(
                f"{view['form_id']} v{view['form_version']} · {view['enumerator']}"
                f" · {view['district']} · state {view['state']}"
            ),  # fmt: skip
            text(_duration_line(view)),
            *(
                [text(f"Came through the district hub of coordinator {view['via']}")]
                if view.get("via")
                else []
            ),
            *_section_times(view),
        ]
        if rendered["languages"]:
            lines.append(text(f"Labels in {rendered['language']}"))
            lines.append(ft.Row([button(f"Language {lang}", lambda code=lang: self.open(instance_id, code))
                                 for lang in rendered["languages"]], wrap=True))  # fmt: skip
        lines += [text(f"Flag: {f['message']}") for f in view["flags"]]
        comments = CommentBook()
        lines += sections(view, files, comments)
        other = files.others()
        if other:
            lines += [text("Other files", bold=True, size=18), *other]
        files.load()
        places = _places(view["rendered"])
        for version in view["history"]:
            lines.append(text(f"Version {version['instance_id']} · {version['submitted_at']}"))
            lines += [
                text(
                    f"  {places.get(c['ref'], c['ref'])}: {_shown(c, 'before')} → {_shown(c, 'after')}"
                )
                for c in version["changes"]
            ]
        for review in view["reviews"]:
            decided = STATE_LABELS.get(review["decision"], review["decision"])
            which = "" if review["instance_id"] == instance_id else " of the version corrected"
            said = f"{decided} by {review['author']}: {review['comment']}"
            lines.append(text(f"Review{which} ({review['instance_id']}): {said}"))
            lines += [
                text(f"  on {places.get(ref, ref)}: {comment}")
                for ref, comment in sorted(review["question_comments"].items())
            ]
        lines += [comments.field(OVERALL, "Overall comment", focus=False), comments.summary]

        def decide(decision: str) -> None:
            done = self.api.decide(instance_id, decision, comments.overall(), comments.questions())
            decided = done["state"].replace("_", " ").capitalize()
            self.status = f"{decided}: {rendered['name'] or instance_id}"
            self._queue()

        lines.append(ft.Row([button(label, lambda d=d: self.guarded(lambda: decide(d)))
                             for d, label in DECISIONS], wrap=True))  # fmt: skip
        self.show(rendered["name"] or f"Submission {instance_id}", lines)

    def dashboard(self) -> None:
        self.guarded(self._dashboard)

    def _dashboard(self) -> None:
        rows = self.api.dashboard()
        heads = ("Enumerator", "District", "Interviews", "Per day", "Median min", "Flag rate",
                 "Rejections")  # fmt: skip
        table = ft.DataTable(
            columns=[ft.DataColumn(label=h) for h in heads],
            rows=[
                ft.DataRow([ft.DataCell(text(str(v))) for v in (
                    r["enumerator"], r["district"], r["interviews"], r["interviews_per_day"],
                    r["median_duration_min"], f"{r['flag_rate']:.0%}", r["rejections"])])
                for r in rows
            ],
        )  # fmt: skip
        self.show("Enumerators", [ft.Row([table], scroll=ft.ScrollMode.AUTO)])  # sideways


def _body(controls: list[ft.Control] | None = None) -> ft.Column:
    return ft.Column(controls or [], expand=True, scroll=ft.ScrollMode.AUTO, spacing=10)


def _duration_line(view: dict[str, Any]) -> str:
    """The time spent in the interview, where it comes from, and corrections apart."""
    if view["duration_min"] is None:
        return "Duration: not known (no audit log, no start and end times)"
    source = (
        "the audit log"
        if view.get("duration_from") == "the audit log"
        else "the start and end times"
    )
    line = f"Duration: {view['duration_min']} min (from {source})"
    if view.get("correction_min") is not None:
        line += f"; corrections afterwards: {view['correction_min']} min"
    return line
