"""Filling: one screen of the interview at a time, over `fieldapp.interview.Interview`."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

import flet as ft

from fieldapp.interview import END, Interview, QuestionView, SaveFailed, ScreenView
from fieldapp.interview_language import app_language, interview_words
from fieldapp.ui import end_screen, hierarchy, question_widgets, style
from fieldapp.ui.markdown import rich_text
from fieldapp.ui.shell import Shell
from forms.errors import FormError


def start(shell: Shell, form_id: str) -> None:
    language = app_language(shell.store.get_setting("language"))
    _open(shell, lambda: Interview.start(shell.store, form_id, app_language=language))


def resume(shell: Shell, instance_id: str) -> None:
    language = app_language(shell.store.get_setting("language"))
    _open(shell, lambda: Interview.resume(shell.store, instance_id, app_language=language))


def _open(shell: Shell, opener: Callable[[], Interview]) -> None:
    try:
        interview = opener()
    except FormError as error:
        problems = "\n".join(str(p) for p in error.problems)
        shell.show(
            shell.t("common.error"), [style.error(shell.t("forms.load_failed", detail=problems))]
        )
        return
    except SaveFailed as error:
        shell.show(shell.t("common.error"), [style.error(str(error))])
        return
    Filling(shell, interview).render()


class Filling:
    def __init__(self, shell: Shell, interview: Interview) -> None:
        self.shell = shell
        self.interview = interview
        self.app_words = shell.t
        """The app's words, given back to the shell when the interview is left; inside it the
        shell's words follow the form language (`interview_words`)."""
        shell.t = interview_words(interview.words_language, self.app_words)
        interview.defer_writes = True
        self.pending: dict[str, Callable[[], str]] = {}
        self.messages: dict[str, str] = {}
        self.refused: dict[str, str] = {}
        """What was typed but refused (a violated constraint), shown again until corrected."""
        self.status = ""
        self.failed = False
        self.status_text = style.text("")
        self.message_texts: dict[str, ft.Text] = {}
        self.blocks: dict[str, ft.Column] = {}
        """Each question's controls on the current screen, by ref, in screen order."""
        self.questions = ft.Column(spacing=12)

    # -- acting ----------------------------------------------------------------------

    def answer(self, ref: str, value: Any) -> None:
        try:
            outcome = self.interview.answer(ref, value)
        except SaveFailed as error:
            self._save_failed(error)
            return
        message = "" if outcome.ok else outcome.message
        if outcome.ok:
            self.refused.pop(ref, None)
        elif isinstance(value, str):
            self.refused[ref] = value
        changed = message != self.messages.get(ref, "")
        self.messages[ref] = message
        self.status = self.shell.t("filling.saved") if outcome.ok else ""
        if changed or len(self.interview.screen().questions) > 1:
            self.render()  # a message to show, or relevance inside a field-list
        else:
            self._show_in_place(ref)

    def typed(self, ref: str, value: str) -> None:
        """Commit text as it is typed; update the message and status in place, without
        redrawing the screen, so the field keeps the focus and the keyboard stays open."""
        try:
            outcome = self.interview.answer(ref, value)
        except SaveFailed as error:
            self._save_failed(error)
            return
        if outcome.ok:
            self.refused.pop(ref, None)
        else:
            self.refused[ref] = value
        self.messages[ref] = "" if outcome.ok else outcome.message
        self.status = self.shell.t("filling.saved") if outcome.ok else ""
        self._relevance_in_place()
        self._show_in_place(ref)

    def _relevance_in_place(self) -> None:
        """Show and hide the screen's questions as what was typed switches them on or off,
        keeping the controls of the questions still shown (and so the focus and keyboard)."""
        screen = self.interview.screen()
        if screen.kind != "questions" or [q.ref for q in screen.questions] == list(self.blocks):
            return
        self.blocks = {q.ref: self.blocks.get(q.ref) or self._block(q) for q in screen.questions}
        self.questions.controls = list(self.blocks.values())
        self.pending = {ref: read for ref, read in self.pending.items() if ref in self.blocks}

    def _show_in_place(self, ref: str) -> None:
        shown = self.message_texts.get(ref)
        for control, text in ((shown, self.messages[ref]), (self.status_text, self.status)):
            if control is not None:
                control.value, control.visible = text, bool(text)
        self.shell.page.update()

    def _commit_pending(self) -> bool:
        """Answer what was typed but not submitted; False when one is refused or unsaved."""
        for ref, read in self.pending.items():
            if read() != self.interview.session.value(ref):
                try:
                    outcome = self.interview.answer(ref, read())
                except SaveFailed as error:
                    self._save_failed(error)
                    return False
                if not outcome.ok and outcome.message:
                    self.messages[ref] = outcome.message
                    self.refused[ref] = read()
                    self.render()
                    return False
        return not self.failed

    def _save_failed(self, error: SaveFailed) -> None:
        self.failed = True
        self.status = self.shell.t("filling.save_failed", detail=str(error))
        self.render()

    def retry(self, _e: object = None) -> None:
        try:
            self.interview.save()
        except SaveFailed as error:
            self._save_failed(error)
            return
        self.failed = False
        self.status = self.shell.t("filling.saved")
        self.render()

    def move(self, step: Callable[[], ScreenView]) -> None:
        if not self.interview.readonly and not self._commit_pending():
            return
        try:
            step()
        except SaveFailed as error:
            self._save_failed(error)
            return
        self.messages, self.refused, self.status = {}, {}, ""
        self.render()
        self.shell.page.run_task(self._flush)

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the new screen go out first
        try:
            self.interview.flush()
        except SaveFailed as error:
            self._save_failed(error)

    def finalize(self, _e: object = None) -> None:
        try:
            problems = self.interview.finalize()
        except SaveFailed as error:
            self._save_failed(error)
            return
        if problems:
            self.status = self.shell.t("end.problems")
            self.messages = {}
            screen = self.interview.screen()
            for q in screen.questions:
                self.messages[q.ref] = problems[0]
            self.render()
            return
        self.shell.t = self.app_words
        self.shell.show(self.shell.t("end.finalized"), [])

    def save_and_close(self, _e: object = None) -> None:
        if not self.interview.readonly:
            if not self._commit_pending():
                return
            try:
                self.interview.save()
                self.interview.close_visit()
            except SaveFailed as error:
                self._save_failed(error)
                return
        self.shell.t = self.app_words
        self.shell.home()

    # -- showing ---------------------------------------------------------------------

    def render(self) -> None:
        t = self.shell.t
        screen = self.interview.screen()
        self.pending, self.message_texts, self.blocks = {}, {}, {}
        rows: list[ft.Control] = [
            ft.ProgressBar(
                value=screen.progress,
                height=8,
                semantics_label=hierarchy.progress_words(t, screen),
            ),
        ]
        if len(self.interview.languages) > 1:
            rows.append(self._languages())
        if self.interview.notice:
            _, old, new, how = self.interview.notice.split(":")
            rows.append(
                style.error(
                    t("forms.older_version", version=old)
                    if how == "readonly"
                    else t("filling.version_migrated", old=old, new=new)
                )
            )
        if screen.kind == END:
            rows += self._end()
        elif screen.kind == "repeat_prompt":
            rows.append(style.text(screen.prompt, bold=True))
            rows.append(
                style.button(
                    t("repeat.add"),
                    lambda _e: self.move(lambda: self.interview.add_repeat(screen.repeat_ref)),
                    primary=True,
                )
            )
        else:
            typing = [q.ref for q in screen.questions if q.widget in question_widgets.TEXT_LIKE]
            self.blocks = {
                q.ref: self._block(q, focus=bool(typing) and q.ref == typing[0])
                for q in screen.questions
            }
            self.questions = ft.Column(list(self.blocks.values()), spacing=12)
            rows.append(self.questions)
        for ref, label in screen.repeat_items if screen.kind == "repeat_prompt" else ():
            delete = style.button(
                f"{t('repeat.delete')} {label}",
                lambda _e, r=ref, n=label: hierarchy.confirm_delete(self, r, n),
            )
            rows.append(ft.Row([style.text(label), delete], wrap=True))
        self.status_text = (style.error if self.failed else style.text)(self.status)
        self.status_text.visible = bool(self.status)
        rows.append(self.status_text)
        if self.failed:
            rows.append(style.button(t("filling.retry"), self.retry, primary=True))
        self.shell.show(screen.section, rows, nav=False, footer=self._buttons(screen))

    def _block(self, q: QuestionView, *, focus: bool = False) -> ft.Column:
        return ft.Column(self._question(q, focus=focus), spacing=12)

    def _question(self, q: QuestionView, *, focus: bool = False) -> list[ft.Control]:
        t = self.shell.t
        if q.widget == "note":
            return [rich_text(q.label), rich_text(q.hint)]  # its own Markdown sets the bold
        heading = q.label + (" *" if q.required else "")
        out: list[ft.Control] = [rich_text(heading, bold=True)]
        if q.hint:
            out.append(rich_text(q.hint))
        for comment in q.comments:
            out.append(style.error(f"{t('returned.comments')}: {comment}"))

        def answer(value: Any) -> None:
            self.answer(q.ref, value)

        if q.ref in self.refused:
            q = dataclasses.replace(q, value=self.refused[q.ref])

        def typed(value: Any) -> None:
            self.typed(q.ref, value)

        control, pending = question_widgets.build(
            q, answer, t, self._attach, typed=typed, focus=focus
        )
        if pending is not None:
            self.pending[q.ref] = pending
        out.append(control)
        message = self.messages.get(q.ref) or q.message
        shown = self.message_texts[q.ref] = style.error(message)
        shown.visible = bool(message)
        out.append(shown)
        return out

    def _attach(self, filename: str, data: bytes) -> str:
        record = self.shell.store.add_attachment(self.interview.instance_id, filename, data)
        name: str = record.filename
        return name

    def _end(self) -> list[ft.Control]:
        return end_screen.rows(self)

    def _buttons(self, screen: ScreenView) -> ft.Control:
        t = self.shell.t
        buttons: list[ft.Control] = [
            style.button(t("filling.previous"), lambda _e: self.move(self.interview.back)),
        ]
        if screen.kind != END:
            buttons.append(
                style.button(
                    t("filling.next"), lambda _e: self.move(self.interview.next), primary=True
                )
            )
        buttons += [
            style.button(t("filling.outline"), lambda _e: self._outline()),
            style.button(t("end.save_draft"), self.save_and_close),
        ]
        return ft.Row(buttons, wrap=True)

    def _languages(self) -> ft.Control:
        t = self.shell.t
        buttons: list[ft.Control] = []
        languages = self.interview.languages
        for language in languages if len(languages) > 1 else ():
            name = self.interview.language_label(language)
            current = language == self.interview.language
            buttons.append(
                ft.TextButton(
                    content=style.text(
                        f"✓ {name}" if current else name, color=style.ACCENT, bold=current
                    ),
                    tooltip=f"{t('filling.language')}: {name}",
                    height=style.TOUCH,
                    on_click=lambda _e, lang=language: self._language(lang),
                )
            )
        return ft.Row(buttons, wrap=True, spacing=0)

    def _language(self, language: str) -> None:
        self.interview.set_language(language)
        self.shell.t = interview_words(self.interview.words_language, self.app_words)
        self.render()

    def _outline(self) -> None:
        hierarchy.show(self)
