"""The screens' web server: Flet's own FastAPI app (the Flutter client served from this
machine, nothing from a CDN) on uvicorn, behind headers fit for a page that shows one
supervisor's data: no type sniffing, no referrer, no framing, the page never cached, and a
content security policy that lets the client run from this origin only.

What the Flutter client needs, found by running the screens in Chromium with the policy on
(each of these blocked the screens when left out): its scripts from here plus the page's own
inline scripts (allowed by their sha256, computed from the page as served),
'wasm-unsafe-eval' to compile CanvasKit, a worker from a blob: URL, and inline styles (the
engine styles its elements). Fonts, images and the websocket come from this origin ('self'
covers ws:). The client also asks a CDN for Rive's runtime, which the policy blocks: the
screens use no Rive animation and load nothing from the internet.

The websocket that carries the session (and acts with the supervisor's token) accepts only
pages of this origin: a browser sends the page's Origin with every websocket handshake, and
one from another site (any page the supervisor happens to visit) is refused with 403
before Flet sees it, so no other site can drive the screens.
"""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import webbrowser
from urllib.parse import urlsplit

import uvicorn
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def page_policy(html: bytes) -> str:
    """The content security policy of one HTML page, allowing exactly its inline scripts."""
    inline = [
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(html)
    ]
    scripts = " ".join(["'self'", *inline, "'wasm-unsafe-eval'"])
    return (
        f"default-src 'self'; script-src {scripts};"
        " worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; object-src 'none';"
        " base-uri 'self'; form-action 'none'; frame-ancestors 'none'"
    )


def same_origin(scope: Scope) -> bool:
    """Whether a websocket handshake comes from a page of this server (or from no page)."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser: no other site's page can be behind it
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


class ScreenHeaders:
    """Adds `ALWAYS` to every answer; an HTML page is held until its body is complete, then
    sent with `Cache-Control: no-store` and its content security policy. A websocket from
    another origin is refused."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not same_origin(scope):
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()

        async def with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers[name] = value
                if not headers.get("content-type", "").startswith("text/html"):
                    await send(message)
                    return
                headers["Cache-Control"] = "no-store"
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            MutableHeaders(scope=start)["Content-Security-Policy"] = page_policy(bytes(body))
            await send(start)
            await send({"type": "http.response.body", "body": bytes(body)})

        await self.app(scope, receive, with_headers)


class _Server(uvicorn.Server):
    """Opens the screens in a browser once they answer, if asked to."""

    def __init__(self, config: uvicorn.Config, url: str | None) -> None:
        super().__init__(config)
        self.url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.url is not None:
            webbrowser.open(self.url)


def serve(app: ASGIApp, host: str, port: int, *, open_browser: bool) -> None:
    """Serve `app` (Flet's web app) with `ScreenHeaders` until interrupted."""
    url = f"http://{host}:{port}/"
    config = uvicorn.Config(
        ScreenHeaders(app), host=host, port=port, ws="websockets-sansio", log_level="warning"
    )
    print(f"Supervisor screens on {url}", flush=True)
    _Server(config, url if open_browser else None).run()
