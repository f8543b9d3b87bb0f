"""String functions of the ODK function table, with JavaRosa's semantics.

- `concat` and `join` use every node of a node-set argument (the spec's
  wording; JavaRosa does the same for the usual single node-set argument).
- `substr` takes a 0-based start and an exclusive end; negative indexes count
  from the end, as in JavaRosa.
- `string-length` counts UTF-16 code units, as both JavaRosa and Enketo do, so
  a length constraint accepts the same answers as on Collect.
- `regex` must match the whole value (Java's `Pattern.matches`).
"""

from __future__ import annotations

import re
import string as ascii_chars
import uuid as uuid_module
from functools import lru_cache

from forms.xpath.context import Context
from forms.xpath.functions.arguments import bad_argument, expand, java_int, truncate
from forms.xpath.functions.registry import function
from forms.xpath.values import Value, to_number, to_string

_JAVA_WHITESPACE = re.compile(r"[ \t\n\x0b\f\r]+")
_UUID_CHARS = ascii_chars.ascii_letters + ascii_chars.digits
MAX_REGEX_LENGTH = 1000
MAX_REGEX_INPUT = 10_000
MAX_RANDOM_STRING = 10_000


def _context_string(ctx: Context, args: list[Value]) -> str:
    return to_string(args[0]) if args else ctx.node.string_value()


@function("string", 0, 1)
def string(ctx: Context, args: list[Value]) -> Value:
    return _context_string(ctx, args)


@function("concat", 0, None)
def concat(ctx: Context, args: list[Value]) -> Value:
    return "".join(to_string(v) for v in expand(args))


@function("join", 1, None)
def join(ctx: Context, args: list[Value]) -> Value:
    return to_string(args[0]).join(to_string(v) for v in expand(args[1:]))


@function("substr", 2, 3)
def substr(ctx: Context, args: list[Value]) -> Value:
    text = to_string(args[0])
    length = len(text)
    start = java_int(truncate(to_number(args[1])))
    end = java_int(truncate(to_number(args[2]))) if len(args) == 3 else length
    if start < 0:
        start += length
    if end < 0:
        end += length
    start = min(max(0, start), length)
    end = min(max(0, end), length)
    return text[start:end] if start <= end else ""


@function("substring-before", 2)
def substring_before(ctx: Context, args: list[Value]) -> Value:
    text, part = to_string(args[0]), to_string(args[1])
    at = text.find(part)
    return text[:at] if at >= 0 else ""


@function("substring-after", 2)
def substring_after(ctx: Context, args: list[Value]) -> Value:
    text, part = to_string(args[0]), to_string(args[1])
    at = text.find(part)
    return text[at + len(part) :] if at >= 0 else ""


@function("translate", 3)
def translate(ctx: Context, args: list[Value]) -> Value:
    text, source, target = (to_string(a) for a in args)
    table: dict[str, str] = {}
    for index, char in enumerate(source):
        table.setdefault(char, target[index] if index < len(target) else "")
    return "".join(table.get(char, char) for char in text)


@function("string-length", 0, 1)
def string_length(ctx: Context, args: list[Value]) -> Value:
    return float(len(_context_string(ctx, args).encode("utf-16-le")) // 2)


@function("normalize-space", 0, 1)
def normalize_space(ctx: Context, args: list[Value]) -> Value:
    text = _context_string(ctx, args)
    # Java's String.trim() drops every character up to U+0020, then \s+ becomes one space.
    trimmed = text.strip("".join(chr(c) for c in range(0x21)))
    return _JAVA_WHITESPACE.sub(" ", trimmed)


@function("contains", 2)
def contains(ctx: Context, args: list[Value]) -> Value:
    return to_string(args[1]) in to_string(args[0])


@function("starts-with", 2)
def starts_with(ctx: Context, args: list[Value]) -> Value:
    return to_string(args[0]).startswith(to_string(args[1]))


@function("ends-with", 2)
def ends_with(ctx: Context, args: list[Value]) -> Value:
    return to_string(args[0]).endswith(to_string(args[1]))


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    # Java spells the absolute end of input \z; Python spells it \Z.
    python = re.sub(r"(?<!\\)((?:\\\\)*)\\z", r"\1\\Z", pattern)
    return re.compile(python)


@function("regex", 2)
def regex(ctx: Context, args: list[Value]) -> Value:
    """Whole-value match, as Java's `Pattern.matches` (JavaRosa) does it.

    Patterns are compiled once and cached. Lengths are bounded so that a form cannot
    make the device work on unbounded input; Java-only syntax (`\\p{Alpha}` and the
    like) is refused with a message naming the function.
    """
    value, pattern = to_string(args[0]), to_string(args[1])
    if len(pattern) > MAX_REGEX_LENGTH:
        raise bad_argument("regex", pattern[:40] + "...", "the pattern is too long")
    if len(value) > MAX_REGEX_INPUT:
        raise bad_argument("regex", value[:40] + "...", "the value is too long to test")
    try:
        compiled = _compile(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        raise bad_argument("regex", pattern, f"not a valid regular expression ({error})") from None
    return compiled.fullmatch(value) is not None


@function("uuid", 0, 1)
def uuid(ctx: Context, args: list[Value]) -> Value:
    """A version 4 UUID, or with a length a random string of that many letters and digits."""
    rng = ctx.env.rng
    if not args:
        return str(uuid_module.UUID(int=rng.getrandbits(128), version=4))
    count = java_int(truncate(to_number(args[0])))
    if count > MAX_RANDOM_STRING:
        raise bad_argument("uuid", args[0], f"the length can be at most {MAX_RANDOM_STRING}")
    return "".join(rng.choice(_UUID_CHARS) for _ in range(max(count, 0)))
