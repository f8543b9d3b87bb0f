"""Simulated interviews: fill a form N times with random valid answers, then say what
went wrong, grouped by cause, and optionally save each finished interview's XML.

Everything is deterministic for a seed (answers and the session's clock and
randomness), so the same seed gives the same report and the same instanceIDs.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from forms import instance_xml
from forms.definition import FormDefinition
from forms.errors import FormError, Place, Problem
from forms.gc_pause import gc_paused
from forms.session import FormSession
from forms.session_fresh import FreshSessions
from forms.session_paths import pattern_of
from forms.testdrive_findings import findings
from forms.testdrive_interview import (
    Tally,
    Unfinished,
    check_calculations,
    interview,
    missing_instances,
)
from forms.testdrive_lint import FIXED_NOW, Locate, name_of
from forms.testdrive_report import Report
from forms.testdrive_save import save_instance
from forms.xpath import Environment
from forms.xpath.tree import Node

NO_ATTACHMENTS: Mapping[str, bytes] = {}
NO_PROPERTIES: Mapping[str, str] = {}
NO_MEDIA: Mapping[str, str] = {}
DEVICE = {"deviceid": "testdrive:0001", "username": "testdrive", "email": "testdrive@example.org"}
"""Device properties of the simulated tablet unless the caller gives its own."""
STOPPED = "stopped:"
"""Marks an interview ended by a required note (a screening-out the designer wants)."""
ROUNDTRIP = "roundtrip:"
RANDOM_CALL = re.compile(r"\b(?:random|uuid|randomize)\s*\(")
"""Functions whose values differ when the test-drive loads an instance (other randomness;
a match inside a string literal only costs the full load)."""


def simulate(
    definition: FormDefinition,
    runs: int = 50,
    seed: int = 1,
    *,
    attachments: Mapping[str, bytes] = NO_ATTACHMENTS,
    locate: Locate | None = None,
    properties: Mapping[str, str] = NO_PROPERTIES,
    missing_media: Mapping[str, str] = NO_MEDIA,
    save: Path | None = None,
) -> Report:
    """Fill the form `runs` times with random valid answers; report what went wrong.
    `missing_media` maps the ids of instances whose files are missing to the file names;
    `save` is a folder (see `testdrive_save.prepare_folder`) for the finished interviews."""

    def where(path: str, column: str | None) -> Place:
        return locate(path, column) if locate else Place(field=path, column=column)

    report = Report(definition.source_name or definition.form_id, runs=runs, seed=seed)
    report.simulated = True
    report.save_folder = str(save) if save is not None else None
    tally = Tally()
    failures: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    details: dict[tuple[str, str, str], str] = {}
    fresh = FreshSessions(definition, attachments=attachments, allow_missing_attachments=True)
    alike = recomputes_alike(definition)
    for run in range(1, runs + 1):
        tally.start_interview()
        rng = random.Random(seed * 1_000_003 + run)
        env = Environment(
            now=lambda: FIXED_NOW,
            rng=random.Random(rng.getrandbits(64)),
            properties={**DEVICE, **properties},
        )
        session = None
        try:
            session = fresh.new(env)
            interview(session, rng, tally)
            check_calculations(session, tally)
            detail = _finish(session, attachments, where, tally, alike)
        except Unfinished as error:
            detail = str(error)
        except FormError as error:
            if session is not None:
                missing_instances(session, error, tally)
            detail = "; ".join(str(p) for p in error.problems)
        except Exception as error:  # a bug in the engine must not end the whole check
            detail = f"internal error {type(error).__name__}: {error}"
        if detail is None:
            report.finished += 1
            if save is not None and session is not None:
                save_instance(save, session, run)
                report.saved += 1
            continue
        media = sorted({missing_media[i] for i in tally.unknown_instances if i in missing_media})
        files = ", ".join(f"'{name}'" for name in media)
        if media:
            code = "check.run_media_missing"
        elif detail.startswith(ROUNDTRIP):
            code, detail = "check.instance_roundtrip", detail[len(ROUNDTRIP) :].strip()
        elif detail.startswith(STOPPED):
            code, detail = "check.run_stopped", detail[len(STOPPED) :]
        else:
            code = "check.run_unfinished"
        key = (code, _question(detail), files)
        failures[key].append(run)
        details.setdefault(key, detail)
    for (code, question, files), numbers in failures.items():
        detail = details[code, question, files]
        params = {"count": len(numbers), "runs": runs, "run": numbers[0], "detail": detail}
        if code == "check.run_stopped" and len(numbers) == runs:
            code = "check.run_unfinished"  # no interview gets through: not a screening
        severity = (
            "error" if code in ("check.run_unfinished", "check.instance_roundtrip") else "warning"
        )
        report.problems.append(Problem(code, params | {"files": files}, Place(), severity))
    report.problems += findings(definition, tally, runs, where)
    questions = {
        c.ref for c in definition.controls() if c.ref and c.kind not in ("group", "repeat")
    }
    report.questions = len(questions)
    report.reached = len(questions & tally.reached)
    return report


def _question(detail: str) -> str:
    """What interviews that failed alike share: the question named first (`'a' (row 2)`),
    whose bounds may differ from one interview to the next; else the whole detail."""
    return detail.split(": ", 1)[0] if detail.startswith("'") else detail


def _finish(
    session: FormSession,
    attachments: Mapping[str, bytes],
    where: Locate,
    tally: Tally,
    alike: bool,
) -> str | None:
    """None when the interview validates and its XML loads back the same; else why not.
    When loading recomputes `alike` (see `recomputes_alike`) and the XML reads back to the
    session's own tree, loading would evaluate that same tree afresh, which gives the
    session's state (the property tests/forms/test_session_properties.py checks): the
    load itself is then not needed."""
    problems = session.validate()
    if problems:
        first = problems[0]
        path = pattern_of(first.place.field or "")
        row = where(path, None).row
        at = f"'{name_of(path)}'" + (f" (row {row})" if row else "")
        ref = first.place.field or ""
        control = session.control(ref) if ref else None
        stopped = (
            first.code in ("session.required", "session.form_message")
            and control is not None
            and control.kind == "input"
            and session.is_readonly(ref)
            and session.value(ref) == ""
        )
        why = tally.refused.get(ref) if first.code == "session.required" else None
        return (STOPPED if stopped else "") + f"{at}: {why or session.message(first)}"
    xml = session.to_xml()
    if alike:
        try:
            with gc_paused():  # as a load is: the tree read is live until compared
                document = instance_xml.read_instance(session.definition, xml)
        except FormError as error:
            return f"{ROUNDTRIP} {error.problems[0].message}"
        if same_instance(document, session.document):
            return None
    env = replace(session.env, rng=random.Random(0), itext=None, choice_label=None)
    try:
        again = FormSession.load(
            session.definition,
            xml,
            attachments=attachments,
            env=env,
            allow_missing_attachments=True,
        )
    except FormError as error:
        return f"{ROUNDTRIP} {error.problems[0].message}"
    if again.to_xml() != xml:
        return f"{ROUNDTRIP} the XML written after loading differs from the XML saved"
    return None


def recomputes_alike(definition: FormDefinition) -> bool:
    """Whether loading an instance evaluates it as the session that saved it did: no
    action when it loads, none setting a calculated field (loading would compute it
    instead), no randomness (the test-drive loads with other randomness)."""
    if definition.actions_for("odk-instance-load"):
        return False
    calculated = {b.nodeset for b in definition.binds if b.calculate is not None}
    if any(action.ref in calculated for action in definition.actions):
        return False
    texts = [e.text for b in definition.binds for e in (b.calculate, b.relevant) if e is not None]
    texts += [c.count.text for c in definition.controls() if c.count is not None]
    return not any(RANDOM_CALL.search(text) for text in texts)


def same_instance(read: Node, kept: Node) -> bool:
    """Whether `read` (the saved XML read back) is the session's tree `kept`: the same
    elements in the same order with the same attributes, and the same texts where `kept`
    is relevant (a non-relevant node is not saved, and reads as empty in expressions)."""
    if read.name != kept.name or read.attrs != kept.attrs:
        return False
    if kept.relevant and read.text != kept.text:
        return False
    if len(read.children) != len(kept.children):
        return False
    return all(map(same_instance, read.children, kept.children))
