"""Screens as ODK Collect steps through them, jump, outline and validate for finalize."""

from __future__ import annotations

import pytest
from session_support import session_of

from forms import session_navigation
from forms.session import FormSession
from forms.session_navigation import GROUP, QUESTION, REPEAT_PROMPT, Screen

FORM = """
| survey |
| | type | name | label | appearance | relevant | required | calculation | repeat_count |
| | integer | n | How many? | | | yes | | |
| | calculate | twice | | | | | ${n} * 2 | |
| | begin group | contact | Contact | field-list | | | | |
| | text | phone | Phone | | | | | |
| | text | email | Email | | ${n} > 1 | yes | | |
| | end group | | | | | | | |
| | begin repeat | child | Child | | | | | |
| | text | cname | Child name | | | | | |
| | end repeat | | | | | | | |
| | begin repeat | plot | Plot | | | | | ${n} |
| | decimal | area | Area | | | | | |
| | end repeat | | | | | | | |
| | note | bye | Thanks | | | | | |
"""


def kinds(s: object) -> list[tuple[str, str]]:
    return [(x.kind, x.ref) for x in s.screens()]  # type: ignore[attr-defined]


def test_screens_field_list_prompt_and_counted_repeat() -> None:
    s = session_of(FORM)
    assert kinds(s) == [
        (QUESTION, "/data/n"),
        (GROUP, "/data/contact"),
        (QUESTION, "/data/child[1]/cname"),
        (REPEAT_PROMPT, "/data/child"),
        (QUESTION, "/data/bye"),
    ]
    assert s.screens()[1].questions == ("/data/contact/phone",)
    assert s.screens()[3].text == "Add another 'Child'?"
    s.answer("/data/n", 2)
    screens = s.screens()
    assert screens[1].questions == ("/data/contact/phone", "/data/contact/email")
    assert [x.ref for x in screens if x.kind == QUESTION][-3:] == [
        "/data/plot[1]/area",
        "/data/plot[2]/area",
        "/data/bye",
    ]


def test_next_previous_and_jump() -> None:
    s = session_of(FORM)
    assert s.next(0) == 1 and s.previous(0) is None
    last = len(s.screens()) - 1
    assert s.next(last) is None
    assert s.jump("/data/contact/phone") == 1
    assert s.jump("/data/bye") == last


def test_outline_states_and_validate_order() -> None:
    s = session_of(FORM)
    s.answer("/data/n", 2)
    s.answer("/data/contact/phone", "123")
    states = {e.ref: e.state for e in s.outline()}
    assert states["/data/n"] == "answered"
    assert states["/data/contact/email"] == "required-missing"
    assert states["/data/child[1]/cname"] == "unanswered"
    s.answer("/data/n", 1)
    states = {e.ref: e.state for e in s.outline()}
    assert states["/data/contact/email"] == "not-relevant"
    s.answer("/data/n", None)
    assert [p.place.field for p in s.validate()] == ["/data/n"]


def test_screens_are_listed_again_only_when_relevance_repeats_or_language_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listings = []
    real = session_navigation.screens_of

    def counted(session: FormSession) -> tuple[list[Screen], bool]:
        listings.append(1)
        return real(session)

    monkeypatch.setattr(session_navigation, "screens_of", counted)
    s = session_of(
        """
| survey |
| | type | name | label | relevant |
| | integer | age | Age | |
| | text | name | Name | |
| | text | job | Job | ${age} >= 15 |
| | begin repeat | kid | Kid | |
| | text | kname | Kid's name | |
| | end repeat | | | |
"""
    )
    first = s.screens()
    assert s.next(0) == 1 and s.previous(1) == 0 and s.next(len(first) - 1) is None
    assert s.screen(1) == first[1]
    s.answer("/data/name", "Awa")
    s.answer("/data/age", 3)
    assert s.screens() == first and len(listings) == 1
    s.answer("/data/age", 30)
    assert [x.ref for x in s.screens()][:3] == ["/data/age", "/data/name", "/data/job"]
    s.add_repeat("/data/kid")
    assert len(s.screens()) == len(first) + 2 and len(listings) == 3
    s.set_language("default")
    s.screens()
    assert len(listings) == 4
