"""Screens as ODK Collect steps through them, jump, outline and validate for finalize."""

from __future__ import annotations

from session_support import session_of

from forms.session_navigation import GROUP, QUESTION, REPEAT_PROMPT

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


def test_screens_are_listed_again_only_where_relevance_or_repeats_change() -> None:
    """Principle 4 for navigation: an answer that changes no relevance lists nothing
    again; one that does lists only the block showing it (one repeat instance here);
    a new instance lists its repeat and itself; a language change only rewords."""
    s = session_of(
        """
| survey |
| | type | name | label | relevant |
| | integer | age | Age | |
| | text | name | Name | |
| | begin repeat | kid | Kid | |
| | text | kname | Kid's name | |
| | integer | kage | Kid's age | |
| | text | school | School | ${kage} >= 6 |
| | end repeat | | | |
"""
    )
    for _ in range(4):
        s.add_repeat("/data/kid")
    first = list(s.screens())
    tree = s._tree
    listed = tree.rebuilt
    assert s.next(0) == 1 and s.previous(1) == 0 and s.next(len(first) - 1) is None
    assert s.screen(1) == first[1] and s.screens()[-1] == first[-1]
    s.answer("/data/name", "Awa")
    s.answer("/data/kid[3]/kage", 3)
    assert list(s.screens()) == first and tree.rebuilt == listed
    s.answer("/data/kid[3]/kage", 9)
    assert s.jump("/data/kid[3]/school") == s.jump("/data/kid[3]/kage") + 1
    assert tree.rebuilt == listed + 1
    s.add_repeat("/data/kid")
    assert len(s.screens()) == len(first) + 3 and tree.rebuilt == listed + 3
    s.set_language("default")
    assert s.screens()[-1].text == "Add another 'Kid'?" and tree.rebuilt == listed + 3
