"""Quality flags of one submission: facts read from its XML, then checks against the config.

Pure functions; `review_store.ReviewIndex` keeps the facts and flags and supplies the
quartiles (of earlier submissions of the same form, district and crop, `quality_peers`) and
the duplicate the checks need.
Time per section comes from an ODK-style `audit.csv` attachment (event,node,start,end in ms;
ODK Collect and our device, `fieldapp/paradata.py`, send one). It arrives after the instance
is stored, so at ingestion the interview length is judged from the form's `start`/`end`
fields, and the section flags are added when the log arrives (`quality_sections`).
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from xml.etree.ElementTree import Element

from pydantic import BaseModel

from sync.server.intake.instance_fields import parse_submission
from sync.server.quality.config import METRICS, FieldMap, QualityConfig
from sync.server.quality.peers import Quartiles, quartiles


class Flag(BaseModel):
    code: str
    message: str


class Facts(BaseModel):
    """What the checks need from one instance, kept per submission for later peers."""

    household_id: str | None = None
    crop: str = ""
    duration_s: float | None = None
    """The time spent in the interview: its `start` to `end` fields at ingestion, then,
    once its audit log arrived, the sessions before its first finalize (`quality_duration`)."""
    duration_from: str = "start/end"
    """Where `duration_s` comes from: `start/end` or `the audit log`."""
    correction_s: float | None = None
    """Time spent correcting it after its first finalize (from the audit log)."""
    day: str | None = None
    """The interview's own date (its start time's, as the device wrote it): an enumerator who
    syncs a week's work at the district office did not do it all on the day it arrived."""
    gps_field: bool = False
    gps: list[float] | None = None
    metrics: dict[str, float] = {}
    answers: int = 0
    dont_know: int = 0


def leaves(xml: str | Element) -> Iterator[tuple[str, str]]:
    """(element name, text) of every element without children, in document order (no meta)."""
    root = parse_submission(xml) if isinstance(xml, str) else xml
    for child in root:
        if _local(child.tag) == "meta":
            continue
        for node in child.iter():
            if len(node) == 0:
                tag = node.tag
                name = tag if tag[0] != "{" else tag[tag.index("}") + 1 :]
                yield name, (node.text or "").strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def extract_facts(xml: str | Element, fields: FieldMap, dont_know_codes: Sequence[str]) -> Facts:
    """One pass over the leaves: the mapped fields' values, and the answered/don't know counts."""
    wanted = {fields.start, fields.end, fields.gps, fields.crop, fields.household_id}
    wanted.update(fields.metrics.values())
    codes = {c.lower() for c in dont_know_codes}
    longest = max((len(c) for c in codes), default=0)
    root = parse_submission(xml) if isinstance(xml, str) else xml
    if root.tag[:1] == "{":  # a namespaced instance: names compared without their namespace
        values, answers, dont_know = _walk(leaves(root), wanted, codes, longest)
    else:
        values, answers, dont_know = _scan(root, wanted, codes, longest)
    first = {name: texts[0] for name, texts in values.items()}
    start, end = _moment(first.get(fields.start)), _moment(first.get(fields.end))
    duration = None
    if start is not None and end is not None and (start.tzinfo is None) == (end.tzinfo is None):
        duration = (end - start).total_seconds()
    gps = None
    parts = first.get(fields.gps, "").split()
    if len(parts) >= 2 and all(_number(p) is not None for p in parts):
        gps = [float(p) for p in parts]
    metrics: dict[str, float] = {}
    for metric, name in fields.metrics.items():
        numbers = [n for n in (_number(t) for t in values.get(name, [])) if n is not None]
        if numbers:
            metrics[metric] = statistics.median(numbers)
    return Facts(
        household_id=first.get(fields.household_id) or None,
        crop=first.get(fields.crop, ""),
        duration_s=duration,
        day=start.date().isoformat() if start is not None else None,
        gps_field=fields.gps in values,
        gps=gps,
        metrics=metrics,
        answers=answers,
        dont_know=dont_know,
    )


def _walk(
    items: Iterable[tuple[str, str]], wanted: set[str], codes: set[str], longest: int
) -> tuple[dict[str, list[str]], int, int]:
    values: dict[str, list[str]] = {}
    answers = dont_know = 0
    for name, text in items:
        if name in wanted:
            values.setdefault(name, []).append(text)
        if text:
            answers += 1
            if len(text) <= longest and text.lower() in codes:
                dont_know += 1
    return values, answers, dont_know


def _scan(
    root: Element, wanted: set[str], codes: set[str], longest: int
) -> tuple[dict[str, list[str]], int, int]:
    """`_walk` for a plain-named instance, iterating in C: the wanted fields found by their
    plain name, the counts from the leaves' texts outside the top-level meta."""
    parts: list[Element] = []
    metas: list[Element] = []
    for child in root:
        (metas if _local(child.tag) == "meta" else parts).append(child)
    values: dict[str, list[str]] = {}
    for name in wanted:
        found = [e for e in root.iter(name) if not len(e) and e is not root]
        if found and metas:
            inside = {id(e) for meta in metas for e in meta.iter(name)}
            found = [e for e in found if id(e) not in inside]
        if found:
            values[name] = [(e.text or "").strip() for e in found]
    answered = [t for c in parts for e in c.iter() if not len(e) and (t := (e.text or "").strip())]
    dont_know = sum(1 for t in answered if len(t) <= longest and t.lower() in codes)
    return values, len(answered), dont_know


_POSITION = re.compile(r"\[\d+\]$")
_SECTION_EVENTS = ("group questions", "add repeat")
"""Events whose node may be a top-level group or repeat itself (a field-list shown whole, a
repeat prompt); any other row directly under the root is a question outside every section."""


def section_seconds(audit_csv: str, root: str) -> dict[str, float]:
    """Seconds spent per top-level group or repeat (named without a position: `member`, not
    `member[2]`) from an ODK audit log; rows it cannot read are skipped."""
    spent: dict[str, float] = defaultdict(float)
    for row in csv.DictReader(io.StringIO(audit_csv)):
        node = (row.get("node") or "").strip()
        start, end = _number(row.get("start") or ""), _number(row.get("end") or "")
        parts = node.strip("/").split("/")
        if start is None or end is None or end < start or parts[0] != root:
            continue
        if len(parts) >= 3 or (len(parts) == 2 and row.get("event") in _SECTION_EVENTS):
            spent[_POSITION.sub("", parts[1])] += (end - start) / 1000
    return dict(spent)


def outlier(value: float, peers: Quartiles, factor: float) -> tuple[float, float] | None:
    """The (low, high) fence `value` falls outside of, or None if it is inside."""
    low, high = peers.fence(factor)
    return (low, high) if value < low or value > high else None


def check(
    facts: Facts,
    config: QualityConfig,
    *,
    district: str | None,
    form_version: str | None,
    current_version: str | None,
    peers: Mapping[str, Sequence[float]],
    duplicate_of: str | None,
    sections: Mapping[str, float] | None = None,
    fences: Mapping[str, Quartiles] | None = None,
) -> list[Flag]:
    """The flags of one submission; outliers against `fences` (the peers' quartiles per metric,
    as `quality_peers` keeps them) or, without them, against the raw `peers` values."""
    flags: list[Flag] = []
    minimum = config.min_total_minutes * 60
    if facts.duration_s is not None and facts.duration_s < minimum:
        flags.append(
            Flag(
                code="too_short",
                message=f"interview took {facts.duration_s / 60:.1f} min"
                f" (minimum {config.min_total_minutes:g} min, from {facts.duration_from})",
            )
        )
    for section, seconds in sorted((sections or {}).items()):
        least = config.min_section_seconds.get(section, config.default_min_section_seconds)
        if least is not None and seconds < least:
            flags.append(
                Flag(
                    code="section_too_short",
                    message=f"section {section} took {seconds:.0f} s (minimum {least:g} s)",
                )
            )
    for metric in METRICS:
        value = facts.metrics.get(metric)
        found = fences.get(metric) if fences is not None else quartiles(list(peers.get(metric, ())))
        if value is None or found is None or found.count < config.min_peers:
            continue
        fence = outlier(value, found, config.iqr_factor)
        if fence is not None:
            flags.append(
                Flag(
                    code=f"outlier_{metric}",
                    message=f"{metric} {value:g} is outside {fence[0]:g} to {fence[1]:g}"
                    f" (IQR of {found.count} submissions in {district or 'no district'},"
                    f" crop {facts.crop or 'none'})",
                )
            )
    flags += _gps_flags(facts, config, district)
    if duplicate_of is not None:
        flags.append(
            Flag(
                code="duplicate_household",
                message=f"household ID {facts.household_id} is also in submission {duplicate_of}",
            )
        )
    if current_version is not None and form_version != current_version:
        flags.append(
            Flag(
                code="outdated_form_version",
                message=f"form version {form_version or 'none'}; current is {current_version}",
            )
        )
    if facts.answers >= config.min_answers_for_rate:
        rate = facts.dont_know / facts.answers
        if rate > config.max_dont_know_rate:
            flags.append(
                Flag(
                    code="dont_know_rate",
                    message=f"{facts.dont_know} of {facts.answers} answers are"
                    f" don't know/refused ({rate:.0%}; limit {config.max_dont_know_rate:.0%})",
                )
            )
    return flags


FLAG_LABELS: dict[str, str] = {
    "too_short": "Interview too short",
    "section_too_short": "A section too short",
    **{f"outlier_{metric}": f"Outlier: {metric}" for metric in METRICS},
    "gps_missing": "GPS missing",
    "gps_inaccurate": "GPS inaccurate",
    "gps_outside_district": "GPS outside the district",
    "duplicate_household": "Duplicate household ID",
    "outdated_form_version": "Outdated form version",
    "dont_know_rate": "Many don't know / refused",
}
"""Every flag code the checks raise, with its name for a reader (the queue's flag filter)."""


def _gps_flags(facts: Facts, config: QualityConfig, district: str | None) -> list[Flag]:
    if not facts.gps_field:
        return []
    if facts.gps is None:
        return [Flag(code="gps_missing", message="no GPS location recorded")]
    flags: list[Flag] = []
    lat, lon = facts.gps[0], facts.gps[1]
    accuracy = facts.gps[3] if len(facts.gps) >= 4 else None
    if accuracy is not None and accuracy > config.gps_max_accuracy_m:
        flags.append(
            Flag(
                code="gps_inaccurate",
                message=f"GPS accuracy {accuracy:g} m (limit {config.gps_max_accuracy_m:g} m)",
            )
        )
    box = config.districts.get(district or "")
    if box is not None and not box.contains(lat, lon):
        flags.append(
            Flag(
                code="gps_outside_district",
                message=f"GPS {lat:g} {lon:g} is outside district {district}'s bounding box",
            )
        )
    return flags
