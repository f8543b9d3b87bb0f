"""The geopoints of a submission as the review screen shows them: the four numbers, what is
wrong with each against the project's quality settings, and the district's bounding box that
the screen's offline map is drawn from. Geopoints in repeat tables get the same checks."""

from __future__ import annotations

import math
from collections.abc import Iterator

from pydantic import BaseModel

from sync.server.quality.config import BoundingBox, QualityConfig
from sync.server.review.render import Answer, Rendered, Table


class GpsPoint(BaseModel):
    ref: str
    label: str
    latitude: float
    longitude: float
    altitude: float | None
    accuracy_m: float | None
    inside_district: bool | None
    """None when the district has no bounding box (or the numbers are no position)."""
    warnings: list[str]
    """Empty when the point is plausible, accurate enough and inside the district's box."""


class GpsReview(BaseModel):
    max_accuracy_m: float
    district: str | None
    district_box: BoundingBox | None
    """None when the quality settings give no box for this district."""
    points: list[GpsPoint]


def _point(ref: str, label: str, gps: list[float], review: GpsReview) -> GpsPoint:
    lat, lon, *rest = gps
    accuracy = rest[1] if len(rest) > 1 else None
    box = review.district_box
    valid = -90 <= lat <= 90 and -180 <= lon <= 180
    inside = box.contains(lat, lon) if box is not None and valid else None
    warnings = [] if valid else [f"{lat:g} {lon:g} is not a position on Earth"]
    if valid and accuracy is not None and accuracy > review.max_accuracy_m:
        warnings.append(
            f"accuracy {accuracy:g} m is worse than the {review.max_accuracy_m:g} m limit"
        )
    if inside is False:
        warnings.append(f"outside district {review.district}'s bounding box")
    return GpsPoint(
        ref=ref,
        label=label,
        latitude=lat,
        longitude=lon,
        altitude=rest[0] if rest else None,
        accuracy_m=accuracy,
        inside_district=inside,
        warnings=warnings,
    )


def gps_review(rendered: Rendered, config: QualityConfig, district: str | None) -> GpsReview:
    """Every geopoint answer outside repeats (see `repeat_points` for those inside); numbers
    such as `nan` stay a plain answer."""
    review = GpsReview(
        max_accuracy_m=config.gps_max_accuracy_m,
        district=district,
        district_box=config.districts.get(district or ""),
        points=[],
    )
    review.points = _points([a for s in rendered.sections for a in s.answers], review)
    return review


def repeat_points(rendered: Rendered, review: GpsReview) -> list[GpsPoint]:
    """The geopoints of repeat tables (nested ones too), checked as `review` checks its points,
    by the cell's ref (`/data/plot[2]/season[1]/gps`) and labelled with their row."""
    cells = [a for s in rendered.sections for t in _tables(s.tables) for a in t.geopoints]
    return _points(cells, review)


def _points(answers: list[Answer], review: GpsReview) -> list[GpsPoint]:
    return [
        _point(a.ref, a.label, a.gps, review)
        for a in answers
        if a.gps is not None and len(a.gps) >= 2 and all(map(math.isfinite, a.gps))
    ]


def _tables(tables: list[Table]) -> Iterator[Table]:
    for table in tables:
        yield table
        yield from _tables(table.nested)
