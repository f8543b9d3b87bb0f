"""What keeps the enumerator on the current screen: its required questions left empty and
its answers that break a constraint, as ODK Collect decides it.

Collect saves the screen's answers with constraints evaluated before it moves forward
(`FormController.saveAllScreenAnswers(answers, evaluateConstraints=true)`): a question whose
answer is `ANSWER_REQUIRED_BUT_EMPTY` or `ANSWER_CONSTRAINT_VIOLATED` stops Next on that
screen. Moving back saves without evaluating them, so Back is never blocked. Finalizing
validates the whole form and opens the first problem's screen; there too, only the
questions that have a problem get a message.
"""

from __future__ import annotations

from fieldapp.interview import Interview
from forms.session_navigation import REPEAT_PROMPT


def screen_problems(interview: Interview) -> dict[str, str]:
    """Message of each question on the current screen that blocks Next, by ref, in screen
    order (empty on a repeat prompt, the end screen and a read-only interview)."""
    if interview.readonly:
        return {}
    screens = interview.session.screens()
    if interview.index >= len(screens) or screens[interview.index].kind == REPEAT_PROMPT:
        return {}
    session = interview.session
    out: dict[str, str] = {}
    for ref in screens[interview.index].questions:
        problem = session.problem_of(session.node(ref))
        if problem is not None:
            out[ref] = session.message(problem)
    return out
