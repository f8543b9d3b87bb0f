"""The floor for the screen-change benchmark: a trivial Flet page swapping its text on a
tap, served the same way as the app (web, no CDN). Run as `python -m
benchmarks.screen_change_floor PORT`."""

from __future__ import annotations

import sys

import flet as ft


def main(page: ft.Page) -> None:
    count = 0
    progress = ft.ProgressBar(value=0, semantics_label="Screen 0")
    label = ft.Text("Question 0", size=18)

    def tap(_e: ft.Event[ft.Button]) -> None:
        nonlocal count
        count += 1
        progress.semantics_label = f"Screen {count}"
        label.value = f"Question {count}"
        page.update()

    page.add(progress, label, ft.Button(content="Next", on_click=tap, height=52))


if __name__ == "__main__":
    ft.run(main, view=None, host="127.0.0.1", port=int(sys.argv[1]), no_cdn=True)
