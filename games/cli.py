"""Entry-point helper: bad input ends with one line on stderr and exit status 2, never a traceback."""
from __future__ import annotations

import signal
import sys
import threading
from typing import Callable, Sequence

from games.core import InputError
from games.interrupts import terminate_as_interrupt


def run_cli(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """Run ``main(argv)``; turn :class:`InputError` into ``error: ...`` and status 2, Ctrl-C into 130.

    SIGTERM (``kill``, a scheduler, ``ray job stop``) counts as Ctrl-C while ``main`` runs: a job started in
    the background, where the shell makes it ignore SIGINT, can still be stopped cleanly."""
    before = None
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        before = signal.signal(signal.SIGTERM, terminate_as_interrupt)
    try:
        return main(argv)
    except InputError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    finally:
        if before is not None:
            signal.signal(signal.SIGTERM, before)
