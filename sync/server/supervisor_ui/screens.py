"""Queue, submission and dashboard screens; every control has a label a test (and a screen
reader) can find. Language choice is a row of buttons (a Dropdown hides its label here)."""

from __future__ import annotations

from typing import Any

import flet as ft

from sync.server.supervisor_ui.api import ReviewApi, ReviewApiError

FILTERS = ("district", "enumerator", "form_id", "state", "flag", "date_from", "date_to")
LABELS = {"district": "District", "enumerator": "Enumerator", "form_id": "Form",
          "state": "State", "flag": "Flag", "date_from": "From date", "date_to": "To date"}  # fmt: skip
DECISIONS = (("approved", "Approve"), ("has_issues", "Has issues"), ("rejected", "Reject"))


def _text(value: str, *, bold: bool = False, size: int = 15) -> ft.Text:
    return ft.Text(value, size=size, weight=ft.FontWeight.BOLD if bold else None)


def _button(label: str, action: Any) -> ft.Button:
    return ft.Button(content=label, on_click=lambda _e: action(), tooltip=label)


def _keep(_e: ft.Event[ft.TextField]) -> None:
    """A change handler makes the browser send each change as it is typed, so a comment
    typed just before Reject is not lost."""


def _counted(field: ft.TextField) -> ft.Column:
    """The field and a line the server rewrites on every change: the supervisor sees (and a
    test can wait for) what has reached the server before pressing a decision."""
    count = ft.Text(f"{field.label}: 0 characters", size=14)

    def changed(_e: ft.Event[ft.TextField]) -> None:
        count.value = f"{field.label}: {len(field.value or '')} characters"
        count.update()

    field.on_change = changed
    return ft.Column([field, count], spacing=2)


class SupervisorScreens:
    def __init__(self, page: ft.Page, api: ReviewApi) -> None:
        self.page, self.api = page, api
        self.body = ft.Column(expand=True, scroll=ft.ScrollMode.AUTO, spacing=10)
        self.filters = {
            name: ft.TextField(label=LABELS[name], width=160, on_change=_keep) for name in FILTERS
        }
        self.message = _text("")

    def start(self) -> None:
        self.page.title = "Supervisor review"
        self.page.theme_mode = ft.ThemeMode.LIGHT
        self.page.add(ft.SafeArea(content=self.body, expand=True))
        self.queue()

    def show(self, title: str, controls: list[ft.Control]) -> None:
        nav = ft.Row([_button("Queue", self.queue), _button("Dashboard", self.dashboard)])
        self.body.controls = [nav, _text(title, bold=True, size=22), self.message, *controls]
        self.page.update()

    def guarded(self, action: Any) -> None:
        try:
            action()
        except ReviewApiError as error:
            self.message.value = str(error)
            self.page.update()

    def queue(self) -> None:
        self.guarded(self._queue)

    def _queue(self) -> None:
        rows = self.api.queue({k: str(f.value or "") for k, f in self.filters.items()})
        lines: list[ft.Control] = [
            ft.Row(list(self.filters.values()), wrap=True),
            _button("Apply filters", self.queue),
            _text(f"{len(rows)} submissions"),
        ]
        for row in rows:
            name = row["instance_name"] or row["instance_id"]
            flags = ", ".join(f["code"] for f in row["flags"]) or "no flags"
            lines.append(
                ft.Row(
                    [
                        _button(f"Open {name}", lambda i=row["instance_id"]: self.open(i)),
                        _text(
                            f"{row['state']} · {row['enumerator']} · {row['district']}"
                            f" · {row['submitted_at'][:16]} · {flags}"
                        ),  # fmt: skip
                    ],
                    wrap=True,
                )
            )
        self.show("Review queue", lines)

    def open(self, instance_id: str, language: str | None = None) -> None:
        self.guarded(lambda: self._open(instance_id, language))

    def _open(self, instance_id: str, language: str | None) -> None:
        view = self.api.submission(instance_id, language)
        rendered = view["rendered"]
        lines: list[ft.Control] = [
            _text(
                f"{view['form_id']} v{view['form_version']} · {view['enumerator']}"
                f" · {view['district']} · state {view['state']}"
            ),  # fmt: skip
            _text(f"Duration: {view['duration_min']} min (from {view['timing_source']})"),
        ]
        if rendered["languages"]:
            lines.append(ft.Row([_button(f"Language {lang}", lambda code=lang: self.open(instance_id, code))
                                 for lang in rendered["languages"]], wrap=True))  # fmt: skip
        lines += [_text(f"Flag: {f['message']}") for f in view["flags"]]
        comments: dict[str, ft.TextField] = {}
        for section in rendered["sections"]:
            seconds = f" ({section['seconds']:.0f} s)" if section["seconds"] is not None else ""
            lines.append(_text(section["label"] + seconds, bold=True, size=18))
            for answer in section["answers"]:
                shown = answer["display"]
                if answer["gps"]:
                    lat, lon = answer["gps"][0], answer["gps"][1]
                    acc = answer["gps"][3] if len(answer["gps"]) > 3 else "?"
                    shown = f"GPS {lat}, {lon} (±{acc} m)"
                if answer["attachment"]:
                    shown = f"Photo/file {answer['attachment']}"
                    if answer["attachment"] not in view["attachments"]:
                        shown += " (not received yet)"
                lines.append(_text(f"{answer['label']}: {shown}"))
                field = ft.TextField(label=f"Comment on {answer['label']}", dense=True)
                comments[answer["ref"]] = field
                lines.append(_counted(field))
            for table in section["tables"]:
                lines.append(_text(table["label"], bold=True))
                lines.append(
                    ft.DataTable(
                        columns=[ft.DataColumn(label=c) for c in table["columns"]],
                        rows=[
                            ft.DataRow([ft.DataCell(_text(v)) for v in r]) for r in table["rows"]
                        ],
                    )
                )
        for version in view["history"]:
            lines.append(_text(f"Version {version['instance_id']} · {version['submitted_at']}"))
            lines += [
                _text(f"  {c['ref']}: {c['before']} → {c['after']}") for c in version["changes"]
            ]
        for review in view["reviews"]:
            lines.append(
                _text(f"Review: {review['decision']} by {review['author']}: {review['comment']}")
            )
        overall = ft.TextField(label="Overall comment", multiline=True)
        lines.append(_counted(overall))

        def decide(decision: str) -> None:
            questions = {
                ref: str(f.value) for ref, f in comments.items() if (f.value or "").strip()
            }
            done = self.api.decide(instance_id, decision, str(overall.value or ""), questions)
            self.message.value = f"{done['state'].replace('_', ' ').capitalize()}: {instance_id}"
            self._queue()

        lines.append(ft.Row([_button(label, lambda d=d: self.guarded(lambda: decide(d)))
                             for d, label in DECISIONS], wrap=True))  # fmt: skip
        self.message.value = ""
        self.show(f"Submission {instance_id}", lines)

    def dashboard(self) -> None:
        self.guarded(self._dashboard)

    def _dashboard(self) -> None:
        rows = self.api.dashboard()
        heads = ("Enumerator", "District", "Interviews", "Per day", "Median min", "Flag rate",
                 "Rejections")  # fmt: skip
        table = ft.DataTable(
            columns=[ft.DataColumn(label=h) for h in heads],
            rows=[
                ft.DataRow([ft.DataCell(_text(str(v))) for v in (
                    r["enumerator"], r["district"], r["interviews"], r["interviews_per_day"],
                    r["median_duration_min"], f"{r['flag_rate']:.0%}", r["rejections"])])
                for r in rows
            ],
        )  # fmt: skip
        self.show("Enumerators", [table])
