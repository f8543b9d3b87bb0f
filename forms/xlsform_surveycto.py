"""SurveyCTO-only question types, mapped to their nearest ODK equivalent.

Teams bring forms written for SurveyCTO. A handful of its types have no ODK
counterpart of the same name; pyxform would reject the whole form for each. We
rewrite them in the sheet rows before pyxform sees them and say so in a warning
that names the row, so the designer knows what changed.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from forms.errors import Place, Problem


def _caseid(row: MutableMapping[str, Any]) -> str:
    row["type"] = "calculate"
    row["calculation"] = "''"
    return "an empty calculate (ODK has no case ID)"


def _comments(row: MutableMapping[str, Any]) -> str:
    row["type"] = "text"
    return "a text question"


def _text_audit(row: MutableMapping[str, Any]) -> str:
    row["type"] = "audit"
    row["name"] = ""
    return "ODK's audit log"


def _audio_audit(row: MutableMapping[str, Any]) -> str:
    row["type"] = "background-audio"
    return "ODK's background audio recording"


_REWRITES = {
    "caseid": _caseid,
    "comments": _comments,
    "text audit": _text_audit,
    "audio audit": _audio_audit,
}


def rewrite_surveycto_types(survey: list[MutableMapping[str, Any]], file: str) -> list[Problem]:
    """Rewrite SurveyCTO-only types in place; one warning per rewritten row."""
    warnings: list[Problem] = []
    for index, row in enumerate(survey):
        kind = " ".join(str(row.get("type") or "").split())
        rewrite = _REWRITES.get(kind)
        if rewrite is None:
            continue
        became = rewrite(row)
        warnings.append(
            Problem(
                "xlsform.surveycto_type",
                {"type": kind, "became": became},
                Place(file, "survey", index + 2, "type"),
                "warning",
            )
        )
    return warnings
