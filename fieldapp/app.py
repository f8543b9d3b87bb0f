"""`fieldapp app`: the enumerator app served by Flet, always without a CDN (offline)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import flet as ft

from fieldapp.auto_sync import AutoSync, Backoff
from fieldapp.store import Store
from fieldapp.sync_agent import SyncAgent
from fieldapp.ui.navigation import start_app

DEMO_FORMS = Path(__file__).resolve().parent.parent / "assets" / "forms"


def load_demo_forms(store: Store, folder: Path = DEMO_FORMS) -> list[str]:
    """Add every `*.xml` form of `folder` with the media files next to it; their form IDs."""
    media = {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix not in (".xml", ".md", ".xlsx", ".xls")
    }
    added = []
    for path in sorted(folder.glob("*.xml")):
        added.append(store.add_form(path.read_text(encoding="utf-8"), media).form_id)
    return added


def open_store(data: Path | None) -> Store:
    return Store.open(data / "fieldapp.db" if data is not None else Store.default_path())


def background_sync(store: Store) -> AutoSync:
    """The app's one sync agent, sending by itself in the background (`fieldapp.auto_sync`),
    on the schedule FIELDAPP_SYNC_BACKOFF names; SystemExit with the message when it is wrong."""
    try:
        backoff = Backoff.from_environment(os.environ)
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None
    auto = AutoSync(SyncAgent(store), backoff)
    auto.start()
    return auto


def serve(
    data: Path | None = None,
    *,
    port: int = 8550,
    host: str = "127.0.0.1",
    demo: bool = False,
    browser: bool = True,
    desktop: bool = False,
) -> None:
    """Start the app: web mode in the local browser (or none with `browser=False`), or a
    desktop window when asked and the Flet desktop client is installed. One sync agent
    serves every open page."""
    store = open_store(data)
    if demo:
        load_demo_forms(store)
    auto = background_sync(store)

    def main(page: ft.Page) -> None:
        start_app(page, store, auto)

    if desktop and importlib.util.find_spec("flet_desktop") is not None:
        view: ft.AppView | None = ft.AppView.FLET_APP
    else:
        view = ft.AppView.WEB_BROWSER if browser else None
    try:
        ft.run(main, view=view, host=host, port=port, no_cdn=True)
    finally:
        auto.stop()
        store.close()
