"""Fixtures for the app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldapp.app import load_demo_forms, open_store
from fieldapp.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A device store in a temporary folder with the bundled demo forms loaded.

    Store tests that need an empty store define their own `store` fixture."""
    opened = open_store(tmp_path)
    load_demo_forms(opened)
    yield opened
    opened.close()
