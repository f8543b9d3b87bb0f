"""Shared helpers for the store tests: the demo XForm, versions of it, and instance XML."""

from __future__ import annotations

from pathlib import Path

DEMO_XFORM = (
    Path(__file__).resolve().parents[2] / "assets" / "forms" / "demo_household.xml"
).read_text(encoding="utf-8")
DEMO_ID = "demo_household"
DEMO_VERSION = "2026112601"


def demo_xform(version: str = DEMO_VERSION, title: str = "Demo household income") -> str:
    """The demo XForm with another version and title."""
    return DEMO_XFORM.replace(f'version="{DEMO_VERSION}"', f'version="{version}"').replace(
        "<h:title>Demo household income</h:title>", f"<h:title>{title}</h:title>"
    )


def instance_xml(instance_id: str, household: str = "AB-0001", members: int = 3) -> str:
    people = "".join(
        f"<member><name>Person {i}</name><sex>female</sex><age>{20 + i}</age></member>"
        for i in range(members)
    )
    return (
        f'<data id="{DEMO_ID}" version="{DEMO_VERSION}"><household_id>{household}</household_id>'
        f"<interview><hh_size>{members}</hh_size>{people}</interview>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    )
