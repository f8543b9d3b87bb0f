"""Typed coercion of answers: a Python value or text to the string an instance stores.

`coerce(datatype, value)` returns the stored text, or raises `WrongType` with the
catalog code of the message to show ("Enter a whole number"). Selects are checked
against their choice list by the session; here they are only split and joined.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from forms.xpath.values import format_datetime, format_number, local_tz

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
"""JavaRosa stores `int` answers as a Java int."""
_INT = re.compile(r"\s*[-+]?\d+\s*\Z")
_DECIMAL = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class WrongType(ValueError):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def split_select(value: Any) -> list[str]:
    """A multiple-select answer as its values: a list, or space-separated text."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def coerce(datatype: str | None, value: Any) -> str:
    kind = datatype or "string"
    if kind in ("int", "integer", "long", "short"):
        return _int(value)
    if kind in ("decimal", "double", "float"):
        return _decimal(value)
    if kind == "date":
        return _date(value)
    if kind == "time":
        return _time(value)
    if kind in ("dateTime", "datetime"):
        return _datetime(value)
    if kind == "geopoint":
        return _geopoint(value)
    if kind == "geotrace":
        return _geoline(value, closed=False)
    if kind == "geoshape":
        return _geoline(value, closed=True)
    if kind == "binary":
        return _file_name(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        if str(value) in ("true", "false", "1", "0"):
            return str(value)
        raise WrongType("session.wrong_type.boolean")
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return " ".join(split_select(value))
    return str(value)


def _int(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str | float | Decimal):
        raise WrongType("session.wrong_type.int")
    if isinstance(value, float | Decimal):
        if not math.isfinite(value) or value != int(value):
            raise WrongType("session.wrong_type.int")
        value = int(value)
    if isinstance(value, str):
        if not _INT.match(value):
            raise WrongType("session.wrong_type.int")
        value = int(value)
    if not INT_MIN <= value <= INT_MAX:
        raise WrongType("session.wrong_type.int_range", min=INT_MIN, max=INT_MAX)
    return str(value)


def _decimal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str | float | Decimal):
        raise WrongType("session.wrong_type.decimal")
    if isinstance(value, str):
        if not _DECIMAL.match(value):
            raise WrongType("session.wrong_type.decimal")
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise WrongType("session.wrong_type.decimal") from None
    number = float(value)
    if not math.isfinite(number):
        raise WrongType("session.wrong_type.decimal")
    return format_number(number)


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise WrongType("session.wrong_type.date")


def _time(value: Any) -> str:
    parsed: dt.time | None = None
    if isinstance(value, dt.time):
        parsed = value
    elif isinstance(value, str) and value.strip()[:1].isdigit():
        try:
            parsed = dt.time.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None:
        raise WrongType("session.wrong_type.time")
    today = dt.datetime.combine(dt.date.today(), parsed.replace(tzinfo=None))
    tz = parsed.tzinfo or today.astimezone(local_tz()).tzinfo or local_tz()
    return format_datetime(today.replace(tzinfo=tz)).split("T", 1)[1]


def _datetime(value: Any) -> str:
    parsed: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and "T" in value:
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None:
        raise WrongType("session.wrong_type.datetime")
    return format_datetime(parsed)


def _point(value: Any) -> list[float]:
    parts = value.split() if isinstance(value, str) else list(value)
    try:
        numbers = [float(p) for p in parts]
    except (TypeError, ValueError):
        raise WrongType("session.wrong_type.geopoint") from None
    if not 2 <= len(numbers) <= 4 or not all(math.isfinite(n) for n in numbers):
        raise WrongType("session.wrong_type.geopoint")
    if not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
        raise WrongType("session.wrong_type.geopoint")
    if len(numbers) == 4 and numbers[3] < 0:
        raise WrongType("session.wrong_type.geopoint")
    return numbers


def _format_point(numbers: list[float]) -> str:
    return " ".join(format_number(n) for n in numbers)


def _geopoint(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | list | tuple):
        raise WrongType("session.wrong_type.geopoint")
    return _format_point(_point(value))


def _geoline(value: Any, *, closed: bool) -> str:
    code = "session.wrong_type.geoshape" if closed else "session.wrong_type.geotrace"
    if isinstance(value, str):
        pieces: list[Any] = [p for p in value.split(";") if p.strip()]
    elif isinstance(value, list | tuple):
        pieces = list(value)
    else:
        raise WrongType(code)
    try:
        points = [_point(p) for p in pieces]
    except WrongType:
        raise WrongType(code) from None
    if closed and points and points[0][:2] != points[-1][:2]:
        points.append(points[0])
    if len(points) < (4 if closed else 2):
        raise WrongType(code)
    return ";".join(_format_point(p) for p in points)


def _file_name(value: Any) -> str:
    name = str(value).strip() if isinstance(value, str) else None
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise WrongType("session.wrong_type.binary")
    return name
