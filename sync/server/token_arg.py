"""The API token on a command line (`--token=T`) or in FIELDAPP_TOKEN, which keeps it out of
the process list; for `fieldapp-server supervisor`, `relay` and the supervisor screens."""

from __future__ import annotations

import argparse
import os

TOKEN_ENV = "FIELDAPP_TOKEN"


def token_help(whose: str) -> str:
    return f"{whose} API token, as --token=T; or set {TOKEN_ENV}, which keeps it out of `ps`"


def token_of(parser: argparse.ArgumentParser, given: str | None, missing: str = "") -> str:
    """The token given on the command line, or else in FIELDAPP_TOKEN; a usage error (saying
    `missing`, if given) when there is none."""
    token = given or os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        parser.error(missing or f"a token is needed: --token=T, or {TOKEN_ENV} in the environment")
    return token
