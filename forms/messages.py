"""The catalog of user-facing messages of the form engine, keyed by code.

Each entry is a `str.format` template; parameters are named. Keep hints short and
concrete: say what to change.
"""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, str] = {
    # XPath
    "xpath.syntax": "The expression '{expr}' cannot be read: {detail}.",
    "xpath.too_deep": "The expression is nested too deeply (more than {limit} levels).",
    "xpath.too_long": "The expression is too long ({length} characters; the limit is {limit}).",
    "xpath.unknown_function": "Unknown function '{name}()' in '{expr}'.",
    "xpath.arg_count": "The function '{name}()' takes {expected} argument(s), but {given} were given.",
    "xpath.unknown_instance": "There is no instance with id '{id}'.",
    "xpath.eval": "The expression '{expr}' cannot be evaluated: {detail}.",
    "xpath.bad_argument": "The function '{name}()' cannot use the value {value!r}: {detail}.",
}


def render(code: str, params: dict[str, Any]) -> str:
    template = CATALOG.get(code)
    if template is None:
        return f"{code}: {params}"
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return f"{template} {params}"
