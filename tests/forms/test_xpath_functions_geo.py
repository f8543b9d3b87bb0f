"""Geographic functions through `forms.xpath.evaluate`, checked against spherical geometry.

Expected values come from the sphere of radius 6,378,100 m that ODK uses: a degree of
a great circle is R * pi / 180 m; a small square of side s degrees near latitude phi
covers about (R * pi / 180)^2 * s^2 * cos(phi) square metres.
"""

from __future__ import annotations

import math

import pytest
from xpath_functions_support import run

from forms.errors import FormError

R = 6_378_100.0
DEGREE = R * math.pi / 180

SQUARE = "0 0 0 0;0 0.001 0 0;0.001 0.001 0 0;0.001 0 0 0;0 0 0 0"
SQUARE_AREA = (DEGREE * 0.001) ** 2

XML = f"""<data>
  <shape>{SQUARE}</shape>
  <trace>0 0 10 5;0 1 10 5;1 1 12 5</trace>
  <point>0 0 0 0</point>
  <walk><p>0 0 0 0</p><p>0 0.001 0 0</p><p/><p>0.001 0.001 0 0</p><p>0.001 0 0 0</p></walk>
  <blank/>
  <bad>12 north</bad>
</data>"""

CASES: list[tuple[str, float, float]] = [
    ("distance('0 0;0 1')", DEGREE, 1e-9),
    ("distance('0 0 0 0;90 0 0 0')", R * math.pi / 2, 1e-9),
    ("distance('10 20;10 20')", 0.0, 1e-9),
    ("distance(/data/trace)", DEGREE * 2, 1e-4),
    ("distance(/data/shape)", DEGREE * 0.004, 1e-6),
    ("distance(/data/walk/p)", DEGREE * 0.003, 1e-6),
    ("distance('0 0', '0 1', '1 1')", DEGREE * 2, 1e-4),
    ("distance(/data/point)", 0.0, 0),
    ("distance(/data/blank)", 0.0, 0),
    ("distance(/data/missing)", 0.0, 0),
    ("area(/data/shape)", SQUARE_AREA, 1e-6),
    ("area('0 0;0.001 0;0.001 0.001;0 0.001;0 0')", SQUARE_AREA, 1e-6),
    ("area('0 0;0 0.001;0.001 0.001;0.001 0')", SQUARE_AREA, 1e-6),
    ("area(/data/walk/p)", SQUARE_AREA, 1e-6),
    ("area('60 0;60 0.001;60.001 0.001;60.001 0;60 0')", SQUARE_AREA * 0.5, 1e-3),
    ("area('0 0;0 1')", 0.0, 0),
    ("area(/data/trace)", DEGREE**2 / 2, 1e-3),
    ("area(/data/blank)", 0.0, 0),
    ("enclosed-area(/data/shape)", SQUARE_AREA, 1e-6),
]


@pytest.mark.parametrize(("expr", "expected", "tolerance"), CASES)
def test_geo_function(expr: str, expected: float, tolerance: float) -> None:
    result = run(expr, XML)
    assert isinstance(result, float)
    assert math.isclose(result, expected, rel_tol=tolerance, abs_tol=1e-6), f"{expr}: {result}"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("geofence('0.0005 0.0005', /data/shape)", True),
        ("geofence('0.002 0.0005', /data/shape)", False),
        ("geofence(/data/point, '1 1;1 3;3 3;3 1;1 1')", False),
        ("geofence('2 2 0 0', '1 1;1 3;3 3;3 1;1 1')", True),
        ("geofence(/data/blank, /data/shape)", False),
    ],
)
def test_geofence(expr: str, expected: bool) -> None:
    assert run(expr, XML) is expected


@pytest.mark.parametrize(
    ("expr", "name"),
    [
        ("distance(/data/bad)", "distance"),
        ("area('1 2 3 4 5')", "area"),
        ("area('x y;1 1;2 2')", "area"),
        ("distance('0 0', 'nowhere')", "distance"),
        ("distance('nan 0;0 0')", "distance"),
    ],
)
def test_values_that_are_not_geopoints(expr: str, name: str) -> None:
    with pytest.raises(FormError) as caught:
        run(expr, XML)
    assert caught.value.code == "xpath.bad_argument"
    assert f"'{name}()'" in str(caught.value)
