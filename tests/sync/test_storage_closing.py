"""What a storage opens, it closes: its review index readers end with it (no pool left to a
garbage collector's thread), and a stopped server has closed its storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sync.server.app import ServerConfig, create_app, open_storage
from sync.server.review.store import QueueFilter, index_for

pytestmark = pytest.mark.server_storage


def test_a_closed_storage_has_closed_its_review_index_and_the_next_opens_one_anew(
    tmp_path: Path,
) -> None:
    storage, _ = open_storage(tmp_path / "server")
    index = index_for(storage)
    assert index_for(storage) is index and not index.store.closed
    storage.close()
    assert index.store.closed
    reopened, _ = open_storage(tmp_path / "server")
    again = index_for(reopened)
    assert again is not index and again.queue_count(QueueFilter()) == 0
    reopened.close()
    assert again.store.closed


def test_a_server_that_stops_closes_its_storage(tmp_path: Path) -> None:
    app = create_app(ServerConfig(tmp_path / "server"))
    with TestClient(app):
        index = index_for(app.state.storage)
        assert not index.store.closed
    assert index.store.closed
