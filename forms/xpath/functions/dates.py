"""Date and time functions: `today`, `now`, conversions and `format-date(-time)`.

Dates are numbers of days since 1970-01-01. A whole number is a calendar date; a
number with a fraction is an instant, counted in UTC as JavaRosa's
`decimal-date-time` counts it, so `date-time(decimal-date-time(x))` gives `x` back.
(JavaRosa also reads whole numbers as UTC instants when formatting, which shows the
previous day west of Greenwich; we keep the calendar date.) Date-times are shown and
formatted in the device's time zone, as on Collect.
"""

from __future__ import annotations

import datetime as dt
import math

from forms.xpath import values
from forms.xpath.context import Context
from forms.xpath.functions.arguments import INT_MAX, INT_MIN, bad_argument, truncate
from forms.xpath.functions.registry import function
from forms.xpath.values import Value, parse_date, parse_datetime, parse_time, to_string, unpack

UTC_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


def _aware(value: dt.date) -> dt.datetime:
    """A date as its local midnight, a date-time with a zone (local when it has none)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=values.local_tz())
    return dt.datetime.combine(value, dt.time(), tzinfo=values.local_tz())


def _days_in_range(name: str, number: float) -> None:
    if math.isinf(number) or not INT_MIN <= number <= INT_MAX:
        raise bad_argument(name, number, "it is out of range for a date")


def _instant(name: str, days: float) -> dt.datetime:
    _days_in_range(name, days)
    try:
        return (UTC_EPOCH + dt.timedelta(days=days)).astimezone(values.local_tz())
    except OverflowError:
        raise bad_argument(name, days, "it is out of range for a date") from None


def _calendar_date(name: str, days: float) -> dt.date:
    _days_in_range(name, days)
    try:
        return values.EPOCH + dt.timedelta(days=truncate(days))
    except OverflowError:
        raise bad_argument(name, days, "it is out of range for a date") from None


def _parse(name: str, text: str) -> dt.date:
    parsed = parse_datetime(text) or parse_date(text) or parse_time(text)
    if parsed is None:
        raise bad_argument(name, text, "it is not a date (YYYY-MM-DD) or date-time")
    return parsed


def _when(name: str, value: Value) -> dt.date | None:
    """A value as a date or date-time for formatting; None for empty or NaN."""
    value = unpack(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise bad_argument(name, value, "a boolean is not a date")
    if isinstance(value, float):
        if math.isnan(value):
            return None
        _days_in_range(name, value)
        if value == math.floor(value):
            return _calendar_date(name, value)
        return _instant(name, value)
    if value == "":
        return None
    return _parse(name, value)


@function("today", 0)
def today(ctx: Context, args: list[Value]) -> Value:
    return ctx.env.now().date()


@function("now", 0)
def now(ctx: Context, args: list[Value]) -> Value:
    return _aware(ctx.env.now())


@function("date", 1)
def date(ctx: Context, args: list[Value]) -> Value:
    """A date from days since 1970-01-01 (truncated) or an ISO string; '' and NaN pass."""
    value = unpack(args[0])
    if isinstance(value, float) and not math.isnan(value):
        return _calendar_date("date", value)
    when = _when("date", value)
    if when is None:
        return value
    if isinstance(when, dt.datetime):
        return when.astimezone(values.local_tz()).date() if when.tzinfo else when.date()
    return when


@function("date-time", 1)
def date_time(ctx: Context, args: list[Value]) -> Value:
    """A date-time from days since 1970-01-01 UTC (with a fraction) or an ISO string."""
    value = unpack(args[0])
    if isinstance(value, float) and not math.isnan(value):
        return _instant("date-time", value)
    when = _when("date-time", value)
    return value if when is None else _aware(when)


@function("decimal-date-time", 1)
def decimal_date_time(ctx: Context, args: list[Value]) -> Value:
    """Days (with a fraction) since 1970-01-01T00:00Z; a number passes; '' stays ''."""
    value = unpack(args[0])
    if isinstance(value, float):
        if not math.isnan(value):
            _days_in_range("decimal-date-time", value)
        return value
    when = _when("decimal-date-time", value)
    if when is None:
        return value
    return (_aware(when) - UTC_EPOCH).total_seconds() / 86400.0


@function("decimal-time", 1)
def decimal_time(ctx: Context, args: list[Value]) -> Value:
    """The fraction of the local day a time (or date-time) is at: noon is 0.5."""
    value = unpack(args[0])
    if isinstance(value, float):
        if math.isnan(value):
            return value
        _days_in_range("decimal-time", value)
        return value - math.floor(value)
    when = _when("decimal-time", value)
    if when is None:
        return value
    local = _aware(when).astimezone(values.local_tz())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (local - midnight).total_seconds() / 86400.0


def _format(name: str, value: Value, pattern: str) -> str:
    when = _when(name, value)
    if when is None:
        return ""
    if isinstance(when, dt.datetime):
        moment = when.astimezone(values.local_tz()) if when.tzinfo else when
    else:
        moment = dt.datetime.combine(when, dt.time())
    fields = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": _MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
        "a": _WEEKDAYS[moment.weekday()],
    }
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char != "%":
            out.append(char)
            i += 1
            continue
        code = pattern[i + 1 : i + 2]
        if code not in fields:
            raise bad_argument(name, pattern, f"'%{code}' is not a date format code")
        out.append(fields[code])
        i += 2
    return "".join(out)


@function("format-date", 2)
def format_date(ctx: Context, args: list[Value]) -> Value:
    """Format codes: %Y %y %m %n %b %d %e %a, and %H %h %M %S %3 (English month/day names)."""
    return _format("format-date", args[0], to_string(args[1]))


@function("format-date-time", 2)
def format_date_time(ctx: Context, args: list[Value]) -> Value:
    return _format("format-date-time", args[0], to_string(args[1]))
