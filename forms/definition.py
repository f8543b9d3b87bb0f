"""A form definition: what an XForm says, as immutable, typed data.

`forms.xform_reader.read_xform` builds it; a `FormSession` and the UI read it.
Everything here is frozen (dataclasses with slots, tuples, read-only mappings), so a
definition can be shared by every session of the same form. Mutable
`forms.xpath.tree.Node` trees are built on request: `new_instance_tree()` for a
fresh primary instance, `new_repeat_instance(path)` for one more repeat instance,
`SecondaryInstance.document()` / `.load(data)` for choice lists and attachments.

Paths are absolute and position-free (`/data/household/member/name`); attributes
appear as `/data/meta/entity/@id`. Attribute names keep their namespace prefix
(`jr:constraintMsg`, `orx:max-pixels`, `odk:location-priority`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeAlias

from forms.errors import Problem
from forms.xform_attachments import load_csv_instance, load_geojson_instance, load_xml_instance
from forms.xpath.ast import Expr
from forms.xpath.tree import Node, document

EMPTY: Mapping[str, str] = MappingProxyType({})

MEDIA_FORMS = ("image", "big-image", "audio", "video")
"""Itext forms that name a media file (`jr://images/x.png`) rather than text."""


@dataclass(frozen=True, slots=True)
class Expression:
    """An XPath expression as written in the form, and its syntax tree."""

    text: str
    ast: Expr


@dataclass(frozen=True, slots=True)
class Output:
    """`<output value="..."/>` inside a label, hint or itext value: filled in at display time."""

    value: Expression


TextPart: TypeAlias = "str | Output"
"""A piece of displayed text: literal text, or an output to evaluate and insert."""


@dataclass(frozen=True, slots=True)
class Label:
    """A label, hint or message, in exactly one of three shapes.

    - `parts`: inline text with outputs (`<label>Hi <output value="/data/name"/></label>`,
      or a plain `jr:constraintMsg="Too big"`);
    - `itext_id`: a static translation reference (`ref="jr:itext('/data/q1:label')"`);
      look it up with `FormDefinition.text(itext_id, language, form)`;
    - `ref`: any other expression (in itemsets: `ref="label"` or `ref="jr:itext(itextId)"`),
      evaluated against the item.
    """

    parts: tuple[TextPart, ...] = ()
    itext_id: str | None = None
    ref: Expression | None = None

    @property
    def plain(self) -> str:
        """The literal text, outputs left out (for tests and logs)."""
        return "".join(p for p in self.parts if isinstance(p, str))


@dataclass(frozen=True, slots=True)
class TemplateNode:
    """An element of an instance as the form declares it (default text, attributes, children).

    `is_template` marks a `jr:template` repeat template. `datatype` is the bind's type
    (without an `xsd:` prefix) for primary instance nodes, None where no bind gives one.
    """

    name: str
    path: str
    text: str = ""
    attributes: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    children: tuple[TemplateNode, ...] = ()
    is_template: bool = False
    datatype: str | None = None

    def build(self, parent: Node | None = None, *, with_templates: bool = False) -> Node:
        """A fresh mutable node tree; `jr:template` children are left out unless asked for."""
        node = Node(self.name, self.text, parent, dict(self.attributes), self.datatype)
        node.children = [
            child.build(node, with_templates=with_templates)
            for child in self.children
            if with_templates or not child.is_template
        ]
        return node

    def iter(self) -> Iterator[TemplateNode]:
        """This node and its descendants, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass(frozen=True, slots=True)
class SecondaryInstance:
    """`<instance id="...">`: inline content (`content`) or an attachment (`src`)."""

    id: str
    src: str | None = None
    content: TemplateNode | None = None

    @property
    def kind(self) -> str:
        """`inline`, `csv`, `xml`, `geojson` or `other` (e.g. `jr://images/...`)."""
        if self.src is None:
            return "inline"
        name = self.src.lower()
        if self.src.startswith("jr://file-csv/") or name.endswith(".csv"):
            return "csv"
        if name.endswith(".geojson"):
            return "geojson"
        if name.endswith(".xml"):
            return "xml"
        return "other"

    @property
    def filename(self) -> str | None:
        """The attachment's file name (`jr://file/towns.csv` → `towns.csv`)."""
        return self.src.rsplit("/", 1)[-1] if self.src else None

    def document(self) -> Node:
        """The inline content as a fresh document node; an attachment needs `load`."""
        if self.content is None:
            raise ValueError(f"instance '{self.id}' is an attachment ({self.src}); use load()")
        return document(self.content.build(with_templates=True))

    def load(self, data: str | bytes) -> Node:
        """Build the document of an attachment from its file content (CSV, XML or GeoJSON)."""
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        kind = self.kind
        if kind == "csv":
            return load_csv_instance(text, source_name=self.filename)
        if kind == "geojson":
            return load_geojson_instance(text, source_name=self.filename)
        return load_xml_instance(data, source_name=self.filename)


@dataclass(frozen=True, slots=True)
class Bind:
    """`<bind>`: the rules for the nodes at `nodeset`.

    `type` is as written (`int`, `xsd:date`, `odk:rank`), None when absent; `datatype`
    is the normalized type a node gets (`string` by default). `constraint_msg` and
    `required_msg` are plain text (`parts`) or an itext reference (`itext_id`).
    `attributes` holds every attribute as written, the typed fields included.
    """

    nodeset: str
    type: str | None = None
    relevant: Expression | None = None
    required: Expression | None = None
    constraint: Expression | None = None
    calculate: Expression | None = None
    readonly: Expression | None = None
    save_incomplete: Expression | None = None
    constraint_msg: Label | None = None
    required_msg: Label | None = None
    preload: str | None = None
    preload_params: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: EMPTY)

    @property
    def datatype(self) -> str:
        return normalize_type(self.type)


def normalize_type(written: str | None) -> str:
    """`xsd:int` → `int`; `odk:rank` stays; no type is `string`."""
    if not written:
        return "string"
    return written[4:] if written.startswith("xsd:") else written


@dataclass(frozen=True, slots=True)
class Action:
    """`setvalue` / `odk:setgeopoint` / `odk:recordaudio`: set `ref` when an event happens.

    `events` are the event names (`odk-instance-first-load`, `odk-new-repeat`,
    `xforms-value-changed`, ...). A setvalue has a `value` expression, or `literal` text
    (the element's content; empty string when it has neither, which clears the node).
    `control` is the ref of the control or repeat the action sits in (None in the model).
    """

    kind: str
    events: tuple[str, ...]
    ref: str
    value: Expression | None = None
    literal: str | None = None
    control: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class Item:
    """An inline `<item>` of a select."""

    value: str
    label: Label | None = None


@dataclass(frozen=True, slots=True)
class Itemset:
    """`<itemset nodeset="instance('list')/root/item[filter]">` with its value and label refs."""

    nodeset: Expression
    value: Expression
    label: Label | None
    instance_id: str | None = None


@dataclass(frozen=True, slots=True)
class Control:
    """A body element: a question, a group or a repeat.

    `kind` is `input`, `select1`, `select`, `range`, `upload`, `trigger`, `rank`,
    `secret`, `group` or `repeat`; `tag` the element as written (`odk:rank`). `ref` is the
    absolute path it binds to (a repeat's `nodeset`; None for a group without ref).
    A repeat has `count` (`jr:count`) and `no_add_remove` (`jr:noAddRemove`).
    `attributes` holds every attribute as written (`start`, `end`, `step`, `mediatype`,
    `autoplay`, `intent`, `rows`, ...).
    """

    kind: str
    tag: str
    ref: str | None
    bind: Bind | None = None
    appearance: str | None = None
    label: Label | None = None
    hint: Label | None = None
    items: tuple[Item, ...] = ()
    itemset: Itemset | None = None
    children: tuple[Control, ...] = ()
    actions: tuple[Action, ...] = ()
    count: Expression | None = None
    no_add_remove: Expression | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: EMPTY)

    @property
    def is_field_list(self) -> bool:
        return "field-list" in (self.appearance or "").split()

    @property
    def mediatype(self) -> str | None:
        return self.attributes.get("mediatype")

    @property
    def autoplay(self) -> str | None:
        return self.attributes.get("autoplay")

    @property
    def range(self) -> tuple[str, str, str] | None:
        """`(start, end, step)` of a range, as written."""
        if self.kind != "range":
            return None
        get = self.attributes.get
        return (get("start", ""), get("end", ""), get("step", ""))

    def walk(self) -> Iterator[Control]:
        """This control and every control inside it, in document order."""
        stack = [self]
        while stack:
            control = stack.pop()
            yield control
            stack.extend(reversed(control.children))


@dataclass(frozen=True, slots=True)
class ItextEntry:
    """`<text id>` of one language: its forms keyed by form name (None = the plain text)."""

    id: str
    forms: Mapping[str | None, tuple[TextPart, ...]]


@dataclass(frozen=True, slots=True)
class Translation:
    lang: str
    is_default: bool
    texts: Mapping[str, ItextEntry]


@dataclass(frozen=True, slots=True)
class FormDefinition:
    """Everything an XForm says. Build with `forms.xform_reader.read_xform`."""

    form_id: str
    version: str | None
    title: str
    instance: TemplateNode
    """The primary instance's root element (with its repeat templates)."""
    instance_name: Expression | None = None
    secondary_instances: tuple[SecondaryInstance, ...] = ()
    binds: tuple[Bind, ...] = ()
    actions: tuple[Action, ...] = ()
    """Every action of the form, the model's and the body's, in document order."""
    body: tuple[Control, ...] = ()
    translations: tuple[Translation, ...] = ()
    submission: Mapping[str, str] | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    """The model's attributes (`odk:xforms-version`, `entities:entities-version`)."""
    warnings: tuple[Problem, ...] = ()
    source_name: str | None = None

    _binds: Mapping[str, Bind] = field(init=False, repr=False, compare=False)
    _controls: tuple[Control, ...] = field(init=False, repr=False, compare=False)
    _controls_by_ref: Mapping[str, Control] = field(init=False, repr=False, compare=False)
    _repeats: Mapping[str, TemplateNode] = field(init=False, repr=False, compare=False)
    _instances: Mapping[str, SecondaryInstance] = field(init=False, repr=False, compare=False)
    _translations: Mapping[str, Translation] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        init = object.__setattr__
        init(self, "_binds", MappingProxyType({b.nodeset: b for b in self.binds}))
        controls = tuple(c for top in self.body for c in top.walk())
        init(self, "_controls", controls)
        by_ref: dict[str, Control] = {}
        for control in controls:
            if control.ref is not None:
                # A repeat's wrapping group has the same ref; the repeat is the one to find.
                if control.ref not in by_ref or control.kind == "repeat":
                    by_ref[control.ref] = control
        init(self, "_controls_by_ref", MappingProxyType(by_ref))
        init(self, "_repeats", MappingProxyType(_repeat_templates(self.instance, controls)))
        init(self, "_instances", MappingProxyType({i.id: i for i in self.secondary_instances}))
        init(self, "_translations", MappingProxyType({t.lang: t for t in self.translations}))

    # -- the primary instance -------------------------------------------------------

    @property
    def root_name(self) -> str:
        return self.instance.name

    def new_instance_tree(self) -> Node:
        """A fresh primary instance: its document node (`/`), root element below it.

        Nodes carry their bind's datatype; `jr:template` copies are left out (see
        `new_repeat_instance`).
        """
        return document(self.instance.build())

    @property
    def repeat_paths(self) -> frozenset[str]:
        return frozenset(self._repeats)

    def repeat_template(self, path: str) -> TemplateNode:
        """The template of the repeat at `path` (its `jr:template`, else its first instance)."""
        try:
            return self._repeats[path]
        except KeyError:
            raise KeyError(f"no repeat at {path}") from None

    def new_repeat_instance(self, path: str) -> Node:
        """A fresh, parentless instance of the repeat at `path`, without nested templates."""
        return self.repeat_template(path).build()

    # -- binds, controls, actions ---------------------------------------------------

    def bind_for(self, path: str) -> Bind | None:
        return self._binds.get(path)

    def control_for(self, path: str) -> Control | None:
        return self._controls_by_ref.get(path)

    def controls(self) -> tuple[Control, ...]:
        """Every control, group and repeat, in document order."""
        return self._controls

    def actions_for(self, event: str) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if event in a.events)

    # -- secondary instances --------------------------------------------------------

    def secondary_instance(self, instance_id: str) -> SecondaryInstance | None:
        return self._instances.get(instance_id)

    # -- translations ---------------------------------------------------------------

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(t.lang for t in self.translations)

    @property
    def default_language(self) -> str | None:
        """The translation marked `default="true()"`, else the first; None without itext."""
        for t in self.translations:
            if t.is_default:
                return t.lang
        return self.translations[0].lang if self.translations else None

    def text(
        self, itext_id: str, language: str | None = None, form: str | None = None
    ) -> tuple[TextPart, ...] | None:
        """The parts of an itext text in `language` (default language if None).

        `form` None or `long` gives the plain text (`long` falls back to plain and back);
        other forms (`short`, `guidance`, `image`, `audio`, ...) only themselves.
        """
        lang = language if language is not None else self.default_language
        translation = self._translations.get(lang) if lang is not None else None
        entry = translation.texts.get(itext_id) if translation is not None else None
        if entry is None:
            return None
        if form is None or form == "long":
            found = entry.forms.get(form)
            if found is None:
                found = entry.forms.get("long" if form is None else None)
            return found
        return entry.forms.get(form)

    def media(self, itext_id: str, language: str | None = None) -> Mapping[str, str]:
        """The media files of an itext text: form (`image`, `audio`, ...) → `jr://` URI."""
        found: dict[str, str] = {}
        for form in MEDIA_FORMS:
            parts = self.text(itext_id, language, form)
            if parts:
                found[form] = "".join(p for p in parts if isinstance(p, str)).strip()
        return MappingProxyType(found)

    def guidance_hint(
        self, control: Control, language: str | None = None
    ) -> tuple[TextPart, ...] | None:
        """The guidance hint of a control (the `guidance` form of its hint's itext)."""
        if control.hint is None or control.hint.itext_id is None:
            return None
        return self.text(control.hint.itext_id, language, "guidance")


def _repeat_templates(root: TemplateNode, controls: tuple[Control, ...]) -> dict[str, TemplateNode]:
    templates: dict[str, TemplateNode] = {}
    for node in root.iter():
        if node.is_template:
            templates.setdefault(node.path, node)
    repeats = {c.ref for c in controls if c.kind == "repeat" and c.ref}
    missing = repeats - templates.keys()
    if missing:
        for node in root.iter():
            if node.path in missing:
                templates.setdefault(node.path, node)
    return templates
