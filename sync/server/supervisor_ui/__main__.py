"""`python -m sync.server.supervisor_ui --server URL --token=T [--port P] [--no-browser]`; the
token may come from FIELDAPP_TOKEN instead, which keeps it out of the process list."""

from __future__ import annotations

import argparse

import flet as ft

from sync.server.supervisor_ui.api import ReviewApi
from sync.server.supervisor_ui.exports_screen import ExportsApi
from sync.server.supervisor_ui.screens import SupervisorScreens
from sync.server.supervisor_ui.web_server import serve
from sync.server.token_arg import token_help, token_of


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="supervisor", description="Supervisor review screens")
    parser.add_argument("--server", required=True, help="server URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", help=token_help("a supervisor's (or admin's)"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8560)
    parser.add_argument("--no-browser", action="store_true", help="serve without opening one")
    args = parser.parse_args(argv)
    args.token = token_of(parser, args.token)
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    api = ReviewApi(args.server, args.token)
    exports = ExportsApi(args.server, args.token)

    def start(page: ft.Page) -> None:
        SupervisorScreens(page, api, exports).start()

    app = ft.run(start, assets_dir=None, no_cdn=True, export_asgi_app=True)
    serve(app, args.host, args.port, open_browser=not args.no_browser)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
