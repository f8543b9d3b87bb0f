"""Candidate answers for the test-drive: random values of a question's type, then
values near the literals of its constraint (`. > 10 and . < 5` gets 4, 5, 6, 9, 10, 11).

The simulator tries candidates in order until one is accepted, so the first ones
are typical answers and the later ones probe the constraint's edges.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from forms.definition import Control, Expression
from forms.testdrive_regex import patterns_in, sample

NUMBER = re.compile(r"(?<![\w.$])-?\d+(?:\.\d+)?(?![\w.])")
QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
TEXT_TYPES = ("string", "barcode")


def _numbers(constraint: Expression | None) -> list[float]:
    if constraint is None:
        return []
    text = QUOTED.sub(" ", constraint.text)
    return [float(m) for m in NUMBER.findall(text)]


def _strings(constraint: Expression | None) -> list[str]:
    if constraint is None:
        return []
    return [a or b for a, b in QUOTED.findall(constraint.text)]


def _int_text(number: float) -> str:
    return str(int(number))


def candidates(
    control: Control,
    datatype: str,
    constraint: Expression | None,
    today: dt.date,
    rng: random.Random,
) -> list[str]:
    """Answers to try for a non-select question, typical ones first."""
    numbers = _numbers(constraint)
    if control.kind == "range" and control.range is not None:
        return _range(control.range, rng)
    if datatype in ("int", "integer", "long", "short"):
        typical = [rng.randint(0, 100), rng.randint(0, 10), 0, 1]
        near = [n + d for n in numbers for d in (0, 1, -1)]
        return [_int_text(n) for n in [typical[0], *near, *typical[1:]] if abs(n) < 2**31]
    if datatype in ("decimal", "double", "float"):
        typical_d = [round(rng.uniform(0, 100), 2), round(rng.uniform(0, 1), 3), 0.0]
        near_d = [n + d for n in numbers for d in (0.0, 0.5, -0.5, 1.0, -1.0)]
        return [repr(n) for n in [typical_d[0], *near_d, *typical_d[1:]]]
    if datatype == "date":
        return _dates(constraint, today, rng)
    if datatype == "time":
        return [f"{rng.randint(6, 20):02d}:{rng.randint(0, 59):02d}:00", "12:00:00"]
    if datatype in ("dateTime", "datetime"):
        day = today - dt.timedelta(days=rng.randint(0, 30))
        return [f"{day.isoformat()}T{rng.randint(6, 20):02d}:{rng.randint(0, 59):02d}:00"]
    if datatype == "geopoint":
        return [_point(rng) + " 0 5", "0 0 0 5"]
    if datatype == "geotrace":
        return [";".join(_point(rng) for _ in range(3))]
    if datatype == "geoshape":
        lat, lon = rng.uniform(-10, 10), rng.uniform(-10, 10)
        corners = [(lat, lon), (lat + 0.01, lon), (lat + 0.01, lon + 0.01), (lat, lon)]
        return [";".join(f"{a:.5f} {b:.5f} 0 5" for a, b in corners)]
    if datatype == "binary":
        return [f"file-{rng.randint(1, 999)}.jpg"]
    if datatype == "boolean":
        return ["true", "false"]
    matching = [sample(p, rng) for p in patterns_in(constraint.text)] if constraint else []
    texts = _texts(numbers, _strings(constraint), rng)
    return list(dict.fromkeys([*(m for m in matching if m is not None), *texts]))


def _range(spec: tuple[str, str, str], rng: random.Random) -> list[str]:
    try:
        start, end, step = (float(s) for s in spec)
    except ValueError:
        return ["1"]
    steps = int((end - start) / step) if step else 0
    values = [start + step * rng.randint(0, max(steps, 0)), start, end]
    return [_int_text(v) if v == int(v) else repr(v) for v in values]


def _dates(constraint: Expression | None, today: dt.date, rng: random.Random) -> list[str]:
    days = [today - dt.timedelta(days=rng.randint(0, 365 * 30)), today]
    text = constraint.text if constraint is not None else ""
    for literal in DATE.findall(text):
        try:
            base = dt.date.fromisoformat(literal)
        except ValueError:
            continue
        days += [base + dt.timedelta(days=d) for d in (0, 1, -1, 30, -30)]
    return [d.isoformat() for d in days]


def _point(rng: random.Random) -> str:
    return f"{rng.uniform(-60, 60):.5f} {rng.uniform(-170, 170):.5f}"


def _texts(numbers: list[float], literals: list[str], rng: random.Random) -> list[str]:
    found = [f"{rng.choice(WORDS)} {rng.randint(1, 99)}"]
    lengths = [int(n) + d for n in numbers for d in (0, -1, 1) if 0 < n + d <= 200]
    found += ["".join(str(rng.randint(0, 9)) for _ in range(n)) for n in lengths]
    found += [_int_text(n) if n == int(n) else repr(n) for n in numbers]  # `. = -888`
    found += [s for s in literals if s]
    found += [w + s for s in literals if s for w in ("x", "")]
    found += [rng.choice(WORDS), "7", "A1"]
    return list(dict.fromkeys(found))
