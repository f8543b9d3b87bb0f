"""What an expression is evaluated against: nodes, instances and the host's services."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from forms.xpath.tree import Node


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _nowhere() -> str | None:
    return None


@dataclass
class Environment:
    """Services a host (FormSession, a test, the test-drive) lends to the function library.

    - `now`: the clock (`now()`, `today()`); tests fix it.
    - `rng`: randomness for `random()`, `uuid()` and unseeded `randomize()`.
    - `itext`: `jr:itext(id)` in the current language; None when the form has no translations.
    - `choice_label`: `jr:choice-name(value, ref)`: the label of a choice of the select at `ref`.
    - `properties`: device properties (`deviceid`, `username`, ...) for preloads and `property()`.
    - `location`: the device's position as a geopoint (`lat lon alt accuracy`) for
      `odk:setgeopoint`; None when no position is known.
    """

    now: Callable[[], dt.datetime] = _now
    rng: random.Random = field(default_factory=random.Random)
    itext: Callable[[str], str] | None = None
    choice_label: Callable[[str, Node], str] | None = None
    properties: Mapping[str, str] = field(default_factory=dict)
    location: Callable[[], str | None] = _nowhere


@dataclass
class Context:
    """One evaluation: the context node, `current()`, the documents and the environment.

    `main` is the primary instance's document node (what `/data/...` starts from);
    `instances` maps a secondary instance id to its document node, for `instance('id')`.
    `position` and `size` are the context position and size (`position()`, `last()`).
    """

    node: Node
    main: Node
    current: Node
    instances: Mapping[str, Node] = field(default_factory=dict)
    env: Environment = field(default_factory=Environment)
    position: int = 1
    size: int = 1

    def at(self, node: Node, position: int = 1, size: int = 1) -> Context:
        """The same evaluation moved to another context node (for steps and predicates)."""
        return Context(node, self.main, self.current, self.instances, self.env, position, size)
