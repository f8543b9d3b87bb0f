"""Attachments in the submission view: photos as thumbnails that open larger, other files as a
download with their name and size, and "not received yet" for what has not arrived.

Every byte comes through the review API with the supervisor's token in a header (no token in
a URL the page could leak). Photos come as previews the server scaled, so a 10 MB photo costs
the page a few tens of kB; the original is a download. A photo is first a place in the view;
`load` then fetches every preview the view placed, a few at once, before the view is shown.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import flet as ft

from sync.server.supervisor_ui.api import ReviewApi, ReviewApiError
from sync.server.supervisor_ui.widgets import TAP, button, size_text, text

THUMB, SMALL, LARGE = 240, 72, 1200
"""Preview widths: in an answer, in a table cell, opened larger."""
MAX_DOWNLOAD = 50_000_000
"""Larger files are not passed through the page (the browser would hold them in memory)."""
AT_ONCE = 4
"""Previews fetched at the same time when a submission opens."""


@dataclass(frozen=True)
class _Placed:
    """A photo's place in the view, filled by `Attachments.load`."""

    name: str
    width: int
    caption: bool
    place: ft.Container


class Attachments:
    """The files of one submission, shown where answers name them."""

    def __init__(self, page: ft.Page, api: ReviewApi, instance_id: str, files: list[Any]) -> None:
        self.page, self.api, self.instance_id = page, api, instance_id
        self.files: dict[str, dict[str, Any]] = {f["name"]: f for f in files}
        self.shown: set[str] = set()
        self.placed: list[_Placed] = []

    def show(self, name: str, *, small: bool = False) -> ft.Control:
        """What an answer naming `name` shows (a table cell when `small`); a photo is a place
        that `load` fills."""
        self.shown.add(name)
        info = self.files.get(name)
        if info is None or not info["received"]:
            return text(f"{name} (not received yet)")
        if info["image"]:
            photo = _Placed(name, SMALL if small else THUMB, not small, ft.Container())
            self.placed.append(photo)
            return photo.place
        return self._file(name)

    def claim(self, name: str) -> None:
        """Note that an answer names `name` though it is not drawn yet (a table row further
        down), so it is not listed among the other files."""
        self.shown.add(name)

    def load(self) -> None:
        """Fetch the previews of every photo placed so far, at most AT_ONCE at a time, and put
        each one (or why it could not be shown) in its place."""
        wanted = list(dict.fromkeys((p.name, p.width) for p in self.placed))
        with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
            fetched = dict(zip(wanted, pool.map(self._preview, wanted), strict=True))
        for photo in self.placed:
            photo.place.content = self._photo(photo, fetched[photo.name, photo.width])
        self.placed = []

    def _preview(self, wanted: tuple[str, int]) -> bytes | ReviewApiError:
        try:
            return self.api.attachment(self.instance_id, *wanted)
        except ReviewApiError as error:
            return error

    def others(self) -> list[ft.Control]:
        """Files no answer named (an audit log, extra files), after the answers are shown."""
        return [self.show(name) for name in sorted(self.files) if name not in self.shown]

    def tell(self, message: str) -> None:
        self.page.show_dialog(ft.SnackBar(content=ft.Text(message)))

    def _photo(self, photo: _Placed, data: bytes | ReviewApiError) -> ft.Control:
        name, width = photo.name, photo.width
        if isinstance(data, ReviewApiError):
            return ft.Column([text(f"{name}: no preview ({data})"), self._file(name)])
        image = ft.Image(
            src=data,
            width=width,
            height=round(width * 3 / 4),
            fit=ft.BoxFit.CONTAIN,
            semantics_label=f"Photo {name}",
        )
        opened = ft.Container(
            content=image,
            on_click=lambda _e: self.enlarge(name),
            tooltip=f"View {name} larger",
            ink=True,
        )
        if not photo.caption:
            return opened
        size = size_text(self.files[name]["size"])
        line = ft.Row([text(f"{name} · {size}"), button(f"View {name}", lambda: self.enlarge(name))],
                      wrap=True)  # fmt: skip
        return ft.Column([opened, line], spacing=4)

    def _file(self, name: str) -> ft.Control:
        size = size_text(self.files[name]["size"])
        return ft.Row(
            [ft.Icon(ft.Icons.ATTACH_FILE), text(f"{name} · {size}"), self._download_button(name)],
            wrap=True,
        )

    def _download_button(self, name: str) -> ft.Button:
        async def download(_e: ft.Event[ft.Button]) -> None:
            await self.download(name)

        label = f"Download {name}"
        return ft.Button(content=label, on_click=download, tooltip=label, height=TAP)

    async def download(self, name: str) -> None:
        size = self.files[name]["size"]
        if size > MAX_DOWNLOAD:
            self.tell(
                f"{name} is {size_text(size)}: too large to download from the review screens"
                f" (limit {size_text(MAX_DOWNLOAD)})"
            )
            return
        try:
            data = await asyncio.to_thread(self.api.attachment, self.instance_id, name)
        except ReviewApiError as error:
            self.tell(f"{name}: {error}")
            return
        await ft.FilePicker().save_file(file_name=name, src_bytes=data)

    def enlarge(self, name: str) -> None:
        try:
            data = self.api.attachment(self.instance_id, name, LARGE)
        except ReviewApiError as error:
            self.tell(f"{name}: {error}")
            return
        width = min(LARGE, int((self.page.width or 1000) - 120))
        height = min(LARGE, int((self.page.height or 800) - 220))
        image = ft.Image(
            src=data,
            width=width,
            height=height,
            fit=ft.BoxFit.CONTAIN,
            semantics_label=f"Photo {name}, large",
        )
        self.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(name),
                content=image,
                actions=[self._download_button(name), button("Close", self.page.pop_dialog)],
            )
        )
