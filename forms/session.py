"""`FormSession`: one filling of a form, as ODK Collect (JavaRosa) fills it.

Start one with `FormSession.new(definition)` or resume one with
`FormSession.load(definition, instance_xml)`; answer questions with
`answer(ref, value)`; read back labels, choices, screens and problems; save with
`to_xml()`. Refs are absolute paths with repeat positions (`/data/member[2]/age`).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms import instance_xml, session_navigation
from forms.definition import Control, FormDefinition
from forms.errors import FormError, Place, Problem
from forms.gc_pause import gc_paused
from forms.messages import render_in
from forms.session_answers import WrongType, coerce, split_select
from forms.session_paths import nodes_at, pattern_of
from forms.session_screens import ScreenList, ScreenTree
from forms.session_text import SELECT_KINDS, Choice, SessionText
from forms.xpath import Environment
from forms.xpath.tree import Node
from forms.xpath.values import format_datetime, to_boolean

EMPTY_ATTACHMENTS: Mapping[str, bytes] = {}

__all__ = ["SELECT_KINDS", "AnswerResult", "Choice", "FormSession"]


@dataclass(frozen=True)
class AnswerResult:
    """What `answer` did: `ok`, or the `problem` and its `message` in the form's language."""

    ref: str
    problem: Problem | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


class FormSession(SessionText):
    _screen_tree: ScreenTree | None = None

    # -- starting -------------------------------------------------------------------

    @classmethod
    def new(
        cls,
        definition: FormDefinition,
        *,
        attachments: Mapping[str, bytes] = EMPTY_ATTACHMENTS,
        env: Environment | None = None,
        language: str | None = None,
        allow_missing_attachments: bool = False,
    ) -> FormSession:
        """A new instance. A choice list or secondary instance whose file is not in
        `attachments` is a `FormError` naming the files, unless `allow_missing_attachments`
        (its choices are then empty)."""
        with gc_paused():
            tree = definition.new_instance_tree()
            session = cls._start(
                definition, tree, attachments, env, language, allow_missing_attachments
            )
            session._preload()
            session.run_actions(definition.actions_for("odk-instance-first-load"), None)
            session.run_actions(definition.actions_for("odk-instance-load"), None)
            session.recompute_all()
        return session

    @classmethod
    def load(
        cls,
        definition: FormDefinition,
        xml: str | bytes,
        *,
        edit: bool = False,
        attachments: Mapping[str, bytes] = EMPTY_ATTACHMENTS,
        env: Environment | None = None,
        language: str | None = None,
        allow_missing_attachments: bool = False,
    ) -> FormSession:
        """Resume a saved instance; `edit=True` edits a returned submission (new instanceID,
        `meta/deprecatedID` = the old one). A mismatching instance is a `FormError`."""
        with gc_paused():
            return cls._resume(
                definition, xml, edit, attachments, env, language, allow_missing_attachments
            )

    @classmethod
    def _resume(
        cls,
        definition: FormDefinition,
        xml: str | bytes,
        edit: bool,
        attachments: Mapping[str, bytes],
        env: Environment | None,
        language: str | None,
        allow_missing: bool,
    ) -> FormSession:
        document = instance_xml.read_instance(definition, xml)
        session = cls._start(definition, document, attachments, env, language, allow_missing)
        if edit:
            meta = session._meta()
            old = meta.child("instanceID") if meta is not None else None
            if meta is not None and old is not None:
                deprecated = meta.child("deprecatedID") or instance_xml.add_child(
                    meta, "deprecatedID", after="instanceID"
                )
                deprecated.text = old.text
                old.text = session._new_uuid()
        session.run_actions(definition.actions_for("odk-instance-load"), None)
        session.recompute_all()
        return session

    @classmethod
    def _start(
        cls,
        definition: FormDefinition,
        document: Node,
        attachments: Mapping[str, bytes],
        env: Environment | None,
        language: str | None,
        allow_missing: bool,
    ) -> FormSession:
        instances: dict[str, Node] = {}
        missing: list[str] = []
        for secondary in definition.secondary_instances:
            if secondary.content is not None:
                instances[secondary.id] = secondary.document()
            elif secondary.filename is not None and secondary.filename in attachments:
                instances[secondary.id] = secondary.load(attachments[secondary.filename])
            elif secondary.filename is not None:
                missing.append(secondary.filename)
        if missing and not allow_missing:
            files = ", ".join(f"'{name}'" for name in sorted(set(missing)))
            raise FormError.of("session.missing_attachment", files=files)
        base = env if env is not None else Environment()
        session = cls(definition, document, instances, base)
        session.language = language if language is not None else definition.default_language
        session.env = dataclasses.replace(
            base, itext=session._itext, choice_label=session._choice_label
        )
        for action in definition.actions:
            session.notice_unsupported(action)
        return session

    def _new_uuid(self) -> str:
        return f"uuid:{uuid.UUID(int=self.env.rng.getrandbits(128), version=4)}"

    def _meta(self) -> Node | None:
        root = self.document.children[0]
        return root.child("meta")

    def finalize(self) -> list[Problem]:
        """Stamp the `end` preloads and return every problem that blocks finalizing."""
        self._preload(only="end")
        return self.validate()

    def _preload(self, only: str | None = None) -> None:
        for bind in self.definition.binds:
            if bind.preload is None or (only is not None and bind.preload_params != only):
                continue
            kind, param = bind.preload, bind.preload_params or ""
            text: str | None = None
            if kind == "uid":
                text = self._new_uuid()
            elif kind == "timestamp" and param in ("start", "end"):
                text = format_datetime(self.env.now())
            elif kind == "date" and param == "today":
                text = self.env.now().date().isoformat()
            elif kind == "property":
                text = self.env.properties.get(param, "")
            if text is not None:
                for node in nodes_at(self.document, bind.nodeset):
                    node.text = text

    # -- finding nodes --------------------------------------------------------------

    def value(self, ref: str) -> str:
        return self.node(ref).text

    def is_relevant(self, ref: str) -> bool:
        return self.node(ref).relevant

    def is_required(self, ref: str) -> bool:
        return self.required.get(self.node(ref), False)

    def is_readonly(self, ref: str) -> bool:
        node = self.node(ref)
        bind = self.definition.bind_for(node.path())
        return self.readonly.get(node, False) or (bind is not None and bind.calculate is not None)

    def message(self, problem: Problem) -> str:
        return render_in(problem.code, problem.params, self.language)

    # -- answering ------------------------------------------------------------------

    def answer(self, ref: str, value: Any) -> AnswerResult:
        """Set a question's value. As in JavaRosa, a wrong type, a read-only question or a
        violated constraint changes nothing; a required question left empty is reported."""
        node = self.node(ref)
        if node.children:
            return self._refused(ref, "session.not_a_question", ref=ref)
        if self.is_readonly(ref):
            return self._refused(ref, "session.readonly")
        control = self.control(ref)
        empty = value is None or value == "" or value == []
        try:
            if empty:
                text = ""
            elif control is not None and control.kind in SELECT_KINDS:
                text = self._select_text(control, node, value)
            else:
                text = coerce(node.datatype, value)
        except WrongType as wrong:
            return self._refused(ref, wrong.code, **wrong.params)
        if text and node.relevant:
            kept, node.text = node.text, text
            violated = self._constraint_problem(node)
            node.text = kept
            if violated is not None:
                return AnswerResult(self.ref(node), violated, self.message(violated))
        if self.set_text(node, text):
            self.flush()
            actions = [
                a
                for a in self.definition.actions_for("xforms-value-changed")
                if a.control == node.path()
            ]
            if actions:
                self.run_actions(actions, node)
        problem = self.problem_of(node)
        return AnswerResult(
            self.ref(node), problem, self.message(problem) if problem is not None else ""
        )

    def _refused(self, where: str, code: str, **params: Any) -> AnswerResult:
        problem = Problem(code, params, Place(field=where))
        return AnswerResult(where, problem, self.message(problem))

    def _select_text(self, control: Control, node: Node, value: Any) -> str:
        values = split_select(value)
        if control.kind == "select1" and len(values) != 1:
            raise WrongType("session.one_choice")
        offered = [c.value for c in self._choices(control, node)]
        allowed = set(offered)
        for each in values:
            if each not in allowed:
                raise WrongType("session.not_in_choices", value=each)
        if control.kind == "select":  # stored in choice order, as Collect's widgets do
            chosen = set(values)
            return " ".join(dict.fromkeys(v for v in offered if v in chosen))
        return " ".join(dict.fromkeys(values))

    def problem_of(self, node: Node) -> Problem | None:
        """The required or constraint problem of a relevant question, if any."""
        if not node.relevant:
            return None
        ref = self.ref(node)
        bind = self.definition.bind_for(node.path())
        if node.text == "":
            if self.required.get(node, False):
                text = self.label_text(bind.required_msg if bind else None, node)
                return self._form_problem("session.required", text, ref)
            return None
        return self._constraint_problem(node)

    def _constraint_problem(self, node: Node) -> Problem | None:
        bind = self.definition.bind_for(node.path())
        if bind is not None and bind.constraint is not None:
            try:
                ok = to_boolean(self.run(self.compiled(bind.constraint), node))
            except FormError:
                ok = False
            if not ok:
                text = self.label_text(bind.constraint_msg, node)
                return self._form_problem("session.constraint", text, self.ref(node))
        return None

    def _form_problem(self, code: str, text: str, ref: str) -> Problem:
        if text:
            return Problem("session.form_message", {"message": text}, Place(field=ref))
        return Problem(code, {}, Place(field=ref))

    def validate(self) -> list[Problem]:
        """Every required-missing and constraint problem of the relevant questions, in order.
        As JavaRosa's `TriggerableDag.validate`, only nodes a body control asks are checked:
        a required calculate or a bind without a control never blocks finalizing."""
        problems: list[Problem] = []
        for node in session_navigation.questions(self):
            problem = self.problem_of(node)
            if problem is not None:
                problems.append(problem)
        return problems

    # -- repeats --------------------------------------------------------------------

    def add_repeat(self, ref: str) -> str:
        """Add an instance to the repeat at `ref` (`/data/hh[1]/member`); its new ref."""
        pattern = pattern_of(ref)
        if pattern not in self.repeats:
            raise FormError.of("session.not_a_repeat", Place(field=ref), ref=ref)
        self._check_user_may_change(ref, pattern)
        parent_ref, _, _ = ref.rstrip("/").rpartition("/")
        parent = self.node(parent_ref)
        return self.ref(self.add_instance(parent, pattern))

    def remove_repeat(self, ref: str) -> None:
        node = self.node(ref)
        if node.path() not in self.repeats:
            raise FormError.of("session.not_a_repeat", Place(field=ref), ref=ref)
        self._check_user_may_change(ref, node.path())
        self.remove_instance(node)
        self.flush()

    def _check_user_may_change(self, ref: str, pattern: str) -> None:
        """A repeat with `jr:count`, or `jr:noAddRemove` true, has its instances fixed."""
        control = self.definition.control_for(pattern)
        if control is None:
            return
        fixed = control.count is not None
        if not fixed and control.no_add_remove is not None:
            fixed = to_boolean(self.run(self.compiled(control.no_add_remove), self.document))
        if fixed:
            raise FormError.of("session.repeat_fixed", Place(field=ref), ref=ref)

    # -- navigation and saving ------------------------------------------------------

    @property
    def _tree(self) -> ScreenTree:
        if self._screen_tree is None:
            self._screen_tree = ScreenTree(self)
        return self._screen_tree

    def screens(self) -> ScreenList:
        """The screens in order, as a live sequence: it always reads the screens as they
        are now (take `list()` of it to keep them). Its length and any one screen cost
        what changed since the last read, not the size of the form."""
        return ScreenList(self._tree)

    def screen(self, index: int) -> session_navigation.Screen:
        """One screen of `screens()` (IndexError outside them)."""
        return self._tree.screen(index)

    def next(self, index: int) -> int | None:
        return self._step(index + 1)

    def previous(self, index: int) -> int | None:
        return self._step(index - 1)

    def _step(self, target: int) -> int | None:
        return target if 0 <= target < self._tree.count() else None

    def jump(self, ref: str) -> int | None:
        """The screen whose ref is `ref`, or that shows the question `ref`; None if none."""
        return self._tree.jump(ref)

    def outline(self) -> list[session_navigation.OutlineEntry]:
        return session_navigation.outline(self)

    def to_xml(self) -> str:
        return instance_xml.write_instance(self.definition, self.document)
