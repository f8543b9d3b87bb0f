"""Saving the test-drive's interviews as OpenRosa instance XML (`forms check --save DIR`).

Each finished interview is written as the session serialises it, one file per
interview named after its instanceID (`uuid:1b…` → `uuid-1b….xml`), so a survey team
can rehearse its exports and reports on them before fieldwork. The folder is checked
before any interview runs: one that cannot be written is a `FormError` naming it, and
nothing is written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from forms.errors import FormError
from forms.session import FormSession

UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
"""Characters left out of a file name (`:` of `uuid:` becomes `-`)."""


def prepare_folder(folder: Path) -> Path:
    """The folder, created if needed, once it is known to be writable."""
    if folder.exists() and not folder.is_dir():
        raise _unwritable(folder, "it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unwritable(folder, error.strerror or type(error).__name__) from error
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _unwritable(folder, "permission denied")
    return folder


def _unwritable(folder: Path, detail: str) -> FormError:
    return FormError.of("check.save_unwritable", path=str(folder), detail=detail)


def instance_id(session: FormSession) -> str:
    """The interview's `meta/instanceID`, or '' when the form has none."""
    root = session.document.children[0]
    meta = root.child("meta")
    found = meta.child("instanceID") if meta is not None else None
    return found.text if found is not None else ""


def save_instance(folder: Path, session: FormSession, run: int) -> Path:
    """Write the interview's instance XML; a form without instanceID names it by run."""
    name = UNSAFE.sub("-", instance_id(session)) or f"run-{run:04d}"
    path = folder / f"{name}.xml"
    try:
        path.write_text(session.to_xml(), encoding="utf-8")
    except OSError as error:
        raise _unwritable(folder, error.strerror or type(error).__name__) from error
    return path
