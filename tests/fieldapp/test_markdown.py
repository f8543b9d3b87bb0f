"""ODK's Markdown subset in labels and notes (issue #14 item 11).

The subset is ODK's "Form styling" page (docs.getodk.org/form-styling/#markdown): `**`/`__`
bold, `*`/`_` italics, `#`..`######` headings, `[text](url)` links, newlines as line
breaks, `<span style="color:…">`. Collect shows it as rich text; anything else stays text.
"""

from __future__ import annotations

import flet as ft
import pytest

from fieldapp.ui import style
from fieldapp.ui.markdown import HEADING_SIZES, Line, Run, parse, plain, rich_text


def runs(text: str) -> list[tuple[str, str]]:
    """Each run of a one-line text as (text, its style in letters: b, i, a colour, a url)."""
    (line,) = parse(text)
    out = []
    for run in line.runs:
        marks = ("b" if run.bold else "") + ("i" if run.italic else "")
        marks += f"{run.color or ''}{'@' + run.url if run.url else ''}"
        out.append((run.text, marks))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**Total** income", [("Total", "b"), (" income", "")]),
        ("__Total__ income", [("Total", "b"), (" income", "")]),
        ("the *main* crop", [("the ", ""), ("main", "i"), (" crop", "")]),
        ("the _main_ crop", [("the ", ""), ("main", "i"), (" crop", "")]),
        ('<span style="color:red">late</span>', [("late", "red")]),
        ("<span style='color: #0A0'>ok</span>", [("ok", "#00aa00")]),
        ('<span style="font-family:serif">plain</span>', [("plain", "")]),
        ("[ODK](https://getodk.org) docs", [("ODK", "@https://getodk.org"), (" docs", "")]),
        ("call [us](tel:+225123)", [("call ", ""), ("us", "@tel:+225123")]),
    ],
)
def test_each_construct(text: str, expected: list[tuple[str, str]]) -> None:
    assert runs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold _and italic_**", [("bold ", "b"), ("and italic", "bi")]),
        ("*a **b** c*", [("a ", "i"), ("b", "bi"), (" c", "i")]),
        (
            '<span style="color:blue">**x** [y](https://y.org)</span>',
            [("x", "bblue"), (" ", "blue"), ("y", "blue@https://y.org")],
        ),
        ("**[bold link](https://a.org)**", [("bold link", "b@https://a.org")]),
        (
            '<span style="color:red">a <span style="color:green">b</span> c</span>',
            [("a ", "red"), ("b", "green"), (" c", "red")],
        ),
    ],
)
def test_constructs_nest(text: str, expected: list[tuple[str, str]]) -> None:
    assert runs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "**unclosed bold",
        "an *unclosed italic",
        "2 * 3 * 4 = 24",
        "household_id and plot_area_ha",
        "a snake__case__word",
        "[no url]",
        "[text](not a url)",
        '<span style="color:red">never closed',
        "** spaced **",
        "#tag is not a heading, nor ####### seven",
    ],
)
def test_unbalanced_or_not_markdown_stays_text(text: str) -> None:
    assert runs(text) == [(text, "")]
    assert plain(text) == text


def test_a_heading_line_and_line_breaks() -> None:
    lines = parse("# Summary\n## Income\nmain crop: 12\n\nwages: 3")
    assert [line.heading for line in lines] == [1, 2, 0, 0, 0]
    assert lines[0] == Line((Run("Summary", bold=True),), 1)
    assert [plain_line(line) for line in lines] == [
        "Summary",
        "Income",
        "main crop: 12",
        "",
        "wages: 3",
    ]
    assert parse("####### seven")[0].heading == 0


def plain_line(line: Line) -> str:
    return "".join(run.text for run in line.runs)


@pytest.mark.parametrize(
    ("attack", "shown"),
    [
        ("<script>alert('x')</script>", "<script>alert('x')</script>"),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
        (
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
        ),
        (
            '<span style="color:red" onclick="x()">a</span>',
            '<span style="color:red" onclick="x()">a</span>',
        ),
        ('<span style="color:url(https://evil.example/x)">a</span>', "a"),
        ("<b>bold?</b> &lt;span&gt;", "<b>bold?</b> &lt;span&gt;"),
    ],
)
def test_injection_attempts_stay_text_and_open_nothing(attack: str, shown: str) -> None:
    """Tags other than a well-formed colour span are shown as typed; no address but http(s),
    mailto and tel becomes a link; a colour that is not a colour is dropped."""
    (line,) = parse(attack)
    assert plain_line(line) == shown
    assert all(run.url is None and run.color is None for run in line.runs)


def test_escaped_markers_are_shown_as_they_are() -> None:
    assert runs(r"\*not italic\* and \_kept\_") == [("*not italic* and _kept_", "")]


def test_rich_text_draws_spans_with_line_breaks_and_a_reading() -> None:
    shown = rich_text("# Income\n**Total**: 1 234", size=style.BODY)
    assert shown.spans is not None
    texts = [span.text for span in shown.spans]
    assert texts == ["Income", "\n", "Total", ": 1 234"]
    heading, _, total, rest = shown.spans
    assert heading.style is not None and heading.style.size == HEADING_SIZES[1]
    assert total.style is not None and total.style.weight == ft.FontWeight.BOLD
    assert rest.style is not None and rest.style.weight == ft.FontWeight.NORMAL
    assert shown.semantics_label == "Income\nTotal: 1 234"


def test_rich_text_of_plain_text_is_a_plain_text() -> None:
    shown = rich_text("How many plots?", bold=True)
    assert shown.value == "How many plots?" and not shown.spans
    assert shown.weight == ft.FontWeight.BOLD


def test_a_link_is_underlined_and_opens_its_address() -> None:
    shown = rich_text("see [the guide](https://example.org/guide)")
    assert shown.spans is not None
    link = shown.spans[-1]
    assert link.url == "https://example.org/guide"
    assert link.style is not None and link.style.decoration == ft.TextDecoration.UNDERLINE
