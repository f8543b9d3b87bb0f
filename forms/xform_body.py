"""Reading an XForm's `<h:body>`: questions, groups and repeats as `Control` trees."""

from __future__ import annotations

from collections.abc import Callable, Collection
from types import MappingProxyType
from xml.etree.ElementTree import Element

from forms.definition import Action, Bind, Control, Item, Itemset, Label
from forms.xform_context import QNAMES, ReadContext, attributes, instance_ids

CONTROL_KINDS = {
    "input": "input",
    "select1": "select1",
    "select": "select",
    "range": "range",
    "upload": "upload",
    "trigger": "trigger",
    "odk:rank": "rank",
    "secret": "secret",
    "group": "group",
    "repeat": "repeat",
}
ACTION_KINDS = {
    "setvalue": "setvalue",
    "odk:setgeopoint": "setgeopoint",
    "odk:recordaudio": "recordaudio",
}
MAX_DEPTH = 100


class BodyReader:
    """Turns body elements into controls, checking refs against the primary instance."""

    def __init__(
        self,
        ctx: ReadContext,
        paths: Collection[str],
        binds: dict[str, Bind],
        binds_by_id: dict[str, str],
        read_action: Callable[[Element, str, str, str | None], Action | None],
    ) -> None:
        self.ctx = ctx
        self.paths = paths
        self.binds = binds
        self.binds_by_id = binds_by_id
        self.read_action = read_action
        self.actions: list[Action] = []

    def read(self, body: Element, root_path: str) -> tuple[Control, ...]:
        return self._children(body, "h:body", root_path, None, 0)[0]

    def _children(
        self, parent: Element, parent_name: str, context: str, owner: str | None, depth: int
    ) -> tuple[tuple[Control, ...], tuple[Action, ...]]:
        controls: list[Control] = []
        actions: list[Action] = []
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            name = QNAMES[child.tag]
            if name in CONTROL_KINDS:
                control = self._control(child, name, context, depth + 1)
                if control is not None:
                    controls.append(control)
            elif name in ACTION_KINDS:
                action = self.read_action(child, name, context, owner)
                if action is not None:
                    self.actions.append(action)
                    actions.append(action)
            elif name not in ("label", "hint"):
                self.ctx.unknown(child, parent_name, owner)
        return tuple(controls), tuple(actions)

    def _resolve(self, ref: str, context: str) -> str:
        ref = ref.strip()
        if ref.startswith("/"):
            return ref
        parts = context.split("/")
        for step in ref.split("/"):
            if step == "..":
                parts.pop()
            elif step not in (".", ""):
                parts.append(step)
        return "/".join(parts)

    def _control(self, element: Element, name: str, context: str, depth: int) -> Control | None:
        ctx = self.ctx
        if depth > MAX_DEPTH:
            ctx.error("xform.too_deep", context, None, limit=MAX_DEPTH)
            return None
        kind = CONTROL_KINDS[name]
        attrs = attributes(element)
        written = attrs.get("nodeset" if kind == "repeat" else "ref")
        if written is None and "bind" in attrs:
            written = self.binds_by_id.get(attrs["bind"])
            if written is None:
                ctx.error("xform.unknown_bind_id", context, name, id=attrs["bind"])
        ref = self._resolve(written, context) if written is not None else None
        if ref is None and kind != "group":
            ctx.error("xform.control_without_ref", context, name, element=name)
        elif ref is not None and ref not in self.paths:
            ctx.error("xform.control_missing_node", ref, name, element=name, path=ref)
        inner = ref if ref is not None else context
        label = hint = None
        items: list[Item] = []
        itemset = None
        for child in element:
            if not isinstance(child.tag, str):
                continue
            child_name = QNAMES[child.tag]
            if child_name == "label":
                label = ctx.label(child, inner, "label")
            elif child_name == "hint":
                hint = ctx.label(child, inner, "hint")
            elif child_name == "item" and kind in ("select1", "select", "rank"):
                items.append(self._item(child, inner))
            elif child_name == "itemset" and kind in ("select1", "select", "rank"):
                itemset = self._itemset(child, inner)
        count = no_add_remove = None
        if kind == "repeat":
            if "jr:count" in attrs:
                count = ctx.expression(attrs["jr:count"], inner, "jr:count")
            if "jr:noAddRemove" in attrs:
                no_add_remove = ctx.expression(attrs["jr:noAddRemove"], inner, "jr:noAddRemove")
        children: tuple[Control, ...] = ()
        if kind in ("group", "repeat"):
            children, actions = self._children(element, name, inner, inner, depth)
        else:
            actions = self._children_of_question(element, name, inner)
        return Control(
            kind=kind,
            tag=name,
            ref=ref,
            bind=self.binds.get(ref) if ref is not None else None,
            appearance=attrs.get("appearance"),
            label=label,
            hint=hint,
            items=tuple(items),
            itemset=itemset,
            children=children,
            actions=actions,
            count=count,
            no_add_remove=no_add_remove,
            attributes=MappingProxyType(attrs),
        )

    def _children_of_question(self, element: Element, name: str, ref: str) -> tuple[Action, ...]:
        actions: list[Action] = []
        for child in element:
            if not isinstance(child.tag, str):
                continue
            child_name = QNAMES[child.tag]
            if child_name in ACTION_KINDS:
                action = self.read_action(child, child_name, ref, ref)
                if action is not None:
                    self.actions.append(action)
                    actions.append(action)
            elif child_name not in ("label", "hint", "item", "itemset"):
                self.ctx.unknown(child, name, ref)
        return tuple(actions)

    def _item(self, element: Element, path: str) -> Item:
        value = ""
        label: Label | None = None
        for child in element:
            if not isinstance(child.tag, str):
                continue
            child_name = QNAMES[child.tag]
            if child_name == "value":
                value = child.text or ""
            elif child_name == "label":
                label = self.ctx.label(child, path, "item label")
            else:
                self.ctx.unknown(child, "item", path)
        return Item(value, label)

    def _itemset(self, element: Element, path: str) -> Itemset | None:
        ctx = self.ctx
        nodeset = ctx.expression(element.get("nodeset", ""), path, "itemset")
        value = None
        label: Label | None = None
        for child in element:
            if not isinstance(child.tag, str):
                continue
            child_name = QNAMES[child.tag]
            if child_name == "value":
                value = ctx.expression(child.get("ref", ""), path, "itemset value")
            elif child_name == "label":
                label = ctx.label(child, path, "itemset label")
            else:
                ctx.unknown(child, "itemset", path)
        if nodeset is None:
            return None
        if value is None:
            ctx.error("xform.itemset_without_value", path, "itemset")
            return None
        ids = instance_ids(nodeset.text)
        return Itemset(nodeset, value, label, ids[0] if ids else None)
