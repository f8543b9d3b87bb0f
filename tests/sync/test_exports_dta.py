"""The streaming `.dta` writer: what two independent readers (pyreadstat, pandas) read back."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from export_support import households, seed

from sync.server.exports.dta import Column, write_dta
from sync.server.exports.run import export
from sync.server.exports.source import ExportFilter

pytestmark = pytest.mark.server_storage

LONG = "récolte " * 400  # 3,600 bytes of UTF-8: a strL
COLUMNS = [
    Column("sex", "Sex of the head", None, {1: "Female", 2: "Male"}),
    Column("name", "Nom de la personne", len("Adjoa Mensah-Kouamé".encode())),
    Column("notes", "Comments", len(LONG.encode())),
    Column("empty", "Never answered", 0),
    Column("income", "Net income (XOF)", None),
]
ROWS: list[list[float | str | None]] = [
    [1.0, "Adjoa Mensah-Kouamé", LONG, "", 1_234_567.5],
    [None, "", "", "", None],
    [2.0, "Kofi", "short", "", -50_000.0],
]


def test_pyreadstat_and_pandas_read_back_values_and_labels(tmp_path: Path) -> None:
    target = tmp_path / "t.dta"
    with open(target, "wb") as out:
        write_dta(out, COLUMNS, ROWS, len(ROWS))
    frame, meta = pyreadstat.read_dta(str(target))
    assert meta.column_names_to_labels == {c.name: c.label for c in COLUMNS}
    assert meta.variable_value_labels == {"sex": {1: "Female", 2: "Male"}}
    assert list(frame["name"]) == ["Adjoa Mensah-Kouamé", "", "Kofi"]
    assert list(frame["notes"]) == [LONG, "", "short"]
    assert frame["income"].tolist()[::2] == [1_234_567.5, -50_000.0]
    assert frame["sex"].isna().tolist() == [False, True, False]
    other = pd.read_stata(target, convert_categoricals=True)
    assert [other["sex"][0], other["sex"][2]] == ["Female", "Male"] and other["sex"].isna()[1]
    assert other["notes"].tolist() == [LONG, "", "short"]


def test_a_wrong_row_count_is_refused() -> None:
    with pytest.raises(ValueError, match="1 rows written, 3 announced"):
        write_dta(io.BytesIO(), COLUMNS, ROWS[:1], 3)


def test_stata_export_streams_with_bounded_python_memory(tmp_path: Path) -> None:
    store = seed(tmp_path / "big", households(1500))
    tracemalloc.start()
    with open(tmp_path / "big.zip", "wb") as out:
        written = export(store, "survey_small", "dta", ExportFilter(), out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert written == 1500
    assert peak < 5_000_000, f"peak {peak} bytes"
    with zipfile.ZipFile(tmp_path / "big.zip") as archive:
        archive.extractall(tmp_path)
    frame, _ = pyreadstat.read_dta(str(tmp_path / "survey_small-member.dta"))
    assert len(frame) == sum(len(h.members) for h in households(1500))
