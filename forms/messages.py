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

CATALOG.update(
    {
        # Filling a form (FormSession)
        "session.cycle": "The calculations or relevance conditions of these fields depend on each other in a circle: {fields}.",
        "session.required": "Sorry, this response is required!",
        "session.constraint": "Sorry, this response is invalid!",
        "session.form_message": "{message}",
        "session.readonly": "This question is read-only.",
        "session.not_relevant": "This question is not shown with the current answers.",
        "session.no_such_field": "There is no field '{ref}' in this form.",
        "session.ambiguous_ref": "'{ref}' is inside a repeat; say which entry, e.g. /data/member[1]/age.",
        "session.not_a_question": "'{ref}' is a group or repeat, not a question.",
        "session.not_a_repeat": "'{ref}' is not a repeat.",
        "session.repeat_fixed": "The repeat '{ref}' has a fixed number of entries.",
        "session.not_in_choices": "'{value}' is not one of the choices.",
        "session.one_choice": "Choose only one answer.",
        "session.count_capped": "The repeat '{ref}' asks for {asked} entries; only the first {limit} are created.",
        "session.eval_failed": "The field '{ref}' could not be computed: {detail}",
        "session.wrong_type.int": "Enter a whole number.",
        "session.wrong_type.int_range": "Enter a whole number between {min} and {max}.",
        "session.wrong_type.decimal": "Enter a number.",
        "session.wrong_type.date": "Enter a date as YYYY-MM-DD.",
        "session.wrong_type.time": "Enter a time as HH:MM or HH:MM:SS.",
        "session.wrong_type.datetime": "Enter a date and time as YYYY-MM-DDTHH:MM.",
        "session.wrong_type.geopoint": "Enter a location as 'latitude longitude [altitude accuracy]'.",
        "session.wrong_type.geotrace": "Enter a line of at least 2 locations separated by ';'.",
        "session.wrong_type.geoshape": "Enter a shape of at least 3 locations separated by ';'.",
        "session.wrong_type.binary": "Give the attached file's name (without folders).",
        "session.wrong_type.boolean": "Enter true or false.",
        "session.instance_bad_xml": "The saved form cannot be read: {detail}.",
        "session.instance_wrong_form": "The saved form is for '{found}', not for '{expected}'.",
        "session.instance_wrong_version": "The saved form is for version '{found}' of the form, not version '{expected}'.",
        "session.instance_unknown_element": "The saved form has an element '{path}' this form does not have.",
        "session.repeat_prompt": "Add another '{label}'?",
        "session.repeat_prompt_first": "Add '{label}'?",
        "session.missing_attachment": "The form needs the attachment(s) {files}, which were not supplied.",
        "session.unsupported_action": "The form asks to {action} for '{ref}'; this app cannot do that, so the field stays empty.",
    }
)

CATALOG.update(
    {
        # Test-driving a form (fieldapp forms check): lint
        "check.unreadable": "The form cannot be test-driven: {detail}",
        "check.never_relevant": (
            "'{name}' can never be shown: its relevance '{expr}' is always false. "
            "Fix the condition or remove the question."
        ),
        "check.never_relevant_ref": (
            "'{name}' can never be shown: its relevance '{expr}' depends only on {refs}, "
            "which can never be shown themselves (they are always empty)."
        ),
        "check.reads_never_relevant": (
            "The {column} of '{name}' reads {refs}, which can never be shown, so it is always empty."
        ),
        "check.filter_unknown_column": (
            "The choice filter of '{name}' uses '{column}', which the choices of list "
            "'{list}' do not have (they have: {columns})."
        ),
        "check.filter_matches_nothing": (
            "The choice filter '{expr}' of '{name}' leaves no choice, whatever is answered to {refs}."
        ),
        "check.filter_empty_for": (
            "The choice filter of '{name}' leaves no choice when {answers}."
        ),
        "check.cycle": (
            "These fields compute from each other in a circle, so none can be computed: {fields}."
        ),
        "check.session_refused": "The form cannot be filled: {detail}",
        # Test-drive: simulated interviews
        "check.never_reached": (
            "'{name}' was never shown in {runs} simulated interviews; check its relevance "
            "(and the relevance of its groups)."
        ),
        "check.constraint_unsatisfiable": (
            "No value tried for '{name}' satisfied its constraint '{expr}' "
            "({tried} values tried, e.g. {examples})."
        ),
        "check.calculation_not_finite": (
            "The calculation '{expr}' of '{name}' gave {value} in {count} of {runs} interviews "
            "(e.g. dividing by an empty or zero value); use coalesce() or check the divisor."
        ),
        "check.calculation_failed": "The calculation of '{name}' failed: {detail}",
        "check.question_failed": "'{name}' could not be answered: {detail}",
        "check.run_unfinished": (
            "{count} of {runs} interviews could not be finished (first: interview {run}): {detail}"
        ),
        "check.run_stopped": (
            "{count} of {runs} interviews stopped at a required note, which no answer can "
            "satisfy: the form ends the interview there (first: interview {run}): {detail}"
        ),
        "check.instance_roundtrip": (
            "{count} of {runs} saved interviews do not load back the same "
            "(first: interview {run}): {detail}"
        ),
        "check.attachment_missing": (
            "The attachment '{file}' was not found next to the form; {fields} ran on "
            "stand-in rows (columns {columns})."
        ),
        "check.stand_in": "'{name}' ran on stand-in rows of '{file}', which is missing.",
        "check.hidden": (
            "'{name}' is hidden with relevance '{expr}' (the ODK idiom for a field never "
            "shown); note that a field never relevant is left out of the submission."
        ),
        "check.run_media_missing": (
            "{count} of {runs} interviews could not be finished only because the files "
            "{files} are missing next to the form (first: interview {run}): {detail}"
        ),
        "check.constraint_refused": "no answer met its constraint '{expr}': {why}",
        "check.no_value_met": "none of the values the test-drive tried met it",
        "check.save_unwritable": (
            "The simulated interviews cannot be saved in '{path}': {detail}. Nothing was written."
        ),
    }
)

TRANSLATIONS: dict[str, dict[str, str]] = {
    "fr": {
        "session.required": "Désolé, cette réponse est obligatoire !",
        "session.constraint": "Désolé, cette réponse n'est pas valide !",
        "session.wrong_type.int": "Saisissez un nombre entier.",
        "session.wrong_type.decimal": "Saisissez un nombre.",
        "session.wrong_type.date": "Saisissez une date au format AAAA-MM-JJ.",
        "session.not_in_choices": "'{value}' ne fait pas partie des choix.",
        "session.repeat_prompt": "Ajouter un autre groupe « {label} » ?",
        "session.readonly": "Cette question est en lecture seule.",
        "session.not_relevant": "Cette question n'est pas posée avec les réponses actuelles.",
        "session.one_choice": "Choisissez une seule réponse.",
        "session.wrong_type.int_range": "Saisissez un nombre entier entre {min} et {max}.",
        "session.wrong_type.time": "Saisissez une heure au format HH:MM ou HH:MM:SS.",
        "session.wrong_type.datetime": "Saisissez une date et une heure au format AAAA-MM-JJTHH:MM.",
        "session.wrong_type.geopoint": (
            "Saisissez une position sous la forme « latitude longitude [altitude précision] »."
        ),
        "session.wrong_type.geotrace": "Saisissez une ligne d'au moins 2 positions séparées par « ; ».",
        "session.wrong_type.geoshape": "Saisissez une forme d'au moins 3 positions séparées par « ; ».",
        "session.wrong_type.binary": "Donnez le nom du fichier joint (sans dossier).",
        "session.wrong_type.boolean": "Saisissez true ou false.",
        "session.repeat_prompt_first": "Ajouter « {label} » ?",
    },
    "es": {
        "session.required": "Lo sentimos, esta respuesta es obligatoria.",
        "session.constraint": "Lo sentimos, esta respuesta no es válida.",
        "session.wrong_type.int": "Introduzca un número entero.",
        "session.wrong_type.decimal": "Introduzca un número.",
        "session.wrong_type.date": "Introduzca una fecha con el formato AAAA-MM-DD.",
        "session.not_in_choices": "'{value}' no es una de las opciones.",
        "session.repeat_prompt": "¿Añadir otro «{label}»?",
        "session.readonly": "Esta pregunta es de solo lectura.",
        "session.not_relevant": "Esta pregunta no se muestra con las respuestas actuales.",
        "session.one_choice": "Elija una sola respuesta.",
        "session.wrong_type.int_range": "Introduzca un número entero entre {min} y {max}.",
        "session.wrong_type.time": "Introduzca una hora con el formato HH:MM o HH:MM:SS.",
        "session.wrong_type.datetime": "Introduzca una fecha y hora con el formato AAAA-MM-DDTHH:MM.",
        "session.wrong_type.geopoint": (
            "Introduzca una ubicación como «latitud longitud [altitud precisión]»."
        ),
        "session.wrong_type.geotrace": "Introduzca una línea de al menos 2 ubicaciones separadas por «;».",
        "session.wrong_type.geoshape": "Introduzca una forma de al menos 3 ubicaciones separadas por «;».",
        "session.wrong_type.binary": "Indique el nombre del archivo adjunto (sin carpetas).",
        "session.wrong_type.boolean": "Introduzca true o false.",
        "session.repeat_prompt_first": "¿Añadir «{label}»?",
    },
}
"""Translations of engine messages, by language code; English (`CATALOG`) is the fallback."""


LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "anglais", "inglés", "ingles"),
    "fr": ("french", "français", "francais", "francés", "frances"),
    "es": ("spanish", "español", "espanol", "espagnol"),
    "pt": ("portuguese", "português", "portugues", "portugais"),
    "sw": ("swahili", "kiswahili"),
    "ar": ("arabic", "العربية", "arabe"),
}
"""Names forms give their languages without a code, in English, in the language itself and
in French, by ISO 639-1 code."""


def language_code(language: str | None) -> str | None:
    """A form's language name as an ISO code: the code in parentheses (ODK's XLSForm
    convention, `French (fr)` → `fr`), a bare code (`fr`), else a known name (`Español` →
    `es`); None for a name none of these (`Bambara`)."""
    if not language:
        return None
    name = language.strip()
    if name.endswith(")") and "(" in name:
        code = name[name.rindex("(") + 1 : -1].strip().lower()
        if code.isalpha() and len(code) in (2, 3):
            return code
        name = name[: name.rindex("(")].strip()
    lowered = name.lower()
    if len(lowered) == 2 and lowered.isalpha():
        return lowered
    return next((code for code, names in LANGUAGE_NAMES.items() if lowered in names), None)


def render_in(code: str, params: dict[str, Any], language: str | None) -> str:
    """`render` in a form language, falling back to English."""
    template = TRANSLATIONS.get(language_code(language) or "", {}).get(code)
    if template is None:
        return render(code, params)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return render(code, params)
