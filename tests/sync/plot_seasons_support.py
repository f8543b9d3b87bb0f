"""A farm interview with repeats inside repeats (plots › harvest seasons › sales), photos, an
audio note, a receipt and geopoints inside them, answered through FormSession on the
`plot_seasons.md` XLSForm. The shipped living income questionnaire has no repeat inside a
repeat and no file or geopoint question inside a repeat, so this form covers those."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path

import httpx

from forms.session import FormSession
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform

FORM = Path(__file__).with_name("plot_seasons.md")
PHOTOS = ("plot1.jpg", "bags-1-1.jpg", "bags-2-1.jpg")
"""The photos the interview names; bags-2-1.jpg is listed but never uploaded."""
NOTE, RECEIPT = "note-1-1.m4a", "receipt-1.pdf"
ANSWERS = [
    ("/data/farmer", "Kwame Asante"),
    ("/data/plot[1]/plot_name", "Riverside"),
    ("/data/plot[1]/plot_photo", "plot1.jpg"),
    ("/data/plot[1]/corner", "6.2 -1.2 210 5"),
    ("/data/plot[1]/season[1]/season_kind", "main"),
    ("/data/plot[1]/season[1]/harvest_kg", "800"),
    ("/data/plot[1]/season[1]/bags", "bags-1-1.jpg"),
    ("/data/plot[1]/season[1]/voice", NOTE),
    ("/data/plot[1]/season[1]/drying", "6.21 -1.21 0 80"),
    ("/data/plot[1]/season[1]/sale[1]/buyer", "Cooperative"),
    ("/data/plot[1]/season[1]/sale[1]/sold_kg", "500"),
    ("/data/plot[1]/season[1]/sale[1]/receipt", RECEIPT),
    # a text answer that happens to be a file's name stays text: it is no file question
    ("/data/plot[1]/season[1]/sale[2]/buyer", "plot1.jpg"),
    ("/data/plot[1]/season[1]/sale[2]/sold_kg", "100"),
    ("/data/plot[2]/plot_name", "Hill"),
    ("/data/plot[2]/corner", "7.5 -1.2 0 5"),
    ("/data/plot[2]/season[1]/season_kind", "light"),
    ("/data/plot[2]/season[1]/harvest_kg", "300"),
    ("/data/plot[2]/season[1]/bags", "bags-2-1.jpg"),
    ("/data/plot[2]/season[2]/season_kind", "main"),
    ("/data/plot[2]/season[2]/harvest_kg", "450"),
    ("/data/plot[2]/season[2]/drying", "6.3 -1.3 0 4"),
]
REPEATS = (
    "/data/plot",
    "/data/plot[1]/season[1]/sale",
    "/data/plot[2]/season",
    "/data/plot[2]/season",
)
"""Instances added to the first plot (which starts with a season and a sale): plot 2, sale 2
of plot 1's season, and the two seasons of plot 2 (a new plot starts with none)."""


@functools.cache
def xform() -> str:
    return compile_xlsform(FORM).xform


def interview(instance_id: str) -> str:
    """The finalized interview's instance XML with `instance_id` as its instanceID."""
    return _finalized(instance_id, REPEATS, ANSWERS)


def plots_with_photos(instance_id: str, photos: list[str]) -> str:
    """An interview with one plot per photo, each plot's photo named by `photos`."""
    answers = [("/data/farmer", "Kofi Mensah")]
    for i, name in enumerate(photos, start=1):
        answers += [
            (f"/data/plot[{i}]/plot_name", f"Plot {i}"),
            (f"/data/plot[{i}]/plot_photo", name),
        ]
    return _finalized(instance_id, ["/data/plot"] * (len(photos) - 1), answers)


def _finalized(instance_id: str, repeats: Sequence[str], answers: list[tuple[str, str]]) -> str:
    session = FormSession.new(read_xform(xform()))
    for repeat in repeats:
        session.add_repeat(repeat)
    for ref, value in answers:
        result = session.answer(ref, value)
        assert result.ok, f"{ref} = {value!r} refused: {result.message}"
    assert session.finalize() == []
    return session.to_xml().replace(str(session.value("/data/meta/instanceID")), instance_id)


def submit(
    client: httpx.Client,
    token: str,
    instance_id: str,
    xml: str,
    files: dict[str, bytes],
    listed: list[str],
    form_id: str = "plot_seasons",
) -> None:
    """Send the interview over the batch API listing `listed`, then upload `files` (the rest
    stay listed but not received)."""
    auth = {"Authorization": f"Bearer {token}"}
    refs = [{"name": n, "sha256": hashlib.sha256(files.get(n, b"later")).hexdigest(),
             "size": len(files.get(n, b"later"))} for n in listed]  # fmt: skip
    body = {"batch_id": instance_id, "device_id": "d1", "items": [
        {"instance_id": instance_id, "form_id": form_id, "xml": xml, "attachments": refs}]}  # fmt: skip
    sent = client.post("/api/v1/submissions", json=body, headers=auth)
    assert sent.json()["results"][0]["status"] == "stored", sent.text
    for name, data in files.items():
        put = client.put(f"/api/v1/submissions/{instance_id}/attachments/{name}",
                         content=data, headers=auth)  # fmt: skip
        assert put.status_code == 201, put.text
