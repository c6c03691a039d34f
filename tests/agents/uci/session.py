"""An in-process engine session for tests: send commands, read the lines written, wait for ``bestmove``."""
from __future__ import annotations

import threading
import time

from agents.uci.engine import UCIEngine
from agents.uci.options import Value


class Session:
    """A :class:`UCIEngine` whose output lines are kept with the time they were written."""

    def __init__(self, values: dict[str, Value] | None = None) -> None:
        self.lines: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self.engine = UCIEngine(self._out, {"Hash": 16, **(values or {})})

    def _out(self, text: str) -> None:
        with self._cond:
            self.lines.append((time.perf_counter(), text))
            self._cond.notify_all()

    def send(self, *commands: str) -> None:
        for command in commands:
            self.engine.handle(command)

    def wait_for(self, prefix: str, timeout: float = 20.0, after: int = 0) -> tuple[float, str]:
        """The first line from index ``after`` on that starts with ``prefix`` (AssertionError on timeout)."""
        deadline = time.perf_counter() + timeout
        with self._cond:
            while True:
                for stamp, text in self.lines[after:]:
                    if text.startswith(prefix):
                        return stamp, text
                left = deadline - time.perf_counter()
                assert left > 0, f"no '{prefix}' line within {timeout} s: {self.texts()[-5:]}"
                self._cond.wait(left)

    def search(self, *commands: str) -> str:
        """Send commands ending with a ``go``; the ``bestmove`` line it gets."""
        start = len(self.lines)
        self.send(*commands)
        return self.wait_for("bestmove", after=start)[1]

    def texts(self, after: int = 0) -> list[str]:
        return [text for _, text in self.lines[after:]]

    def close(self) -> None:
        self.engine.handle("quit")
