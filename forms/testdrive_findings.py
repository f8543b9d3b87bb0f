"""What the simulated interviews found, as findings placed on the form's rows."""

from __future__ import annotations

from forms.definition import FormDefinition
from forms.errors import Problem
from forms.testdrive_interview import Tally
from forms.testdrive_lint import Locate, as_written, hidden_paths, name_of


def findings(definition: FormDefinition, tally: Tally, runs: int, where: Locate) -> list[Problem]:
    """Questions never reached (unless hidden on purpose), constraints nothing met,
    calculations that gave NaN or failed, questions that could not be answered."""
    problems: list[Problem] = []
    hidden = hidden_paths(definition)
    for control in definition.controls():
        ref = control.ref
        if not ref or control.kind in ("group", "repeat") or ref in tally.reached:
            continue
        if not any(ref == h or ref.startswith(h + "/") for h in hidden):
            params = {"name": name_of(ref), "runs": runs}
            problems.append(Problem("check.never_reached", params, where(ref, None), "warning"))
    for path, asked in tally.asked.items():
        bind = definition.bind_for(path)
        if asked and not tally.satisfied[path] and bind is not None and bind.constraint:
            tried = tally.tried[path]
            params = {
                "name": name_of(path),
                "expr": as_written(bind.constraint.text),
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
