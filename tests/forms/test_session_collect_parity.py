"""Where the engine once differed from ODK Collect (issue #13, part 1), pinned case by case.

Each test names the JavaRosa code or ODK document whose behaviour it follows.
"""

from __future__ import annotations

import pytest
from session_support import session_of

NAN = """
| survey |
| | type | name | label | calculation | relevant |
| | integer | x | X | | |
| | text | t | T | | |
| | calculate | half | | ${x} div 2 | |
| | calculate | parsed | | number('abc') | |
| | calculate | ratio | | 0 div 0 | |
| | decimal | typed | Typed | 0 div 0 | |
| | calculate | shown | | string(0 div 0) | |
| | calculate | is_nan | | ${half} = 'NaN' | |
| | calculate | is_empty | | ${half} = '' | |
| | note | gated | Half is <${half}> | | ${half} != '' |
| | calculate | typed_nan | | ${t} = 'NaN' | |
"""


@pytest.mark.parametrize("ref", ["/data/half", "/data/parsed", "/data/ratio", "/data/typed"])
def test_a_nan_result_is_stored_empty_for_every_type(ref: str) -> None:
    """JavaRosa `IAnswerData.wrapData`: a NaN double becomes no answer (null) before the
    data type is looked at (called by `Recalculate.apply` and `SetValueAction`)."""
    s = session_of(NAN)
    assert s.value(ref) == ""
    assert f"<{ref.rsplit('/', 1)[1]}/>" in s.to_xml()


def test_nan_text_from_a_string_function_is_kept() -> None:
    """`wrapData` only drops a NaN *double*: `string(0 div 0)` is the string "NaN", stored
    as such (XPath 1.0 §4.2 `string()` of NaN)."""
    s = session_of(NAN)
    assert s.value("/data/shown") == "NaN"


def test_comparing_with_the_text_nan_behaves_as_in_collect() -> None:
    """The stored value is empty, so `= 'NaN'` is false and `= ''` true, and a relevance
    `!= ''` hides the note (JavaRosa `XPathEqExpr` on the empty answer); a text answer
    that really is "NaN" still equals 'NaN' (plain string comparison)."""
    s = session_of(NAN)
    s.answer("/data/x", 3)
    assert s.value("/data/half") == "1.5"
    assert s.is_relevant("/data/gated")
    s.answer("/data/x", "")
    assert (s.value("/data/is_nan"), s.value("/data/is_empty")) == ("false", "true")
    assert not s.is_relevant("/data/gated")
    assert s.value("/data/typed_nan") == "false"
    s.answer("/data/t", "NaN")
    assert s.value("/data/typed_nan") == "true"


REQUIRED = """
| survey |
| | type | name | label | required | read_only | calculation | relevant |
| | calculate | total | | yes | | ${missing} | |
| | hidden | secret | | yes | | | |
| | integer | missing | Missing | | | | |
| | select_one yn | show | Show? | | | | |
| | begin group | g | G | | | | ${show} = 'yes' |
| | text | inside | Inside | yes | | | |
| | end group | | | | | | |
| | text | locked | Locked | yes | yes | | |
| | note | note_req | A note | yes | | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
"""


def _blocking(md: str) -> list[str | None]:
    return [p.place.field for p in session_of(md).finalize()]


def test_a_required_calculate_or_hidden_bind_never_blocks_finalizing() -> None:
    """JavaRosa `TriggerableDag.validate` steps the entry controller through the form and
    checks only `EVENT_QUESTION`s (`FormEntryController.answerQuestion`): a node without a
    body control (calculate, hidden) is never checked, empty and required as it is."""
    s = session_of(REQUIRED)
    assert s.is_required("/data/total") and s.is_required("/data/secret")
    fields = [p.place.field for p in s.finalize()]
    assert "/data/total" not in fields and "/data/secret" not in fields


def test_a_required_question_in_a_non_relevant_group_is_not_checked() -> None:
    """`FormEntryController.stepEvent` skips indexes that are not relevant, so
    `validate` never reaches a question of a hidden group; once shown it blocks."""
    s = session_of(REQUIRED)
    assert "/data/g/inside" not in [p.place.field for p in s.validate()]
    s.answer("/data/show", "yes")
    assert "/data/g/inside" in [p.place.field for p in s.validate()]


def test_required_read_only_questions_and_notes_block_when_empty() -> None:
    """`answerQuestion` tests `element.isRequired() && data == null` before anything else,
    read-only or not: a required read-only question or note left empty blocks (as it does
    in Collect), in form order."""
    assert _blocking(REQUIRED) == ["/data/locked", "/data/note_req"]


SELECTS = """
| survey |
| | type | name | label |
| | select_multiple crop | crops | Crops |
| | rank crop | ranked | Ranked |
| choices |
| | list_name | name | label |
| | crop | maize | Maize |
| | crop | beans | Beans |
| | crop | cassava | Cassava |
"""


@pytest.mark.parametrize("tapped", [["cassava", "maize"], "cassava maize", ["maize", "cassava"]])
def test_select_multiple_is_stored_in_choice_order(tapped: object) -> None:
    """Collect's `SelectMultiWidget` builds its `SelectMultiData` by walking the choices in
    order and keeping the checked ones, as ODK Web Forms does: the order of taps is lost."""
    s = session_of(SELECTS)
    assert s.answer("/data/crops", tapped).ok
    assert s.value("/data/crops") == "maize cassava"


def test_a_rank_keeps_the_order_given() -> None:
    """A rank (`odk:rank`) answer *is* an order: it is stored as given."""
    s = session_of(SELECTS)
    assert s.answer("/data/ranked", ["cassava", "maize", "beans"]).ok
    assert s.value("/data/ranked") == "cassava maize beans"


FILTER = """
| survey |
| | type | name | label | choice_filter |
| | select_one place | where | Where | filter != -666 |
| choices |
| | list_name | name | label | filter |
| | place | a | A | 1 |
| | place | b | B | -666 |
| | place | c | C | |
"""


def test_a_choice_without_the_filter_element_is_still_offered() -> None:
    """ODK's documented deviation from XPath 1.0 (docs "Form logic", choice filters):
    pyxform leaves `<filter>` out of a choice with an empty cell, and Collect still
    offers it for `filter != -666` (JavaRosa compares the missing node as '' → NaN, and
    NaN != -666 is true). Strict XPath would drop it (an empty node-set compares false)."""
    s = session_of(FILTER)
    assert [c.value for c in s.choices("/data/where")] == ["a", "c"]
