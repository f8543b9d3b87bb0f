"""The report of a form test-drive: findings in sections, errors apart from warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.errors import Problem

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Reading the form", ("xlsform.", "xform.", "xpath.", "check.unreadable")),
    ("Loading the form", ("check.session_refused", "check.attachment_missing")),
    ("Relevance", ("check.never_relevant", "check.reads_never_relevant")),
    ("Choice filters", ("check.filter_",)),
    ("Calculation cycles", ("check.cycle",)),
    ("Questions never reached", ("check.never_reached",)),
    ("Constraints", ("check.constraint_",)),
    ("Calculations", ("check.calculation_",)),
    ("Interviews", ("check.run_", "check.instance_roundtrip", "check.question_failed")),
)
OTHER = "Other"


def section_of(problem: Problem) -> str:
    for title, prefixes in SECTIONS:
        if problem.code.startswith(prefixes):
            return title
    return OTHER


def _order(problem: Problem) -> tuple[int, str]:
    return (problem.place.row or 0, problem.place.field or "")


@dataclass
class Report:
    """What `forms.testdrive.check_*` found. `str(report)` is the text a designer reads."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    runs: int = 0
    seed: int = 0
    finished: int = 0
    questions: int = 0
    reached: int = 0
    simulated: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def find(self, code: str) -> list[Problem]:
        return [p for p in self.problems if p.code == code]

    def render(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        lines = [
            f"Test-drive of {self.source}: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
        ]
        if self.simulated:
            lines.append(
                f"Simulated {self.runs} interviews (seed {self.seed}): {self.finished} finished; "
                f"{self.reached} of {self.questions} questions reached."
            )
        else:
            lines.append("No interviews were simulated: the form cannot be filled as it is.")
        titles = [title for title, _ in SECTIONS] + [OTHER]
        for title in titles:
            found = sorted((p for p in self.problems if section_of(p) == title), key=_order)
            if not found:
                continue
            lines += ["", f"{title} ({len(found)})"]
            for problem in found:
                where = problem.place.describe()
                lines.append(
                    f"  {problem.severity}: {where + ': ' if where else ''}{problem.message}"
                )
        if not self.problems:
            lines += ["", "No problems found."]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
