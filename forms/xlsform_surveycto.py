"""SurveyCTO-only question types, mapped to their nearest ODK equivalent.

Teams bring forms written for SurveyCTO. A handful of its types have no ODK
counterpart of the same name; pyxform would reject the whole form for each. We
rewrite them in the sheet rows before pyxform sees them and say so in a warning
that names the row, so the designer knows what changed.
"""

from __future__ import annotations

import re
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


_EXPRESSION_COLUMNS = (
    "relevant",
    "relevance",
    "constraint",
    "calculation",
    "required",
    "choice_filter",
    "repeat_count",
    "default",
    "read_only",
    "readonly",
)
_INDEX = re.compile(r"\bindex\(\s*\)")
_DURATION = re.compile(r"\bduration\(\s*\)")


def rewrite_surveycto(survey: list[MutableMapping[str, Any]], file: str) -> list[Problem]:
    """Rewrite SurveyCTO-only types and functions in place; a warning per rewritten cell."""
    warnings: list[Problem] = []
    start = next(
        (str(r.get("name")) for r in survey if r.get("type") == "start" and r.get("name")), None
    )
    for index, row in enumerate(survey):
        place_row = index + 2
        kind = " ".join(str(row.get("type") or "").split())
        rewrite = _REWRITES.get(kind)
        if rewrite is not None:
            became = rewrite(row)
            warnings.append(
                _warning(
                    "xlsform.surveycto_type", file, place_row, "type", type=kind, became=became
                )
            )
        for column in _EXPRESSION_COLUMNS:
            text = row.get(column)
            if not isinstance(text, str):
                continue
            if _INDEX.search(text):
                text = _INDEX.sub("position(..)", text)
                warnings.append(
                    _warning(
                        "xlsform.surveycto_function",
                        file,
                        place_row,
                        column,
                        function="index()",
                        became="position(..)",
                    )
                )
            if _DURATION.search(text) and start is not None:
                seconds = (
                    f"round((decimal-date-time(now()) - decimal-date-time(${{{start}}})) * 86400)"
                )
                text = _DURATION.sub(seconds, text)
                warnings.append(
                    _warning(
                        "xlsform.surveycto_function",
                        file,
                        place_row,
                        column,
                        function="duration()",
                        became=seconds,
                    )
                )
            row[column] = text
    return warnings


def _warning(code: str, file: str, row: int, column: str, **params: Any) -> Problem:
    return Problem(code, params, Place(file, "survey", row, column), "warning")
