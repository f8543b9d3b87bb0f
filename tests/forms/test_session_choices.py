"""Itemsets with choice filters, translations switched at any time, outputs in labels."""

from __future__ import annotations

from session_support import fixed_env, session_of

from forms.session import FormSession

CASCADE = """
| survey |
| | type | name | label::English (en) | label::Français (fr) | hint::English (en) | hint::Français (fr) | choice_filter | constraint | constraint_message::English (en) | constraint_message::Français (fr) |
| | text | name | Name | Nom | | | | | | |
| | select_one region | region | Region of ${name} | Région de ${name} | Pick one | Choisissez | | | | |
| | select_one district | district | District | District | | | region=${region} | . != 'd3' | Not d3 | Pas d3 |
| | text | info | You chose ${district} | Vous avez choisi ${district} | | | | | | |
| choices |
| | list_name | name | label::English (en) | label::Français (fr) | region |
| | region | north | North | Nord | |
| | region | south | South | Sud | |
| | district | d1 | One | Un | north |
| | district | d2 | Two | Deux | north |
| | district | d3 | Three | Trois | south |
"""


def test_cascading_select_filters_on_the_parent_answer() -> None:
    s = session_of(CASCADE)
    assert s.choices("/data/district") == []
    s.answer("/data/region", "north")
    assert [c.value for c in s.choices("/data/district")] == ["d1", "d2"]
    assert not s.answer("/data/district", "d3").ok
    s.answer("/data/region", "south")
    assert [(c.value, c.label) for c in s.choices("/data/district")] == [("d3", "Three")]


def test_translations_switch_at_any_time() -> None:
    s = session_of(CASCADE)
    s.answer("/data/name", "Awa")
    assert s.label("/data/region") == "Region of Awa"
    assert s.hint("/data/region") == "Pick one"
    assert [c.label for c in s.choices("/data/region")] == ["North", "South"]
    s.set_language("Français (fr)")
    assert s.label("/data/region") == "Région de Awa"
    assert s.hint("/data/region") == "Choisissez"
    assert [c.label for c in s.choices("/data/region")] == ["Nord", "Sud"]
    s.answer("/data/region", "south")
    assert s.answer("/data/district", "d3").message == "Pas d3"
    s.set_language("English (en)")
    assert s.answer("/data/district", "d3").message == "Not d3"


def test_outputs_fill_in_label_text() -> None:
    s = session_of(CASCADE)
    s.answer("/data/region", "north")
    s.answer("/data/district", "d2")
    assert s.label("/data/info") == "You chose d2"


def test_choice_name_uses_the_current_language() -> None:
    s = session_of(
        """
| survey |
| | type | name | label::English (en) | label::Français (fr) | calculation |
| | select_one c | pick | Pick | Choix | |
| | calculate | shown | | | jr:choice-name(${pick}, '${pick}') |
| choices |
| | list_name | name | label::English (en) | label::Français (fr) |
| | c | y | Yes | Oui |
"""
    )
    s.answer("/data/pick", "y")
    assert s.value("/data/shown") == "Yes"


def test_choices_from_a_csv_attachment() -> None:
    s = session_of(
        """
| survey |
| | type | name | label | choice_filter |
| | select_one_from_file towns.csv | town | Town | region = 'n' |
""",
        attachments={
            "towns.csv": b"name,label,region\nbo,Bo,n\nkenema,Kenema,s\nmakeni,Makeni,n\n"
        },
    )
    assert [(c.value, c.label) for c in s.choices("/data/town")] == [
        ("bo", "Bo"),
        ("makeni", "Makeni"),
    ]
    assert s.answer("/data/town", "makeni").ok
    assert not s.answer("/data/town", "kenema").ok


MULTI = """
| survey |
| | type | name | label | choice_filter |
| | select_one region | region | Region | |
| | select_multiple crop | crops | Crops | zone = ${region} or zone = 'all' |
| | select_one district | district | District | region=${region} |
| choices |
| | list_name | name | label | zone | region |
| | region | north | North | | |
| | region | south | South | | |
| | crop | maize | Maize | all | |
| | crop | rice | Rice | north | |
| | crop | sorghum | Sorghum | north | |
| | crop | cassava | Cassava | south | |
| | district | d1 | One | | north |
| | district | d3 | Three | | south |
"""


def test_changing_the_parent_clears_an_answer_no_longer_offered() -> None:
    s = session_of(CASCADE)
    s.answer("/data/region", "north")
    assert s.answer("/data/district", "d2").ok
    s.answer("/data/region", "north")
    assert s.value("/data/district") == "d2"
    s.answer("/data/region", "south")
    assert s.value("/data/district") == ""
    assert s.label("/data/info") == "You chose"


def test_select_multiple_drops_only_the_values_no_longer_offered() -> None:
    s = session_of(MULTI)
    s.answer("/data/region", "north")
    assert s.answer("/data/crops", ["rice", "maize", "sorghum"]).ok
    s.answer("/data/district", "d1")
    s.answer("/data/region", "south")
    assert (s.value("/data/crops"), s.value("/data/district")) == ("maize", "")
    assert [c.value for c in s.choices("/data/crops")] == ["maize", "cassava"]


def test_filtered_lists_are_in_the_dependency_graph() -> None:
    s = session_of(MULTI)
    s.answer("/data/region", "north")
    s.answer("/data/crops", "rice")
    before = s.evaluations
    s.answer("/data/region", "south")
    assert s.evaluations - before == 2  # the two filtered lists, nothing else


def test_a_resumed_answer_is_not_cleared_when_the_form_loads() -> None:
    s = session_of(MULTI)
    s.answer("/data/region", "north")
    s.answer("/data/crops", "maize rice")
    xml = s.to_xml().replace("<region>north</region>", "<region>south</region>")
    resumed = FormSession.load(s.definition, xml, env=fixed_env())
    assert resumed.value("/data/crops") == "maize rice"
