"""Settings: app language, enumerator, server; provisioning from a pasted code or QR image."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.ui import style
from fieldapp.ui.shell import Shell
from fieldapp.ui.words import languages


def settings(shell: Shell) -> None:
    t, store = shell.t, shell.store
    language = ft.RadioGroup(
        value=store.get_setting("language") or None,
        content=ft.Row(
            [
                ft.Radio(value=code, label=code, height=style.TOUCH, label_style=style.LABEL)
                for code in languages()
            ],
            wrap=True,
        ),
    )
    enumerator = ft.TextField(
        label=t("settings.enumerator"),
        value=store.get_setting("enumerator") or "",
        text_size=style.BODY,
    )
    server = ft.TextField(
        label=t("settings.server"),
        value=store.get_setting("server_url") or "",
        text_size=style.BODY,
    )
    code = ft.TextField(label=t("settings.paste_qr"), multiline=True, text_size=style.BODY)
    status = style.text("")

    def save(_e: ft.Event[ft.Button]) -> None:
        if language.value:
            store.set_setting("language", language.value)
            shell.set_language(language.value)
        store.set_setting("enumerator", enumerator.value.strip())
        store.set_setting("server_url", server.value.strip())
        settings(shell)
        status.value = shell.t("settings.saved")

    def apply(values: dict[str, Any]) -> None:
        for key in ("server_url", "token", "project"):
            if values.get(key):
                store.set_setting(key, str(values[key]))
        settings(shell)

    def apply_code(_e: ft.Event[ft.Button]) -> None:
        try:
            from sync.provisioning import decode_settings

            apply(_as_dict(decode_settings(code.value.strip())))
        except Exception as error:  # a bad code is a message, never a traceback
            status.value = t("settings.invalid_qr", detail=str(getattr(error, "message", error)))

    async def pick_image(_e: ft.Event[ft.Button]) -> None:
        files = await ft.FilePicker().pick_files(
            file_type=ft.FilePickerFileType.IMAGE, with_data=True
        )
        if not files or files[0].bytes is None:
            return
        try:
            from sync.provisioning import decode_qr_image

            apply(_as_dict(decode_qr_image(files[0].bytes)))
        except Exception as error:
            status.value = t("settings.invalid_qr", detail=str(getattr(error, "message", error)))
        shell.page.update()

    shell.show(
        t("nav.settings"),
        [
            style.text(t("settings.language"), bold=True),
            ft.Semantics(label=t("settings.language"), content=language),
            enumerator,
            server,
            style.button(t("common.save"), save, primary=True),
            code,
            style.button(t("common.ok"), apply_code),
            style.button(t("settings.pick_qr"), pick_image),
            status,
        ],
    )


def _as_dict(values: object) -> dict[str, Any]:
    if isinstance(values, dict):
        return values
    dump = getattr(values, "model_dump", None)
    if callable(dump):
        found: dict[str, Any] = dump()
        return found
    return dict(vars(values))
