"""The commands that run a server: `serve` (one process, or several on one port with
PostgreSQL) and `relay` (a district hub)."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import threading
from collections.abc import Callable

from sync.server.app import WORKER_CONFIG_ENV, ServerConfig, create_app
from sync.server.storage.open import UnusableDatabase, check_database

MAX_WORKERS = 64


def workers_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a number of processes from 1 to {MAX_WORKERS}"
        )
    return count


def serve(args: argparse.Namespace) -> int:
    """One process serves the app it made; several (`--workers N`, PostgreSQL only) are
    started by uvicorn, each opening the database itself with the settings passed in
    FIELDAPP_WORKER_CONFIG, after the database was checked here once."""
    import uvicorn

    config = ServerConfig(args.data, database=args.database)
    where = {"host": args.host, "port": args.port, "log_level": "warning"}
    if args.workers == 1:
        uvicorn.run(create_app(config), **where)
        return 0
    if check_database(args.database).url is None:
        raise UnusableDatabase(
            f"--workers {args.workers}: several workers need PostgreSQL: --database"
            " postgresql://USER@HOST/NAME (or FIELDAPP_DATABASE_URL); SQLite serves one process"
        )
    os.environ[WORKER_CONFIG_ENV] = config.to_json()
    uvicorn.run("sync.server.app:worker_app", factory=True, workers=args.workers, **where)
    return 0


def relay(args: argparse.Namespace) -> int:
    import uvicorn

    class _Listening(uvicorn.Server):
        """A server that tells `listening` once its socket is open, and at shutdown ends the
        forwarding first: the app's lifespan then closes the storage the forwarder reads."""

        listening: threading.Event
        stop_forwarding: Callable[[], None]

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if not self.should_exit:
                self.listening.set()

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            await asyncio.to_thread(self.stop_forwarding)
            await super().shutdown(sockets)

    from sync.client import RetryPolicy
    from sync.server.hub.relay import Forwarder
    from sync.server.hub.users import UpstreamClient

    config = ServerConfig(
        args.data, require_known_form=False, upstream=args.upstream, database=args.database
    )
    app = create_app(config)
    # Retries within a round stay short: the next round is the real retry, and a round
    # stuck in a long backoff would hold up pulls and shutdown.
    retry = RetryPolicy(attempts=3, base_delay=min(0.5, args.interval), max_delay=args.interval)
    upstream = UpstreamClient(args.upstream, args.token, device_id="relay", retry=retry)
    forwarder = Forwarder(
        app.state.storage,
        app.state.blobs,
        upstream,
        name=args.upstream,
        users_every=args.users_every,
        say=lambda line: print(line, flush=True),
    )
    stop, listening = threading.Event(), threading.Event()
    address = f"http://{args.host}:{args.port}"
    thread = threading.Thread(
        target=forwarder.run, args=(stop, args.interval, listening, address), daemon=True
    )
    thread.start()

    def stop_forwarding() -> None:
        stop.set()
        listening.set()  # a relay that never listened still ends its forwarding thread
        thread.join(timeout=10)

    server = _Listening(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning"))
    server.listening = listening
    server.stop_forwarding = stop_forwarding
    try:
        server.run()
    finally:
        stop_forwarding()
        upstream.close()
    return 0
