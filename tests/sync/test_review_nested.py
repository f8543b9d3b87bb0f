"""The review API on repeats: a repeat inside a repeat is a table of its own with each row's
place ("Plot 2 › Harvest season 1"), tables say which columns are file questions, geopoints
in repeats are checked like the top-level ones; and the shipped living income questionnaire,
answered through FormSession, shows each of its repeats as a table labelled in the chosen
language."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from plot_seasons_support import FORM, NOTE, RECEIPT, interview, submit
from server_support import Server, make_server
from test_review_media import view

from sync.server.api.auth import add_user
from sync.server.publish import publish_file
from sync.server.storage.blobs import BlobStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "forms"))

from test_living_income_households import kenya_diversified

pytestmark = pytest.mark.server_storage

LIVING_INCOME = (
    Path(__file__).resolve().parents[2] / "assets" / "forms" / "living_income_household.xml"
)
BOX = {"min_lat": 6.0, "min_lon": -1.5, "max_lat": 6.5, "max_lon": -1.0}
FILES = {
    "plot1.jpg": b"\xff\xd8 plot",
    "bags-1-1.jpg": b"\xff\xd8 bags",
    NOTE: b"m4a",
    RECEIPT: b"%PDF",
}
LISTED = [*FILES, "bags-2-1.jpg"]


@pytest.fixture
def farm(tmp_path: Path) -> Server:
    made = make_server(tmp_path / "server")
    blobs = BlobStore(made.data / "blobs")
    publish_file(made.storage, blobs, FORM, runs=1)
    publish_file(made.storage, blobs, LIVING_INCOME, runs=1)
    made.tokens["ada"] = add_user(made.storage, "ada", "admin", None)
    config = made.client.get("/api/v1/review/config", headers=made.auth("ada")).json()
    put = made.client.put("/api/v1/review/config", json={**config, "districts": {"north": BOX}},
                          headers=made.auth("ada"))  # fmt: skip
    assert put.status_code == 200, put.text
    submit(made.client, made.tokens["amina"], "uuid:n1", interview("uuid:n1"), FILES, LISTED)
    return made


def plots(body: dict[str, Any]) -> dict[str, Any]:
    [table] = body["rendered"]["sections"][1]["tables"]
    return table


def test_a_repeat_inside_a_repeat_is_a_table_whose_rows_name_their_parent(farm: Server) -> None:
    table = plots(view(farm, "uuid:n1"))
    assert (table["label"], table["ref"]) == ("Plot", "/data/plot")
    assert table["columns"] == ["Plot name", "Plot photo", "Plot corner", "Harvest season"]
    assert table["rows"] == [["Riverside", "plot1.jpg", "6.2 -1.2 210 5", "1 rows"],
                             ["Hill", "", "7.5 -1.2 0 5", "2 rows"]]  # fmt: skip
    assert table["row_refs"] == ["/data/plot[1]", "/data/plot[2]"]
    assert table["row_labels"] == ["Plot 1", "Plot 2"]
    [seasons] = table["nested"]
    assert (seasons["label"], seasons["ref"]) == ("Harvest season", "/data/plot/season")
    assert seasons["row_labels"] == [
        "Plot 1 › Harvest season 1", "Plot 2 › Harvest season 1", "Plot 2 › Harvest season 2"]  # fmt: skip
    assert seasons["row_refs"] == [
        "/data/plot[1]/season[1]", "/data/plot[2]/season[1]", "/data/plot[2]/season[2]"]  # fmt: skip
    assert seasons["columns"] == [
        "Season", "Harvest (kg)", "Photo of the bags", "Voice note", "Drying place", "Sale"]  # fmt: skip
    assert seasons["rows"] == [
        ["Main crop", "800", "bags-1-1.jpg", NOTE, "6.21 -1.21 0 80", "2 rows"],
        ["Light crop", "300", "bags-2-1.jpg", "", "", "0 rows"],
        ["Main crop", "450", "", "", "6.3 -1.3 0 4", "0 rows"],
    ]
    [sales] = seasons["nested"]
    assert sales["row_labels"] == [
        "Plot 1 › Harvest season 1 › Sale 1", "Plot 1 › Harvest season 1 › Sale 2"]  # fmt: skip
    assert sales["row_refs"] == [
        "/data/plot[1]/season[1]/sale[1]", "/data/plot[1]/season[1]/sale[2]"]  # fmt: skip
    assert sales["rows"] == [["Cooperative", "500", RECEIPT], ["plot1.jpg", "100", ""]]
    assert sales["nested"] == []


def test_tables_mark_file_questions_geopoints_and_nested_repeats(farm: Server) -> None:
    table = plots(view(farm, "uuid:n1"))
    assert table["column_kinds"] == ["text", "image", "geopoint", "repeat"]
    [seasons] = table["nested"]
    assert seasons["column_kinds"] == ["text", "text", "image", "audio", "geopoint", "repeat"]
    assert seasons["nested"][0]["column_kinds"] == ["text", "text", "file"]


def test_nested_tables_follow_the_chosen_language(farm: Server) -> None:
    table = plots(view(farm, "uuid:n1", language="Français (fr)"))
    assert table["row_labels"] == ["Parcelle 1", "Parcelle 2"]
    [seasons] = table["nested"]
    assert seasons["label"] == "Saison de récolte"
    assert seasons["columns"][:3] == ["Saison", "Récolte (kg)", "Photo des sacs"]
    assert seasons["row_labels"][2] == "Parcelle 2 › Saison de récolte 2"
    assert [row[0] for row in seasons["rows"]] == [
        "Grande traite",
        "Petite traite",
        "Grande traite",
    ]
    assert seasons["nested"][0]["row_labels"][1] == "Parcelle 1 › Saison de récolte 1 › Vente 2"


def test_geopoints_in_repeats_get_the_top_level_checks(farm: Server) -> None:
    body = view(farm, "uuid:n1")
    assert body["gps"]["points"] == []
    points = {p["ref"]: p for p in body["gps_in_repeats"]}
    assert list(points) == ["/data/plot[1]/corner", "/data/plot[2]/corner",
                            "/data/plot[1]/season[1]/drying", "/data/plot[2]/season[2]/drying"]  # fmt: skip
    first = points["/data/plot[1]/corner"]
    assert (first["label"], first["latitude"], first["longitude"], first["altitude"]) == (
        "Plot 1 › Plot corner", 6.2, -1.2, 210.0)  # fmt: skip
    assert (first["accuracy_m"], first["inside_district"], first["warnings"]) == (5.0, True, [])
    assert points["/data/plot[2]/corner"]["warnings"] == ["outside district north's bounding box"]
    drying = points["/data/plot[1]/season[1]/drying"]
    assert drying["label"] == "Plot 1 › Harvest season 1 › Drying place"
    assert drying["warnings"] == ["accuracy 80 m is worse than the 50 m limit"]
    assert points["/data/plot[2]/season[2]/drying"]["warnings"] == []
    french = view(farm, "uuid:n1", language="Français (fr)")["gps_in_repeats"]
    assert french[2]["label"] == "Parcelle 1 › Saison de récolte 1 › Lieu de séchage"


def test_a_geopoint_that_is_no_number_stays_plain_text_in_its_table(farm: Server) -> None:
    xml = interview("uuid:n2").replace("6.21 -1.21 0 80", "nan inf")
    submit(farm.client, farm.tokens["amina"], "uuid:n2", xml, {}, [])
    body = view(farm, "uuid:n2")
    assert "/data/plot[1]/season[1]/drying" not in {p["ref"] for p in body["gps_in_repeats"]}
    assert plots(body)["nested"][0]["rows"][0][4] == "nan inf"


def test_the_living_income_questionnaire_shows_each_repeat_as_a_labelled_table(
    farm: Server,
) -> None:
    session = kenya_diversified()
    assert session.answer("/data/identification/household_id", "HH-KE").ok
    assert session.finalize() == []
    xml = session.to_xml().replace(str(session.value("/data/meta/instanceID")), "uuid:li1")
    submit(farm.client, farm.tokens["amina"], "uuid:li1", xml, {}, [], "living_income_household")
    body = view(farm, "uuid:li1", language="Français (fr)")
    tables = {t["ref"]: t for s in body["rendered"]["sections"] for t in s["tables"]}
    assert list(tables) == ["/data/roster/member", "/data/plots/plot", "/data/main_crop/season",
                            "/data/costs/labour", "/data/other_crops/crop_other",
                            "/data/livestock/animal", "/data/other_income/source",
                            "/data/weai/dm"]  # fmt: skip
    members = tables["/data/roster/member"]
    count = int(session.value("/data/roster/hh_size"))
    assert members["label"] == "Membre du ménage"
    assert members["row_labels"] == [f"Membre du ménage {i}" for i in range(1, count + 1)]
    assert members["row_refs"][1] == "/data/roster/member[2]"
    assert members["rows"][1][0] == session.value("/data/roster/member[2]/person/name")
    assert members["columns"][2] == "Sexe de [name]"  # a heading holds no row: the field named
    animals = tables["/data/livestock/animal"]
    assert animals["row_labels"] == ["Animaux ou poissons 1", "Animaux ou poissons 2"]
    assert animals["rows"][0][0] == "Bovins"
    # one repeat inside a repeat (each A-WEAI decision-maker's activities); no file or
    # geopoint in a repeat
    assert [n["ref"] for n in tables["/data/weai/dm"]["nested"]] == ["/data/weai/dm/act"]
    flat = [t for ref, t in tables.items() if ref != "/data/weai/dm"]
    assert all(t["nested"] == [] and set(t["column_kinds"]) == {"text"} for t in flat)
    assert body["gps_in_repeats"] == []
