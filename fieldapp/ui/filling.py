"""Filling: one screen of the interview at a time, over `fieldapp.interview.Interview`."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import flet as ft

from fieldapp.interview import END, Interview, QuestionView, SaveFailed, ScreenView
from fieldapp.interview_blocking import screen_problems
from fieldapp.interview_language import app_language, interview_words
from fieldapp.ui import end_screen, filling_bar, hierarchy, question_blocks, question_widgets, style
from fieldapp.ui.filling_bar import FAILED, SAVED
from fieldapp.ui.shell import Shell
from forms.errors import FormError

BUILD_WAIT_S = 0.3
"""How long a screen just sent is given to be built before scrolling in it."""


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
        """The save state the top bar shows: "" (nothing answered on this screen yet),
        SAVED or FAILED."""
        self.failure = ""
        self.bars = self._bars()
        self.message_texts: dict[str, ft.Text] = {}
        self.blocks: dict[str, ft.Column] = {}
        """Each question's controls on the current screen, by ref, in screen order."""
        self.views: dict[str, QuestionView] = {}
        """What each block shows, to tell which blocks an answer changed."""
        self.questions = ft.Column(spacing=12)

    # -- acting ----------------------------------------------------------------------

    def answer(self, ref: str, value: Any) -> None:
        """Commit an answer (a choice, or text as it is typed) and update only what it
        changed on the screen: the control answered keeps its place, its focus and the
        keyboard; no question moves under the enumerator's finger."""
        try:
            outcome = self.interview.answer(ref, value)
        except SaveFailed as error:
            self._save_failed(error)
            return
        if outcome.ok:
            self.refused.pop(ref, None)
        elif isinstance(value, str):
            self.refused[ref] = value
        self.messages[ref] = "" if outcome.ok else outcome.message
        self._set_status(SAVED if outcome.ok else "")
        self._in_place(answered=ref)
        self.shell.page.update()

    def _in_place(self, answered: str | None = None) -> None:
        """Bring the screen up to date without redrawing it: questions switched on or off
        are added or removed, a question whose text, choices or computed value changed is
        rebuilt in its place, and every other one only gets its message updated."""
        screen = self.interview.screen()
        if screen.kind != "questions" or not self.blocks:
            self.render()
            return
        blocks: dict[str, ft.Column] = {}
        for q in screen.questions:
            block, before = self.blocks.get(q.ref), self.views.get(q.ref)
            if block is None or before is None:
                block = self._block(q)
            elif question_blocks.changed(before, q, answered=q.ref == answered):
                block.controls = self._question(q)
            else:
                self._show_message(q)
            blocks[q.ref] = block
        if list(blocks) != list(self.blocks):
            self.questions.controls = list(blocks.values())
        self.blocks = blocks
        self.pending = {ref: read for ref, read in self.pending.items() if ref in blocks}

    def _show_message(self, q: QuestionView) -> None:
        shown = self.message_texts.get(q.ref)
        if shown is not None:
            shown.value = self.messages.get(q.ref) or q.message
            shown.visible = bool(shown.value)

    def _commit_pending(self) -> bool:
        """Answer what was typed but not submitted; False when one is refused or unsaved
        (its message is then shown on it)."""
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
        return not self.failed and not self.refused

    def _save_failed(self, error: SaveFailed) -> None:
        self.failed = True
        self.failure = self.shell.t("filling.save_failed", detail=str(error))
        self.render()

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    @failed.setter
    def failed(self, value: bool) -> None:
        self.status = FAILED if value else ""

    def retry(self, _e: object = None) -> None:
        try:
            self.interview.save()
        except SaveFailed as error:
            self._save_failed(error)
            return
        self.status = SAVED
        self.render()

    def forward(self) -> None:
        """Next, unless the screen has a required question left empty or an answer that
        breaks a constraint: then stay, say so on those questions only, and bring the
        first into view (with the keyboard, when it is typed)."""
        if not self.interview.readonly:
            committed = self._commit_pending()
            if self.failed:
                return
            problems = screen_problems(self.interview)
            problems |= {ref: self.messages[ref] for ref in self.refused if ref in self.blocks}
            if problems or not committed:
                self._show_problems(problems)
                return
        self.move(self.interview.next)

    def _show_problems(self, problems: dict[str, str], *, fresh: bool = False) -> None:
        """Show `problems` on their questions (and no message elsewhere) and bring the first
        into view; `fresh` when the screen was just drawn, not yet built by the browser."""
        for ref in self.blocks:
            self.messages[ref] = problems.get(ref, "")
        self._in_place()
        self.shell.page.update()
        first = next((ref for ref in self.blocks if problems.get(ref)), None)
        if first is not None:
            self.shell.page.run_task(self._bring_into_view, first, fresh)

    async def _bring_into_view(self, ref: str, fresh: bool) -> None:
        """Scroll the question's whole block, message included, into view at once, then
        give it the keyboard when it is typed (the field is then in view: focusing does not
        scroll again, and an animated scroll would race it). A screen just drawn is given
        time to be built first: the browser finds no question by its key before that."""
        if fresh:
            await asyncio.sleep(BUILD_WAIT_S)
        await self.shell.body.scroll_to(scroll_key=ref)
        field = question_blocks.text_field(self.blocks[ref]) if ref in self.blocks else None
        if field is not None and not field.read_only:
            await field.focus()  # type: ignore[no-untyped-call]

    def move(self, step: Callable[[], ScreenView]) -> None:
        """Back, Go to question, a repeat added or deleted: never blocked (Collect saves the
        screen without evaluating constraints when it moves backward or jumps), unless an
        answer could not be written; text a constraint refused is left behind."""
        if not self.interview.readonly:
            self._commit_pending()
            if self.failed:
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

    def go_to_problem(self, ref: str) -> None:
        """Open the screen of the question at `ref` with the message on each of its
        questions that has a problem (the end screen's "first problem")."""
        self.move(lambda: self.interview.jump(ref))
        if not self.failed:
            self._show_problems(screen_problems(self.interview), fresh=True)

    def finalize(self, _e: object = None) -> None:
        """Finalize, or open the first problem's screen with a message on each of its
        questions that has one (and on no other)."""
        try:
            problems = self.interview.finalize()
        except SaveFailed as error:
            self._save_failed(error)
            return
        if problems:
            self.messages, self.refused = {}, {}
            self.render()
            self._show_problems(screen_problems(self.interview), fresh=True)
            return
        self.shell.t = self.app_words
        self.shell.show(self.shell.t("end.finalized"), [])

    def save_and_close(self, _e: object = None) -> None:
        if not self.interview.readonly:
            self._commit_pending()
            if self.failed:
                return
            try:
                self.interview.save()
                self.interview.close_visit()
            except SaveFailed as error:
                self._save_failed(error)
                return
        self.shell.t = self.app_words
        self.shell.home()
        if not self.interview.readonly:
            self.shell.notify(self.shell.t("filling.saved_draft"))

    # -- showing ---------------------------------------------------------------------

    def render(self) -> None:
        t = self.shell.t
        screen = self.interview.screen()
        self.pending, self.message_texts, self.blocks, self.views = {}, {}, {}, {}
        rows: list[ft.Control] = [
            hierarchy.progress_bar(t, screen),
        ]
        if self.failed:
            rows.append(style.error(self.failure))
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
        self.bars.show(screen.section, self._menu(), status=self.status, at_end=screen.kind == END)
        self.shell.show(screen.section, rows, nav=False, footer=self.bars.bottom, bar=self.bars.top)

    def _bars(self) -> filling_bar.Bars:
        t = self.shell.t
        return filling_bar.Bars(
            filling_bar.Words(
                t("filling.more"),
                t("filling.saved"),
                t("filling.not_saved"),
                t("filling.previous"),
                t("filling.next"),
            ),
            back=lambda: self.move(self.interview.back),
            forward=self.forward,
            retry=self.retry,
        )

    def _set_status(self, status: str) -> None:
        self.status = status
        self.bars.status(status)

    def _block(self, q: QuestionView, *, focus: bool = False) -> ft.Column:
        return ft.Column(
            self._question(q, focus=focus), spacing=12, key=question_blocks.scroll_key(q.ref)
        )

    def _question(self, q: QuestionView, *, focus: bool = False) -> list[ft.Control]:
        self.views[q.ref] = q
        shown, line, pending = question_blocks.controls(
            q,
            typed=self.refused.get(q.ref),
            message=self.messages.get(q.ref) or q.message,
            t=self.shell.t,
            answer=functools.partial(self.answer, q.ref),
            attach=self._attach,
            focus=focus,
        )
        if line is not None:
            self.message_texts[q.ref] = line
        if pending is not None:
            self.pending[q.ref] = pending
        return shown

    def _attach(self, filename: str, data: bytes) -> str:
        record = self.shell.store.add_attachment(self.interview.instance_id, filename, data)
        name: str = record.filename
        return name

    def _end(self) -> list[ft.Control]:
        return end_screen.rows(self)

    def _menu(self) -> list[filling_bar.MenuItem]:
        interview = self.interview
        languages = interview.languages if len(interview.languages) > 1 else ()
        return filling_bar.menu_items(
            self.shell.t,
            outline=self._outline,
            save=self.save_and_close,
            languages=[(interview.language_label(lang), lang) for lang in languages],
            current=interview.language,
            choose=self._language,
        )

    def _language(self, language: str) -> None:
        self.interview.set_language(language)
        self.shell.t = interview_words(self.interview.words_language, self.app_words)
        self.bars = self._bars()
        self.render()

    def _outline(self) -> None:
        hierarchy.show(self)
