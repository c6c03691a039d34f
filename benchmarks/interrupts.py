"""Ctrl-C turned into a flag while a loop waits on worker processes, so it never lands inside a library call.

``concurrent.futures.wait`` takes every future's lock in turn; a KeyboardInterrupt raised between two of those
acquisitions leaves some of them held for good, and the pool's manager thread then hangs on them when the
program exits (seen in CI: a tournament printed its "interrupted" line and never ended). Loops that wait on
a pool therefore wait in short slices inside :func:`deferred_interrupt` and raise KeyboardInterrupt
themselves between slices.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Callable, Iterator

POLL_S = 0.2
"""Seconds a loop waits on its workers between checks of the flag."""


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Within the block, Ctrl-C sets a flag (read by the yielded call) instead of raising at once.

    Where SIGINT is not Python's default handler (ignored, a caller's own handler) or this is not the main
    thread, nothing changes and the flag stays unset."""
    hit: list[bool] = []
    main = threading.current_thread() is threading.main_thread()
    before = signal.getsignal(signal.SIGINT) if main else None
    if before is not signal.default_int_handler:
        yield lambda: False
        return
    signal.signal(signal.SIGINT, lambda signum, frame: hit.append(True))
    try:
        yield lambda: bool(hit)
    finally:
        signal.signal(signal.SIGINT, before)
