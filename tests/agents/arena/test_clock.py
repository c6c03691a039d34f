"""Time controls and game clocks: parsing, increments, periods, flag falls."""
from __future__ import annotations

import pytest

from agents.arena.clock import GameClock, TimeControl, TimeControlError


@pytest.mark.parametrize("text, control", [
    ("10+0.1", TimeControl(10.0, 0.1)), ("60", TimeControl(60.0)), ("40/120+1", TimeControl(120.0, 1.0, 40)),
    (" 0.5+.05 ", TimeControl(0.5, 0.05)), ("3.", TimeControl(3.0)),
])
def test_parse(text: str, control: TimeControl) -> None:
    assert TimeControl.parse(text) == control
    assert TimeControl.parse(str(control)) == control


@pytest.mark.parametrize("text", ["", "10+", "+1", "a/10", "0/10", "0", "10+-1", "10 + 1", "1e3"])
def test_bad_time_controls(text: str) -> None:
    with pytest.raises(TimeControlError):
        TimeControl.parse(text)


def test_increment_and_flag() -> None:
    clock = GameClock(TimeControl(1.0, 0.1))
    assert clock.charge(0, 0.4) and clock.remaining == pytest.approx([0.7, 1.0])
    assert clock.movestogo(0) is None
    assert clock.charge(1, 0.0) and clock.remaining[1] == pytest.approx(1.1)
    assert not clock.charge(0, 0.75)  # below zero before the increment: the flag fell
    assert clock.remaining[0] == pytest.approx(-0.05) and clock.moves == [1, 1]


def test_periods() -> None:
    clock = GameClock(TimeControl(10.0, 0.0, moves=2))
    assert clock.movestogo(0) == 2
    clock.charge(0, 1.0)
    assert clock.movestogo(0) == 1 and clock.remaining[0] == pytest.approx(9.0)
    clock.charge(0, 1.0)  # period done: the base comes again
    assert clock.movestogo(0) == 2 and clock.remaining[0] == pytest.approx(18.0)
