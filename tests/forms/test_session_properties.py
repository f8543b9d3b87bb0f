"""Properties: any answer sequence leaves the incremental state equal to a from-scratch
evaluation, never serializes a non-relevant value, and round-trips through XML."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from session_support import definition_of, fixed_env, state

from forms import session_screens
from forms.session import FormSession
from forms.session_navigation import GROUP, QUESTION, REPEAT_PROMPT, Screen, prompt_screen, walk
from forms.session_screens import ScreenTree
from forms.xpath.tree import Node

FORM = """
| survey |
| | type | name | label | relevant | calculation | constraint | repeat_count | required | choice_filter | appearance |
| | integer | size | Size | | | . < 6 | | | |
| | select_one yn | farm | Farm? | | | | | | |
| | select_multiple crop | grown | Grown | | | | | | farm = ${farm} or farm = 'any' |
| | begin group | crops | Crops | ${farm} = 'yes' | | | | |
| | integer | fields | Fields | | | | | yes |
| | text | main | Main crop | ${fields} > 1 | | | | |
| | end group | | | | | | | |
| | calculate | total | | | coalesce(${fields}, 0) + coalesce(${size}, 0) | | | |
| | begin repeat | person | Person | | | | ${size} | |
| | integer | age | Age | | | | | |
| | text | job | Job | ${age} > ${total} | | | | |
| | calculate | rank | | | position(..) | | | |
| | end repeat | | | | | | | |
| | begin repeat | visit | Visit | ${total} > 2 | | | | |
| | text | note | Note | | | | | |
| | begin group | detail | Detail | ${total} != 3 | | | | | | field-list |
| | text | who | Who | ${note} = 'a' | | | | | | |
| | text | why | Why | | | | | | | |
| | end group | | | | | | | | | |
| | calculate | seen | | | concat(${note}, '/', ${main}) | | | |
| | end repeat | | | | | | | |
| | calculate | ages | | | sum(${age}) | | | |
| | text | summary | Summary | ${ages} > 10 | | | | |
| choices |
| | list_name | name | label | farm |
| | yn | yes | Yes | |
| | yn | no | No | |
| | crop | rice | Rice | yes |
| | crop | cocoa | Cocoa | yes |
| | crop | kola | Kola | any |
| | crop | none | None | no |
"""
DEFINITION = definition_of(FORM)

numbers = st.one_of(st.none(), st.integers(-3, 12), st.just("x"))
texts = st.one_of(st.none(), st.sampled_from(["", "a", "b<&>", "rice"]))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("/data/size"), numbers),
        st.tuples(st.just("/data/farm"), st.sampled_from(["yes", "no", None, "maybe"])),
        st.tuples(st.just("/data/grown"), st.sampled_from(["rice kola", "cocoa", "none", None])),
        st.tuples(st.just("/data/crops/fields"), numbers),
        st.tuples(st.just("/data/crops/main"), texts),
        st.tuples(st.sampled_from(["/data/person[1]/age", "/data/person[2]/age"]), numbers),
        st.tuples(st.sampled_from(["/data/person[1]/job", "/data/summary"]), texts),
        st.tuples(st.sampled_from(["/data/visit[1]/note", "/data/visit[2]/note"]), texts),
        st.tuples(st.just("/data/visit[1]/detail/why"), texts),
        st.tuples(st.just("add"), st.just("/data/visit")),
        st.tuples(st.just("remove"), st.just("/data/visit[1]")),
    ),
    max_size=12,
)


class PlainRefs:
    """Refs worked out by scanning the siblings each time (no table kept anywhere)."""

    def __init__(self, repeats: frozenset[str]) -> None:
        self.repeats = repeats

    def ref(self, node: Node) -> str:
        steps: list[str] = []
        while node.parent is not None:
            step = node.name
            if node.path() in self.repeats:
                same = [c for c in node.parent.children if c.name == node.name]
                step += f"[{same.index(node) + 1}]"
            steps.append(step)
            node = node.parent
        return "/" + "/".join(reversed(steps))


def reference_screens(s: FormSession) -> list[Screen]:
    """The screens listed by a plain walk of the whole form (the engine's first way)."""
    fresh = PlainRefs(s.repeats)
    found: list[Screen] = []
    for control, node, _ in walk(s, s.definition.body, s.document, 0):
        if control.kind == "repeat":
            name = str(control.ref).rsplit("/", 1)[1]
            instances = [c for c in node.children if c.name == name]
            shown = control.count is None and node.relevant
            if shown and (not instances or instances[0].relevant):
                text = prompt_screen(s, control, node).text  # the wording is not kept
                found.append(Screen(REPEAT_PROMPT, f"{fresh.ref(node)}/{name}", (), text))
        elif not node.relevant:
            continue
        elif control.kind == "group" and control.is_field_list:
            inside = tuple(
                fresh.ref(n)
                for c, n, _ in walk(s, control.children, node, 0)
                if c.kind not in ("group", "repeat") and n.relevant
            )
            if inside:
                found.append(Screen(GROUP, fresh.ref(node), inside))
        elif control.kind != "group":
            found.append(Screen(QUESTION, fresh.ref(node), (fresh.ref(node),)))
    return found


def assert_navigation_from_scratch(s: FormSession) -> None:
    """The screens kept across changes, and the refs and positions cached, equal those of
    a fresh computation; every screen is found again by its ref."""
    kept = list(s.screens())
    assert kept == list(ScreenTree(s)) == reference_screens(s)
    s._tree._listed = None  # read again by descending the counts kept across changes
    assert [s.screen(i) for i in range(len(s.screens()))] == kept
    fresh = PlainRefs(s.repeats)
    nodes = [n for n in s.document.iter() if n is not s.document]
    assert [s.ref(n) for n in nodes] == [fresh.ref(n) for n in nodes]
    assert all(s.index.find(fresh.ref(n)) is n for n in nodes)
    for i, screen in enumerate(kept):
        assert s.jump(screen.ref) == i
        assert all(s.jump(q) == i for q in screen.questions)


def play(steps: list[tuple[str, object]]) -> FormSession:
    s = FormSession.new(DEFINITION, env=fixed_env())
    for step, (ref, value) in enumerate(steps):
        if ref == "add":
            s.add_repeat(str(value))
        elif ref == "remove":
            if _exists(s, str(value)):
                s.remove_repeat(str(value))
        elif ref.startswith("/data/visit") or ref.startswith("/data/person"):
            if _exists(s, ref):
                s.answer(ref, value)
        else:
            s.answer(ref, value)
        if step % 2:  # navigation keeps its tree, or its list, up to date
            len(s.screens())
        else:
            list(s.screens())
    return s


def _exists(s: FormSession, ref: str) -> bool:
    return s.index.find(ref) is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
@example([("/data/farm", "yes"), ("/data/grown", "rice kola"), ("/data/farm", "no")])
def test_incremental_equals_from_scratch(steps: list[tuple[str, object]]) -> None:
    s = play(steps)
    incremental = state(s)
    assert_navigation_from_scratch(s)
    offered = {c.value for c in s.choices("/data/grown")}
    assert set(s.value("/data/grown").split()) <= offered  # cascading answers follow
    s.recompute_all()
    assert state(s) == incremental


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_navigation_with_repeats_kept_in_chunks(steps: list[tuple[str, object]]) -> None:
    """Big repeats keep their instances in chunks (`session_screens.CHUNK`): with chunks
    of 2 the same changes give the same screens, refs and jumps as a fresh computation."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session_screens, "CHUNK", 2)
        assert_navigation_from_scratch(play(steps))


@settings(max_examples=60, deadline=None)
@given(operations)
def test_non_relevant_never_serialized_and_xml_round_trips(steps: list[tuple[str, object]]) -> None:
    s = play(steps)
    xml = s.to_xml()
    relevant = sum(1 for n in s.document.iter() if n is not s.document and n.relevant)
    assert sum(1 for _ in ElementTree.fromstring(xml).iter()) == relevant
    assert FormSession.load(DEFINITION, xml, env=fixed_env()).to_xml() == xml
