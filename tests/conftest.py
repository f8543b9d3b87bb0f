"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_XLSFORMS = Path(__file__).resolve().parents[1] / ".." / "shared" / "xlsforms"


@pytest.fixture(scope="session")
def shared_xlsforms() -> Path:
    """The folder of real-world XLSForms kept next to the repository (`../shared/xlsforms`)."""
    assert SHARED_XLSFORMS.is_dir(), f"the shared XLSForms should be at {SHARED_XLSFORMS}"
    return SHARED_XLSFORMS
