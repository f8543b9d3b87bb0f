"""The interview view-model: what the Filling screen shows and does, without Flet.

It opens a `FormSession` for a new or a saved instance, describes the current screen
(questions with their widget kind, text, choices, value and problem), hands answers to
the session and commits every accepted answer to the store *before* reporting it saved,
logs paradata (sessions, screens, shown / answered / changed; see `fieldapp.paradata`),
and moves through the form. Finalizing attaches the interview's audit log (`audit.csv`).
A store failure (a full disk) raises `SaveFailed`: the answer stays in the session, the UI
shows the message and calls `save()` again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from defusedxml import ElementTree as SafeET

from fieldapp import i18n
from fieldapp.device_properties import device_environment
from fieldapp.interview_language import form_language_for, language_label, words_language
from fieldapp.interview_outline import FormOutline, Level
from fieldapp.interview_views import (
    AnswerOutcome,
    EndSummary,
    InterviewStore,
    QuestionView,
    SaveFailed,
    ScreenView,
    StoredForm,
    widget_of,
)
from fieldapp.paradata import (
    AUDIT_FILE,
    DELETE_REPEAT,
    FORM_EXIT,
    FORM_FINALIZE,
    FORM_RESUME,
    FORM_START,
    INTERRUPTED,
    SCREEN,
    audit_log,
    interrupted_at,
)
from forms.errors import FormError
from forms.session import FormSession
from forms.session_navigation import REPEAT_PROMPT
from forms.session_paths import pattern_of
from forms.xform_reader import read_xform
from forms.xpath import Environment

__all__ = [
    "END",
    "AnswerOutcome",
    "Interview",
    "InterviewStore",
    "QuestionView",
    "SaveFailed",
    "ScreenView",
    "widget_of",
]

END = "end"
_ROOT_VERSION = re.compile(r'(<(?![?!])[^>]*?\sversion=)"[^"]*"')


@dataclass
class Interview:
    store: InterviewStore
    session: FormSession
    instance_id: str
    readonly: bool = False
    notice: str = ""
    """Why the instance opened as it did (an older form version), for a banner."""
    comments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    index: int = 0
    unsaved: bool = False
    defer_writes: bool = False
    """When set, a move leaves committing the position and logging the shown questions to
    `flush()`, which the UI calls once the new screen is on its way (answers are never
    deferred: each is committed as it is given)."""
    _unflushed: bool = False
    _visit: dict[str, str] = field(default_factory=dict)
    """Value of each question answered during this visit of the screen, as it was on entering."""
    _visited: list[tuple[str, str, str]] = field(default_factory=list)
    """(event, ref, value) of the visit just left, for `flush()` to log."""

    def __post_init__(self) -> None:
        self._follow_language()

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        store: InterviewStore,
        form_id: str,
        version: str | None = None,
        *,
        env: Environment | None = None,
        app_language: str | None = None,
    ) -> Interview:
        """A new draft, in the form language matching `app_language` (the app's language
        code) when the form has it, else in the form's default language."""
        form = store.get_form(form_id, version)
        definition = read_xform(form.xform, source_name=form_id)
        media = store.form_media(form.form_id, form.version)
        language = form_language_for(definition.languages, app_language)
        env = device_environment(store, env)
        session = FormSession.new(definition, attachments=media, env=env, language=language)
        instance_id = session.value(f"/{definition.root_name}/meta/instanceID")
        name = _name_of(session)
        store.create_draft(
            form.form_id, form.version, instance_id, session.to_xml(), name, session.language
        )
        store.log_event(instance_id, FORM_START)
        interview = cls(store, session, instance_id)
        interview._shown()
        return interview

    @classmethod
    def resume(
        cls,
        store: InterviewStore,
        instance_id: str,
        *,
        env: Environment | None = None,
        app_language: str | None = None,
    ) -> Interview:
        """Open a saved instance on the screen it was left at, in the form language it was
        left in (one never chosen on this device, e.g. returned from the server, opens as a
        new interview would). A returned instance is edited as a new instanceID
        (`deprecatedID` = the old one); one saved with an older form version is migrated to
        the newest version, or opened read-only if it cannot be."""
        record = store.get_instance(instance_id)
        kept = record.language
        newest = store.get_form(record.form_id)
        own = store.get_form(record.form_id, record.form_version)
        edit = record.state == "returned"
        readonly, notice = record.state in ("finalized", "sent"), ""
        form, xml = own, record.xml
        if newest.version != record.form_version:
            try:
                xml = _with_version(record.xml, newest.version)
                session = _load(store, newest, xml, edit, env, (kept, app_language))
                form = newest
                notice = f"version:{record.form_version}:{newest.version}:migrated"
            except FormError:
                readonly, xml = True, record.xml
                notice = f"version:{record.form_version}:{newest.version}:readonly"
        if form is own:
            session = _load(store, own, xml, edit and not readonly, env, (kept, app_language))
        comments: dict[str, list[str]] = {}
        for comment in record.comments:
            comments.setdefault(comment.ref or "", []).append(comment.text)
        interview = cls(
            store,
            session,
            instance_id,
            readonly,
            notice,
            {k: tuple(v) for k, v in comments.items()},
        )
        if edit and not readonly:
            root = session.definition.root_name
            interview.instance_id = session.value(f"/{root}/meta/instanceID")
            store.replace_for_edit(instance_id, interview.instance_id, session.to_xml())
        elif notice.endswith(":migrated"):
            interview.save()
        commented = [ref for ref in interview.comments if ref]
        if edit and not readonly and commented:  # returned: open on the first question to fix
            interview.index = interview._screen_index(commented[0])
        elif isinstance(record.position, str) and record.position:
            interview.index = interview._screen_index(record.position)
        if not readonly:
            interview._begin_session(record.updated_at)
        interview._shown()
        return interview

    def _begin_session(self, last_saved: str) -> None:
        """Log `form_resume`, after the `form_exit` the previous session missed if the app
        was killed (stamped with its last commit, so the time closed counts nowhere)."""
        cut = interrupted_at(self.store.events(self.instance_id), last_saved)
        if cut is not None:
            self.store.log_event(self.instance_id, FORM_EXIT, None, INTERRUPTED, at=cut)
        self.store.log_event(self.instance_id, FORM_RESUME)

    # -- what is shown ----------------------------------------------------------------

    @property
    def languages(self) -> tuple[str, ...]:
        return self.session.definition.languages

    @property
    def language(self) -> str | None:
        """The form language shown now (None for a form without translations)."""
        return self.session.language

    def language_label(self, language: str | None = None) -> str:
        """How the language control names `language` (default: the current one)."""
        chosen = language if language is not None else self.session.language
        return language_label(chosen) if chosen else ""

    @property
    def words_language(self) -> str | None:
        """The app language code whose words the interview screens show: the form
        language's when the app ships it (no English words inside a French interview)."""
        return words_language(self.session.language)

    def set_language(self, language: str) -> None:
        """Show the form in `language` and keep it with the draft, so a resume reopens in it."""
        if language not in self.languages:
            available = ", ".join(self.languages) or "-"
            raise FormError.of("summary.no_language", language=language, available=available)
        self.session.set_language(language)
        self._follow_language()
        if not self.readonly:
            self.save()

    def _follow_language(self) -> None:
        """Numbers a label outputs follow the form language's formats (French "1 234,5")."""
        code = words_language(self.session.language)
        self.session.number_format = i18n.formats(code).number if code else None

    def screen(self) -> ScreenView:
        screens = self.session.screens()
        count = len(screens)
        if self.index >= count:
            self.index = count
            title = self.session.definition.title
            return ScreenView(count, count, END, title, parts=self._outline.sections)
        found = screens[self.index]
        if found.kind == REPEAT_PROMPT:
            return ScreenView(
                self.index,
                count,
                REPEAT_PROMPT,
                self._section(found.ref),
                (),
                found.text,
                found.ref,
                self._repeat_items(found.ref),
                part=self._outline.part(found.ref),
                parts=self._outline.sections,
            )
        questions = tuple(self._question(ref) for ref in found.questions)
        return ScreenView(
            self.index,
            count,
            "questions",
            self._section(found.ref),
            questions,
            repeat_ref=self._enclosing_repeat(found.ref),
            repeat_items=self._repeat_items(self._enclosing_repeat(found.ref)),
            part=self._outline.part(found.ref),
            parts=self._outline.sections,
        )

    def _question(self, ref: str) -> QuestionView:
        s = self.session
        node = s.node(ref)
        problem = s.problem_of(node) if node.text else None
        control = s.control(ref)
        return QuestionView(
            ref,
            s.label(ref),
            s.hint(ref),
            widget_of(s, ref),
            s.value(ref),
            s.is_required(ref),
            self.readonly or s.is_readonly(ref),
            s.message(problem) if problem is not None else "",
            tuple(s.choices(ref))
            if control is not None and control.kind in ("select1", "select", "rank")
            else (),
            self.comments.get(ref, ()),
            control.range if control is not None else None,
        )

    def _section(self, ref: str) -> str:
        return self._outline.section(ref)

    def _enclosing_repeat(self, ref: str) -> str:
        parts = ref.split("/")
        for depth in range(len(parts) - 1, 1, -1):
            if (
                "[" in parts[depth]
                and pattern_of("/".join(parts[: depth + 1])) in self.session.repeats
            ):
                return "/".join(parts[:depth]) + "/" + parts[depth].partition("[")[0]
        return ""

    def _repeat_items(self, repeat_ref: str) -> tuple[tuple[str, str], ...]:
        return self._outline.repeat_items(repeat_ref)

    @cached_property
    def _outline(self) -> FormOutline:
        return FormOutline(self.session)

    def outline(self, level: str | None = None) -> Level:
        """One level of the form as ODK Collect's hierarchy view lists it (see
        `fieldapp.interview_outline`); by default the level holding the current screen."""
        screens = self.session.screens()
        found = screens[self.index] if self.index < len(screens) else None
        screen, questions = (found.ref, found.questions) if found else (END, ())
        if level is None:
            level = self._outline.level_of(screen) if found else ""
        return self._outline.level(level, screen, questions)

    def summary(self) -> EndSummary:
        """What the end screen shows: the interview's name and its problems (required
        questions left empty, constraints violated), the first one's question."""
        problems = self.session.validate()
        first = next((p.place.field for p in problems if p.place and p.place.field), None)
        return EndSummary(_name_of(self.session), len(problems), first)

    def answers_in(self, instance_ref: str) -> int:
        """How many answers deleting the repeat instance at `instance_ref` would lose."""
        return self._outline.answers_in(instance_ref)

    # -- answering --------------------------------------------------------------------

    def answer(self, ref: str, value: Any) -> AnswerOutcome:
        if self.readonly:
            return AnswerOutcome(False, "readonly")
        before = self.session.value(ref)
        result = self.session.answer(ref, value)
        after = self.session.value(ref)
        if after != before:
            self._visit.setdefault(ref, before)
            self.unsaved = True
            self.save()
        return AnswerOutcome(result.ok, result.message)

    def save(self) -> None:
        """Commit the instance as a draft (raises `SaveFailed`; call again to retry)."""
        try:
            self.store.save_draft(
                self.instance_id,
                self.session.to_xml(),
                _name_of(self.session),
                self._position(),
                self.session.language,
            )
        except Exception as error:
            raise SaveFailed(str(getattr(error, "message", error))) from error
        self.unsaved = False

    def _position(self) -> str:
        screens = self.session.screens()
        return screens[self.index].ref if self.index < len(screens) else END

    def _screen_index(self, position: str) -> int:
        if position == END:
            return len(self.session.screens())
        found = self.session.jump(position)
        return found if found is not None else 0

    # -- moving -----------------------------------------------------------------------

    def next(self) -> ScreenView:
        count = len(self.session.screens())
        self.index = min(self.index + 1, count)
        return self._moved()

    def back(self) -> ScreenView:
        self.index = max(self.index - 1, 0)
        return self._moved()

    def jump(self, ref: str) -> ScreenView:
        found = self.session.jump(ref)
        if found is not None:
            self.index = found
        return self._moved()

    def leave(self) -> None:
        """End the visit of the current screen: each question whose value now differs from
        its value on entering is logged once, `answered` (it was empty) or `changed`."""
        for ref, before in self._visit.items():
            after = self.session.value(ref)
            if after != before:
                self._visited.append(("answered" if not before else "changed", ref, after))
        self._visit = {}

    def _moved(self) -> ScreenView:
        if self.unsaved and not self.readonly:
            self.save()  # an answer the store refused before: never move on without it
        self.leave()
        self._unflushed = True
        if not self.defer_writes:
            self.flush()
        return self.screen()

    def flush(self) -> None:
        """Commit the screen position and log the visit left and the questions shown since."""
        if not self._unflushed:
            return
        if not self.readonly:
            self.save()
        self._log_visited()
        self._shown()
        self._unflushed = False

    def close_visit(self) -> None:
        """Log the current visit and the end of the session now (saving and closing)."""
        self.leave()
        self._log_visited()
        if not self.readonly:
            self.store.log_event(self.instance_id, FORM_EXIT)

    def _log_visited(self) -> None:
        if self._visited:
            self.store.log_events(self.instance_id, self._visited)
        self._visited = []

    def _shown(self) -> None:
        """Log the screen now shown and its questions (nothing for a read-only view)."""
        if self.readonly:
            return
        screens = self.session.screens()
        if self.index >= len(screens):
            self.store.log_events(self.instance_id, [(SCREEN, None, END)])
            return
        found = screens[self.index]
        self.store.log_events(
            self.instance_id,
            [(SCREEN, found.ref, found.kind), *(("shown", ref, None) for ref in found.questions)],
        )

    def add_repeat(self, repeat_ref: str) -> ScreenView:
        added = self.session.add_repeat(repeat_ref)
        self.save()
        return self.jump(added)

    def remove_repeat(self, instance_ref: str) -> ScreenView:
        """Delete a repeat instance and show its repeat's prompt (where the instances are
        listed), or the screen now at the same place when the repeat has none."""
        self.session.remove_repeat(instance_ref)
        if not self.readonly:
            self.store.log_event(self.instance_id, DELETE_REPEAT, instance_ref)
        prompt = self.session.jump(instance_ref.rpartition("[")[0])
        self.index = prompt if prompt is not None else min(self.index, len(self.session.screens()))
        return self._moved()

    def finalize(self) -> list[str]:
        """Validate; on problems jump to the first and return their messages, else commit
        the instance as finalized with its audit log (of this version and the versions it
        replaces) and return []."""
        self.leave()
        self._log_visited()
        problems = self.session.finalize()
        if problems:
            first = problems[0].place.field if problems[0].place else None
            if first:
                self.jump(first)
            return [self.session.message(p) for p in problems]
        try:
            self.store.log_events(
                self.instance_id, [(FORM_FINALIZE, None, None), (FORM_EXIT, None, None)]
            )
            audit = audit_log(self.store.history_events(self.instance_id))
            _name_audit_log(self.session)
            self.store.finalize(
                self.instance_id,
                self.session.to_xml(),
                _name_of(self.session),
                {AUDIT_FILE: audit},
            )
        except Exception as error:
            raise SaveFailed(str(getattr(error, "message", error))) from error
        return []


def _name_of(session: FormSession) -> str:
    root = session.definition.root_name
    try:
        name = session.value(f"/{root}/meta/instanceName")
    except FormError:
        name = ""
    return name.strip() or session.definition.title


def _name_audit_log(session: FormSession) -> None:
    """A form with ODK's `audit` meta field gets the log's file name in it, as ODK Collect
    writes it (ODK Central keeps only the files an instance names; our server needs none)."""
    ref = f"/{session.definition.root_name}/meta/audit"
    try:
        session.answer(ref, AUDIT_FILE)
    except FormError:
        return


def _load(
    store: InterviewStore,
    form: StoredForm,
    xml: str,
    edit: bool,
    env: Environment | None,
    languages: tuple[str | None, str | None],
) -> FormSession:
    """The saved instance as a session, in the kept form language when the form still has
    it, else in the one matching the app language (`languages` = (kept, app language))."""
    definition = read_xform(form.xform, source_name=form.form_id)
    media = store.form_media(form.form_id, form.version)
    kept, app_language = languages
    language = (
        kept
        if kept in definition.languages
        else form_language_for(definition.languages, app_language)
    )
    return FormSession.load(
        definition, xml, edit=edit, attachments=media, env=env, language=language
    )


def _with_version(xml: str, version: str) -> str:
    """The instance XML with its root's `version` attribute set to `version`."""
    SafeET.fromstring(xml)  # refuse what is not well-formed before editing it as text
    return _ROOT_VERSION.sub(lambda m: f'{m[1]}"{version}"', xml, count=1)
