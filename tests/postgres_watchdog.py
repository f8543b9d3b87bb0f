"""Cleans up after a process that may die without cleaning up itself.

    python postgres_watchdog.py PID FOLDER -- STOP-COMMAND...

waits until process PID (the one that started this one) has ended or this process's stdin
reaches its end, whichever comes first; then, if FOLDER still exists, runs STOP-COMMAND (its
exit status ignored) and deletes FOLDER. `tests/postgres_cluster.py` starts one beside each
cluster, with the cluster's folder and its `pg_ctl stop`, and closes its stdin once it has
stopped the cluster itself: FOLDER is gone by then, and the watchdog ends without doing
anything.

Run as a script by its path: it imports nothing of ours, so it needs no `sys.path` set up.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

USAGE = "usage: postgres_watchdog.py PID FOLDER -- STOP-COMMAND..."


def wait_for_the_end(pid: int) -> None:
    """Until process `pid` has ended or stdin is at its end.

    `pid` is our parent, watched through a pidfd, which cannot come to name another process
    once `pid` is reused. Stdin alone would nearly do, except that a process the parent forks
    without exec (multiprocessing's fork) inherits the pipe's other end and holds it open.
    """
    try:
        process = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        if os.getppid() != pid:
            return  # our parent had already ended: the pidfd may name another process
        select.select([process, sys.stdin.fileno()], [], [])
    finally:
        os.close(process)


def clean_up(folder: Path, stop: list[str]) -> None:
    if not folder.exists():
        return
    subprocess.run(stop, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    shutil.rmtree(folder, ignore_errors=True)


def main(arguments: list[str]) -> None:
    if len(arguments) < 4 or arguments[2] != "--":
        raise SystemExit(USAGE)
    pid, folder, stop = int(arguments[0]), Path(arguments[1]), arguments[3:]
    wait_for_the_end(pid)
    clean_up(folder, stop)


if __name__ == "__main__":
    main(sys.argv[1:])
