"""No English word inside a French interview (issue #14 item 5).

ODK Collect draws the form's text in the form language and its own buttons in the app's;
an enumerator running a French interview on a phone set to English then reads "Add",
"Saved", "End of the interview" between French questions. Inside an interview we show the
app's words in the form language when the app has them. This walks the shipped living
income questionnaire in French, with the app in English, through the engine (a whole
simulated household) and the screens the app draws, and looks for any English text of the
app's word list that French translates.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import flet as ft
import pytest

from fieldapp.interview import Interview
from fieldapp.store import Store
from fieldapp.ui.filling import Filling
from fieldapp.ui.words import translator
from forms.testdrive_interview import Tally
from forms.testdrive_interview import interview as simulate

FORM = "living_income_household"
FRENCH = "Français (fr)"
_TEXT_FIELDS = ("value", "text", "label", "tooltip", "hint_text", "semantics_label", "title")


def words(language: str) -> dict[str, str]:
    text = resources.files("fieldapp.i18n").joinpath(f"{language}.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def english_patterns() -> dict[str, re.Pattern[str]]:
    """Each English text French translates differently, as a pattern that finds it inside a
    longer text (`{name}` placeholders match anything); texts with no word of their own
    ("{label}: {count}") are left out."""
    english, french = words("en"), words("fr")
    patterns = {}
    for key, text in english.items():
        if french.get(key, text) == text:
            continue
        literal = re.split(r"\{[^}]*\}", text)
        if not any(re.search(r"[A-Za-z]{2,}", part) for part in literal):
            continue
        body = ".+?".join(re.escape(part) for part in literal)
        patterns[key] = re.compile(rf"(?<![A-Za-zÀ-ÿ]){body}(?![A-Za-zÀ-ÿ])")
    return patterns


class FakePage:
    """The page calls a screen makes; dialogs are kept so their text is read too."""

    def __init__(self) -> None:
        self.dialogs: list[ft.Control] = []

    def show_dialog(self, dialog: ft.Control) -> None:
        self.dialogs.append(dialog)

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None  # update, pop_dialog, run_task ...


class FakeShell:
    """Records what a screen shows: its title and every control it hands the shell."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.page = FakePage()
        self.t = translator("en")
        self.body = ft.Column()
        self.shown: list[Any] = []

    def show(self, title: str, controls: list[ft.Control], **parts: Any) -> None:
        self.shown.append(title)
        self.shown += controls
        self.shown += [part for part in parts.values() if isinstance(part, ft.Control)]

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None  # home, notify, go ...


def texts_of(item: Any, seen: set[int] | None = None) -> Iterator[str]:
    """Every text a control (and the controls inside it) shows or reads out."""
    seen = set() if seen is None else seen
    if isinstance(item, str):
        yield item
        return
    if isinstance(item, list | tuple):
        for child in item:
            yield from texts_of(child, seen)
        return
    if not dataclasses.is_dataclass(item) or id(item) in seen:
        return
    seen.add(id(item))
    for found in dataclasses.fields(item):
        if found.name.startswith("_") or found.name in ("page", "parent", "data"):
            continue
        value = getattr(item, found.name, None)
        if isinstance(value, str):
            if found.name in _TEXT_FIELDS:
                yield value
        elif isinstance(value, list | tuple) or dataclasses.is_dataclass(value):
            yield from texts_of(value, seen)


def english_in(texts: list[str]) -> list[tuple[str, str]]:
    patterns = english_patterns()
    return [
        (key, text)
        for text in dict.fromkeys(texts)
        for key, pattern in patterns.items()
        if pattern.search(text)
    ]


def test_the_word_list_check_finds_english_words() -> None:
    """The check itself: English words of the list are found inside longer texts, French
    ones and English-looking form text the list does not hold are not."""
    found = english_in(["Saved", "Add another plot? Add", "Fin de l'entretien", "Adds"])
    assert ("filling.saved", "Saved") in found
    assert any(key == "repeat.add" for key, _ in found)
    assert all(text not in ("Fin de l'entretien", "Adds") for _, text in found)


@pytest.fixture
def french_interview(store: Store) -> Interview:
    """A whole simulated household answered in the engine (the test-drive's random
    interview; this seed consents and adds roster members and plots), resumed in French."""
    draft = Interview.start(store, FORM, app_language="fr")
    simulate(draft.session, random.Random(4), Tally())
    draft.save()
    return Interview.resume(store, draft.instance_id, app_language="en")


def test_a_french_interview_shows_no_english_word(
    store: Store, french_interview: Interview
) -> None:
    assert french_interview.language == FRENCH
    shell = FakeShell(store)
    filling = Filling(shell, french_interview)  # type: ignore[arg-type]
    screens = french_interview.session.screens()
    assert french_interview.session.value("/data/consent") == "yes"
    assert sum(screen.kind == "repeat_prompt" for screen in screens) >= 3
    for index in range(len(screens) + 1):  # every screen, then the end screen
        french_interview.index = index
        filling.render()
    french_interview.index = 0
    filling.render()
    filling.answer("/data/identification/household_id", "HH-14")  # the save state shows
    shown = list(texts_of(shell.shown)) + list(texts_of(shell.page.dialogs))
    assert len(shown) > 10 * len(screens)  # the walk read the screens
    assert "Enquêteur" in " ".join(shown)
    assert words("fr")["filling.saved"] in shown
    assert english_in(shown) == []


def test_a_fresh_french_interview_and_its_messages_show_no_english_word(store: Store) -> None:
    """Finalizing an empty interview: the required messages and the problem notice."""
    interview = Interview.start(store, FORM, app_language="fr")
    shell = FakeShell(store)
    filling = Filling(shell, interview)  # type: ignore[arg-type]
    filling.render()
    filling.finalize()
    shown = list(texts_of(shell.shown)) + list(texts_of(shell.page.dialogs))
    assert "Désolé, cette réponse est obligatoire !" in shown
    assert english_in(shown) == []


def test_leaving_the_interview_gives_the_app_its_own_words_back(store: Store) -> None:
    interview = Interview.start(store, FORM, app_language="fr")
    shell = FakeShell(store)
    filling = Filling(shell, interview)  # type: ignore[arg-type]
    assert shell.t("filling.next") == words("fr")["filling.next"]
    filling.save_and_close()
    assert shell.t("filling.next") == words("en")["filling.next"]
