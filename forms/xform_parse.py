"""Parsing XML text safely: no entity expansion, no external references, clear errors.

Every XML the engine reads from outside (XForms, XML attachments) goes through
`parse_xml`, which turns each way it can fail into a `FormError` naming the place.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError, XMLParser

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as SafeET

from forms.errors import FormError, Place


def parse_xml(data: str | bytes, *, source_name: str | None = None) -> Element:
    """The root element of `data`; a `FormError` when it is not safe, well-formed XML."""
    if not data or not data.strip():
        raise FormError.of("xform.empty", Place(file=source_name))
    try:
        if _without_doctype(data):
            parser = XMLParser()
            parser.feed(data)
            return parser.close()
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True)
    except EntitiesForbidden as error:
        raise FormError.of("xform.entity", Place(file=source_name), name=error.name) from None
    except ExternalReferenceForbidden as error:
        raise FormError.of(
            "xform.external_reference",
            Place(file=source_name),
            reference=error.sysid or error.pubid or "",
        ) from None
    except DTDForbidden:
        raise FormError.of("xform.entity", Place(file=source_name), name="") from None
    except ParseError as error:
        line, column = error.position
        detail = str(error).split(":")[0]
        raise FormError.of(
            "xform.malformed",
            Place(file=source_name, line=line),
            detail=detail,
            line=line,
            column=column + 1,
        ) from None


def _without_doctype(data: str | bytes) -> bool:
    """True when `data` surely has no `<!DOCTYPE`, hence can declare no entity at all.

    Such documents go to the C parser (defusedxml's pure-Python one is several times
    slower); bytes only when the encoding is ASCII-compatible, so the search is sound.
    """
    if isinstance(data, str):
        return "<!DOCTYPE" not in data
    if b"\x00" in data[:4] or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    return b"<!DOCTYPE" not in data
