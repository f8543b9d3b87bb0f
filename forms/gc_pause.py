"""Pause the cyclic garbage collector while a form is read or a session is started.

Both build tens of thousands of small objects at once, and the trees they build are
cyclic: every `Node` keeps a `parent` link, so each tree is one large reference cycle.
Pausing is still safe, and still saves time, because:

- Reference counting goes on: an object nobody refers to is freed at once, paused or
  not. Only garbage cycles wait, and the cycles built during the pause are the result
  being built, alive until the call returns: a collection then could free none of them.
- Garbage cycles made meanwhile (a tree dropped half-way, an error's traceback) wait for
  the first collection after the pause; allocations are still counted while paused, so
  that comes with the next allocation. The pause is process-wide (other threads' cycles
  wait too) and lasts one call. Two threads pausing at once may end each other's pause
  early, which costs only the saving; the collector is enabled again either way.
- A collection during the build walks the young objects, all of them live tree, and the
  growth triggers older collections that walk the rest of the heap: work that frees
  nothing. Paused, the finished tree is walked once by the collections that follow.
  Measured on the benchmarks' 2,000-question form: about 5% of reading and of starting
  with an otherwise empty heap, about 10% with four other sessions alive.

The cycles do mean a dropped definition or session is freed by the collector, later,
not by reference counting when the last reference goes; that cost is outside the pause.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the collector for the block; enable it after, unless it was already off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
