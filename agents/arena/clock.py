"""Chess clocks: time controls, one game's clocks, and the loss on time.

A time control is written as cutechess-cli writes it: ``[MOVES/]BASE[+INC]`` in seconds, e.g. ``10+0.1``
(10 s for the game, 0.1 s added after each move), ``60`` (sudden death) or ``40/120+1`` (120 s for every
40 moves, the base added again after each period). :class:`GameClock` keeps every player's remaining time
for one game: :meth:`GameClock.charge` takes a move's thinking time off the mover's clock and then adds
the increment; a clock that went below zero has fallen.

An agent that plays on a clock (the ``uci`` agent with ``tc=``) raises :class:`TimeForfeit` from ``act``
when its flag falls; :func:`agents.arena.match.play_game` records the game as lost on time by that
player (termination ``time_forfeit``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from games.core import InputError

TIME_FORFEIT = "time_forfeit"
"""The ``termination`` of a game record lost on time."""
_TC = re.compile(r"^(?:(\d+)/)?(\d+(?:\.\d*)?|\.\d+)(?:\+(\d+(?:\.\d*)?|\.\d+))?$")


class TimeControlError(InputError):
    """A malformed time control text."""


class TimeForfeit(Exception):
    """Raised by an agent's ``act`` when its clock ran out: the game is lost on time.

    Not an :class:`~agents.core.AgentError`: the agent works, it only used more time than it had.
    """


@dataclass(frozen=True)
class TimeControl:
    """``[moves/]base[+increment]``: seconds per game (or per period of ``moves`` moves) and per move."""

    base: float
    """Seconds on each clock at the start (and added at the start of every period)."""
    increment: float = 0.0
    """Seconds added to the mover's clock after each of its moves (Fischer increment)."""
    moves: int | None = None
    """Moves per period (``40/120``: 120 s for every 40 moves); None = the whole game is one period."""

    def __post_init__(self) -> None:
        if not self.base > 0 or self.increment < 0 or (self.moves is not None and self.moves < 1):
            raise TimeControlError(f"bad time control {self}: need base > 0, increment >= 0, moves >= 1")

    @classmethod
    def parse(cls, text: str) -> "TimeControl":
        """``10+0.1``, ``60``, ``40/120+1`` -> :class:`TimeControl`; raises :class:`TimeControlError`."""
        match = _TC.match(text.strip())
        if match is None:
            raise TimeControlError(f"time control '{text}' is not [MOVES/]SECONDS[+INCREMENT], e.g. 10+0.1")
        moves, base, inc = match.groups()
        return cls(base=float(base), increment=float(inc or 0.0), moves=int(moves) if moves else None)

    def __str__(self) -> str:
        head = f"{self.moves}/" if self.moves else ""
        return f"{head}{self.base:g}+{self.increment:g}"


class GameClock:
    """The clocks of one game under a :class:`TimeControl` (player p's clock is ``remaining[p]``)."""

    def __init__(self, control: TimeControl, num_players: int = 2) -> None:
        self.control = control
        self.remaining = [control.base] * num_players
        """Seconds left on each player's clock."""
        self.moves = [0] * num_players
        """Moves each player has made."""

    def movestogo(self, player: int) -> int | None:
        """Moves ``player`` must make before the next period's time arrives (None: sudden death)."""
        per = self.control.moves
        return None if per is None else per - self.moves[player] % per

    def charge(self, player: int, seconds: float) -> bool:
        """``player`` thought ``seconds`` for a move: take them off its clock, then add the increment (and
        the next period's base when the period is done). Returns False when the flag fell (the clock went
        below zero before the increment); the clock then stays at its negative value."""
        self.remaining[player] -= max(0.0, seconds)
        if self.remaining[player] < 0:
            return False
        self.remaining[player] += self.control.increment
        self.moves[player] += 1
        if self.control.moves is not None and self.moves[player] % self.control.moves == 0:
            self.remaining[player] += self.control.base
        return True
