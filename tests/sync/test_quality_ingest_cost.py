"""The quality flags' cost at ingestion does not grow with the stored submissions, and its
derived data (facts, metric rows) is recovered after a crash between the two commits."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sync.server.api.auth import add_user
from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.errors import BadRequest
from sync.server.intake.ingest import ingest
from sync.server.intake.instance_fields import parse_submission
from sync.server.publish import publish_file
from sync.server.quality.checks import extract_facts
from sync.server.quality.config import QualityConfig
from sync.server.quality.peers import EXACT_BELOW, PeerFences, _Snapshot
from sync.server.review import store as review_store
from sync.server.review.store import index_for
from sync.server.storage import Storage, User

pytestmark = pytest.mark.server_storage

DEMO = Path(__file__).resolve().parents[2] / "assets" / "forms" / "demo_household.xml"
ENUMERATOR = User("amina", "enumerator", "north")
CONFIG = QualityConfig(forms={}, min_answers_for_rate=1000)


def xml(number: int, *, yield_kg: float | None = None, household: str | None = None) -> str:
    value = yield_kg if yield_kg is not None else 500 + (number * 37) % 101
    return (
        '<data id="demo_household" version="2026112601">'
        f"<household_id>{household or f'H-{number}'}</household_id><crop>cocoa</crop>"
        f"<yield_kg_ha>{value:g}</yield_kg_ha><price>2</price>"
        f"<meta><instanceID>uuid:c-{number}</instanceID></meta></data>"
    )


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    storage, blobs = open_storage(tmp_path / "server")
    publish_file(storage, blobs, DEMO, runs=1)
    add_user(storage, "amina", "enumerator", "north")
    storage.set_setting("quality_config", CONFIG.model_dump_json())
    return storage


def put(storage: Storage, number: int, **options: float | str) -> list[str]:
    result = ingest(storage, ENUMERATOR, xml(number, **options))  # type: ignore[arg-type]
    assert result.status == "stored", result.message
    return [flag.code for flag in index_for(storage).flags(f"uuid:c-{number}")[1]]


def test_peer_values_read_grow_linearly_not_quadratically(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    compute = PeerFences._compute

    def counted(connection: object, group: tuple[str, str | None, str]) -> _Snapshot:
        snapshot = compute(connection, group)  # type: ignore[arg-type]
        sizes.append(snapshot.size)
        return snapshot

    monkeypatch.setattr(PeerFences, "_compute", staticmethod(counted))
    count = 400
    for number in range(count):
        put(storage, number)
    # Reading every peer on every ingestion would be count²/2 = 80,000 values.
    assert sum(sizes) < 25 * count
    assert len(sizes) < EXACT_BELOW + 80
    # The outlier check still works against the cached quartiles of a large group.
    assert put(storage, count, yield_kg=5000) == ["outlier_yield"]
    assert put(storage, count + 1, yield_kg=550) == []


def test_small_groups_get_the_exact_quartiles_of_every_earlier_submission(
    storage: Storage,
) -> None:
    values = [500 + (n * 37) % 101 for n in range(EXACT_BELOW - 1)]
    for number in range(len(values)):
        put(storage, number)
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    high = q3 + 1.5 * (q3 - q1)
    assert put(storage, 1000, yield_kg=high + 0.5) == ["outlier_yield"]
    assert put(storage, 1001, yield_kg=high - 0.5) == []


@pytest.mark.sqlite_only("counts the SQLite storage's connections")
def test_flags_are_written_on_the_storage_connection_not_a_second_one(storage: Storage) -> None:
    put(storage, 0)
    index = index_for(storage)
    reader = index.store.connection  # type: ignore[attr-defined]
    before = reader.total_changes
    for number in range(1, 6):
        put(storage, number)
    assert reader.total_changes == before
    assert put(storage, 6, household="H-2") == ["duplicate_household"]


@pytest.mark.sqlite_only("deletes facts inside the SQLite file")
def test_facts_missing_after_a_crash_are_recorded_when_the_index_opens(
    storage: Storage, tmp_path: Path
) -> None:
    for number in range(12):
        put(storage, number)
    put(storage, 12, yield_kg=9000)
    db = storage.db  # type: ignore[attr-defined]
    # A crash after the submission's commit, before its facts' commit; and an old database
    # from before the metric table.
    db.execute("DELETE FROM review_facts WHERE instance_id = 'uuid:c-12'")
    db.execute("DROP TABLE review_metrics")
    review_store._INDEXES.clear()
    reopened, _ = open_storage(tmp_path / "server")
    index = index_for(reopened)
    assert [f.code for f in index.flags("uuid:c-12")[1]] == ["outlier_yield"]
    rows = db.execute("SELECT count(*) FROM review_metrics WHERE metric = 'yield'").fetchone()
    assert rows[0] == 13
    assert put(reopened, 13, yield_kg=9100) == ["outlier_yield"]


@pytest.mark.sqlite_only("deletes facts inside the SQLite file")
def test_a_server_records_missing_facts_when_it_starts_before_any_request(
    storage: Storage, tmp_path: Path
) -> None:
    """Recovery runs at start, not at the first ingestion: a process started beside others
    that are ingesting would take their in-flight submissions for a crash's leftovers."""
    for number in range(3):
        put(storage, number)
    storage.db.execute("DELETE FROM review_facts WHERE instance_id = 'uuid:c-2'")  # type: ignore[attr-defined]
    review_store._INDEXES.clear()
    app = create_app(ServerConfig(tmp_path / "server"))
    assert app.state.storage.quality_facts.missing() == ["uuid:c-2"]
    with TestClient(app):
        assert app.state.storage.quality_facts.missing() == []


def test_a_changed_config_applies_to_the_next_ingestion(storage: Storage) -> None:
    put(storage, 0)
    assert put(storage, 1, household="H-0") == ["duplicate_household"]
    changed = CONFIG.model_copy(update={"forms": {"demo_household": CONFIG.fields.model_copy(
        update={"household_id": "nothing"})}})  # fmt: skip
    storage.set_setting("quality_config", changed.model_dump_json())
    assert put(storage, 2, household="H-0") == []


BOMB = '<!DOCTYPE d [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><data id="f">&b;</data>'


@pytest.mark.parametrize(
    "document",
    [BOMB, BOMB.encode("utf-16"), '<data id="f">&x;</data>', '<data id="f"><meta>'],
    ids=["dtd", "dtd-utf16-bytes", "undeclared-entity", "broken"],
)
def test_the_one_parse_at_ingestion_refuses_dtds_entities_and_broken_xml(
    storage: Storage, document: str | bytes
) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_submission(document)
    assert "XML" in refused.value.message
    text = document if isinstance(document, str) else document.decode("utf-16")
    assert ingest(storage, ENUMERATOR, text).status == "rejected"
    assert storage.count_submissions() == 0


def test_the_fast_scan_finds_the_same_facts_as_the_namespace_aware_walk() -> None:
    body = (
        "<start>2026-01-10T08:00:00Z</start><end>2026-01-10T08:04:00Z</end>"
        "<g><household_id>H-9</household_id><crop>maize</crop><q1>-88</q1><q2> DK </q2></g>"
        "<plot><yield_kg_ha>10</yield_kg_ha></plot><plot><yield_kg_ha>30</yield_kg_ha></plot>"
        "<plot><yield_kg_ha>x</yield_kg_ha><gps/></plot>"
    )
    meta = "<meta><instanceID>uuid:n</instanceID><crop>meta</crop></meta>"
    plain = f'<data id="f">{body}{meta}</data>'
    spaced = f'<data xmlns="http://example.org/f" id="f">{body}{meta}</data>'
    config = QualityConfig()
    facts = extract_facts(plain, config.fields, config.dont_know_codes)
    assert facts == extract_facts(spaced, config.fields, config.dont_know_codes)
    assert (facts.household_id, facts.crop, facts.duration_s) == ("H-9", "maize", 240.0)
    assert (facts.metrics, facts.gps_field, facts.gps) == ({"yield": 20.0}, True, None)
    assert (facts.answers, facts.dont_know) == (9, 2)
