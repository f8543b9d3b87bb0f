"""The form test-drive: lint a form, then fill it N times with random valid answers.

`check_file` and `check_compiled` read a form and return a `Report`; `simulate`
(`testdrive_simulate`) runs the interviews through a `FormSession` the way an
enumerator would: screen by screen, answering every relevant question with a value
of its type that its constraint and current choices accept, adding 0-3 repeat
instances at each "add another?" prompt. Each interview must then validate and its
instance XML load back; with `save` it is written to that folder. Attachments missing
next to the form are replaced by stand-in rows (`testdrive_standins`). Everything is
deterministic for a seed (answers and the session's clock and randomness).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from forms.definition import FormDefinition
from forms.errors import FormError, Place, Problem
from forms.testdrive_filters import choice_filters
from forms.testdrive_lint import Locate, lint, name_of
from forms.testdrive_report import Report
from forms.testdrive_save import prepare_folder
from forms.testdrive_simulate import NO_PROPERTIES, simulate
from forms.testdrive_standins import stand_ins
from forms.xform_reader import read_xform
from forms.xlsform import CompiledForm, compile_xlsform

__all__ = ["check_compiled", "check_definition", "check_file", "simulate"]

BLOCKING = ("check.cycle", "check.session_refused")


def check_file(
    path: Path,
    *,
    runs: int = 50,
    seed: int = 1,
    allow_choice_duplicates: bool = False,
    properties: Mapping[str, str] = NO_PROPERTIES,
    save: Path | None = None,
) -> Report:
    """Test-drive an XLSForm or XForm file; attachments are looked for next to it.
    `properties` are the device's (`username`, `deviceid`, ...) for preloads; `save` a
    folder for the finished interviews (one that cannot be written is a `FormError`)."""
    if save is not None:
        prepare_folder(save)
    try:
        data = path.read_bytes()
    except OSError as error:
        report = Report(path.name, runs=runs, seed=seed)
        detail = error.strerror or type(error).__name__
        report.problems.append(Problem("check.unreadable", {"detail": detail}, Place(str(path))))
        return report
    if data.lstrip()[:1] == b"<":
        try:
            definition = read_xform(data, source_name=path.name)
        except FormError as error:
            return Report(path.name, list(error.problems), runs=runs, seed=seed)

        def locate(field_path: str, column: str | None) -> Place:
            return Place(path.name, field=field_path, column=column)

        return check_definition(
            definition,
            locate,
            runs=runs,
            seed=seed,
            folder=path.parent,
            properties=properties,
            save=save,
        )
    try:
        compiled = compile_xlsform(
            data, filename=path.name, allow_choice_duplicates=allow_choice_duplicates
        )
    except FormError as error:
        return Report(path.name, list(error.problems), runs=runs, seed=seed)
    return check_compiled(
        compiled, runs=runs, seed=seed, folder=path.parent, properties=properties, save=save
    )


def check_compiled(
    compiled: CompiledForm,
    *,
    runs: int = 50,
    seed: int = 1,
    folder: Path | None = None,
    properties: Mapping[str, str] = NO_PROPERTIES,
    save: Path | None = None,
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
        save=save,
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
    save: Path | None = None,
) -> Report:
    """Lint a read form, then simulate `runs` interviews unless it cannot be filled."""
    if save is not None:
        prepare_folder(save)
    source = definition.source_name or definition.form_id
    report = Report(source, runs=runs, seed=seed)
    report.problems += [
        replace(_located(w, locate), severity="warning") for w in definition.warnings
    ]
    attachments, missing = _attachments(definition, folder)
    replaced = stand_ins(definition, set(missing.values()))
    media = {i: name for i, name in missing.items() if i not in replaced}
    for instance_id, stand_in in replaced.items():
        name = stand_in.secondary.filename or instance_id
        attachments[name] = stand_in.content()
        users = [f"'{name_of(u)}'" for u in stand_in.users] or ["no field"]
        params = {"file": name, "fields": ", ".join(users), "columns": ", ".join(stand_in.columns)}
        report.problems.append(
            Problem("check.attachment_missing", params, Place(source), "warning")
        )
        for user in stand_in.users:
            params = {"name": name_of(user), "file": name}
            report.problems.append(Problem("check.stand_in", params, locate(user, None), "info"))
    report.problems += lint(definition, locate) + choice_filters(definition, locate)
    if any(p.code in BLOCKING for p in report.problems):
        return report
    simulated = simulate(
        definition,
        runs,
        seed,
        attachments=attachments,
        locate=locate,
        properties=properties,
        missing_media=media,
        save=save,
    )
    simulated.problems[:0] = report.problems
    simulated.source = source
    return simulated


def _attachments(
    definition: FormDefinition, folder: Path | None
) -> tuple[dict[str, bytes], dict[str, str]]:
    """The attachments found next to the form, and the missing ones by instance id."""
    found: dict[str, bytes] = {}
    missing: dict[str, str] = {}
    for secondary in definition.secondary_instances:
        name = secondary.filename
        if secondary.content is not None or name is None:
            continue
        path = folder / name if folder is not None else None
        if path is not None and path.is_file():
            found[name] = path.read_bytes()
        else:
            missing[secondary.id] = name
    return found, missing
