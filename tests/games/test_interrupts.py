"""Ctrl-C and SIGTERM as a flag inside a waiting loop or a bookkeeping step (games.interrupts)."""
from __future__ import annotations

import os
import signal
import threading
import time
from typing import Iterator

import pytest

from games.interrupts import deferred_interrupt
from games.cli import run_cli


@pytest.fixture
def default_signals() -> Iterator[None]:
    """Python's own SIGINT and SIGTERM handling for the test (earlier tests may have changed them)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler), signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGINT, before[0])
    signal.signal(signal.SIGTERM, before[1])


@pytest.mark.usefixtures("default_signals")
def test_sigint_sets_the_flag_instead_of_raising_and_the_handler_comes_back() -> None:
    with deferred_interrupt() as interrupted:
        assert not interrupted()
        os.kill(os.getpid(), signal.SIGINT)
        deadline = time.monotonic() + 5
        while not interrupted() and time.monotonic() < deadline:
            time.sleep(0.01)  # the handler runs between bytecodes of this thread
        assert interrupted()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):  # outside the block Ctrl-C raises again
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)


def test_outside_the_main_thread_nothing_changes() -> None:
    seen: list[object] = []

    def run() -> None:
        with deferred_interrupt() as interrupted:
            seen.append(interrupted())
            seen.append(signal.getsignal(signal.SIGINT))

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [False, before]


@pytest.mark.usefixtures("default_signals")
def test_run_cli_makes_sigterm_a_ctrl_c_and_the_loop_flag_takes_it() -> None:
    seen: list[bool] = []

    def main(argv: object) -> int:
        with deferred_interrupt() as interrupted:
            os.kill(os.getpid(), signal.SIGTERM)
            deadline = time.monotonic() + 5
            while not interrupted() and time.monotonic() < deadline:
                time.sleep(0.01)
            seen.append(interrupted())
        os.kill(os.getpid(), signal.SIGTERM)  # outside the block: a Ctrl-C, so status 130
        time.sleep(5)
        return 0

    assert run_cli(main, []) == 130
    assert seen == [True]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
