"""The screens of a session, kept as a tree that follows its changes.

`forms.session_navigation` says what the screens are; this module keeps them per
*block*: the screens one group node, one repeat instance or the document shows, in
order, with the blocks of the groups and repeats inside it. A repeat has a block of its
own below each parent node: its instances' blocks, then its "add another?" prompt.

The recomputer notes which nodes changed relevance and where repeat instances came or
went (`layout_dirty`). The next read rebuilds only the blocks that show those nodes and
adds screen counts up their chain of parents, so moving on costs what changed, not the
size of the instance. Screen `i` is found by descending through the counts; a ref's
screen by climbing from its node. Screens are made when read, from the nodes kept, so
their refs and a prompt's wording (answers, language) are always current.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, overload

from forms.definition import Control
from forms.session_navigation import (
    GROUP,
    QUESTION,
    REPEAT_PROMPT,
    Screen,
    prompt_screen,
    prompt_shown,
    walk,
    within,
)
from forms.session_paths import nodes_at, pattern_of
from forms.xpath.tree import Node

if TYPE_CHECKING:
    from forms.session import FormSession

Key = Node | tuple[Node, str] | None
"""What an item is found by in its block: its node, `(parent, name)` for a repeat's
block, `(parent, "#start")` for a chunk of its instances, None for a repeat's prompt."""
CHUNK = 32
"""A repeat with more instances shown keeps them in chunks of this many, so that a
change in one instance re-adds about 2 x sqrt(n) counts, not n."""


@dataclass(slots=True, eq=False)
class Entry:
    """One screen: a question, a field-list group (with its relevant questions) or a
    repeat prompt (`node` is the parent of the instances)."""

    kind: str
    node: Node
    questions: tuple[Node, ...] = ()
    control: Control | None = None


@dataclass(slots=True, eq=False)
class Block:
    controls: Sequence[Control]
    context: Node
    parent: Block | None
    key: Key
    repeat: Control | None = None
    items: list[Entry | Block] = field(default_factory=list)
    keys: dict[Key, int] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)
    """Screens before each item."""
    count: int = 0
    stale: bool = True
    """`items` are to be listed again."""
    dirty: bool = True
    """`starts` and `count` are to be added again (always true above a dirty block)."""

    def add(self, item: Entry | Block, *keys: Key) -> None:
        for key in keys:
            self.keys.setdefault(key, len(self.items))
        self.items.append(item)


class ScreenTree:
    def __init__(self, session: FormSession) -> None:
        self.session = session
        self.root = Block(session.definition.body, session.document, None, None)
        self.blocks: dict[Node, Block] = {}
        self.repeat_blocks: dict[Node, dict[str, Block]] = {}
        self.volatile: set[Block] = set()
        """Repeat blocks whose prompt hangs on a `jr:noAddRemove` expression."""
        self.rebuilt = 0
        """Blocks listed so far: what keeping the screens has cost."""
        self._listed: list[Screen | Entry] | None = None
        """Every screen, prompts to be worded when read; None after a change."""

    # -- reading --------------------------------------------------------------------

    def count(self) -> int:
        return self._fresh().count

    def screen(self, index: int) -> Screen:
        block = self._fresh()
        if not 0 <= index < block.count:
            raise IndexError(f"no screen {index}")
        if self._listed is not None:
            return self._made(self._listed[index])
        while True:
            k = bisect_right(block.starts, index) - 1
            item = block.items[k]
            index -= block.starts[k]
            if isinstance(item, Entry):
                return self._screen(item)
            block = item

    def __iter__(self) -> Iterator[Screen]:
        """Every screen in order. The list is kept until the next change, so reading
        all the screens again costs no more than a copy (prompts are worded anew)."""
        self._fresh()
        if self._listed is None:
            listed: list[Screen | Entry] = []
            stack: list[Iterator[Entry | Block]] = [iter(self.root.items)]
            while stack:
                item = next(stack[-1], None)
                if item is None:
                    stack.pop()
                elif isinstance(item, Block):
                    stack.append(iter(item.items))
                else:
                    listed.append(item if item.kind == REPEAT_PROMPT else self._screen(item))
            self._listed = listed
        return map(self._made, self._listed)

    def _made(self, item: Screen | Entry) -> Screen:
        return item if isinstance(item, Screen) else self._screen(item)

    def jump(self, ref: str) -> int | None:
        """The index of the screen whose ref is `ref` or that shows the question `ref`."""
        self._fresh()
        session = self.session
        parent_ref, _, name = ref.rpartition("/")
        if pattern_of(ref) in session.repeats and not name.endswith("]"):
            parent = session.index.find(parent_ref)
            block = self.repeat_blocks.get(parent, {}).get(name) if parent else None
            found = self._index_of(block, None) if block is not None else None
            return found if found is not None and self.screen(found).ref == ref else None
        node = session.index.find(ref)
        if node is None or session.ref(node) != ref:
            return None
        return self._index_of(self._owner(node), node)

    def _index_of(self, block: Block | None, key: Key) -> int | None:
        if block is None or key not in block.keys:
            return None
        k = block.keys[key]
        if not isinstance(block.items[k], Entry):
            return None
        chain = block
        while chain.parent is not None:
            at = chain.parent.keys.get(chain.key)
            if at is None or chain.parent.items[at] is not chain:
                return None  # not shown (a non-relevant group keeps its block)
            chain = chain.parent
        if chain is not self.root:
            return None
        index = block.starts[k]
        while block.parent is not None:
            index += block.parent.starts[block.parent.keys[block.key]]
            block = block.parent
        return index

    def _owner(self, node: Node) -> Block | None:
        """The block that shows `node`: its repeat's block or its nearest ancestor's."""
        while node.parent is not None:
            parent = node.parent
            found = self.repeat_blocks.get(parent, {}).get(node.name) or self.blocks.get(parent)
            if found is not None:
                return found
            node = parent
        return None

    def _screen(self, entry: Entry) -> Screen:
        ref = self.session.ref
        if entry.kind == REPEAT_PROMPT:
            assert entry.control is not None
            return prompt_screen(self.session, entry.control, entry.node)
        if entry.kind == GROUP:
            return Screen(GROUP, ref(entry.node), tuple(ref(n) for n in entry.questions))
        return Screen(QUESTION, ref(entry.node), (ref(entry.node),))

    # -- following changes ----------------------------------------------------------

    def _fresh(self) -> Block:
        session = self.session
        if session.layout_reset or session.layout_dirty or self.volatile:
            self._listed = None
        if session.layout_reset:
            session.layout_reset = False
            self.blocks = {session.document: self.root}
            self.repeat_blocks.clear()
            self.volatile.clear()
            self._stale(self.root)
        for removed in session.layout_removed:
            for node in removed.iter():
                self.blocks.pop(node, None)
                self.volatile.difference_update(self.repeat_blocks.pop(node, {}).values())
        for node, name in session.layout_dirty:
            self._mark(node, name)
        session.layout_removed.clear()
        session.layout_dirty.clear()
        for block in self.volatile:
            self._stale(block)
        self._ensure(self.root)
        return self.root

    def _mark(self, node: Node, name: str | None) -> None:
        """`node` changed relevance (`name` None) or had instances of `name` added or
        removed: mark stale the blocks that show it."""
        if node.root() is not self.session.document:
            return  # removed meanwhile
        below = self.repeat_blocks.get(node, {})
        if name is not None:
            owner = below.get(name) or self.blocks.get(node) or self._owner(node)
            if owner is not None:
                self._stale(owner)
            return
        for block in (self.blocks.get(node), *below.values(), self._owner(node)):
            if block is not None:
                self._stale(block)

    def _stale(self, block: Block) -> None:
        block.stale = True
        walk: Block | None = block
        while walk is not None and not walk.dirty:
            walk.dirty = True
            walk = walk.parent
        block.dirty = True

    def _ensure(self, block: Block) -> None:
        if block.stale:
            self._rebuild(block)
        if not block.dirty:
            return
        starts: list[int] = []
        total = 0
        for item in block.items:
            starts.append(total)
            if isinstance(item, Entry):
                total += 1
            else:
                if item.dirty:
                    self._ensure(item)
                total += item.count
        block.starts, block.count, block.dirty = starts, total, False

    def _rebuild(self, block: Block) -> None:
        self.rebuilt += 1
        block.items, block.keys, block.stale = [], {}, False
        control = block.repeat
        if control is None:
            self._fill(block, block.controls, block.context)
            return
        assert control.ref is not None
        parent = block.context
        instances = nodes_at(parent, control.ref)
        shown = [i for i in instances if i.relevant]
        if len(shown) <= CHUNK:
            for instance in shown:
                block.add(self._child(instance, control.children, block), instance)
        for start in range(0, len(shown) if len(shown) > CHUNK else 0, CHUNK):
            chunk = Block((), parent, block, (parent, f"#{start}"), stale=False)
            for instance in shown[start : start + CHUNK]:
                chunk.add(self._child(instance, control.children, chunk), instance)
            block.add(chunk, chunk.key)
        if prompt_shown(self.session, control, parent, instances):
            block.add(Entry(REPEAT_PROMPT, parent, control=control), None)
        if control.no_add_remove is not None:
            self.volatile.add(block)

    def _fill(self, block: Block, controls: Sequence[Control], context: Node) -> None:
        session = self.session
        for control in controls:
            ref = control.ref
            if ref is None or (control.kind == "group" and ref in session.repeats):
                self._fill(block, control.children, context)
                continue
            if control.kind == "repeat":
                parents = within(session, context, ref.rsplit("/", 1)[0])
                if parents:
                    repeat = self._repeat_block(parents[0], control, block)
                    block.add(repeat, repeat.key)
                continue
            found = within(session, context, ref)[:1]
            if not found or not found[0].relevant:
                continue
            node = found[0]
            if control.kind == "group" and control.is_field_list:
                inside = tuple(
                    n
                    for c, n, _ in walk(session, control.children, node, 0)
                    if c.kind not in ("group", "repeat") and n.relevant
                )
                if inside:
                    block.add(Entry(GROUP, node, inside), node, *inside)
            elif control.kind == "group":
                block.add(self._child(node, control.children, block), node)
            else:
                block.add(Entry(QUESTION, node), node)

    def _child(self, node: Node, controls: Sequence[Control], parent: Block) -> Block:
        found = self.blocks.get(node)
        if found is None or found.controls is not controls:
            found = self.blocks[node] = Block(controls, node, parent, node)
        found.parent = parent
        return found

    def _repeat_block(self, parent: Node, control: Control, owner: Block) -> Block:
        assert control.ref is not None
        name = control.ref.rsplit("/", 1)[1]
        below = self.repeat_blocks.setdefault(parent, {})
        found = below.get(name)
        if found is None or found.repeat is not control:
            found = below[name] = Block((), parent, owner, (parent, name), repeat=control)
        found.parent = owner
        return found


class ScreenList(Sequence[Screen]):
    """The screens of a session as a live, read-only sequence (`FormSession.screens`)."""

    def __init__(self, tree: ScreenTree) -> None:
        self._tree = tree

    def __len__(self) -> int:
        return self._tree.count()

    @overload
    def __getitem__(self, index: int) -> Screen: ...

    @overload
    def __getitem__(self, index: slice) -> list[Screen]: ...

    def __getitem__(self, index: int | slice) -> Screen | list[Screen]:
        count = self._tree.count()
        if isinstance(index, slice):
            return [self._tree.screen(i) for i in range(*index.indices(count))]
        return self._tree.screen(index + count if index < 0 else index)

    def __iter__(self) -> Iterator[Screen]:
        return iter(self._tree)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
