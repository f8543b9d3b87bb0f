"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL_XLSFORMS = Path(__file__).resolve().parent / "fixtures" / "xlsforms"


@pytest.fixture(scope="session")
def real_xlsforms() -> Path:
    """The folder of real-world XLSForms written by other teams (`tests/fixtures/xlsforms`)."""
    assert REAL_XLSFORMS.is_dir(), f"the real-world XLSForms should be at {REAL_XLSFORMS}"
    return REAL_XLSFORMS
