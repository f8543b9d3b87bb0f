"""The review API's submission view with media: files received or not, photo previews made on
the server, GPS checked against the project's limits, labels per language, time per section."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image
from server_support import Server, make_server

from sync.server.api.auth import add_user
from sync.server.publish import publish_file
from sync.server.storage.blobs import BlobStore

pytestmark = pytest.mark.server_storage

FORM = Path(__file__).with_name("site_visit.xml")
XML = (
    '<data id="site_visit" version="1"><start>2026-03-02T09:00:00Z</start>'
    "<end>2026-03-02T09:30:00Z</end><farm><farmer>Ama Owusu</farmer><photo>house.jpg</photo>"
    "<gps>{gps}</gps><document>title.pdf</document><sketch>sketch.png</sketch></farm>"
    "<plot><plot_name>Riverside</plot_name><area>1.5</area><plot_photo>plot1.png</plot_photo></plot>"
    "<plot><plot_name>Hill</plot_name><area>0.75</area><plot_photo/></plot>"
    "<meta><instanceID>{iid}</instanceID><instanceName>Ama Owusu</instanceName>"
    "<audit>audit.csv</audit></meta></data>"
)
AUDIT = (
    "event,node,start,end\nform start,,1000,\n"
    "question,/data/farm/farmer,1000,31000\nquestion,/data/farm/photo,31000,101000\n"
    "question,/data/plot/plot_name,101000,146000\nnot a row\n"
)
BOX = {"min_lat": 6.0, "min_lon": -1.5, "max_lat": 6.5, "max_lon": -1.0}


FILLS: dict[str, tuple[object, object]] = {
    "RGB": ("red", "blue"),
    "RGBA": ((0, 0, 255, 128), (0, 0, 255, 255)),
    "1": (0, 1),
}


def picture(size: tuple[int, int], mode: str = "RGB", fmt: str = "JPEG", **save: object) -> bytes:
    """Top half in the mode's first fill, bottom half in its second."""
    top, bottom = FILLS[mode]
    image = Image.new(mode, size, top)  # type: ignore[arg-type]
    image.paste(bottom, (0, size[1] // 2, *size))  # type: ignore[arg-type]
    out = io.BytesIO()
    image.save(out, fmt, **save)  # type: ignore[arg-type]
    return out.getvalue()


def send(server: Server, iid: str, gps: str, files: dict[str, bytes], listed: list[str]) -> None:
    """Submit as amina listing `listed` (with `files`' content where given), upload `files`."""
    refs = [
        {"name": n, "sha256": hashlib.sha256(files.get(n, n.encode())).hexdigest(),
         "size": len(files.get(n, n.encode()))}
        for n in listed
    ]  # fmt: skip
    body = {"batch_id": iid, "device_id": "d1", "items": [{"instance_id": iid,
            "form_id": "site_visit", "xml": XML.format(iid=iid, gps=gps), "attachments": refs}]}  # fmt: skip
    sent = server.client.post("/api/v1/submissions", json=body, headers=server.auth("amina"))
    assert sent.json()["results"][0]["status"] == "stored", sent.text
    for name, data in files.items():
        put = server.client.put(
            f"/api/v1/submissions/{iid}/attachments/{name}", content=data,
            headers=server.auth("amina"))  # fmt: skip
        assert put.status_code == 201, put.text


PHOTO = picture((1600, 1200), quality=90)
PLOT = picture((300, 300), "RGBA", "PNG")
PDF = b"%PDF-1.4 land title\n" * 50
LISTED = ["audit.csv", "house.jpg", "plot1.png", "sketch.png", "title.pdf"]


@pytest.fixture
def site(tmp_path: Path) -> Server:
    made = make_server(tmp_path / "server")
    publish_file(made.storage, BlobStore(made.data / "blobs"), FORM, runs=1)
    made.tokens["ada"] = add_user(made.storage, "ada", "admin", None)
    files = {"house.jpg": PHOTO, "plot1.png": PLOT, "title.pdf": PDF, "audit.csv": AUDIT.encode()}
    send(made, "uuid:s1", "6.2 -1.2 210.5 80", files, LISTED)
    return made


def view(server: Server, iid: str = "uuid:s1", **params: str) -> dict[str, object]:
    got = server.client.get(
        f"/api/v1/review/submissions/{iid}", params=params, headers=server.auth("sue"))  # fmt: skip
    assert got.status_code == 200, got.text
    body: dict[str, object] = got.json()
    return body


def attachment(server: Server, name: str, user: str = "sue", **params: int) -> httpx.Response:
    return server.client.get(
        f"/api/v1/review/submissions/uuid:s1/attachments/{name}", params=params,
        headers=server.auth(user))  # fmt: skip


def test_every_listed_file_shows_with_its_size_and_whether_it_arrived(site: Server) -> None:
    body = view(site)
    assert body["files"] == [
        {"name": "audit.csv", "size": len(AUDIT), "received": True, "image": False},
        {"name": "house.jpg", "size": len(PHOTO), "received": True, "image": True},
        {"name": "plot1.png", "size": len(PLOT), "received": True, "image": True},
        {"name": "sketch.png", "size": len("sketch.png"), "received": False, "image": True},
        {"name": "title.pdf", "size": len(PDF), "received": True, "image": False},
    ]
    assert body["attachments"] == ["audit.csv", "house.jpg", "plot1.png", "title.pdf"]
    missing = attachment(site, "sketch.png")
    assert missing.status_code == 404 and "no received attachment 'sketch.png'" in missing.text


def test_a_photo_preview_fits_the_width_asked_for_and_keeps_its_colours(site: Server) -> None:
    small = attachment(site, "house.jpg", width=200)
    assert small.headers["content-type"] == "image/jpeg"
    assert len(small.content) < len(PHOTO) / 10
    image = Image.open(io.BytesIO(small.content))
    assert image.size == (200, 150)
    assert _near(image.getpixel((100, 20)), (255, 0, 0))
    assert _near(image.getpixel((100, 130)), (0, 0, 255))
    original = attachment(site, "house.jpg")
    assert original.content == PHOTO and original.headers["content-type"] == "image/jpeg"


def test_a_transparent_png_preview_stays_a_png(site: Server) -> None:
    small = attachment(site, "plot1.png", width=64)
    assert small.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(small.content))
    assert (image.size, image.mode) == ((64, 64), "RGBA")
    assert image.getpixel((32, 5))[3] == 128 and image.getpixel((32, 60))[3] == 255


def test_a_photo_taken_sideways_is_previewed_upright(site: Server) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # EXIF orientation: rotate 90° clockwise to show
    sideways = picture((200, 100), exif=exif)
    send(site, "uuid:s2", "6.2 -1.2 0 5", {"house.jpg": sideways}, ["house.jpg"])
    small = site.client.get("/api/v1/review/submissions/uuid:s2/attachments/house.jpg",
                            params={"width": 64}, headers=site.auth("sue"))  # fmt: skip
    assert Image.open(io.BytesIO(small.content)).size == (32, 64)


def test_previews_refuse_what_they_cannot_show_with_a_message(site: Server) -> None:
    not_image = attachment(site, "title.pdf", width=200)
    assert not_image.status_code == 400 and "'title.pdf' is not an image" in not_image.text
    assert attachment(site, "title.pdf").content == PDF
    assert attachment(site, "house.jpg", width=5000).status_code == 422
    assert attachment(site, "house.jpg", width=200, user="sam").status_code == 403
    broken = b"\xff\xd8 not really a jpeg"
    huge = picture((8000, 8000), "1", "PNG")
    send(site, "uuid:s3", "6.2 -1.2 0 5", {"house.jpg": broken, "plot1.png": huge},
         ["house.jpg", "plot1.png"])  # fmt: skip
    path = "/api/v1/review/submissions/uuid:s3/attachments/"
    bad = site.client.get(path + "house.jpg", params={"width": 64}, headers=site.auth("sue"))
    assert bad.status_code == 400 and "'house.jpg' cannot be read as an image" in bad.text
    assert "/" not in bad.text, "the message names the photo, never where the server keeps it"
    big = site.client.get(path + "plot1.png", params={"width": 64}, headers=site.auth("sue"))
    assert big.status_code == 413 and "8000x8000 pixels, too many to preview" in big.text


def test_gps_numbers_and_warnings_against_the_projects_limits(site: Server) -> None:
    gps = view(site)["gps"]
    assert gps == {
        "max_accuracy_m": 50.0,
        "district": "north",
        "district_box": None,
        "points": [{"ref": "/data/farm/gps", "label": "Farm location", "latitude": 6.2,
                    "longitude": -1.2, "altitude": 210.5, "accuracy_m": 80.0, "inside_district": None,
                    "warnings": ["accuracy 80 m is worse than the 50 m limit"]}],
    }  # fmt: skip
    config = site.client.get("/api/v1/review/config", headers=site.auth("ada")).json()
    config["districts"] = {"north": BOX}
    config["gps_max_accuracy_m"] = 100
    put = site.client.put("/api/v1/review/config", json=config, headers=site.auth("ada"))
    assert put.status_code == 200, put.text
    gps = view(site)["gps"]
    assert (gps["district_box"], gps["points"][0]["warnings"]) == (BOX, [])
    assert gps["points"][0]["inside_district"] is True
    send(site, "uuid:s4", "7.5 -1.2 0 120", {}, [])
    [point] = view(site, "uuid:s4")["gps"]["points"]
    assert point["warnings"] == [
        "accuracy 120 m is worse than the 100 m limit",
        "outside district north's bounding box",
    ]
    assert point["inside_district"] is False
    send(site, "uuid:s5", "95 -1.2", {}, [])
    [point] = view(site, "uuid:s5")["gps"]["points"]
    assert (point["altitude"], point["accuracy_m"]) == (None, None)
    assert point["warnings"] == ["95 -1.2 is not a position on Earth"]
    assert point["inside_district"] is None
    send(site, "uuid:s7", "nan inf", {}, [])
    shown = view(site, "uuid:s7")
    assert shown["gps"]["points"] == []
    assert shown["rendered"]["sections"][0]["answers"][2]["display"] == "nan inf"


def test_labels_follow_the_chosen_language(site: Server) -> None:
    english = view(site)["rendered"]
    assert (english["language"], english["languages"]) == (
        "English (en)",
        ["English (en)", "Français (fr)"],
    )
    french = view(site, language="Français (fr)")["rendered"]
    assert [s["label"] for s in french["sections"]] == ["Exploitation", "Parcelles"]
    assert [a["label"] for a in french["sections"][0]["answers"]][:2] == [
        "Nom du producteur", "Photo de la maison"]  # fmt: skip
    assert french["sections"][1]["tables"][0]["columns"] == [
        "Nom de la parcelle", "Superficie (ha)", "Photo de la parcelle"]  # fmt: skip
    unknown = view(site, language="Klingon")["rendered"]
    assert unknown["language"] == "English (en)"


def test_repeats_are_tables_and_time_per_section_comes_from_the_audit_log(site: Server) -> None:
    body = view(site)
    farm, plots = body["rendered"]["sections"]
    assert plots["tables"][0]["rows"] == [["Riverside", "1.5", "plot1.png"], ["Hill", "0.75", ""]]
    assert (farm["seconds"], plots["seconds"]) == (100.0, 45.0)
    assert body["timing_source"] == "audit.csv paradata"
    send(site, "uuid:s6", "6.2 -1.2 0 5", {}, ["audit.csv"])
    later = view(site, "uuid:s6")
    assert [s["seconds"] for s in later["rendered"]["sections"]] == [None, None]
    assert later["timing_source"] == "start/end fields"


def _near(pixel: object, colour: tuple[int, int, int]) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))
