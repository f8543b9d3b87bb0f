"""What the interview view-model hands the UI: screen and question views, the widget a
question gets, and the store interface it needs (kept as a Protocol so tests can pass a
store double and the store need not import the UI's types)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from forms.session import Choice, FormSession


class SaveFailed(Exception):
    """The store refused to commit (e.g. disk full). The answer is kept in the session."""


class StoredForm(Protocol):
    form_id: str
    version: str
    xform: str


class InterviewStore(Protocol):
    """The part of `fieldapp.store.Store` an interview uses."""

    def get_form(self, form_id: str, version: str | None = None) -> Any: ...
    def form_media(self, form_id: str, version: str) -> dict[str, bytes]: ...
    def get_instance(self, instance_id: str) -> Any: ...
    def get_setting(self, key: str, default: str | None = None) -> str | None: ...
    def create_draft(
        self,
        form_id: str,
        version: str,
        instance_id: str,
        xml: str,
        name: str,
        language: str | None = None,
    ) -> Any: ...
    def save_draft(
        self, instance_id: str, xml: str, name: str, position: Any, language: str | None = None
    ) -> Any: ...
    def finalize(
        self, instance_id: str, xml: str, name: str, attachments: Mapping[str, bytes] = ...
    ) -> Any: ...
    def replace_for_edit(self, old_id: str, new_id: str, xml: str) -> Any: ...
    def log_event(
        self,
        instance_id: str,
        event: str,
        ref: str | None = None,
        value: str | None = None,
        *,
        at: str | None = None,
    ) -> Any: ...
    def log_events(
        self, instance_id: str, entries: Iterable[tuple[str, str | None, str | None]]
    ) -> Any: ...
    def events(self, instance_id: str) -> Sequence[Any]: ...
    def history_events(self, instance_id: str) -> Sequence[Any]: ...


@dataclass(frozen=True)
class QuestionView:
    ref: str
    label: str
    hint: str
    widget: str
    """text, multiline, integer, decimal, date, time, datetime, radio, dropdown, likert,
    horizontal, checkboxes, geopoint, photo, file, note, acknowledge, range, barcode."""
    value: str
    required: bool
    readonly: bool
    message: str = ""
    choices: tuple[Choice, ...] = ()
    comments: tuple[str, ...] = ()
    range: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class ScreenView:
    index: int
    count: int
    kind: str
    """`questions`, `repeat_prompt` or `end`."""
    section: str
    questions: tuple[QuestionView, ...] = ()
    prompt: str = ""
    repeat_ref: str = ""
    repeat_items: tuple[tuple[str, str], ...] = ()
    """(ref, label) of the instances of the repeat the screen is in or prompts for."""
    part: int = 0
    """The section the screen is in (1 to `parts`; 0 before the first section)."""
    parts: int = 0
    """How many sections (top-level labelled groups and repeats) the form has."""

    @property
    def progress(self) -> float:
        """How far the interview is, by section: the share never moves back when a repeat
        adds screens (a form without sections counts screens)."""
        if self.kind == "end":
            return 1.0
        if self.parts:
            return self.part / (self.parts + 1)
        return min(1.0, self.index / self.count) if self.count else 1.0


@dataclass(frozen=True)
class EndSummary:
    name: str
    problems: int
    """Required questions left empty and constraints violated."""
    first_problem: str | None
    """The ref of the first problem's question."""


@dataclass(frozen=True)
class AnswerOutcome:
    ok: bool
    message: str = ""


def widget_of(session: FormSession, ref: str) -> str:
    control = session.control(ref)
    datatype = session.node(ref).datatype or "string"
    appearance = set((control.appearance or "").split()) if control else set()
    kind = control.kind if control else "input"
    if kind == "select1":
        for name in ("minimal", "likert"):
            if name in appearance:
                return "dropdown" if name == "minimal" else "likert"
        return "horizontal" if appearance & {"horizontal", "horizontal-compact"} else "radio"
    if kind in ("select", "rank"):
        return "checkboxes"
    if kind == "upload":
        mediatype = control.mediatype if control else None
        return "photo" if (mediatype or "").startswith("image") else "file"
    if kind == "trigger":
        return "acknowledge"
    if kind == "range":
        return "range"
    if session.is_readonly(ref) and datatype == "string" and not session.value(ref):
        return "note"
    by_type = {"int": "integer", "decimal": "decimal", "date": "date", "time": "time"}
    by_type |= {"dateTime": "datetime", "geopoint": "geopoint", "barcode": "barcode"}
    if datatype in by_type:
        return by_type[datatype]
    return "multiline" if "multiline" in appearance else "text"
