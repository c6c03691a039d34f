"""Ctrl-C and SIGTERM as interrupts, and as a flag where an interrupt must not land mid-step.

``concurrent.futures.wait`` takes every future's lock in turn; a KeyboardInterrupt raised between two of those
acquisitions leaves some of them held for good, and the pool's manager thread then hangs on them when the
program exits (seen in CI: a tournament printed its "interrupted" line and never ended). Loops that wait on
a pool therefore wait in short slices inside :func:`deferred_interrupt` and raise KeyboardInterrupt
themselves between slices. A match writes a finished game and counts it inside one too, so the file and
the summary never disagree by the game an interrupt fell between.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from types import FrameType
from typing import Callable, Iterator

POLL_S = 0.2
"""Seconds a loop waits on its workers between checks of the flag."""


def terminate_as_interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM handler of a command: stop as Ctrl-C does (finished work is kept, ledgers are written)."""
    raise KeyboardInterrupt


@contextlib.contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Within the block, Ctrl-C (and SIGTERM where :func:`games.cli.run_cli` made it one) sets a flag,
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
