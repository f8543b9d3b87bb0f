"""Brand-new sessions of one form, evaluated once and copied: for the test-drive, which
starts one per simulated interview.

A new session costs a full evaluation of its instance (with a big `jr:count`, most of
an interview's time). `FreshSessions.new(env)` gives what `FormSession.new` gives, but
when the form allows it evaluates the new instance only the first time, then copies it:

- nothing in that evaluation may consult the environment (clock, randomness, device
  properties, location): it runs under an environment that notes any use, and if one
  is noted every session is started by `FormSession.new`;
- no `odk-instance-first-load` or `odk-instance-load` action, and no preloaded field
  with a calculation of its own.

A copy then gets its preloads from `env` and recomputes what reads them, as an answer
would: the incremental recomputation ends where a fresh one does.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping

from forms.definition import FormDefinition
from forms.gc_pause import gc_paused
from forms.session import EMPTY_ATTACHMENTS, FormSession
from forms.session_paths import nodes_at
from forms.xpath import Environment
from forms.xpath.tree import Node

LOAD_EVENTS = ("odk-instance-first-load", "odk-instance-load")


class FreshSessions:
    def __init__(
        self,
        definition: FormDefinition,
        *,
        attachments: Mapping[str, bytes] = EMPTY_ATTACHMENTS,
        allow_missing_attachments: bool = False,
    ) -> None:
        self.definition = definition
        self.attachments = attachments
        self.allow_missing = allow_missing_attachments
        self._template: FormSession | None = None
        self._tried = not copyable(definition)

    @property
    def copying(self) -> bool:
        """Whether new sessions are copies of one evaluation (known after the first)."""
        return self._template is not None

    def new(self, env: Environment) -> FormSession:
        if not self._tried:
            self._tried = True  # a failure here fails this session, and the next go uncopied
            self._template = self._evaluate()
        if self._template is None:
            return FormSession.new(
                self.definition,
                attachments=self.attachments,
                env=env,
                allow_missing_attachments=self.allow_missing,
            )
        with gc_paused():
            return self._copy(self._template, env)

    def _evaluate(self) -> FormSession | None:
        """The new instance evaluated without preloads; None when that used the environment."""
        watch = Watch()
        env = Environment(
            now=watch.now,
            rng=WatchedRandom(watch),
            properties=WatchedProperties(watch),
            location=watch.location,
        )
        definition = self.definition
        with gc_paused():
            template = FormSession._start(
                definition,
                definition.new_instance_tree(),
                self.attachments,
                env,
                None,
                self.allow_missing,
            )
            template.recompute_all()
        return None if watch.used else template

    def _copy(self, template: FormSession, env: Environment) -> FormSession:
        twins: dict[Node, Node] = {}
        document = copy_tree(template.document, None, twins)
        session = FormSession._start(
            self.definition, document, self.attachments, env, None, self.allow_missing
        )
        session.own_relevant = {twins[n]: v for n, v in template.own_relevant.items()}
        session.readonly = {twins[n]: v for n, v in template.readonly.items()}
        session.required = {twins[n]: v for n, v in template.required.items()}
        for problem in template.notices:
            session.notice(problem)
        session.evaluations = template.evaluations
        session._preload()
        for bind in self.definition.binds:
            if bind.preload is not None:
                for node in nodes_at(document, bind.nodeset):
                    session.changed(node)
        session.flush()
        return session


def copyable(definition: FormDefinition) -> bool:
    if any(definition.actions_for(event) for event in LOAD_EVENTS):
        return False
    return all(b.calculate is None for b in definition.binds if b.preload is not None)


def copy_tree(node: Node, parent: Node | None, twins: dict[Node, Node]) -> Node:
    twin = Node(node.name, node.text, parent, dict(node.attrs), node.datatype)
    twin.relevant = node.relevant
    twins[node] = twin
    twin.children = [copy_tree(child, twin, twins) for child in node.children]
    return twin


class Watch:
    """Notes whether the environment was consulted (what it answers meanwhile does not
    matter: a session that asked is not copied)."""

    def __init__(self) -> None:
        self.used = False

    def now(self) -> dt.datetime:
        self.used = True
        return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    def location(self) -> str | None:
        self.used = True
        return None


class WatchedRandom(random.Random):
    def __init__(self, watch: Watch) -> None:
        super().__init__(0)
        self.watch = watch

    def random(self) -> float:
        self.watch.used = True
        return super().random()

    def getrandbits(self, k: int, /) -> int:
        self.watch.used = True
        return super().getrandbits(k)


class WatchedProperties(Mapping[str, str]):
    def __init__(self, watch: Watch) -> None:
        self.watch = watch

    def __getitem__(self, key: str) -> str:
        self.watch.used = True
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        self.watch.used = True
        return iter(())

    def __len__(self) -> int:
        self.watch.used = True
        return 0
