"""The comments a supervisor writes on one submission: a field per question only once asked
for, and a summary of what will be sent with the decision.

A field sends each change to the server as it is typed, and the summary is rewritten on every
change, so the supervisor sees (and a test can wait for) what has reached the server before
pressing a decision: "Comment on Household ID: 17 characters". An empty field is left out of
the summary, and out of the decision.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from sync.server.supervisor_ui.widgets import text

OVERALL = ""
"""The key of the overall comment, which belongs to no question."""
SENT = "Sent with your decision:"


class CommentBook:
    def __init__(self) -> None:
        self.fields: dict[str, ft.TextField] = {}
        self.summary = ft.Column(spacing=2)

    def field(self, ref: str, label: str, *, focus: bool = True) -> ft.TextField:
        """The comment field of `ref` (the question's ref, or OVERALL), made on first use."""
        if ref not in self.fields:
            self.fields[ref] = ft.TextField(
                label=label, multiline=True, autofocus=focus, on_change=self._changed
            )
        return self.fields[ref]

    def _changed(self, _e: ft.Event[Any]) -> None:
        written = [f"{f.label}: {len(f.value or '')} characters"
                   for f in self.fields.values() if (f.value or "").strip()]  # fmt: skip
        self.summary.controls = [text(SENT, bold=True), *map(text, written)] if written else []
        self.summary.update()

    def questions(self) -> dict[str, str]:
        """The non-empty comments on questions, by ref."""
        return {
            ref: str(f.value)
            for ref, f in self.fields.items()
            if ref != OVERALL and (f.value or "").strip()
        }

    def overall(self) -> str:
        field = self.fields.get(OVERALL)
        return str(field.value or "") if field is not None else ""
