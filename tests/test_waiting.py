"""The tests' wait helper: returns what the condition gave, names what never happened."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.waiting import free_port, wait_serving, wait_until


def test_wait_until_returns_the_first_true_answer() -> None:
    answers = iter([None, 0, "", "ready", "later"])
    assert wait_until(lambda: next(answers), "an answer") == "ready"
    assert next(answers) == "later"  # not asked again once it held


def test_wait_until_names_what_never_happened() -> None:
    with pytest.raises(AssertionError, match="waited 0 s for the hub's outbox all sent"):
        wait_until(lambda: None, "the hub's outbox all sent", seconds=0)


def test_wait_serving_fails_at_once_when_the_process_exits() -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait(30)
    with pytest.raises(AssertionError, match="exited with 3"):
        wait_serving(process, free_port(), seconds=30)


def test_wait_serving_waits_for_the_port_to_take_connections() -> None:
    waiting = [sys.executable, "-c", "import sys; sys.stdin.read()"]
    process = subprocess.Popen(waiting, stdin=subprocess.PIPE)
    try:
        with socket.socket() as listening:
            listening.bind(("127.0.0.1", 0))
            port = listening.getsockname()[1]
            with pytest.raises(AssertionError, match=f"a server on port {port}"):
                wait_serving(process, port, seconds=0.5)  # bound, not listening yet
            listening.listen()
            wait_serving(process, port)
    finally:
        process.communicate(b"", timeout=30)
