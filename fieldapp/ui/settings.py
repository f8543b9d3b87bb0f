"""Settings: app language, enumerator, server; provisioning from a pasted code or QR image."""

from __future__ import annotations

import flet as ft

from fieldapp.store import Store
from fieldapp.sync_agent import provision_from_code, provision_from_image
from fieldapp.ui import style
from fieldapp.ui.shell import Shell
from fieldapp.ui.words import Translate, failure_words, languages
from sync.client_errors import ProvisioningError


def apply_setup_code(store: Store, t: Translate, code: str | bytes) -> tuple[bool, str]:
    """Provision the device from a pasted code (text) or a picture of its QR code (bytes):
    (True, "Set up for <server>, project <project>") or (False, why, nothing changed)."""
    try:
        if isinstance(code, bytes):
            found = provision_from_image(store, code)
        else:
            found = provision_from_code(store, code.strip())
    except ProvisioningError as error:
        said = failure_words(t, error.code, error.params, str(error))
        return False, t("settings.invalid_qr", detail=said)
    return True, t("settings.provisioned", server=found.server_url, project=found.project)


def settings(shell: Shell, notice: str = "", *, failed: bool = False) -> None:
    """The Settings screen; `notice` is what the last action did (an error when `failed`)."""
    t, store = shell.t, shell.store
    language = ft.RadioGroup(
        value=store.get_setting("language") or None,
        content=ft.Row(
            [
                ft.Radio(value=code, label=name, height=style.TOUCH, label_style=style.LABEL)
                for code, name in languages().items()
            ],
            wrap=True,
        ),
    )
    enumerator = ft.TextField(
        label=t("settings.enumerator"),
        value=store.get_setting("enumerator") or "",
        text_size=style.BODY,
        on_change=_keep_typed,
    )
    server = ft.TextField(
        label=t("settings.server"),
        value=store.get_setting("server_url") or "",
        text_size=style.BODY,
        on_change=_keep_typed,
    )
    code = ft.TextField(
        label=t("settings.paste_qr"), multiline=True, text_size=style.BODY, on_change=_keep_typed
    )
    status = (style.error if failed else style.text)(notice)

    def save(_e: ft.Event[ft.Button]) -> None:
        if language.value:
            store.set_setting("language", language.value)
            shell.set_language(language.value)
        store.set_setting("enumerator", enumerator.value.strip())
        store.set_setting("server_url", server.value.strip())
        settings(shell, shell.t("settings.saved"))

    def applied(code: str | bytes) -> None:
        ok, words = apply_setup_code(store, t, code)
        settings(shell, words, failed=not ok)  # the server field shows what was set

    def apply_code(_e: ft.Event[ft.Button]) -> None:
        applied(code.value or "")

    async def pick_image(_e: ft.Event[ft.Button]) -> None:
        files = await ft.FilePicker().pick_files(
            file_type=ft.FilePickerFileType.IMAGE, with_data=True
        )
        if files and files[0].bytes is not None:
            applied(files[0].bytes)

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


def _keep_typed(_e: ft.Event[ft.TextField]) -> None:
    """A change handler makes the browser send each change as it is typed, so text typed
    just before Save is never lost (without one, Flet sends the value only on blur)."""
