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

from games.cli import terminate_as_interrupt

POLL_S = 0.2
"""Seconds a loop waits on its workers between checks of the flag."""


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Within the block, Ctrl-C (and SIGTERM where :func:`games.cli.run_cli` made it a Ctrl-C) sets a flag,
    read by the yielded call, instead of raising at once.

    A signal whose handler is something else (ignored, a caller's own handler) is left alone, as is every
    signal outside the main thread; the flag then stays unset."""
    hit: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    raising = (signal.default_int_handler, terminate_as_interrupt)
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    taken = [s for s, handler in before.items() if handler in raising]
    for s in taken:
        signal.signal(s, lambda signum, frame: hit.append(True))
    try:
        yield lambda: bool(hit)
    finally:
        for s in taken:
            signal.signal(s, before[s])
