"""`fieldapp-server quality show|set`: the project's quality settings from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sync.server.app import open_storage
from sync.server.cli import main
from sync.server.quality.config import load_config

pytestmark = pytest.mark.server_storage


def test_show_prints_the_defaults_and_set_stores_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "server"
    assert main(["quality", "show", "--data", str(data)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["min_total_minutes"] == 10.0 and shown["districts"] == {}
    shown["min_total_minutes"] = 25
    shown["districts"] = {"north": {"min_lat": 5, "min_lon": -8, "max_lat": 8, "max_lon": -2}}
    shown["min_section_seconds"] = {"income": 120}
    settings = tmp_path / "quality.json"
    settings.write_text(json.dumps(shown), encoding="utf-8")
    assert main(["quality", "set", str(settings), "--data", str(data)]) == 0
    assert "stored the quality settings" in capsys.readouterr().out
    storage, _ = open_storage(data)
    config = load_config(storage)
    assert config.min_total_minutes == 25 and config.min_section_seconds == {"income": 120}
    assert config.districts["north"].contains(6.5, -5)
    assert main(["quality", "show", "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(config.model_dump_json())


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"districts": {"north": {"min_lat": 5}}}', "districts.north.min_lon: Field required"),
        ('{"max_dont_know_rate": 3}', "max_dont_know_rate: Input should be less than or equal"),
        ('{"min_total_minute": 3}', "min_total_minute: Extra inputs are not permitted"),
        ("{not json", "the top level: Invalid JSON"),
        (None, "cannot read it (No such file or directory)"),
    ],
)
def test_a_bad_file_is_named_with_its_field_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, says: str
) -> None:
    data = tmp_path / "server"
    storage, _ = open_storage(data)
    before = load_config(storage)
    settings = tmp_path / "quality.json"
    if content is not None:
        settings.write_text(content, encoding="utf-8")
    assert main(["quality", "set", str(settings), "--data", str(data)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {settings}: ") and says in error, error
    assert load_config(open_storage(data)[0]) == before
