"""The living income questionnaire's text as enumerators read it: French written correctly
(elision before a vowel), no designer's note (a file name) in what an enumerator sees, and
the benchmark picker in English, French and Spanish as a choice list every client renders
(ODK Collect cannot read `label::language` columns of a `select_one_from_file` CSV,
getodk/collect#4266, and pyxform does not write them, XLSForm/pyxform#593)."""

from __future__ import annotations

import csv
import re

from forms.library.build import TWIN, read_markdown
from tests.forms.living_income_support import CSV

LANGUAGES = ("English (en)", "Français (fr)", "Español (es)")
SEEN = ("label", "hint", "constraint_message", "required_message")
"""The columns whose text an enumerator reads."""
NOT_ELIDED = re.compile(r"(?<![-\w])(de|que|le|la|ne|se|je|me|te)\s+[aeiouyéèêàâîôû]", re.I)
"""`de engrais` for `d'engrais` (a pronoun after a verb, `Interrogez-la à part`, is right)."""


def columns(sheet: str) -> list[dict[str, str]]:
    header, *rows = read_markdown(TWIN.read_text(encoding="utf-8"))[sheet]
    return [dict(zip(header, row, strict=False)) for row in rows]


def seen_texts(language: str) -> list[tuple[str, str]]:
    """(name, text) of every text an enumerator reads in `language`."""
    found = []
    for sheet in ("survey", "choices"):
        for row in columns(sheet):
            for column in SEEN:
                text = row.get(f"{column}::{language}", "")
                if text:
                    found.append((row.get("name", ""), text))
    return found


def test_french_elides_before_a_vowel() -> None:
    wrong = [(name, text) for name, text in seen_texts("Français (fr)") if NOT_ELIDED.search(text)]
    assert wrong == []


def test_costs_of_a_kind_of_input_are_plural_in_french() -> None:
    labels = {
        row["name"]: row["label::Français (fr)"]
        for row in columns("survey")
        if row.get("name", "").startswith(("cost_", "qty_"))
    }
    assert labels["qty_fertiliser"].startswith("Quantité d'engrais")
    for name in ("herbicide", "pesticide", "fungicide"):
        assert re.match(r"Coût des \w+s \(", labels[f"cost_{name}"]), labels[f"cost_{name}"]


def test_no_enumerator_text_is_a_designer_s_note_about_files() -> None:
    notes = [
        (language, name, text)
        for language in LANGUAGES
        for name, text in seen_texts(language)
        if ".csv" in text
    ]
    assert notes == []


def test_every_benchmark_row_is_a_choice_in_three_languages_filtered_by_country() -> None:
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    choices = {row["name"]: row for row in columns("choices") if row["list_name"] == "benchmark"}
    assert sorted(choices) == sorted(row["name"] for row in rows)
    for row in rows:
        choice = choices[row["name"]]
        assert choice["country"] == row["country"]
        assert choice["label::English (en)"] == row["label"]
        labels = [choice[f"label::{language}"] for language in LANGUAGES]
        assert all(label.endswith(row["year"]) for label in labels), labels
        assert labels[1] != labels[0] or labels[2] != labels[0], labels
    question = next(row for row in columns("survey") if row["name"] == "benchmark")
    assert question["type"] == "select_one benchmark"
    assert question["choice_filter"] == "country = ${country}"
