"""The offline map's geometry: the district's box and the point always on the canvas, the box
keeping its shape on the ground, and a round scale bar."""

from __future__ import annotations

import math

import flet as ft
import flet.canvas as cv
import pytest

from sync.server.supervisor_ui.gps_map import HEIGHT, PAD, WIDTH, frame, gps_block, scale_bar

BOX = {"min_lat": 6.0, "min_lon": -1.5, "max_lat": 6.5, "max_lon": -1.0}


def on_canvas(x: float, y: float) -> bool:
    return PAD - 0.01 <= x <= WIDTH - PAD + 0.01 and PAD - 0.01 <= y <= HEIGHT - PAD + 0.01


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [(6.2, -1.2, True), (6.5, -1.0, True), (7.4, -1.2, False), (5.1, -3.9, False)],
)
def test_box_and_point_are_on_the_canvas_and_the_point_is_where_it_lies(
    lat: float, lon: float, inside: bool
) -> None:
    at = frame(lat, lon, BOX)
    x, y = at.xy(lat, lon)
    left, top = at.xy(BOX["max_lat"], BOX["min_lon"])
    right, bottom = at.xy(BOX["min_lat"], BOX["max_lon"])
    assert on_canvas(x, y) and on_canvas(left, top) and on_canvas(right, bottom)
    assert (left - 0.01 <= x <= right + 0.01 and top - 0.01 <= y <= bottom + 0.01) is inside


def test_a_box_keeps_its_shape_on_the_ground() -> None:
    at = frame(60.1, 10.1, {"min_lat": 60.0, "min_lon": 10.0, "max_lat": 60.2, "max_lon": 10.2})
    left, top = at.xy(60.2, 10.0)
    right, bottom = at.xy(60.0, 10.2)
    assert (right - left) / (bottom - top) == pytest.approx(math.cos(math.radians(60.1)), rel=1e-3)


def test_without_a_box_the_map_is_centred_on_the_point_and_shows_its_accuracy() -> None:
    at = frame(6.2, -1.2, None, accuracy_m=2000)
    assert at.xy(6.2, -1.2) == pytest.approx((WIDTH / 2, HEIGHT / 2))
    assert 2000 / at.metres_per_px <= (HEIGHT - 2 * PAD) / 2 + 0.01
    small = frame(6.2, -1.2, None, accuracy_m=3)
    assert small.metres_per_px * (HEIGHT - 2 * PAD) == pytest.approx(0.01 * 111_320, rel=0.01)


@pytest.mark.parametrize(
    ("metres_per_px", "label"), [(0.9, "50 m"), (30, "2 km"), (160, "10 km"), (4.5, "200 m")]
)
def test_the_scale_bar_is_a_round_length_no_longer_than_a_third(
    metres_per_px: float, label: str
) -> None:
    pixels, shown = scale_bar(metres_per_px)
    assert shown == label
    assert WIDTH / 3 / 2.5 <= pixels <= WIDTH / 3  # 1, 2, 5: the next step is at most 2.5x


def _walk(control: ft.Control) -> list[ft.Control]:
    found = [control]
    for name in ("content", "controls"):
        inner = getattr(control, name, None)
        for child in inner if isinstance(inner, list) else [inner] if inner else []:
            found += _walk(child)
    return found


@pytest.mark.parametrize(("lat", "drawn"), [(6.2, True), (95.0, False)])
def test_a_point_off_the_earth_gets_a_line_instead_of_a_map(lat: float, drawn: bool) -> None:
    point = {"latitude": lat, "longitude": -1.2, "altitude": None, "accuracy_m": None,
             "inside_district": None, "warnings": []}  # fmt: skip
    review = {"max_accuracy_m": 50.0, "district": "north", "district_box": None}
    block = _walk(gps_block("Farm location", point, review))
    assert any(isinstance(c, cv.Canvas) for c in block) is drawn
    shown = [c.value for c in block if isinstance(c, ft.Text)]
    assert ("No map: not a position on Earth" in shown) is not drawn
    assert "Altitude not recorded" in shown and "Accuracy not recorded (limit 50 m)" in shown
