"""Open any form file a designer hands us: an XForm, or an XLSForm compiled on the way.

Problems the reader finds in a compiled XLSForm (an expression that does not
parse, an unknown function) are reported on the sheet row the question came
from, not on an XForm path the designer never wrote.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from forms.definition import FormDefinition
from forms.errors import FormError, Place
from forms.xform_reader import read_xform


def open_form(path: Path, *, allow_choice_duplicates: bool = False) -> FormDefinition:
    """Read `path` as an XForm (XML content) or compile it as an XLSForm first."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FormError.of("xlsform.not_found", Place(str(path))) from None
    except OSError as error:
        raise FormError.of("xlsform.unreadable", Place(str(path)), detail=error.strerror) from None
    if data.lstrip()[:1] == b"<":
        return read_xform(data, source_name=path.name)
    from forms.xlsform import compile_xlsform

    compiled = compile_xlsform(
        data, filename=path.name, allow_choice_duplicates=allow_choice_duplicates
    )
    try:
        definition = read_xform(compiled.xform, source_name=path.name)
    except FormError as error:
        located = [
            replace(p, place=compiled.place_of(p.place.field, p.place.column))
            if p.place.field
            else p
            for p in error.problems
        ]
        raise FormError(located) from None
    warnings = tuple(
        replace(w, place=compiled.place_of(w.place.field, w.place.column)) if w.place.field else w
        for w in definition.warnings
    )
    return replace(definition, warnings=(*compiled.warnings, *warnings))
