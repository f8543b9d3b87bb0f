"""A geopoint in the submission view: its four numbers, what is wrong with it, and a small map.

The map is drawn here, not fetched: the district's bounding box and the point on a Flet canvas
(equirectangular, longitude scaled by the cosine of the latitude so the box keeps its shape),
with the accuracy circle and a scale bar. No tiles and nothing from the network, so it works
in a district office without internet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import flet as ft
import flet.canvas as cv

from sync.server.supervisor_ui.widgets import text

M_PER_DEG = 111_320.0
"""Metres per degree of latitude (and of longitude at the equator)."""
WIDTH, HEIGHT, PAD = 320.0, 220.0, 18.0
NO_BOX_HALF_SPAN = 0.005
"""Half the extent, in degrees, of a map around a point when the district has no box."""
WARN = ft.Colors.RED_700
OK = ft.Colors.GREEN_800


@dataclass(frozen=True)
class Frame:
    """Degrees to canvas pixels for one map: the extent fills the canvas, centred."""

    west: float
    north: float
    cos_lat: float
    px_per_deg: float
    left: float
    top: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = self.left + (lon - self.west) * self.cos_lat * self.px_per_deg
        return x, self.top + (self.north - lat) * self.px_per_deg

    @property
    def metres_per_px(self) -> float:
        return M_PER_DEG / self.px_per_deg


def frame(
    lat: float, lon: float, box: dict[str, float] | None, accuracy_m: float | None = None
) -> Frame:
    """The frame showing the box and the point (or, without a box, the point and its accuracy)."""
    if box is not None:
        south, north = min(box["min_lat"], lat), max(box["max_lat"], lat)
        west, east = min(box["min_lon"], lon), max(box["max_lon"], lon)
    else:
        half = max(NO_BOX_HALF_SPAN, 2 * (accuracy_m or 0) / M_PER_DEG)
        south, north, west, east = lat - half, lat + half, lon - half, lon + half
    cos_lat = max(math.cos(math.radians((south + north) / 2)), 0.01)
    wide = max((east - west) * cos_lat, 1e-6)
    tall = max(north - south, 1e-6)
    px = min((WIDTH - 2 * PAD) / wide, (HEIGHT - 2 * PAD) / tall)
    left = PAD + (WIDTH - 2 * PAD - wide * px) / 2
    top = PAD + (HEIGHT - 2 * PAD - tall * px) / 2
    return Frame(west, north, cos_lat, px, left, top)


def scale_bar(metres_per_px: float, longest_px: float = WIDTH / 3) -> tuple[float, str]:
    """A round length (1, 2 or 5 times a power of ten metres) at most `longest_px` long."""
    most = metres_per_px * longest_px
    step = 10 ** math.floor(math.log10(most))
    metres = max(m for m in (step, 2 * step, 5 * step) if m <= most)
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    return metres / metres_per_px, label


def _paint(color: str, *, fill: bool = False, width: float = 2) -> ft.Paint:
    style = ft.PaintingStyle.FILL if fill else ft.PaintingStyle.STROKE
    return ft.Paint(color=color, style=style, stroke_width=width)


def _map_label(point: dict[str, Any], review: dict[str, Any]) -> str:
    district = review["district"] or "unknown"
    if review["district_box"] is None:
        return f"Map around the point (no bounding box for district {district})"
    where = "inside" if point["inside_district"] else "outside"
    return f"Map of district {district} with the point {where} its box"


def offline_map(point: dict[str, Any], review: dict[str, Any]) -> ft.Control:
    lat, lon, box = point["latitude"], point["longitude"], review["district_box"]
    at = frame(lat, lon, box, point["accuracy_m"])
    shapes: list[cv.Shape] = [
        cv.Rect(0, 0, WIDTH, HEIGHT, paint=_paint(ft.Colors.GREY_100, fill=True))
    ]
    if box is not None:
        x0, y0 = at.xy(box["max_lat"], box["min_lon"])
        x1, y1 = at.xy(box["min_lat"], box["max_lon"])
        shapes += [
            cv.Rect(x0, y0, x1 - x0, y1 - y0, paint=_paint(ft.Colors.BLUE_50, fill=True)),
            cv.Rect(x0, y0, x1 - x0, y1 - y0, paint=_paint(ft.Colors.BLUE_700)),
            cv.Text(x0 + 4, y0 + 2, f"district {review['district']}",
                    style=ft.TextStyle(size=11, color=ft.Colors.BLUE_900)),
        ]  # fmt: skip
    else:
        shapes.append(cv.Text(6, 4, "no district box", style=ft.TextStyle(size=11)))
    x, y = at.xy(lat, lon)
    colour = WARN if point["warnings"] else OK
    radius = (point["accuracy_m"] or 0) / at.metres_per_px
    if 4 <= radius <= WIDTH:
        shapes.append(cv.Circle(x, y, radius, paint=_paint(colour, width=1)))
    shapes += [
        cv.Circle(x, y, 7, paint=_paint(colour, fill=True)),
        cv.Circle(x, y, 7, paint=_paint(ft.Colors.WHITE)),
    ]
    length, label = scale_bar(at.metres_per_px)
    shapes += [
        cv.Line(PAD, HEIGHT - 8, PAD + length, HEIGHT - 8, paint=_paint(ft.Colors.BLACK)),
        cv.Text(PAD + length + 6, HEIGHT - 16, label, style=ft.TextStyle(size=11)),
    ]
    canvas = cv.Canvas(shapes=shapes, width=WIDTH, height=HEIGHT)
    framed = ft.Container(
        content=canvas,
        width=WIDTH,
        height=HEIGHT,
        clip_behavior=ft.ClipBehavior.HARD_EDGE,
        border=ft.Border.all(1, ft.Colors.GREY_400),
    )
    return ft.Semantics(label=_map_label(point, review), image=True, content=framed)


def gps_block(label: str, point: dict[str, Any], review: dict[str, Any]) -> ft.Control:
    """Numbers, warnings (or a line saying it passed) and the map, side by side when room."""
    altitude, accuracy = point["altitude"], point["accuracy_m"]
    limit = review["max_accuracy_m"]
    numbers: list[ft.Control] = [
        text(f"{label}:", bold=True),
        text(f"Latitude {point['latitude']:.6f}"),
        text(f"Longitude {point['longitude']:.6f}"),
        text(f"Altitude {'not recorded' if altitude is None else f'{altitude:g} m'}"),
        text(f"Accuracy {'not recorded' if accuracy is None else f'{accuracy:g} m'}"
             f" (limit {limit:g} m)"),
    ]  # fmt: skip
    for warning in point["warnings"]:
        numbers.append(
            ft.Row(
                [
                    ft.Icon(ft.Icons.WARNING_AMBER, color=WARN),
                    text(f"Warning: {warning}", color=WARN),
                ],
                spacing=4,
                wrap=True,
            )
        )
    if not point["warnings"]:
        checked = (
            "inside the district's box" if review["district_box"] else "no district box to check"
        )
        numbers.append(
            ft.Row(
                [ft.Icon(ft.Icons.CHECK_CIRCLE, color=OK),
                 text(f"Within the accuracy limit; {checked}", color=OK)],
                spacing=4,
                wrap=True,
            )
        )  # fmt: skip
    on_earth = -90 <= point["latitude"] <= 90 and -180 <= point["longitude"] <= 180
    drawn = offline_map(point, review) if on_earth else text("No map: not a position on Earth")
    return ft.Row(
        [ft.Column(numbers, spacing=4), drawn],
        wrap=True,
        spacing=20,
        vertical_alignment=ft.CrossAxisAlignment.START,
    )
