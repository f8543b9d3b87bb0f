"""ODK's Markdown subset in labels, hints and notes, drawn as Flet text spans.

ODK's form styling (docs.getodk.org/form-styling, "Markdown") lets a label use: bold
(`**x**`, `__x__`), italics (`*x*`, `_x_`), headings (`#` to `######` at the start of a
line), links (`[text](url)`), a newline as a line break, and `<span style="color:…">`
(also `font-family`, which we ignore). Enketo's transformer documents the same subset.
Collect renders it as rich text; so do we, with our own small parser rather than
`ft.Markdown`, because ODK's subset is not CommonMark (the `<span>` colours, no images,
no raw HTML) and a label must never fetch anything or run anything: every other
character, any other tag included, is shown as the text it is. Links open only for
`http(s)`, `mailto` and `tel` addresses. A marker that is not closed stays as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import flet as ft

from fieldapp.ui import style

_MARKERS = frozenset("*_#[<\\\n")
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^()\s]+)\)")
_SAFE_URL = re.compile(r"(?:https?://|mailto:|tel:)[^\s<>\"']+$", re.IGNORECASE)
_SPAN_OPEN = re.compile(r"<span(\s+style\s*=\s*(\"[^\"<>]*\"|'[^'<>]*'))?\s*>", re.IGNORECASE)
_SPAN_TAG = re.compile(r"<span\b[^>]*>|</span\s*>", re.IGNORECASE)
_COLOR = re.compile(
    r"(?:^|;)\s*color\s*:\s*(#(?:[0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})|[a-z]{3,20})\s*(?:;|$)",
    re.IGNORECASE,
)
_ESCAPABLE = frozenset("\\*_#[]()<>`")
HEADING_SIZES = {1: 28, 2: 26, 3: 24, 4: 22, 5: 20, 6: style.BODY}


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    color: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    runs: tuple[Run, ...]
    heading: int = 0
    """1 to 6 for a `#` heading line, 0 for text."""


def parse(text: str) -> tuple[Line, ...]:
    """The lines of `text` (a newline is a line break), each as styled runs."""
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        heading = _HEADING.match(raw)
        if heading:
            level = len(heading[1])
            lines.append(Line(_merged(_inline(heading[2], Run("", bold=True))), level))
        else:
            lines.append(Line(_merged(_inline(raw, Run("")))))
    return tuple(lines)


def plain(text: str) -> str:
    """`text` as a screen reader or a plain field label should read it: no markers."""
    if not _MARKERS.intersection(text):
        return text
    return "\n".join("".join(run.text for run in line.runs) for line in parse(text))


def rich_text(
    text: str, *, size: int = style.BODY, bold: bool = False, color: str = style.INK
) -> ft.Text:
    """One `ft.Text` showing `text`'s Markdown; plain text when it has no marker."""
    if not _MARKERS.intersection(text):
        return style.text(text, size=size, bold=bold, color=color)
    lines = parse(text)
    spans: list[ft.TextSpan] = []
    for number, line in enumerate(lines):
        line_size = HEADING_SIZES[line.heading] if line.heading else size
        for run in line.runs:
            spans.append(_span(run, line_size, bold))
        if number < len(lines) - 1:
            spans.append(ft.TextSpan("\n"))
    shown = ft.Text(
        spans=spans,
        size=size,
        color=color,
        weight=ft.FontWeight.BOLD if bold else None,
        semantics_label="\n".join("".join(r.text for r in line.runs) for line in lines),
    )
    return shown


def _span(run: Run, size: int, bold: bool) -> ft.TextSpan:
    return ft.TextSpan(
        run.text,
        style=ft.TextStyle(
            size=size,
            weight=ft.FontWeight.BOLD if run.bold or bold else ft.FontWeight.NORMAL,
            italic=run.italic,
            color=style.ACCENT if run.url and not run.color else run.color,
            decoration=ft.TextDecoration.UNDERLINE if run.url else None,
        ),
        url=run.url,
    )


def _inline(text: str, current: Run) -> list[Run]:
    runs: list[Run] = []
    pending: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and text[i + 1 : i + 2] in _ESCAPABLE and i + 1 < len(text):
            pending.append(text[i + 1])
            i += 2
            continue
        found = _styled(text, i, current)
        if found is None:
            width = 2 if text[i : i + 2] in ("**", "__") else 1
            pending.append(text[i : i + width])
            i += width
            continue
        end, inner, inner_style = found
        if pending:
            runs.append(replace(current, text="".join(pending)))
            pending = []
        runs += _inline(inner, inner_style)
        i = end
    if pending:
        runs.append(replace(current, text="".join(pending)))
    return runs


def _styled(text: str, i: int, current: Run) -> tuple[int, str, Run] | None:
    """(end, inner text, its style) of a construct opening at `i`, or None."""
    char = text[i]
    if char == "[":
        link = _LINK.match(text, i)
        if link and _SAFE_URL.match(link[2]):
            return link.end(), link[1], replace(current, url=link[2])
        return None
    if char == "<":
        return _span_tag(text, i, current)
    if char not in "*_":
        return None
    marker = text[i : i + 2] if text[i : i + 2] == char * 2 else char
    if i > 0 and text[i - 1] == char:
        return None
    if char == "_" and i > 0 and text[i - 1].isalnum():
        return None  # snake_case words keep their underscores
    close = _closing(text, i + len(marker), marker)
    if close is None:
        return None
    inner = text[i + len(marker) : close]
    styled = replace(current, bold=True) if len(marker) == 2 else replace(current, italic=True)
    return close + len(marker), inner, styled


def _closing(text: str, start: int, marker: str) -> int | None:
    """Where `marker` closes the emphasis opened before `start`: its content neither starts
    nor ends with a space; a single marker is not half of a double one."""
    if start >= len(text) or text[start].isspace():
        return None
    j = text.find(marker, start)
    while j != -1:
        after = text[j + len(marker) : j + len(marker) + 1]
        doubled = len(marker) == 1 and (after == marker or text[j - 1] == marker)
        word_joined = marker[0] == "_" and after.isalnum()
        if j > start and not text[j - 1].isspace() and not doubled and not word_joined:
            return j
        j = text.find(marker, j + 1)
    return None


def _span_tag(text: str, i: int, current: Run) -> tuple[int, str, Run] | None:
    """A `<span style="…">…</span>`, with its matching close (spans may nest)."""
    opening = _SPAN_OPEN.match(text, i)
    if opening is None:
        return None
    depth = 1
    for tag in _SPAN_TAG.finditer(text, opening.end()):
        depth += -1 if tag[0].startswith("</") else 1
        if depth == 0:
            color = _COLOR.search((opening[2] or "''")[1:-1])
            styled = replace(current, color=_color(color[1])) if color else current
            return tag.end(), text[opening.end() : tag.start()], styled
    return None


def _color(value: str) -> str:
    """A CSS colour as Flet reads it: `#f00` -> `#ff0000`; names as given, lower-case."""
    value = value.lower()
    if value.startswith("#") and len(value) == 4:
        return "#" + "".join(digit * 2 for digit in value[1:])
    return value


def _merged(runs: list[Run]) -> tuple[Run, ...]:
    """Neighbouring runs of one style joined (fewer spans to draw)."""
    out: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if out and replace(out[-1], text="") == replace(run, text=""):
            out[-1] = replace(out[-1], text=out[-1].text + run.text)
        else:
            out.append(run)
    return tuple(out)
