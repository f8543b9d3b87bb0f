"""The catalog of user-facing messages of the form engine, keyed by code.

Each entry is a `str.format` template; parameters are named. Keep hints short and
concrete: say what to change.
"""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, str] = {
    # XPath
    "xpath.syntax": "The expression '{expr}' cannot be read: {detail}.",
    "xpath.too_deep": "The expression is nested too deeply (more than {limit} levels).",
    "xpath.too_long": "The expression is too long ({length} characters; the limit is {limit}).",
    "xpath.unknown_function": "Unknown function '{name}()' in '{expr}'.",
    "xpath.arg_count": "The function '{name}()' takes {expected} argument(s), but {given} were given.",
    "xpath.unknown_instance": "There is no instance with id '{id}'.",
    "xpath.eval": "The expression '{expr}' cannot be evaluated: {detail}.",
    "xpath.bad_xml": "The {what} XML cannot be read: {detail}.",
    "xpath.no_context": "The context path '{path}' does not select any node.",
    "xpath.bad_argument": "The function '{name}()' cannot use the value {value!r}: {detail}.",
}


def render(code: str, params: dict[str, Any]) -> str:
    template = CATALOG.get(code)
    if template is None:
        return f"{code}: {params}"
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return f"{template} {params}"


CATALOG.update(
    {
        # Reading an XLSForm file
        "xlsform.empty": "The file is empty.",
        "xlsform.too_big": "The file is larger than {limit_mb} MB; an XLSForm is far smaller.",
        "xlsform.unknown_type": (
            "This is not an XLSForm: expected an Excel workbook (.xlsx or .xls), CSV or markdown."
        ),
        "xlsform.corrupt": "The file looks like an Excel workbook but is damaged; save it again from Excel.",
        "xlsform.ods": "This is an OpenDocument spreadsheet; save it as .xlsx first.",
        "xlsform.unreadable": "The workbook cannot be read: {detail}.",
        "xlsform.not_found": "The file does not exist.",
        "xlsform.csv_layout": (
            "A CSV XLSForm names each sheet in its first column: a row 'survey', then the "
            "header row (type, name, label) and the questions one column to the right."
        ),
        # pyxform's complaints, with hints
        "xlsform.duplicate_choice": (
            "The choice list '{list}' has the name '{value}' twice (first at row {first_row}). "
            "Give each choice its own name, or, if the duplicate is intended, add the setting "
            "'allow_choice_duplicates' = yes on the settings sheet."
        ),
        "xlsform.unknown_type_name": (
            "Unknown question type '{type}'. Check the spelling; a select needs its list name, "
            "e.g. 'select_one yes_no'."
        ),
        "xlsform.no_label": "The question '{name}' has no label or hint; add a label.",
        "xlsform.missing_list": (
            "The choice list '{list}' is used on the survey sheet but has no rows on the choices "
            "sheet; add its choices or fix the list name."
        ),
        "xlsform.no_choices_sheet": (
            "The form has select questions but no 'choices' sheet with the columns "
            "list_name, name and label."
        ),
        "xlsform.no_survey_sheet": "The workbook has no sheet named 'survey'.",
        "xlsform.duplicate_name": (
            "The name '{name}' is used twice in the same group or repeat; names must be unique there."
        ),
        "xlsform.unmatched_group": "'{kind}' '{name}' has no matching end (or begin) row.",
        "xlsform.surveycto_type": "SurveyCTO's type '{type}' was turned into {became}.",
        "xlsform.surveycto_function": "SurveyCTO's function {function} was turned into {became}.",
        "xlsform.pyxform": "{detail}",
        "summary.no_language": "The form has no language '{language}' (it has: {available}).",
        "xlsform.warning": "{detail}",
    }
)

CATALOG.update(
    {
        # Reading an XForm (forms.xform_reader)
        "xform.empty": "The XForm is empty.",
        "xform.malformed": (
            "The XForm is not well-formed XML at line {line}, column {column}: {detail}. "
            "Export it again from the XLSForm."
        ),
        "xform.entity": (
            "The XML declares an entity ('{name}'); entities are refused for safety. "
            "Remove the <!DOCTYPE> declaration."
        ),
        "xform.external_reference": (
            "The XML refers to an external resource ('{reference}'); this is refused for safety."
        ),
        "xform.not_xform": "This is not an XForm: the root element is <{element}>, not <h:html>.",
        "xform.no_model": "The XForm has no <h:head> with a <model>.",
        "xform.no_instance": "The XForm's model has no primary <instance> with a root element.",
        "xform.too_deep": "The XML is nested too deeply (more than {limit} levels).",
        "xform.instance_without_id": "A secondary <instance> has no id.",
        "xform.empty_instance": "The instance '{id}' has neither content nor a src attachment.",
        "xform.bind_missing_node": "The bind for {path} points at no node of the primary instance.",
        "xform.control_missing_node": (
            "The <{element}> for {path} points at no node of the primary instance."
        ),
        "xform.control_without_ref": "A <{element}> has no ref.",
        "xform.unknown_bind_id": "No bind has the id '{id}'.",
        "xform.action_without_ref": "A <{element}> has no ref.",
        "xform.action_missing_node": (
            "The <{element}> sets {path}, which is no node of the primary instance."
        ),
        "xform.action_without_event": "The <{element}> has no event.",
        "xform.itemset_without_value": "The itemset has no <value ref=...>.",
        "xform.itext_missing": "The translation '{id}' is used but defined in no language.",
        "xform.itext_incomplete": "The translation '{id}' is missing in: {languages}.",
        "xform.unknown_element": "Unknown element <{element}> in <{parent}>; it is ignored.",
        # Attachments (CSV, XML, GeoJSON secondary instances)
        "xform.csv_header": (
            "The CSV column name '{name}' cannot be used: start with a letter or '_', and use "
            "only letters, digits, '_', '-' and '.'."
        ),
        "xform.csv_row": "The CSV row has {cells} cells but the header has {columns} columns.",
        "xform.geojson": "The GeoJSON file cannot be read: {detail}.",
    }
)
