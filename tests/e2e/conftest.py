"""One Chromium for the whole e2e session: every e2e file (the app's and the supervisor's)
takes `browser` from here, since two sync Playwright instances cannot be open at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_app import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
