"""API tokens on command lines: never starting with `-` (argparse would read `--token -x...`
as a missing value), `--token=T` for old ones that do, or FIELDAPP_TOKEN in the environment."""

from __future__ import annotations

import pytest

from sync.server.api.auth import new_token
from sync.server.supervisor_ui.__main__ import arguments


def test_new_tokens_never_start_with_a_dash() -> None:
    tokens = [new_token() for _ in range(3000)]  # 1 in 64 would, drawn without the check
    assert not [t for t in tokens if t.startswith("-")]
    assert len(set(tokens)) == 3000 and {len(t) for t in tokens} == {43}


def test_the_token_comes_from_the_option_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FIELDAPP_TOKEN", raising=False)
    server = ["--server", "http://127.0.0.1:8000"]
    assert arguments([*server, "--token=-old-token"]).token == "-old-token"
    with pytest.raises(SystemExit) as refused:
        arguments(server)
    assert refused.value.code == 2
    assert "a token is needed: --token=T, or FIELDAPP_TOKEN in the environment" in (
        capsys.readouterr().err
    )
    monkeypatch.setenv("FIELDAPP_TOKEN", " from-env ")
    assert arguments(server).token == "from-env"
    assert arguments([*server, "--token=given"]).token == "given"
