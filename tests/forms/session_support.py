"""Helpers for the FormSession tests: a session from a markdown XLSForm, with a fixed clock."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from forms.definition import FormDefinition
from forms.session import FormSession
from forms.xform_reader import read_xform
from forms.xlsform import compile_xlsform
from forms.xpath import Environment

FIXED_NOW = dt.datetime(2024, 3, 5, 14, 30, 15, 250000, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def fixed_env(seed: int = 7) -> Environment:
    return Environment(
        now=lambda: FIXED_NOW,
        rng=random.Random(seed),
        properties={"deviceid": "collect:abc", "username": "amina"},
    )


def definition_of(md: str) -> FormDefinition:
    return read_xform(compile_xlsform(md.encode(), filename="t.md").xform)


def session_of(md: str, **kwargs: Any) -> FormSession:
    kwargs.setdefault("env", fixed_env())
    return FormSession.new(definition_of(md), **kwargs)


def state(session: FormSession) -> tuple[str, list[tuple[str, str, bool, bool, bool]]]:
    """Everything recompute decides: the saved XML plus every node's value and flags."""
    rows = [
        (
            session.ref(n),
            n.text,
            n.relevant,
            session.required.get(n, False),
            session.readonly.get(n, False),
        )
        for n in session.document.iter()
        if n is not session.document
    ]
    return session.to_xml(), rows
