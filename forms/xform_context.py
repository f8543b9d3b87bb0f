"""What the parts of the XForm reader share: names, problems found so far, expressions, texts."""

from __future__ import annotations

import re
from collections.abc import Collection
from xml.etree.ElementTree import Element

from forms.definition import Expression, Label, Output, TextPart
from forms.errors import FormError, Place, Problem
from forms.xpath.ast import Expr
from forms.xpath.parser import parse, plain_path

NAMESPACES = {
    "http://www.w3.org/2002/xforms": "",
    "http://www.w3.org/1999/xhtml": "h",
    "http://openrosa.org/javarosa": "jr",
    "http://openrosa.org/xforms": "orx",
    "http://www.opendatakit.org/xforms": "odk",
    "http://www.opendatakit.org/xforms/entities": "entities",
    "http://www.w3.org/2001/XMLSchema": "xsd",
    "http://www.w3.org/2001/xml-events": "ev",
}
_STATIC_ITEXT = re.compile(r"\s*jr:itext\(\s*(?:'([^']*)'|\"([^\"]*)\")\s*\)\s*\Z")
_INSTANCE_CALL = re.compile(r"instance\(\s*(?:'([^']*)'|\"([^\"]*)\")\s*\)")
_SIMPLE_PATH = re.compile(r"\s*(/[A-Za-z_][\w\-]*)+\s*\Z")


class _QNames(dict[str, str]):
    """`{http://openrosa.org/javarosa}template` → `jr:template`; XForms names stay bare.

    A dict with `__missing__`, so the many lookups of known tags run at C speed.
    """

    def __missing__(self, tag: str) -> str:
        name = tag
        if tag[:1] == "{":
            uri, _, local = tag[1:].partition("}")
            prefix = NAMESPACES.get(uri)
            if prefix is not None:
                name = f"{prefix}:{local}" if prefix else local
        self[tag] = name
        return name


QNAMES = _QNames()


def qname(tag: str) -> str:
    return QNAMES[tag]


def parse_expression(text: str) -> Expr:
    """`forms.xpath.parse`, with a shortcut for the commonest expression: `/data/group/q`."""
    if _SIMPLE_PATH.match(text):
        return plain_path(text.strip())
    return parse(text)


def attributes(element: Element) -> dict[str, str]:
    """The element's attributes by prefixed name (`jr:constraintMsg`)."""
    return {QNAMES[k]: v for k, v in element.attrib.items()}


def static_itext_id(text: str) -> str | None:
    """`jr:itext('/data/q1:label')` → `/data/q1:label`; None for anything else."""
    match = _STATIC_ITEXT.match(text)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def instance_ids(text: str) -> list[str]:
    """The ids of the `instance('id')` calls in an expression."""
    if "instance(" not in text:
        return []
    return [
        m.group(1) if m.group(1) is not None else m.group(2) for m in _INSTANCE_CALL.finditer(text)
    ]


class ReadContext:
    """The state of one `read_xform` call: the problems found and the parsed expressions."""

    def __init__(self, source_name: str | None, instance_ids: Collection[str] = ()) -> None:
        self.source_name = source_name
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.instance_ids: Collection[str] = instance_ids
        self.itext_refs: list[tuple[str, str, str]] = []
        """(itext id, path that uses it, what uses it): checked once the itext is read."""
        self._parsed: dict[str, Expression | FormError] = {}

    def place(self, path: str | None, what: str | None = None) -> Place:
        return Place(file=self.source_name, field=path, column=what)

    def error(self, code: str, at: str | None, what: str | None = None, **params: object) -> None:
        self.errors.append(Problem(code, dict(params), self.place(at, what)))

    def warn(self, code: str, at: str | None, what: str | None = None, **params: object) -> None:
        self.warnings.append(Problem(code, dict(params), self.place(at, what), "warning"))

    def unknown(self, element: Element, parent: str, path: str | None) -> None:
        self.warn("xform.unknown_element", path, None, element=QNAMES[element.tag], parent=parent)

    def expression(self, text: str, path: str | None, what: str) -> Expression | None:
        """Parse `text`; on failure record the problems (at `path`, `what`) and return None."""
        found = self._parsed.get(text)
        if found is None:
            try:
                found = Expression(text, parse_expression(text))
            except FormError as error:
                found = error
            except RecursionError:
                found = FormError.of("xpath.too_deep", limit="the parser's")
            self._parsed[text] = found
        if isinstance(found, FormError):
            for problem in found.problems:
                params = {**problem.params, "attribute": what, "path": path}
                self.errors.append(
                    Problem(problem.code, params, self.place(path, what), problem.severity)
                )
            return None
        for instance_id in instance_ids(text):
            if instance_id not in self.instance_ids:
                self.error("xpath.unknown_instance", path, what, id=instance_id, expr=text)
        return found

    def label(self, element: Element, path: str | None, what: str) -> Label | None:
        """A `<label>`/`<hint>`: an itext reference, another ref expression, or inline parts."""
        ref = element.get("ref")
        if ref is not None:
            itext_id = static_itext_id(ref)
            if itext_id is not None:
                self.itext_refs.append((itext_id, path or "", what))
                return Label(itext_id=itext_id)
            expr = self.expression(ref, path, f"{what} ref")
            return Label(ref=expr) if expr is not None else None
        return Label(parts=self.parts(element, path, what))

    def message(self, text: str, path: str, what: str) -> Label:
        """A bind's `jr:constraintMsg`/`jr:requiredMsg`: plain text or `jr:itext('id')`."""
        itext_id = static_itext_id(text)
        if itext_id is not None:
            self.itext_refs.append((itext_id, path, what))
            return Label(itext_id=itext_id)
        return Label(parts=(text,))

    def parts(self, element: Element, path: str | None, what: str) -> tuple[TextPart, ...]:
        """Mixed content with `<output value=.../>` as literal text and output parts."""
        if len(element) == 0:
            return (element.text,) if element.text else ()
        parts: list[TextPart] = []
        if element.text:
            parts.append(element.text)
        for child in element:
            if not isinstance(child.tag, str):
                pass
            elif QNAMES[child.tag] == "output":
                value = child.get("value", child.get("ref", ""))
                expr = self.expression(value, path, f"{what} output")
                if expr is not None:
                    parts.append(Output(expr))
            else:
                self.unknown(child, QNAMES[element.tag], path)
                if child.text:
                    parts.append(child.text)
            if child.tail:
                parts.append(child.tail)
        return tuple(parts)
