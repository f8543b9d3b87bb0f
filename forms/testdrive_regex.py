"""A string that matches a `regex()` constraint, for the test-drive's random answers.

Random words almost never match a pattern such as `^[A-Z]{2}-[0-9]{4}$`, so a
form with an ID format would look broken. We walk the pattern's parsed form
(Python's own regex parser) and build one matching string; patterns with
constructs we cannot build (back-references, lookarounds) give None.
"""

from __future__ import annotations

import random
import re
from re import _parser as sre  # type: ignore[attr-defined]
from typing import Any

_FIND = re.compile(r"regex\(\s*\.\s*,\s*(?:'([^']*)'|\"([^\"]*)\")\s*\)")
_CATEGORY = {"CATEGORY_DIGIT": "7", "CATEGORY_WORD": "k", "CATEGORY_SPACE": " "}
_OUTSIDE = "aZ5_ -.q"
_MAX_LENGTH = 500


class _Unsupported(Exception):
    pass


def patterns_in(constraint: str) -> list[str]:
    """The patterns of `regex(., '...')` calls in a constraint."""
    return [a or b for a, b in _FIND.findall(constraint)]


def sample(pattern: str, rng: random.Random) -> str | None:
    """One string that fully matches `pattern`, or None when it cannot be built."""
    try:
        parsed = sre.parse(pattern)
        text = _sequence(parsed, rng, 0)
    except (re.error, _Unsupported, RecursionError, ValueError, OverflowError):
        return None
    if len(text) > _MAX_LENGTH or re.fullmatch(pattern, text) is None:
        return None
    return text


def _sequence(items: Any, rng: random.Random, depth: int) -> str:
    if depth > 50:
        raise _Unsupported
    return "".join(_item(str(op), av, rng, depth) for op, av in items)


def _item(op: str, av: Any, rng: random.Random, depth: int) -> str:
    if op == "LITERAL":
        return chr(av)
    if op == "NOT_LITERAL":
        return next(c for c in _OUTSIDE if ord(c) != av)
    if op == "ANY":
        return "a"
    if op == "AT":
        return ""
    if op == "IN":
        return _in(av, rng)
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = av
        count = low if low > 0 else min(high, 1 + rng.randint(0, 1))
        return "".join(_sequence(sub, rng, depth + 1) for _ in range(min(count, _MAX_LENGTH)))
    if op == "SUBPATTERN":
        return _sequence(av[-1], rng, depth + 1)
    if op == "ATOMIC_GROUP":
        return _sequence(av, rng, depth + 1)
    if op == "BRANCH":
        return _sequence(rng.choice(av[1]), rng, depth + 1)
    raise _Unsupported(op)


def _in(members: list[tuple[Any, Any]], rng: random.Random) -> str:
    if members and str(members[0][0]) == "NEGATE":
        for candidate in _OUTSIDE:
            if not _matches(candidate, members[1:]):
                return candidate
        raise _Unsupported("NEGATE")
    op, av = rng.choice(members)
    kind = str(op)
    if kind == "LITERAL":
        return chr(av)
    if kind == "RANGE":
        return chr(rng.randint(av[0], av[1]))
    if kind == "CATEGORY" and str(av) in _CATEGORY:
        return _CATEGORY[str(av)]
    raise _Unsupported(kind)


def _matches(char: str, members: list[tuple[Any, Any]]) -> bool:
    for op, av in members:
        kind = str(op)
        if kind == "LITERAL" and ord(char) == av:
            return True
        if kind == "RANGE" and av[0] <= ord(char) <= av[1]:
            return True
        if kind == "CATEGORY" and _CATEGORY.get(str(av)) == char:
            return True
    return False
