"""One Chromium for the whole e2e session: every e2e file (the app's and the supervisor's)
takes `browser` from here, since two sync Playwright instances cannot be open at once; and
one folder for the screenshots, `screenshot_dir` (see `screenshot_support`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_app import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Browser, sync_playwright
from screenshot_support import screenshot_folder


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_folder(os.environ, tmp_path_factory.mktemp("screenshots"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
