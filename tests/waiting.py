"""Waiting for another thread or process: until a condition holds, failing after a generous
deadline with a message that says what never happened.

The deadline is a hang guard, never part of an outcome: no test here asserts how long
something took, and a slow machine only makes the wait longer.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
POLL_S = 0.05
"""How often a condition is asked again; it changes how soon a wait ends, not whether."""


def wait_until(condition: Callable[[], T], what: str, seconds: float = 60.0) -> T:
    """Ask `condition` until it returns something true, and return that.

    AssertionError naming `what` if it has not after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s for {what}, in vain")
        time.sleep(POLL_S)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_serving(
    process: subprocess.Popen[bytes],
    port: int,
    seconds: float = 60.0,
    said: Callable[[], str] = str,
) -> None:
    """Until `process` accepts connections on 127.0.0.1:`port`; fails at once if it exits,
    with what `said` gives (its logs, for a process that writes them to files)."""

    def serving() -> bool:
        if process.poll() is not None:
            text = said()
            raise AssertionError(
                f"{process.args!r} exited with {process.returncode}" + (f": {text}" if text else "")
            )
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
        except OSError:
            return False
        return True

    wait_until(serving, f"a server on port {port}", seconds)


def together(*calls: Callable[[], T]) -> list[T]:
    """Run `calls` at the same moment, one thread each (released by one barrier); their
    results in the order given."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as threads:
        return [future.result() for future in [threads.submit(run, c) for c in calls]]
