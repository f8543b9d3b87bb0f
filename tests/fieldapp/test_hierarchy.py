"""Go to question as ODK Collect's hierarchy view (levels, answers as shown, the current
question), repeat instances named as Collect names them, progress by section, the end
screen's problems and the repeat prompt's wording."""

from __future__ import annotations

from fieldapp.interview import Interview
from fieldapp.interview_outline import GROUP, INSTANCE, QUESTION, REPEAT
from fieldapp.store import Store
from forms.session_navigation import ANSWERED, REQUIRED_MISSING
from forms.xlsform import compile_xlsform

FORM = """
| survey | type | name | label::English (en) | label::Français (fr) | required | constraint | relevant | appearance |
| | text | village | Village | Village | yes | | | |
| | begin group | people | 1. People | 1. Personnes | | | | |
| | integer | size | Size | Taille | | . < 20 | | |
| | begin repeat | member | Member | Membre | | | | |
| | select_one unit | unit | Unit | Unité | | | | |
| | acknowledge | ready | Ready? | Prêt ? | | | | |
| | note | intro | About this member | À propos de ce membre | | | | |
| | select_one ok | checked | Checked | Vérifié | | | | |
| | text | name | Name | Nom | | | | |
| | select_one sex | sex | Sex | Sexe | | | | |
| | date | born | Born | Né le | | | | |
| | end repeat | | | | | | | |
| | end group | | | | | | | |
| | begin group | farm | 2. Farm | 2. Exploitation | | | | |
| | begin repeat | plot | Plot | Parcelle | | | | |
| | select_one crop | crop | Crop | Culture | | | | |
| | acknowledge | seen | Plot seen | Parcelle vue | | | | |
| | decimal | area | Area (ha) | Superficie (ha) | | | | |
| | end repeat | | | | | | | |
| | end group | | | | | | | |
| | text | remarks | Remarks | Remarques | | | | |
| choices | list_name | name | label::English (en) | label::Français (fr) |
| | sex | female | Woman | Femme |
| | sex | male | Man | Homme |
| | ok | yes | Confirmed | Confirmé |
| | crop | cocoa | Cocoa | Cacao |
| | crop | maize | Maize | Maïs |
| | crop | rice | Rice | Riz |
| | crop | yam | Yam | Igname |
| | unit | ha | Hectares | Hectares |
| | unit | acre | Acres | Acres |
| settings | form_id | form_title | version | default_language |
| | hier | Hierarchy test | 1 | English (en) |
"""


def interview_of(store: Store) -> Interview:
    store.add_form(compile_xlsform(FORM.encode(), filename="hier.md").xform)
    return Interview.start(store, "hier")


def test_a_level_shows_its_questions_groups_and_repeats_and_opens_where_the_screen_is(
    store: Store,
) -> None:
    interview = interview_of(store)
    top = interview.outline()
    assert top.ref == "" and top.up is None and top.path == "Hierarchy test"
    assert [(r.kind, r.label) for r in top.rows] == [
        (QUESTION, "Village"),
        (GROUP, "1. People"),
        (GROUP, "2. Farm"),
        (QUESTION, "Remarks"),
    ]
    assert [r.current for r in top.rows] == [True, False, False, False]
    assert top.rows[0].state == REQUIRED_MISSING

    people = interview.outline("/data/people")
    assert people.up == "" and people.path == "1. People"
    assert [(r.kind, r.count) for r in people.rows] == [(QUESTION, 0), (REPEAT, 1)]

    interview.session.add_repeat("/data/people/member")
    interview.jump("/data/people/member[2]/sex")
    assert interview.outline().ref == "/data/people/member[2]"  # the level holding the screen
    people = interview.outline("/data/people")
    repeat = people.rows[1]
    assert (repeat.kind, repeat.ref, repeat.count, repeat.current) == (
        REPEAT,
        "/data/people/member",
        2,
        True,
    )
    picker = interview.outline(repeat.ref)
    assert picker.up == "/data/people" and picker.path == "1. People › Member"
    assert [(r.kind, r.ref, r.current) for r in picker.rows] == [
        (INSTANCE, "/data/people/member[1]", False),
        (INSTANCE, "/data/people/member[2]", True),
    ]
    member = interview.outline("/data/people/member[2]")
    assert member.up == "/data/people/member" and member.path == "1. People › Member 2"
    assert [r.ref for r in member.rows if r.current] == ["/data/people/member[2]/sex"]

    interview.remove_repeat("/data/farm/plot[1]")  # on its prompt now, "Add 'Plot'?"
    farm = interview.outline()
    assert [(r.kind, r.ref, r.count, r.current) for r in farm.rows] == [
        (REPEAT, "/data/farm/plot", 0, True)
    ]


def test_answers_show_as_the_enumerator_saw_them_in_the_form_language(store: Store) -> None:
    interview = interview_of(store)
    member = "/data/people/member[1]"
    interview.answer(f"{member}/sex", "female")
    interview.answer(f"{member}/born", "2001-07-04")
    interview.answer("/data/people/size", 3)
    answers = {r.ref: r.answer for r in interview.outline(member).rows}
    assert answers[f"{member}/sex"] == "Woman"
    assert answers[f"{member}/born"] == "4 Jul 2001"

    interview.set_language("Français (fr)")
    answers = {r.ref: r.answer for r in interview.outline(member).rows}
    assert answers[f"{member}/sex"] == "Femme"
    assert answers[f"{member}/born"] == "4 juil. 2001"
    states = {r.ref: r.state for r in interview.outline(member).rows}
    assert states[f"{member}/sex"] == ANSWERED


def test_repeat_instances_are_named_by_label_and_number_or_their_first_text_or_choice(
    store: Store,
) -> None:
    """ODK Collect (FormHierarchyFragment) names an instance by its repeat's label and its
    number; we add its first text, else the choice of a kind among several at its first
    question: never an acknowledge, a note, a confirmation (the plot once named "1.
    confirmed"), a unit, nor a choice further down (a member's sex)."""
    interview = interview_of(store)
    first = "/data/people/member[1]"  # a form starts with one instance, as in Collect
    second = interview.session.add_repeat("/data/people/member")
    third = interview.session.add_repeat("/data/people/member")
    for ref in (first, second, third):
        interview.answer(f"{ref}/unit", "ha")  # a unit names nothing
        interview.answer(f"{ref}/ready", "OK")
        interview.answer(f"{ref}/checked", "yes")
    interview.answer(f"{second}/name", "Awa")
    interview.answer(f"{third}/sex", "male")
    plot = "/data/farm/plot[1]"
    interview.answer(f"{plot}/seen", "OK")
    interview.answer(f"{plot}/area", 2.5)

    names = dict(interview._repeat_items("/data/people/member"))
    assert names == {first: "Member 1", second: "Member 2: Awa", third: "Member 3"}
    assert dict(interview._repeat_items("/data/farm/plot")) == {plot: "Plot 1"}
    interview.answer(f"{plot}/crop", "maize")
    assert dict(interview._repeat_items("/data/farm/plot")) == {plot: "Plot 1: Maize"}


def test_progress_is_by_section_and_never_moves_back_when_repeats_add_screens(
    store: Store,
) -> None:
    interview = interview_of(store)
    seen: list[tuple[int, float]] = []
    added = 0
    while interview.screen().kind != "end":
        screen = interview.screen()
        seen.append((screen.part, screen.progress))
        if screen.kind == "repeat_prompt" and added < 3:
            interview.add_repeat(screen.repeat_ref)  # more screens appear ahead
            added += 1
        else:
            interview.next()
    assert interview.screen().parts == 2  # "1. People", "2. Farm"; not Village nor Remarks
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)
    assert [v for _, v in seen] == sorted(v for _, v in seen)
    assert {p for p, _ in seen} == {0, 1, 2}
    assert interview.screen().progress == 1.0


def test_the_end_summary_counts_problems_and_names_the_first(store: Store) -> None:
    interview = interview_of(store)
    summary = interview.summary()
    assert (summary.name, summary.problems, summary.first_problem) == (
        "Hierarchy test",
        1,  # Village: required and empty
        "/data/village",
    )
    interview.answer("/data/village", "Kpalimé")
    assert interview.summary().problems == 0


def test_the_repeat_prompt_asks_for_a_first_then_another_and_delete_counts_answers(
    store: Store,
) -> None:
    """ODK Collect's AddRepeatDialog: "Add 'Member'?" while the repeat has no instance,
    "Add another 'Member'?" once it has one (a form starts with one instance)."""
    interview = interview_of(store)
    member = "/data/people/member[1]"
    interview.answer(f"{member}/name", "Awa")
    interview.answer(f"{member}/sex", "female")
    interview.answer(f"{member}/ready", "OK")
    while interview.screen().kind != "repeat_prompt":
        interview.next()
    assert interview.screen().prompt == "Add another 'Member'?"
    assert interview.answers_in(member) == 3
    interview.remove_repeat(member)
    assert interview.screen().prompt == "Add 'Member'?"
    interview.set_language("Français (fr)")
    assert interview.screen().prompt == "Ajouter « Membre » ?"
    interview.add_repeat("/data/people/member")
    while interview.screen().kind != "repeat_prompt":
        interview.next()
    assert interview.screen().prompt == "Ajouter un autre groupe « Membre » ?"
