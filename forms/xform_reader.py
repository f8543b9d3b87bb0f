"""Reading an ODK XForm into a `FormDefinition`.

Every expression is parsed here, so a form that reads is a form whose expressions
all parse; every problem found is collected and raised together as one `FormError`,
each naming the bind or control (`field`) and the attribute (`column`) concerned.
Elements the reader does not know are reported as warnings, never silently dropped.
"""

from __future__ import annotations

from types import MappingProxyType
from xml.etree.ElementTree import Element

from forms.definition import (
    Action,
    Bind,
    Expression,
    FormDefinition,
    ItextEntry,
    SecondaryInstance,
    TemplateNode,
    TextPart,
    Translation,
    normalize_type,
)
from forms.errors import FormError
from forms.gc_pause import gc_paused
from forms.xform_body import ACTION_KINDS, BodyReader
from forms.xform_context import QNAMES, ReadContext, attributes
from forms.xform_parse import parse_xml
from forms.xpath.tree import local_name

MAX_DEPTH = 100
_JR_TEMPLATE = "{http://openrosa.org/javarosa}template"
_EXPRESSION_ATTRIBUTES = ("relevant", "required", "constraint", "calculate", "readonly")
_HEAD_CHILDREN = frozenset({"h:title", "model", "h:meta"})


def read_xform(xml: str | bytes, *, source_name: str | None = None) -> FormDefinition:
    """The definition of the XForm `xml`; a `FormError` listing every problem if it has any."""
    with gc_paused():
        return _Reader(source_name).read(parse_xml(xml, source_name=source_name))


class _Reader:
    def __init__(self, source_name: str | None) -> None:
        self.ctx = ReadContext(source_name)
        self.paths: set[str] = set()

    def read(self, html: Element) -> FormDefinition:
        ctx = self.ctx
        if QNAMES[html.tag] != "h:html":
            raise FormError.of("xform.not_xform", ctx.place(None), element=QNAMES[html.tag])
        head = _child(html, "h:head")
        model = _child(head, "model") if head is not None else None
        if head is None or model is None:
            raise FormError.of("xform.no_model", ctx.place(None))
        for element in head:
            if isinstance(element.tag, str) and QNAMES[element.tag] not in _HEAD_CHILDREN:
                ctx.unknown(element, "h:head", None)
        title_element = _child(head, "h:title")
        title = (title_element.text or "").strip() if title_element is not None else ""

        instances: list[Element] = []
        binds: list[Element] = []
        actions: list[tuple[Element, str]] = []
        itext: Element | None = None
        submission: dict[str, str] | None = None
        for element in model:
            if not isinstance(element.tag, str):
                continue
            name = QNAMES[element.tag]
            if name == "instance":
                instances.append(element)
            elif name == "bind":
                binds.append(element)
            elif name in ACTION_KINDS:
                actions.append((element, name))
            elif name == "itext" and itext is None:
                itext = element
            elif name == "submission":
                submission = attributes(element)
            else:
                ctx.unknown(element, "model", None)

        primary_root = _first_element(instances[0]) if instances else None
        if primary_root is None:
            raise FormError.of("xform.no_instance", ctx.place(None))
        secondary = tuple(self._secondary(element) for element in instances[1:])
        ctx.instance_ids = {s.id for s in secondary}

        bind_elements = [(self._nodeset(b, primary_root), b) for b in binds]
        types = {path: normalize_type(b.get("type")) for path, b in bind_elements}
        root = self._template(primary_root, "", types, 0)
        read_binds = tuple(self._bind(path, element) for path, element in bind_elements)
        binds_by_path = {b.nodeset: b for b in read_binds}
        binds_by_id = {
            path: element.get("id", "") for path, element in bind_elements if element.get("id")
        }
        model_actions = [self._action(e, name, root.path, None) for e, name in actions]

        body_reader = BodyReader(
            ctx, self.paths, binds_by_path, {v: k for k, v in binds_by_id.items()}, self._action
        )
        body_element = _child(html, "h:body")
        body = body_reader.read(body_element, root.path) if body_element is not None else ()
        for element in html:
            if isinstance(element.tag, str) and QNAMES[element.tag] not in ("h:head", "h:body"):
                ctx.unknown(element, "h:html", None)

        translations = self._itext(itext) if itext is not None else ()
        self._check_itext(translations)

        instance_name_bind = binds_by_path.get(f"{root.path}/meta/instanceName")
        if ctx.errors:
            raise FormError(ctx.errors)
        return FormDefinition(
            form_id=root.attributes.get("id", ""),
            version=root.attributes.get("version"),
            title=title,
            instance=root,
            instance_name=instance_name_bind.calculate if instance_name_bind else None,
            secondary_instances=secondary,
            binds=read_binds,
            actions=tuple(a for a in model_actions if a is not None) + tuple(body_reader.actions),
            body=body,
            translations=translations,
            submission=MappingProxyType(submission) if submission is not None else None,
            attributes=MappingProxyType(attributes(model)),
            warnings=tuple(ctx.warnings),
            source_name=ctx.source_name,
        )

    # -- instances ------------------------------------------------------------------

    def _template(
        self, element: Element, parent_path: str, types: dict[str, str] | None, depth: int
    ) -> TemplateNode:
        """`types` (path → bind type) is given for the primary instance only."""
        if depth > MAX_DEPTH:
            raise FormError.of("xform.too_deep", self.ctx.place(parent_path), limit=MAX_DEPTH)
        name = local_name(element.tag)
        path = f"{parent_path}/{name}"
        attrs: dict[str, str] = {}
        is_template = False
        for key, value in element.attrib.items():
            if key == _JR_TEMPLATE:
                is_template = True
            else:
                attrs[local_name(key)] = value
                if types is not None:
                    self.paths.add(f"{path}/@{local_name(key)}")
        children = [c for c in element if isinstance(c.tag, str)]
        if types is not None:
            self.paths.add(path)
        text = element.text or ""
        return TemplateNode(
            name=name,
            path=path,
            text=text.strip() if children else text,
            attributes=MappingProxyType(attrs) if attrs else MappingProxyType({}),
            children=tuple(self._template(c, path, types, depth + 1) for c in children),
            is_template=is_template,
            datatype=types.get(path) if types is not None else None,
        )

    def _secondary(self, element: Element) -> SecondaryInstance:
        instance_id = element.get("id", "")
        if not instance_id:
            self.ctx.error("xform.instance_without_id", None, "instance")
        src = element.get("src")
        root = _first_element(element)
        content = self._template(root, "", None, 0) if root is not None else None
        if src is None and content is None:
            self.ctx.error("xform.empty_instance", None, "instance", id=instance_id)
        return SecondaryInstance(instance_id, src, content)

    # -- binds and actions ----------------------------------------------------------

    def _nodeset(self, element: Element, primary_root: Element) -> str:
        nodeset = element.get("nodeset", "").strip()
        if not nodeset.startswith("/"):
            nodeset = f"/{local_name(primary_root.tag)}/{nodeset}"
        return nodeset

    def _bind(self, path: str, element: Element) -> Bind:
        ctx = self.ctx
        attrs = attributes(element)
        if path not in self.paths:
            ctx.error("xform.bind_missing_node", path, "nodeset", path=path)
        parsed: dict[str, Expression | None] = {}
        for name in (*_EXPRESSION_ATTRIBUTES, "saveIncomplete"):
            text = attrs.get(name)
            parsed[name] = ctx.expression(text, path, name) if text is not None else None
        constraint_msg = attrs.get("jr:constraintMsg")
        required_msg = attrs.get("jr:requiredMsg")
        return Bind(
            nodeset=path,
            type=attrs.get("type"),
            relevant=parsed["relevant"],
            required=parsed["required"],
            constraint=parsed["constraint"],
            calculate=parsed["calculate"],
            readonly=parsed["readonly"],
            save_incomplete=parsed["saveIncomplete"],
            constraint_msg=(
                ctx.message(constraint_msg, path, "jr:constraintMsg")
                if constraint_msg is not None
                else None
            ),
            required_msg=(
                ctx.message(required_msg, path, "jr:requiredMsg")
                if required_msg is not None
                else None
            ),
            preload=attrs.get("jr:preload"),
            preload_params=attrs.get("jr:preloadParams"),
            attributes=MappingProxyType(attrs),
        )

    def _action(
        self, element: Element, name: str, context: str, control: str | None
    ) -> Action | None:
        ctx = self.ctx
        attrs = attributes(element)
        ref = attrs.get("ref", "").strip()
        if ref and not ref.startswith("/"):
            ref = f"{context}/{ref}"
        events = tuple(attrs.get("event", "").split())
        if not ref:
            ctx.error("xform.action_without_ref", control, name, element=name)
            return None
        if ref not in self.paths:
            ctx.error("xform.action_missing_node", ref, name, element=name, path=ref)
        if not events:
            ctx.error("xform.action_without_event", ref, name, element=name)
        value = None
        literal = None
        if "value" in attrs:
            value = ctx.expression(attrs["value"], ref, f"{name} value")
        elif ACTION_KINDS[name] == "setvalue":
            literal = element.text or ""
        return Action(
            kind=ACTION_KINDS[name],
            events=events,
            ref=ref,
            value=value,
            literal=literal,
            control=control,
            attributes=MappingProxyType(attrs),
        )

    # -- itext ----------------------------------------------------------------------

    def _itext(self, itext: Element) -> tuple[Translation, ...]:
        ctx = self.ctx
        translations: list[Translation] = []
        for translation in itext:
            if not isinstance(translation.tag, str):
                continue
            if QNAMES[translation.tag] != "translation":
                ctx.unknown(translation, "itext", None)
                continue
            lang = translation.get("lang", "")
            texts: dict[str, ItextEntry] = {}
            for text in translation:
                if not isinstance(text.tag, str):
                    continue
                if QNAMES[text.tag] != "text":
                    ctx.unknown(text, "translation", None)
                    continue
                text_id = text.get("id", "")
                forms: dict[str | None, tuple[TextPart, ...]] = {}
                for value in text:
                    if not isinstance(value.tag, str):
                        continue
                    if QNAMES[value.tag] != "value":
                        ctx.unknown(value, "text", text_id)
                        continue
                    forms[value.get("form")] = ctx.parts(value, text_id, "itext")
                texts[text_id] = ItextEntry(text_id, MappingProxyType(forms))
            translations.append(
                Translation(lang, translation.get("default") is not None, MappingProxyType(texts))
            )
        return tuple(translations)

    def _check_itext(self, translations: tuple[Translation, ...]) -> None:
        ctx = self.ctx
        for itext_id, path, what in ctx.itext_refs:
            missing = [t.lang for t in translations if itext_id not in t.texts]
            if len(missing) == len(translations):
                ctx.error("xform.itext_missing", path, what, id=itext_id)
            elif missing:
                ctx.warn("xform.itext_incomplete", path, what, id=itext_id, languages=missing)


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if isinstance(child.tag, str) and QNAMES[child.tag] == name:
            return child
    return None


def _first_element(element: Element) -> Element | None:
    for child in element:
        if isinstance(child.tag, str):
            return child
    return None
