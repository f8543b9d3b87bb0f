"""A household's income drivers read from the living income questionnaire, kept at ingestion
with its report row, and rebuilt for a data folder from before them (issue #19, item 1)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from sync.server.app import open_storage
from sync.server.intake.ingest import ingest
from sync.server.report.drivers import PATHS, CropFigures, crop_figures, drivers, main_income
from sync.server.report.extract import names_are_unique, tag_texts
from sync.server.report.household import _texts
from sync.server.report.index import COLUMNS, crop_rows
from sync.server.storage import User

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "forms"))
from living_income_households import other_costs, plot, season
from living_income_support import definition, fill, new_session, number, roster, start

pytestmark = pytest.mark.server_storage

FORM = "living_income_household"
AMINA = User("amina", "enumerator", "north")


def ghana_household() -> str:
    """2 ha of which 80 % productive (1.6 ha); 1,000 kg of wet beans (0.4 kg dry each, as
    units.csv says: 400 kg dry), 900 sold at 16 per wet kg, 100 kept; costs 1,000 of
    transport, 200 of certification and 400 other."""
    s = new_session()
    start(s, "gh_cocoa_2024", "gh")
    roster(s, [("Kofi", "head", "male", 40), ("Ama", "spouse", "female", 35)])
    plot(s, 1, "ha", 2, "owned", "Kofi", 80)
    fill(s, [("main_crop/crop", "cocoa"), ("main_crop/n_seasons", 1)])
    season(s, 1, "main", "kg", 1000, 900, 16, 0, "Kofi", form="cocoa_wet")
    fill(s, [("main_crop/main_control", "man")])
    other_costs(s, 1_000, 200, 400)
    # The form's own totals, for the check that the drivers add up to its income.
    assert number(s, "main_net") + number(s, "main_kept_value") == 900 * 16 - 1_600 + 100 * 16
    return str(s.to_xml())


EXPECTED = CropFigures(
    country="gh", area_ha=1.6, harvest_kg=400.0, marketed_kg=400.0,
    value=900 * 16 + 100 * 16, premiums=0.0, share_paid=0.0, costs=1_600.0,
)  # fmt: skip


def test_the_questionnaires_drivers() -> None:
    xml = ghana_household()
    tree = fromstring(xml, forbid_dtd=True)
    found = crop_figures(lambda path: _texts(tree, path))
    assert found.country == "gh"
    for name in ("area_ha", "harvest_kg", "marketed_kg", "value", "premiums", "costs"):
        assert getattr(found, name) == pytest.approx(getattr(EXPECTED, name)), name
    d = drivers(found, income=20_000, members=2, units=1.5, benchmark=30_000)
    assert d.yield_kg_ha == pytest.approx(400 / 1.6)  # 250 kg of dry beans per ha
    assert d.price == pytest.approx(16_000 / 400)  # 40 per kg of dry beans
    assert d.cost_per_ha == pytest.approx(1_600 / 1.6)
    assert d.cost_per_kg == pytest.approx(1_600 / 400)
    assert d.main_income == pytest.approx(16_000 - 1_600)
    assert d.other_income == pytest.approx(20_000 - 14_400)
    # The stored XML is read by tag, as the report's backfill reads it, to the same figures.
    paths = list(PATHS.values())
    assert names_are_unique(definition(), paths)
    assert crop_figures(tag_texts(paths)(xml)) == found


@pytest.mark.sqlite_only("empties the drivers table inside the SQLite file")
def test_stored_at_ingestion_and_rebuilt_for_a_folder_from_before_the_drivers(
    tmp_path: Path,
) -> None:
    storage, _ = open_storage(tmp_path)
    xml = ghana_household()
    assert ingest(storage, AMINA, xml, require_known_form=False).status == "stored"
    [(instance_id, (stored, members))] = crop_rows(storage, FORM).items()
    assert members == 2 and stored.area_ha == pytest.approx(1.6)
    assert main_income(stored) == pytest.approx(14_400)
    # A folder of schema 1: the row without the driver columns and no schema number.
    db = next(p for p in tmp_path.iterdir() if p.suffix == ".db")
    old = [c for c in COLUMNS if c not in ("country", "area_ha", "harvest_kg", "marketed_kg",
                                           "crop_value", "premiums", "share_paid", "crop_costs")]  # fmt: skip
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TABLE report_households")
        connection.execute("DROP TABLE report_schema")
        connection.execute(f"CREATE TABLE report_households ({', '.join(old)})")
        connection.execute("INSERT INTO report_households (instance_id, form_id) VALUES (?, ?)",
                           [instance_id, FORM])  # fmt: skip
    storage, _ = open_storage(tmp_path)
    assert crop_rows(storage, FORM) == {instance_id: (stored, 2)}
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT version FROM report_schema").fetchall() == [(2,)]
