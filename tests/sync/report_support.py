"""Synthetic living-income households (24 of them, figures chosen so groups, signs and farm
classes vary) as instance XML, for the report's tests and the report screen's.

The XML is laid out from the form's field mapping (`LIVING_INCOME_MAPPING`), so it follows
the questionnaire's paths; each household is stored approved (the report's default
population) unless told otherwise."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from sync.server.api.auth import add_user
from sync.server.publish import publish_file
from sync.server.report.household import COMPONENTS, DOMAINS, LIVING_INCOME_MAPPING
from sync.server.storage import ReviewRecord, Storage, SubmissionRecord, User
from sync.server.storage.open import open_storage

MAPPING = LIVING_INCOME_MAPPING


def household(n: int) -> dict[str, Any]:
    """Figures chosen so groups, signs and classes vary; ages give the roster."""
    ages = [40 - n % 7, 35, 16 + n % 3, 8, 3][: 1 + n % 5]
    if n % 11 == 5:
        ages = [10, 7]
    money = [
        float((n * 97_331 + k * 13_007) % 900_000) - (50_000 if k == 2 else 0) for k in range(7)
    ]
    return {
        "id": f"uuid:li-{n:03d}",
        "hh": f"H{n:03d}",
        "district": ["north", "south", "east"][n % 3],
        "head_sex": "female" if n % 4 == 0 else "male",
        "crop": "cocoa" if n % 3 else "coffee",
        "ha": 0.5 + (n * 0.37) % 7,
        "ages": ages,
        "benchmark": "ci_cocoa_2024" if n % 2 else "ci_cocoa_2022",
        "bm": 3_887_292.0 if n % 2 else 3_587_796.0,
        "units": 2.7,
        "money": money,
        "own": float((n * 31_337) % 400_000),
        "women": float((n * 17_011) % 300_000),
        "adequacy": None if n % 6 == 1 else [(n + k) % 3 != 0 for k in range(6)],
        "men": [(n + k) % 4 != 0 for k in range(6)] if n % 6 in (2, 3) else None,
    }


HOUSEHOLDS = [household(n) for n in range(24)]


def _put(root: Element, path: str, text: str, fresh: bool = False) -> None:
    """Set the leaf at `path` below the root; `fresh`: a new chain below the first step (a
    repeat instance, as each roster member is)."""
    node = root
    for i, step in enumerate(path.split("/")):
        found = node.find(step)
        node = SubElement(node, step) if found is None or (fresh and i > 0) else found
    node.text = text


def xml_of(h: dict[str, Any]) -> str:
    """The household as the questionnaire's instance, at the mapping's paths."""
    root = Element("data", {"id": "living_income_household", "version": "1"})
    for age in h["ages"]:
        _put(root, MAPPING.member_ages, str(age), fresh=True)
    _put(root, MAPPING.household_id, h["hh"])
    _put(root, MAPPING.head_sex, h["head_sex"])
    _put(root, MAPPING.crop, h["crop"])
    _put(root, MAPPING.farm_ha, str(h["ha"]))
    _put(root, MAPPING.benchmark or "benchmark", h["benchmark"])
    _put(root, MAPPING.benchmark_value, str(h["bm"]))
    _put(root, MAPPING.benchmark_units, str(h["units"]))
    for component, value in zip(COMPONENTS, h["money"], strict=True):
        _put(root, MAPPING.components[component], str(value))
    _put(root, MAPPING.own_consumption, str(h["own"]))
    _put(root, MAPPING.women_income, str(h["women"]))
    positive = sum(max(0.0, m) for m in h["money"])  # one source per component here
    _put(root, MAPPING.income_positive or "income_positive", str(positive))
    for flags, paths in ((h["adequacy"], MAPPING.adequacy), (h.get("men"), MAPPING.men_adequacy)):
        if flags is not None:
            for domain, value in zip(DOMAINS, flags, strict=True):
                _put(root, paths[domain], str(int(value)))
    if h.get("weight") is not None and MAPPING.weight:
        _put(root, MAPPING.weight, str(h["weight"]))
    _put(root, "meta/instanceID", h["id"])
    return tostring(root, encoding="unicode")


def store(storage: Storage, h: dict[str, Any], state: str | None = "approved") -> None:
    """One household, stored as amina's submission in its district, then reviewed."""
    xml = xml_of(h)
    digest = hashlib.sha256(xml.encode()).hexdigest()
    storage.add_submission(
        SubmissionRecord(str(h["id"]), "living_income_household", "1", xml, digest, None,
                         None, "2026-02-01T00:00:00", "amina", str(h["district"]), None),
        [],
    )  # fmt: skip
    if state is not None:
        storage.add_review(ReviewRecord(str(h["id"]), state, "", {}, "sue", "2026-02-02", 0))


def store_households(storage: Storage) -> None:
    """Every household, approved."""
    for h in HOUSEHOLDS:
        store(storage, h)


LIVING_INCOME_FORM = (
    Path(__file__).resolve().parents[2] / "assets" / "forms" / "living_income_household.xml"
)


def living_income_server(folder: Path) -> Iterator[Storage]:
    """A server's storage in `folder` (on the backend the test runs on) with the living
    income form published and one enumerator, amina of the north; closed after (a fixture's
    `yield from`)."""
    storage, blobs = open_storage(folder, None)
    publish_file(storage, blobs, LIVING_INCOME_FORM, runs=1)
    add_user(storage, "amina", "enumerator", "north")
    yield storage
    storage.close()


def amina(storage: Storage) -> User:
    user = storage.user("amina")
    assert user is not None
    return user
