"""Date functions and typed date arithmetic, with a fixed clock and a fixed time zone (+02:00)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from xpath_functions_support import FIXED_NOW, run, same

from forms.errors import FormError
from forms.xpath import values

PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


@pytest.fixture(autouse=True)
def device_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(values, "local_tz", lambda: PLUS_TWO)
    yield


XML = """<data>
  <d>2024-03-05</d><birth>1990-06-15</birth><blank/>
  <stamp>2024-03-05T07:08:09.123+02:00</stamp><t>18:00:00.000+02:00</t>
</data>"""
TYPES = {"/data/d": "date", "/data/birth": "date", "/data/stamp": "dateTime", "/data/t": "time"}

CASES: list[tuple[str, object]] = [
    ("string(today())", "2024-03-05"),
    ("string(now())", "2024-03-05T14:30:15.250+02:00"),
    ("today() - date('2024-03-01')", 4.0),
    ("string(date(0))", "1970-01-01"),
    ("string(date(19787))", "2024-03-05"),
    ("string(date(-0.5))", "1970-01-01"),
    ("string(date(-1))", "1969-12-31"),
    ("string(date('2024-03-05'))", "2024-03-05"),
    ("string(date('2024-03-05T23:30:00+02:00'))", "2024-03-05"),
    ("string(date('2024-03-05T23:30:00Z'))", "2024-03-06"),
    ("date('2024-03-05') + 1", 19788.0),
    ("number(date('1970-01-11'))", 10.0),
    ("date('')", ""),
    ("string(date(/data/blank))", ""),
    ("string(date(0 div 0))", "NaN"),
    ("string(date-time(0.5))", "1970-01-01T14:00:00.000+02:00"),
    ("string(date-time('2024-03-05T07:08:09.123Z'))", "2024-03-05T07:08:09.123+00:00"),
    ("string(date-time('2024-03-05'))", "2024-03-05T00:00:00.000+02:00"),
    ("date-time('')", ""),
    ("decimal-date-time('1970-01-02T00:00:00Z')", 1.0),
    ("decimal-date-time('1970-01-01T12:00:00+02:00')", 10 / 24),
    ("decimal-date-time(date-time(19000.25))", 19000.25),
    ("decimal-date-time(19000.25)", 19000.25),
    ("decimal-date-time('')", ""),
    ("decimal-time('12:00:00')", 0.5),
    ("decimal-time('06:00:00.000+02:00')", 0.25),
    ("decimal-time('06:00:00.000Z')", 1 / 3),
    ("decimal-time('2024-03-05T18:00:00+02:00')", 0.75),
    ("decimal-time(1.75)", 0.75),
    ("decimal-time('')", ""),
    ("format-date('2024-03-05', '%Y/%m/%d')", "2024/03/05"),
    ("format-date('2024-03-05', '%e %n %y %b %a')", "5 3 24 Mar Tue"),
    ("format-date('0987-01-09', '%Y %y %d')", "0987 87 09"),
    ("format-date('2024-03-05', 'day %d of %m')", "day 05 of 03"),
    ("format-date('2024-03-05', '%H:%M:%S')", "00:00:00"),
    ("format-date-time('2024-03-05T07:08:09.123+02:00', '%H:%M:%S.%3 %h')", "07:08:09.123 7"),
    ("format-date-time('2024-03-05T07:08:09.123Z', '%H')", "09"),
    ("format-date(date('2024-03-05') + 2, '%d')", "07"),
    ("format-date(19787, '%Y-%m-%d')", "2024-03-05"),
    ("format-date-time(decimal-date-time('2024-03-05T10:00:00Z'), '%H:%M')", "12:00"),
    ("format-date(today(), '%Y-%m-%d')", "2024-03-05"),
    ("format-date(now(), '%d %H')", "05 14"),
    ("format-date('', '%Y')", ""),
    ("format-date(/data/blank, '%Y')", ""),
    ("format-date(0 div 0, '%Y')", ""),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_date_function(expr: str, expected: object) -> None:
    result = run(expr, XML)
    assert same(result, expected), f"{expr} gave {result!r}"


TYPED_CASES: list[tuple[str, object]] = [
    ("/data/d + 1", 19788.0),
    ("/data/d - /data/birth", 12317.0),
    ("int((today() - /data/birth) div 365.25)", 33.0),
    ("/data/d = today()", True),
    ("/data/d < today()", False),
    ("format-date(/data/d + 30, '%Y-%m-%d')", "2024-04-04"),
    ("format-date(/data/d, '%a %e %b')", "Tue 5 Mar"),
    ("format-date-time(/data/stamp, '%H:%M')", "07:08"),
    ("decimal-date-time(/data/stamp)", (19787 * 86400 + 5 * 3600 + 8 * 60 + 9.123) / 86400),
    ("decimal-time(/data/t)", 0.75),
    ("string(date(/data/stamp))", "2024-03-05"),
    ("string(date(/data/d + 1))", "2024-03-06"),
]


@pytest.mark.parametrize(("expr", "expected"), TYPED_CASES)
def test_typed_date_arithmetic(expr: str, expected: object) -> None:
    result = run(expr, XML, types=TYPES)
    assert same(result, expected), f"{expr} gave {result!r}"


def test_fixed_clock_is_used() -> None:
    result = run("now()")
    assert result == FIXED_NOW


@pytest.mark.parametrize(
    ("expr", "name"),
    [
        ("date('not a date')", "date"),
        ("date('2024-02-30')", "date"),
        ("date(pow(10, 12))", "date"),
        ("date(1 div 0)", "date"),
        ("date-time('soon')", "date-time"),
        ("decimal-date-time('x')", "decimal-date-time"),
        ("decimal-time('x')", "decimal-time"),
        ("format-date('2024-03-05', '%Q')", "format-date"),
        ("format-date('2024-03-05', 'trailing %')", "format-date"),
        ("format-date('yesterday', '%Y')", "format-date"),
        ("format-date-time(true(), '%Y')", "format-date-time"),
    ],
)
def test_bad_dates_are_form_errors_naming_the_function(expr: str, name: str) -> None:
    with pytest.raises(FormError) as caught:
        run(expr, XML)
    assert caught.value.code == "xpath.bad_argument"
    assert f"'{name}()'" in str(caught.value)
