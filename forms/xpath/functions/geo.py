"""Geographic functions: `area`, `distance` and `geofence`, computed as JavaRosa does.

JavaRosa (GeoUtils) works on a sphere with the equatorial radius 6,378,100 m:
- distance: great-circle distance between consecutive points, summed;
- area: points projected to metres around the first point (x scaled by the cosine
  of each point's latitude), then the shoelace formula over the fan of triangles.
Altitude and accuracy are ignored. A geopoint is "lat lon [alt [acc]]"; a geotrace or
geoshape is geopoints joined by ";". Blank points (unanswered fields of a repeat) are
skipped instead of failing the whole form.
"""

from __future__ import annotations

import math

from forms.xpath.context import Context
from forms.xpath.functions.arguments import bad_argument
from forms.xpath.functions.registry import function
from forms.xpath.values import Value, to_string

EARTH_RADIUS_METERS = 6_378_100.0
EARTH_CIRCUMFERENCE_METERS = 2 * EARTH_RADIUS_METERS * math.pi

LatLon = tuple[float, float]


def parse_geopoint(name: str, text: str) -> LatLon:
    parts = text.split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
        for extra in parts[2:4]:
            float(extra)
    except (IndexError, ValueError):
        raise bad_argument(name, text, "it is not a geopoint ('lat lon alt accuracy')") from None
    if len(parts) > 4 or not (math.isfinite(lat) and math.isfinite(lon)):
        raise bad_argument(name, text, "it is not a geopoint ('lat lon alt accuracy')")
    return lat, lon


def parse_points(name: str, text: str) -> list[LatLon]:
    """The points of a geopoint, geotrace or geoshape value."""
    return [parse_geopoint(name, part) for part in text.split(";") if part.strip()]


def _points(name: str, args: list[Value]) -> list[LatLon]:
    """One geotrace/geoshape (string or single node), or a sequence of geopoints."""
    texts: list[str] = []
    for arg in args:
        if isinstance(arg, list):
            texts.extend(node.string_value() for node in arg)
        else:
            texts.append(to_string(arg))
    points: list[LatLon] = []
    for text in texts:
        points.extend(parse_points(name, text))
    return points


def distance_between(a: LatLon, b: LatLon) -> float:
    """Great-circle distance. JavaRosa writes it with the spherical law of cosines; the
    haversine form used here is the same quantity without that form's rounding noise
    (about 0.1 m, so two identical points are 0 m apart rather than 0.095 m or NaN).
    """
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(b[1] - a[1]) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * math.asin(min(1.0, math.sqrt(h))) * EARTH_RADIUS_METERS


def path_length(points: list[LatLon]) -> float:
    return sum((distance_between(p, q) for p, q in zip(points, points[1:], strict=False)), 0.0)


def polygon_area(points: list[LatLon]) -> float:
    if len(points) < 3:
        return 0.0
    lat0, lon0 = points[0]
    xs: list[float] = []
    ys: list[float] = []
    for lat, lon in points[1:]:
        ys.append((lat - lat0) * EARTH_CIRCUMFERENCE_METERS / 360.0)
        xs.append((lon - lon0) * EARTH_CIRCUMFERENCE_METERS * math.cos(math.radians(lat)) / 360.0)
    total = 0.0
    for i in range(1, len(xs)):
        total += (ys[i - 1] * xs[i] - xs[i - 1] * ys[i]) / 2
    return abs(total)


@function("area", 1, -1, "enclosed-area")
def area(ctx: Context, args: list[Value]) -> Value:
    """Square metres inside a geoshape, or inside the geopoints of a node-set."""
    return polygon_area(_points("area", args))


@function("distance", 1, None)
def distance(ctx: Context, args: list[Value]) -> Value:
    """Metres along a geotrace/geoshape, the geopoints of a node-set, or geopoint arguments."""
    return path_length(_points("distance", args))


@function("geofence", 2)
def geofence(ctx: Context, args: list[Value]) -> Value:
    """Whether a geopoint lies inside a geoshape (even-odd rule, as JavaRosa's GeoUtils)."""
    point = _points("geofence", [args[0]])
    shape = _points("geofence", [args[1]])
    if len(point) != 1 or len(shape) < 3:
        return False
    lat, lon = point[0]
    inside = False
    for (lat1, lon1), (lat2, lon2) in zip(shape, shape[1:], strict=False):
        if (lat2 > lat) != (lat1 > lat) and lon < (lon1 - lon2) * (lat - lat2) / (
            lat1 - lat2
        ) + lon2:
            inside = not inside
    return inside
