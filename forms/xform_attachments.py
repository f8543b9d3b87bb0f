"""Secondary instances from attached files: CSV, XML and GeoJSON, as ODK Collect reads them.

- CSV (`jr://file-csv/x.csv`, `jr://file/x.csv`): `<root><item><col>value</col>...</item></root>`,
  one item per row, the header row naming the children.
- XML (`jr://file/x.xml`): the document as it is (entities refused).
- GeoJSON (`jr://file/x.geojson`): one item per feature, with `geometry` in ODK's
  `lat lon altitude accuracy` form (points separated by `;`), its `id` and its properties.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from forms.errors import FormError, Place
from forms.xform_parse import parse_xml
from forms.xpath.tree import Node, document, local_name

_XML_NAME = re.compile(r"[A-Za-z_][\w.\-]*\Z")
MAX_DEPTH = 200


def load_csv_instance(text: str, *, source_name: str | None = None) -> Node:
    """A CSV attachment as an instance document (`/root/item/<column>`)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    rows = csv.reader(io.StringIO(text))
    root = Node("root")
    header: list[str] | None = None
    for line, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            for column, name in enumerate(header, start=1):
                if not _XML_NAME.match(name):
                    raise FormError.of(
                        "xform.csv_header",
                        Place(file=source_name, line=1, column=str(column)),
                        name=name,
                    )
            continue
        if len(row) > len(header):
            raise FormError.of(
                "xform.csv_row",
                Place(file=source_name, line=line),
                cells=len(row),
                columns=len(header),
            )
        item = root.append(Node("item"))
        for column, name in enumerate(header):
            item.append(Node(name, row[column] if column < len(row) else ""))
    return document(root)


def load_xml_instance(data: str | bytes, *, source_name: str | None = None) -> Node:
    """An XML attachment as an instance document (entities and external references refused)."""
    element = parse_xml(data, source_name=source_name)
    root = Node(local_name(element.tag), "", None, {})
    stack = [(element, root, 0)]
    while stack:
        el, node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormError.of("xform.too_deep", Place(file=source_name), limit=MAX_DEPTH)
        node.attrs = {local_name(k): v for k, v in el.attrib.items()}
        children = [c for c in el if isinstance(c.tag, str)]
        node.text = (el.text or "").strip() if children else (el.text or "")
        for sub in children:
            child = node.append(Node(local_name(sub.tag)))
            stack.append((sub, child, depth + 1))
    return document(root)


def load_geojson_instance(text: str, *, source_name: str | None = None) -> Node:
    """A GeoJSON FeatureCollection as an instance document (`/root/item` per feature)."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormError.of(
            "xform.geojson",
            Place(file=source_name, line=error.lineno),
            detail=error.msg,
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise FormError.of(
            "xform.geojson", Place(file=source_name), detail="expected a FeatureCollection"
        )
    root = Node("root")
    for feature in data.get("features") or []:
        if not isinstance(feature, dict):
            continue
        item = root.append(Node("item"))
        item.append(Node("geometry", _geometry(feature.get("geometry"))))
        if "id" in feature:
            item.append(Node("id", _scalar(feature["id"])))
        properties = feature.get("properties") or {}
        if isinstance(properties, dict):
            for key, value in properties.items():
                if _XML_NAME.match(str(key)) and key != "geometry":
                    item.append(Node(str(key), _scalar(value)))
    return document(root)


def _geometry(geometry: Any) -> str:
    if not isinstance(geometry, dict):
        return ""
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return _point(coords)
    if kind == "LineString" and isinstance(coords, list):
        return "; ".join(_point(c) for c in coords)
    if kind == "Polygon" and isinstance(coords, list) and coords:
        return "; ".join(_point(c) for c in coords[0])
    return ""


def _point(coords: Any) -> str:
    if not isinstance(coords, list) or len(coords) < 2:
        return ""
    lon, lat = coords[0], coords[1]
    altitude = coords[2] if len(coords) > 2 else 0
    return f"{_scalar(lat)} {_scalar(lon)} {_scalar(altitude)} 0"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)
