"""The report of a form test-drive: findings in sections, errors apart from warnings
and from information (severity `info`: things a designer may want to know, such as
fields hidden on purpose or questions that ran on stand-in rows)."""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.errors import Problem

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Reading the form", ("xlsform.", "xform.", "xpath.", "check.unreadable")),
    ("Loading the form", ("check.session_refused", "check.attachment_missing", "check.stand_in")),
    ("Relevance", ("check.never_relevant", "check.reads_never_relevant", "check.hidden")),
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
    saved: int = 0
    save_folder: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "info"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def find(self, code: str) -> list[Problem]:
        return [p for p in self.problems if p.code == code]

    def render(self) -> str:
        counts = [_count(len(self.errors), "error"), _count(len(self.warnings), "warning")]
        if self.notes:
            counts.append(_count(len(self.notes), "note"))
        lines = [f"Test-drive of {self.source}: {', '.join(counts)}"]
        if self.simulated:
            lines.append(
                f"Simulated {self.runs} interviews (seed {self.seed}): {self.finished} finished; "
                f"{self.reached} of {self.questions} questions reached."
            )
        else:
            lines.append("No interviews were simulated: the form cannot be filled as it is.")
        if self.save_folder is not None:
            lines.append(
                f"Saved {_count(self.saved, 'interview')} as OpenRosa instance XML "
                f"in {self.save_folder}, one file per instanceID."
            )
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
