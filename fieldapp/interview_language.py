"""Which form language an interview is in, and how the app names and follows it.

Forms name their languages freely (`French (fr)`, `Français`, `English (en)`, `fr`): ODK's
XLSForm convention puts the ISO 639-1 code in parentheses, and older forms use a bare name.
We read the code in parentheses first, then a known name, so a new interview can start in
the app's language and the app's own words inside an interview can follow the form's.
"""

from __future__ import annotations

from collections.abc import Sequence

from fieldapp import i18n
from forms.messages import language_code


def form_language_for(languages: Sequence[str], app_language: str | None) -> str | None:
    """The form language matching the app language `app_language` (a code such as `fr`):
    one whose code in parentheses is it first, then one named by a known name; else None."""
    if not app_language:
        return None
    wanted = app_language.replace("-", "_").split(".")[0].split("_")[0].lower()
    by_code = [lang for lang in languages if lang.strip().endswith(f"({wanted})")]
    if by_code:
        return by_code[0]
    return next((lang for lang in languages if language_code(lang) == wanted), None)


def words_language(form_language: str | None) -> str | None:
    """The app language whose words an interview in `form_language` shows (its code when the
    app ships it), or None when the app has no words in that language."""
    code = language_code(form_language)
    return code if code is not None and code in i18n.available_languages() else None


def language_label(form_language: str) -> str:
    """How the language control names a form language: the app's own name for it when the
    app ships it (`French (fr)` -> `Français`), else the form's name without its code."""
    code = words_language(form_language)
    if code is not None:
        return i18n.available_languages()[code]
    name = form_language.strip()
    if name.endswith(")") and "(" in name:
        name = name[: name.rindex("(")].strip() or name
    return name


def app_language(setting: str | None) -> str:
    """The app's language code: the one chosen in Settings (`setting`), else the device's."""
    return i18n.resolve(setting or i18n.device_language())


def interview_words(words: str | None, app_words: i18n.Translate) -> i18n.Translate:
    """The app's words inside an interview: in the form language when the app ships it (a
    French interview shows no English button), else the app's own (`app_words`)."""
    return i18n.translator(words) if words else app_words
