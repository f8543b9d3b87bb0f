"""The app's own words: `fieldapp.i18n` in the chosen language, English where a key is new."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Translate = Callable[..., str]

ENGLISH: dict[str, str] = {
    "app.title": "Field survey",
    "nav.home": "Home",
    "nav.forms": "Forms",
    "nav.drafts": "Drafts",
    "nav.ready": "Ready to send",
    "nav.sent": "Sent",
    "nav.returned": "Returned",
    "nav.settings": "Settings",
    "home.last_sync": "Last sync: {when}",
    "home.never_synced": "Never synced",
    "home.sync_now": "Sync now",
    "home.no_server": "No server configured: add one in Settings",
    "home.sync_done": "Sync finished: {summary}",
    "home.recovered": "The database was damaged. It was kept aside as {path}; the app starts with an empty one.",
    "forms.none": "No forms yet",
    "forms.start": "Start {title}",
    "list.empty": "Nothing here",
    "list.resume": "Resume {name}",
    "list.view": "View {name}",
    "list.delete": "Delete {name}",
    "list.edit": "Correct {name}",
    "confirm.delete": "Delete this draft? Its answers will be lost.",
    "confirm.yes": "Delete",
    "confirm.no": "Cancel",
    "fill.next": "Next",
    "fill.back": "Back",
    "fill.outline": "Go to question",
    "fill.language": "Form language",
    "fill.close": "Close",
    "fill.required": "required",
    "fill.add_repeat": "Add",
    "fill.no_more": "Do not add",
    "fill.delete_item": "Delete {label}",
    "fill.end": "End of the form",
    "fill.finalize": "Finalize",
    "fill.save_draft": "Save as draft",
    "fill.saved": "Saved",
    "fill.save_failed": "Not saved: {message}",
    "fill.retry": "Retry saving",
    "fill.problems": "{count} questions need attention",
    "fill.finalized": "Finalized: ready to send",
    "fill.readonly": "Read only",
    "fill.version_migrated": "This interview was started with form version {old}; it now uses version {new}.",
    "fill.version_readonly": "This interview was started with form version {old}, which cannot be opened with version {new}: it is shown read-only.",
    "fill.comment": "Supervisor: {text}",
    "fill.choose_date": "Choose date",
    "fill.choose_time": "Choose time",
    "fill.choose_photo": "Choose photo",
    "fill.choose_file": "Choose file",
    "fill.location": "Use device location",
    "fill.location_manual": "Latitude Longitude [altitude accuracy]",
    "fill.acknowledge": "OK",
    "fill.load_failed": "This form cannot be opened",
    "settings.language": "App language",
    "settings.enumerator": "Enumerator name",
    "settings.server": "Server address",
    "settings.provisioning": "Paste the settings code",
    "settings.apply": "Apply settings code",
    "settings.image": "Read settings from a QR image",
    "settings.save": "Save",
    "settings.saved": "Settings saved",
}


def translator(language: str | None) -> Translate:
    """`t(key, **params)` in `language`; falls back to the English words above."""
    try:
        from fieldapp import i18n

        found: Translate | None = i18n.translator(language or i18n.device_language())
    except (ImportError, AttributeError):
        found = None

    def t(key: str, **params: Any) -> str:
        text = ""
        if found is not None:
            try:
                text = found(key, **params)
            except (KeyError, ValueError):
                text = ""
        if not text or text == key:
            text = ENGLISH.get(key, key).format(**params)
        return text

    return t


def languages() -> list[str]:
    try:
        from fieldapp import i18n

        found: list[str] = list(i18n.available_languages())
    except (ImportError, AttributeError):
        found = ["en"]
    return found
