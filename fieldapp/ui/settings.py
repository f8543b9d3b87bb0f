"""Settings: app language (applied as it is chosen), automatic sending, enumerator, server and
district hub; provisioning from a pasted code or QR image."""

from __future__ import annotations

import flet as ft

from fieldapp import i18n
from fieldapp.store import Store
from fieldapp.sync_agent import (
    AUTOSEND,
    provision_from_code,
    provision_from_image,
    set_addresses,
)
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

    def choose_language(_e: ft.Event[ft.RadioGroup]) -> None:
        chosen = language.value or i18n.DEFAULT
        store.set_setting("language", chosen)
        shell.set_language(chosen)
        settings(shell)  # every word of the screen, and the navigation, in the new language

    def switch_autosend(_e: ft.Event[ft.Checkbox]) -> None:
        store.set_setting(AUTOSEND, "on" if autosend.value else "off")
        if autosend.value and shell.auto is not None:
            shell.auto.nudge()

    language = ft.RadioGroup(
        value=i18n.resolve(store.get_setting("language") or i18n.device_language()),
        on_change=choose_language,
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
    hub = ft.TextField(
        label=t("settings.hub"),
        value=store.get_setting("hub_url") or "",
        text_size=style.BODY,
        on_change=_keep_typed,
    )
    autosend = ft.Checkbox(
        label=t("settings.autosend"),
        value=store.get_setting(AUTOSEND) != "off",
        label_style=style.LABEL,
        height=style.TOUCH,
        on_change=switch_autosend,
    )
    code = ft.TextField(
        label=t("settings.paste_qr"), multiline=True, text_size=style.BODY, on_change=_keep_typed
    )
    status = (style.error if failed else style.text)(notice)

    def save(_e: ft.Event[ft.Button]) -> None:
        addresses = {"server_url": server.value.strip(), "hub_url": hub.value.strip()}
        wrong = [a for a in addresses.values() if a and not a.startswith(("http://", "https://"))]
        if wrong:
            settings(shell, t("settings.bad_address", address=wrong[0]), failed=True)
            return
        store.set_setting("enumerator", enumerator.value.strip())
        set_addresses(
            store,
            addresses["server_url"].rstrip("/") or None,
            addresses["hub_url"].rstrip("/") or None,
        )
        if shell.auto is not None:
            shell.auto.nudge()
        settings(shell, t("settings.saved"))

    def applied(code: str | bytes) -> None:
        ok, words = apply_setup_code(store, t, code)
        if ok and shell.auto is not None:
            shell.auto.nudge()  # set up: the first sync (the forms) starts at once
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
            autosend,
            enumerator,
            server,
            hub,
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
