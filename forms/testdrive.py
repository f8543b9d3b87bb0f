"""The form test-drive: lint a form, then fill it N times with random valid answers.

`check_file` and `check_compiled` read a form and return a `Report`; `simulate`
runs the interviews through a `FormSession` the way an enumerator would: screen by
screen, answering every relevant question with a value of its type that its
constraint and current choices accept, adding 0-3 repeat instances at each "add
another?" prompt. Each interview must then validate and its instance XML load back.
Everything is deterministic for a seed (answers and the session's clock and
randomness).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from forms.definition import FormDefinition
from forms.errors import FormError, Place, Problem
from forms.session import FormSession
from forms.session_paths import pattern_of
from forms.testdrive_interview import Tally, Unfinished, check_calculations, interview
from forms.testdrive_lint import FIXED_NOW, Locate, lint, name_of
from forms.testdrive_report import Report
from forms.xform_reader import read_xform
from forms.xlsform import CompiledForm, compile_xlsform
from forms.xpath import Environment

BLOCKING = ("check.cycle", "check.session_refused")
NO_ATTACHMENTS: Mapping[str, bytes] = {}
NO_PROPERTIES: Mapping[str, str] = {}
DEVICE = {"deviceid": "testdrive:0001", "username": "testdrive", "email": "testdrive@example.org"}
"""Device properties of the simulated tablet unless the caller gives its own."""
STAND_INS = {
    "csv": "name,label\nstand_in,Stand-in\n",
    "xml": "<root><item><name>stand_in</name><label>Stand-in</label></item></root>",
    "geojson": (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
        '{"type": "Point", "coordinates": [0, 0]}, '
        '"properties": {"id": "stand_in", "title": "Stand-in"}}]}'
    ),
}


def check_file(
    path: Path,
    *,
    runs: int = 50,
    seed: int = 1,
    allow_choice_duplicates: bool = False,
    properties: Mapping[str, str] = NO_PROPERTIES,
) -> Report:
    """Test-drive an XLSForm or XForm file; attachments are looked for next to it.
    `properties` are the device's (`username`, `deviceid`, ...) for preloads."""
    try:
        data = path.read_bytes()
    except OSError as error:
        report = Report(path.name, runs=runs, seed=seed)
        detail = error.strerror or type(error).__name__
        report.problems.append(Problem("check.unreadable", {"detail": detail}, Place(str(path))))
        return report
    folder = path.parent
    if data.lstrip()[:1] == b"<":
        try:
            definition = read_xform(data, source_name=path.name)
        except FormError as error:
            return Report(path.name, list(error.problems), runs=runs, seed=seed)

        def locate(field_path: str, column: str | None) -> Place:
            return Place(path.name, field=field_path, column=column)

        return check_definition(
            definition, locate, runs=runs, seed=seed, folder=folder, properties=properties
        )
    try:
        compiled = compile_xlsform(
            data, filename=path.name, allow_choice_duplicates=allow_choice_duplicates
        )
    except FormError as error:
        return Report(path.name, list(error.problems), runs=runs, seed=seed)
    return check_compiled(compiled, runs=runs, seed=seed, folder=folder, properties=properties)


def check_compiled(
    compiled: CompiledForm,
    *,
    runs: int = 50,
    seed: int = 1,
    folder: Path | None = None,
    properties: Mapping[str, str] = NO_PROPERTIES,
) -> Report:
    """Test-drive a compiled XLSForm; findings are placed on its sheet rows."""
    try:
        definition = read_xform(compiled.xform, source_name=compiled.source_name)
    except FormError as error:
        located = [_located(p, compiled.place_of) for p in error.problems]
        return Report(compiled.source_name, located, runs=runs, seed=seed)
    report = check_definition(
        definition,
        compiled.place_of,
        runs=runs,
        seed=seed,
        folder=folder,
        properties=properties,
    )
    report.problems[:0] = list(compiled.warnings)
    return report


def _located(problem: Problem, locate: Locate) -> Problem:
    if problem.place.field and problem.place.row is None:
        return replace(problem, place=locate(problem.place.field, problem.place.column))
    return problem


def check_definition(
    definition: FormDefinition,
    locate: Locate,
    *,
    runs: int = 50,
    seed: int = 1,
    folder: Path | None = None,
    properties: Mapping[str, str] = NO_PROPERTIES,
) -> Report:
    """Lint a read form, then simulate `runs` interviews unless it cannot be filled."""
    source = definition.source_name or definition.form_id
    report = Report(source, runs=runs, seed=seed)
    report.problems += [
        replace(_located(w, locate), severity="warning") for w in definition.warnings
    ]
    attachments: dict[str, bytes] = {}
    for secondary in definition.secondary_instances:
        name = secondary.filename
        if secondary.content is not None or name is None or secondary.kind == "other":
            continue
        found = folder / name if folder is not None else None
        if found is not None and found.is_file():
            attachments[name] = found.read_bytes()
        else:
            attachments[name] = STAND_INS[secondary.kind].encode()
            report.problems.append(
                Problem("check.attachment_missing", {"file": name}, Place(source), "warning")
            )
    report.problems += lint(definition, locate)
    if any(p.code in BLOCKING for p in report.problems):
        return report
    simulated = simulate(
        definition, runs, seed, attachments=attachments, locate=locate, properties=properties
    )
    simulated.problems[:0] = report.problems
    simulated.source = source
    return simulated


STOPPED = "stopped:"
"""Marks an interview ended by a required note (a screening-out the designer wants)."""


def simulate(
    definition: FormDefinition,
    runs: int = 50,
    seed: int = 1,
    *,
    attachments: Mapping[str, bytes] = NO_ATTACHMENTS,
    locate: Locate | None = None,
    properties: Mapping[str, str] = NO_PROPERTIES,
) -> Report:
    """Fill the form `runs` times with random valid answers; report what went wrong."""

    def where(path: str, column: str | None) -> Place:
        return locate(path, column) if locate else Place(field=path, column=column)

    report = Report(definition.source_name or definition.form_id, runs=runs, seed=seed)
    report.simulated = True
    tally = Tally()
    failures: dict[tuple[str, str], list[int]] = defaultdict(list)
    for run in range(1, runs + 1):
        rng = random.Random(seed * 1_000_003 + run)
        env = Environment(
            now=lambda: FIXED_NOW,
            rng=random.Random(rng.getrandbits(64)),
            properties={**DEVICE, **properties},
        )
        try:
            session = FormSession.new(
                definition, attachments=attachments, env=env, allow_missing_attachments=True
            )
            interview(session, rng, tally)
            check_calculations(session, tally)
            detail = _finish(session, attachments, where)
        except Unfinished as error:
            detail = str(error)
        except FormError as error:
            detail = "; ".join(str(p) for p in error.problems)
        except Exception as error:  # a bug in the engine must not end the whole check
            detail = f"internal error {type(error).__name__}: {error}"
        if detail is None:
            report.finished += 1
        elif detail.startswith("roundtrip:"):
            failures["check.instance_roundtrip", detail[len("roundtrip:") :].strip()].append(run)
        elif detail.startswith(STOPPED):
            failures["check.run_stopped", detail[len(STOPPED) :]].append(run)
        else:
            failures["check.run_unfinished", detail].append(run)
    for (code, detail), numbers in failures.items():
        params = {"count": len(numbers), "runs": runs, "run": numbers[0], "detail": detail}
        if code == "check.run_stopped" and len(numbers) == runs:
            code = "check.run_unfinished"  # no interview gets through: not a screening
        severity = "warning" if code == "check.run_stopped" else "error"
        report.problems.append(Problem(code, params, Place(), severity))
    report.problems += _findings(definition, tally, runs, where)
    questions = {
        c.ref for c in definition.controls() if c.ref and c.kind not in ("group", "repeat")
    }
    report.questions = len(questions)
    report.reached = len(questions & tally.reached)
    return report


def _finish(session: FormSession, attachments: Mapping[str, bytes], where: Locate) -> str | None:
    """None when the interview validates and its XML loads back the same; else why not."""
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
        return (STOPPED if stopped else "") + f"{at}: {session.message(first)}"
    xml = session.to_xml()
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
        return f"roundtrip: {error.problems[0].message}"
    if again.to_xml() != xml:
        return "roundtrip: the XML written after loading differs from the XML saved"
    return None


def _findings(definition: FormDefinition, tally: Tally, runs: int, where: Locate) -> list[Problem]:
    problems: list[Problem] = []
    for control in definition.controls():
        ref = control.ref
        if ref and control.kind not in ("group", "repeat") and ref not in tally.reached:
            params = {"name": name_of(ref), "runs": runs}
            problems.append(Problem("check.never_reached", params, where(ref, None), "warning"))
    for path, asked in tally.asked.items():
        bind = definition.bind_for(path)
        if asked and not tally.satisfied[path] and bind is not None and bind.constraint:
            tried = tally.tried[path]
            params = {
                "name": name_of(path),
                "expr": bind.constraint.text.strip(),
                "tried": len(tried),
                "examples": ", ".join(tried[:5]) or "none of the right type",
            }
            problems.append(
                Problem("check.constraint_unsatisfiable", params, where(path, "constraint"))
            )
    for path, values in tally.not_finite.items():
        bind = definition.bind_for(path)
        value = values.most_common(1)[0][0]
        params = {
            "name": name_of(path),
            "expr": bind.calculate.text.strip() if bind and bind.calculate else "",
            "value": value,
            "count": sum(values.values()),
            "runs": runs,
        }
        problems.append(
            Problem("check.calculation_not_finite", params, where(path, "calculation"), "warning")
        )
    for path, detail in tally.failed_questions.items():
        params = {"name": name_of(path), "detail": detail}
        problems.append(Problem("check.question_failed", params, where(path, None)))
    for path, detail in tally.failed.items():
        params = {"name": name_of(path), "detail": detail}
        problems.append(Problem("check.calculation_failed", params, where(path, "calculation")))
    return problems
