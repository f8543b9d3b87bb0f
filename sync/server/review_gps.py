"""The geopoints of a submission as the review screen shows them: the four numbers, what is
wrong with each against the project's quality settings, and the district's bounding box that
the screen's offline map is drawn from."""

from __future__ import annotations

from pydantic import BaseModel

from sync.server.quality_config import BoundingBox, QualityConfig
from sync.server.render import Rendered


class GpsPoint(BaseModel):
    ref: str
    label: str
    latitude: float
    longitude: float
    altitude: float | None
    accuracy_m: float | None
    warnings: list[str]
    """Empty when the point is plausible, accurate enough and inside the district's box."""


class GpsReview(BaseModel):
    max_accuracy_m: float
    district: str | None
    district_box: BoundingBox | None
    """None when the quality settings give no box for this district."""
    points: list[GpsPoint]


def _warnings(
    lat: float, lon: float, accuracy: float | None, config: QualityConfig, review: GpsReview
) -> list[str]:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return [f"{lat:g} {lon:g} is not a position on Earth"]
    found = []
    if accuracy is not None and accuracy > config.gps_max_accuracy_m:
        found.append(
            f"accuracy {accuracy:g} m is worse than the {config.gps_max_accuracy_m:g} m limit"
        )
    box = review.district_box
    if box is not None and not box.contains(lat, lon):
        found.append(f"outside district {review.district}'s bounding box")
    return found


def gps_review(rendered: Rendered, config: QualityConfig, district: str | None) -> GpsReview:
    """Every geopoint answer outside repeats (repeats show theirs as table cells)."""
    review = GpsReview(
        max_accuracy_m=config.gps_max_accuracy_m,
        district=district,
        district_box=config.districts.get(district or ""),
        points=[],
    )
    for section in rendered.sections:
        for answer in section.answers:
            if answer.gps is None or len(answer.gps) < 2:
                continue
            lat, lon, *rest = answer.gps
            accuracy = rest[1] if len(rest) > 1 else None
            review.points.append(
                GpsPoint(
                    ref=answer.ref,
                    label=answer.label,
                    latitude=lat,
                    longitude=lon,
                    altitude=rest[0] if rest else None,
                    accuracy_m=accuracy,
                    warnings=_warnings(lat, lon, accuracy, config, review),
                )
            )
    return review
