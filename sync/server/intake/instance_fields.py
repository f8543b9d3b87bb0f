"""The fields of a submitted instance the server keeps, read with defusedxml."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import fromstring as c_fromstring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from sync.server.errors import BadRequest


@dataclass(frozen=True)
class InstanceFields:
    form_id: str
    version: str | None
    instance_id: str
    deprecated_id: str | None
    instance_name: str | None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _meta(root: Element, name: str) -> str | None:
    for child in root:
        if _local(child.tag) == "meta":
            for item in child:
                if _local(item.tag) == name:
                    return (item.text or "").strip() or None
    return None


def parse_submission(xml: str | bytes) -> Element:
    """Parse a submission; BadRequest names what is wrong (never a traceback).

    A text without a DTD goes to the C parser (entities can only be declared in a DTD, and a
    `str` is always read as UTF-8, so no declared encoding can hide one); anything else, and
    every `bytes`, goes through defusedxml, which refuses a DTD."""
    try:
        if isinstance(xml, str) and "<!DOCTYPE" not in xml and "<!ENTITY" not in xml:
            return c_fromstring(xml)
        return fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as error:
        raise BadRequest(f"submission XML refused: {type(error).__name__}") from None
    except Exception as error:  # ParseError and friends from a broken document
        raise BadRequest(f"submission is not well-formed XML: {error}") from None


def read_instance(xml: str | bytes) -> InstanceFields:
    """Parse a submission; BadRequest names what is wrong (never a traceback)."""
    return instance_fields(parse_submission(xml))


def instance_fields(root: Element) -> InstanceFields:
    """The kept fields of a parsed submission (BadRequest if the form ID or instanceID lacks)."""
    form_id = root.get("id")
    if not form_id:
        raise BadRequest("submission root element has no id attribute (the form ID)")
    instance_id = _meta(root, "instanceID")
    if not instance_id:
        raise BadRequest("submission has no meta/instanceID")
    return InstanceFields(
        form_id=form_id,
        version=root.get("version") or None,
        instance_id=instance_id,
        deprecated_id=_meta(root, "deprecatedID"),
        instance_name=_meta(root, "instanceName"),
    )
