"""XPath values and the conversions between them, as ODK Collect (JavaRosa) does them.

A value is a `bool`, a `float`, a `str`, a node-set (`list[Node]`, document order),
or a date (`datetime.date`) / date-time (`datetime.datetime`, timezone-aware).
Dates are numbers of days since 1970-01-01 in arithmetic; in strings they are
ISO 8601. Empty strings are NaN as numbers, and every comparison with NaN is false.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TypeAlias

from forms.xpath.tree import Node

Value: TypeAlias = "bool | float | str | list[Node] | dt.date | dt.datetime"
NodeSet: TypeAlias = "list[Node]"

EPOCH = dt.date(1970, 1, 1)
_NUMBER = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*\Z")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
_NUMERIC_TYPES = frozenset({"int", "integer", "decimal", "double", "float", "long", "short"})
_DATE_TYPES = frozenset({"date"})
_DATETIME_TYPES = frozenset({"dateTime", "datetime"})
_TIME_TYPES = frozenset({"time"})


def local_tz() -> dt.tzinfo:
    tz = dt.datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz


def parse_number(text: str) -> float:
    """XPath 1.0 `number()` of a string: optional minus, digits, optional fraction; else NaN."""
    if _NUMBER.match(text):
        return float(text)
    return math.nan


def parse_date(text: str) -> dt.date | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_datetime(text: str) -> dt.datetime | None:
    """ISO 8601 date-time (`2024-03-01T10:20:30.000+01:00`, `Z`, or no zone = local)."""
    text = text.strip()
    if not text or "T" not in text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_tz())
    return value


def parse_time(text: str) -> dt.datetime | None:
    """An ODK time (`10:20:30.000+01:00`) as that time on 1970-01-01."""
    text = text.strip()
    if not text or not text[:1].isdigit() or ":" not in text:
        return None
    try:
        value = dt.time.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    tz = value.tzinfo or local_tz()
    return dt.datetime.combine(EPOCH, value.replace(tzinfo=None), tzinfo=tz)


def date_to_days(value: dt.date) -> float:
    """Days since 1970-01-01: whole for a date, fractional (local clock) for a date-time."""
    if isinstance(value, dt.datetime):
        local = value.astimezone(local_tz()) if value.tzinfo else value
        midnight = dt.datetime.combine(local.date(), dt.time())
        fraction = (local.replace(tzinfo=None) - midnight).total_seconds() / 86400.0
        return float((local.date() - EPOCH).days) + fraction
    return float((value - EPOCH).days)


def days_to_date(days: float) -> dt.date:
    return EPOCH + dt.timedelta(days=math.floor(days))


def format_number(number: float) -> str:
    """XPath 1.0 string of a number: integers without a point, never an exponent."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" not in text:
        return text
    mantissa, _, exp_text = text.partition("e")
    exponent = int(exp_text)
    negative = mantissa.startswith("-")
    digits = mantissa.lstrip("-").replace(".", "")
    point = len(mantissa.lstrip("-").split(".")[0]) + exponent
    if point <= 0:
        body = "0." + "0" * (-point) + digits
    elif point >= len(digits):
        body = digits + "0" * (point - len(digits))
    else:
        body = digits[:point] + "." + digits[point:]
    body = body.rstrip("0").rstrip(".") if "." in body else body
    return ("-" if negative else "") + body


def format_date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    return value.isoformat()


def format_datetime(value: dt.datetime) -> str:
    """ODK's date-time form: milliseconds and a `+hh:mm` offset."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_tz())
    text = value.isoformat(timespec="milliseconds")
    return text


def node_value(node: Node) -> bool | float | str | dt.date:
    """A node's value typed by its bind, as JavaRosa unpacks it for an expression."""
    text = node.string_value()
    kind = node.datatype
    if kind is None or kind == "string" or node.children:
        return text
    if kind in _NUMERIC_TYPES:
        return parse_number(text) if text else math.nan
    if kind in _DATE_TYPES:
        return parse_date(text) or text
    if kind in _DATETIME_TYPES:
        return parse_datetime(text) or parse_date(text) or text
    if kind in _TIME_TYPES:
        return parse_time(text) or text
    if kind == "boolean":
        return text in ("true", "1") if text else text
    return text


def unpack(value: Value) -> bool | float | str | dt.date:
    """A node-set in a scalar context becomes its first node's typed value ('' if empty)."""
    if isinstance(value, list):
        return node_value(value[0]) if value else ""
    return value


def to_number(value: Value) -> float:
    value = unpack(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dt.date):
        return date_to_days(value)
    return parse_number(value)


def to_string(value: Value) -> str:
    if isinstance(value, list):
        return value[0].string_value() if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return format_number(float(value))
    if isinstance(value, dt.date):
        return format_date(value)
    return value


def to_boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dt.date):
        return True
    return value != ""


def to_date(value: Value) -> dt.date | None:
    """A value as a date or date-time: dates as they are, numbers as days, ISO strings parsed."""
    value = unpack(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, float | int):
        if math.isnan(value) or math.isinf(value):
            return None
        days = float(value)
        if days == math.floor(days):
            return days_to_date(days)
        start = dt.datetime.combine(days_to_date(days), dt.time(), tzinfo=local_tz())
        return start + dt.timedelta(days=days - math.floor(days))
    return parse_datetime(value) or parse_date(value) or parse_time(value)
