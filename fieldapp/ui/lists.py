"""Forms to start, and interviews by state: drafts, ready to send, sent, returned."""

from __future__ import annotations

import flet as ft

from fieldapp.ui import filling, style
from fieldapp.ui.shell import Shell

EMPTY = {"draft": "drafts", "finalized": "ready", "sent": "sent", "returned": "returned"}
TITLES = {
    "draft": "nav.drafts",
    "finalized": "nav.ready",
    "sent": "nav.sent",
    "returned": "nav.returned",
}


def forms(shell: Shell) -> None:
    t = shell.t
    rows: list[ft.Control] = []
    for form in shell.store.list_forms():

        def start(_e: ft.Event[ft.Button], form_id: str = form.form_id) -> None:
            filling.start(shell, form_id)

        rows.append(style.button(f"{t('forms.start')} {form.title}", start, primary=True))
    shell.show(t("nav.forms"), rows or [style.text(t("forms.empty"))])


def instances(shell: Shell, state: str) -> None:
    t = shell.t
    rows: list[ft.Control] = []
    for record in shell.store.list_instances(state):
        name = record.name or record.instance_id

        def open_it(_e: ft.Event[ft.Button], i: str = record.instance_id) -> None:
            filling.resume(shell, i)

        if state == "draft":
            action = f"{t('drafts.resume')} {name}"
        elif state == "returned":
            action = f"{t('returned.edit')} {name}"
        else:
            action = f"{t('sent.view')} {name}"
        line: list[ft.Control] = [style.button(action, open_it, primary=True)]
        if state == "draft":
            line.append(
                style.button(
                    f"{t('drafts.delete')} {name}",
                    lambda _e, i=record.instance_id: _confirm_delete(shell, i),
                )
            )
        rows.append(ft.Row(line, wrap=True))
        for comment in record.comments:
            rows.append(style.text(f"{t('returned.comments')}: {comment.text}"))
    shell.show(t(TITLES[state]), rows or [style.text(t(f"{EMPTY[state]}.empty"))])


def _confirm_delete(shell: Shell, instance_id: str) -> None:
    t = shell.t

    def close(_e: ft.Event[ft.Button]) -> None:
        shell.page.pop_dialog()

    def delete(_e: ft.Event[ft.Button]) -> None:
        shell.page.pop_dialog()
        shell.store.delete_draft(instance_id)
        instances(shell, "draft")

    shell.page.show_dialog(
        ft.AlertDialog(
            modal=True,
            title=style.text(t("drafts.delete_confirm_title"), bold=True),
            actions=[
                style.button(t("common.cancel"), close),
                style.button(t("common.delete"), delete),
            ],
        )
    )
