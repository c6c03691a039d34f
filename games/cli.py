"""Entry-point helper: bad input ends with one line on stderr and exit status 2, never a traceback."""
from __future__ import annotations

import sys
from typing import Callable, Sequence

from games.core import InputError


def run_cli(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """Run ``main(argv)``; turn :class:`InputError` into ``error: ...`` and status 2, Ctrl-C into 130."""
    try:
        return main(argv)
    except InputError as err:
        sys.stderr.write(f"error: {err}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
