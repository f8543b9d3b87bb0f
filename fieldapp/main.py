"""Entry module for `flet build apk` ([tool.flet.app] module = "fieldapp.main")."""

from __future__ import annotations

import flet as ft

from fieldapp.app import background_sync, open_store
from fieldapp.ui.navigation import start_app


def main(page: ft.Page) -> None:
    store = open_store(None)
    start_app(page, store, background_sync(store))


if __name__ == "__main__":
    ft.run(main, no_cdn=True)
