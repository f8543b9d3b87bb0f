"""Where the e2e tests write their screenshots: the folder FIELDAPP_SCREENSHOTS names
(`make screenshots` sets it to docs/screenshots), else a temporary folder, so that running the
tests leaves the checkout as it was."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

SCREENSHOTS_VARIABLE = "FIELDAPP_SCREENSHOTS"


def screenshot_folder(environ: Mapping[str, str], temporary: Path) -> Path:
    """The folder `environ` names in FIELDAPP_SCREENSHOTS, else `temporary`; created if missing."""
    named = environ.get(SCREENSHOTS_VARIABLE, "").strip()
    folder = Path(named) if named else temporary
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(
            f"{SCREENSHOTS_VARIABLE}={named}: this is a file; name a folder for the screenshots"
        )
    folder.mkdir(parents=True, exist_ok=True)
    return folder
