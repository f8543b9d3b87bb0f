"""One Chromium per test module (module scope: other e2e modules start Playwright themselves,
and two sync Playwright instances cannot be open at once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_app import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
