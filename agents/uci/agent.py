"""The ``uci`` agent: any UCI chess engine as a player, driven by python-chess's UCI client.

``uci:cmd=/usr/games/stockfish,option.UCI_Elo=1500,movetime=0.1``;
``uci:cmd=python -m agents.uci --net models/chess/checkpoints/011485.pt,tc=10+0.1``.

* ``cmd``: the engine's command line, split like a shell does (no commas: they separate spec options);
  a first word ``python``/``python3`` means this interpreter (``sys.executable``).
* ``option.NAME=VALUE``: sent with ``setoption`` after the handshake; a name the engine does not
  advertise or a value out of its range is an error. ``UCI_Elo`` turns ``UCI_LimitStrength`` on too
  (unless it is given), as the UCI standard pairs them.
* Limits per move: ``movetime`` (seconds), ``nodes``, ``depth``, and a clock ``tc=[MOVES/]BASE[+INC]``
  (:mod:`agents.arena.clock`); they combine as ``go`` does; none at all = ``movetime=0.1``.

On a clock the agent keeps each game's clocks itself: its own time is measured from sending the
position to receiving ``bestmove``, the opponent's from its last move to the opponent's (told by
``observe``); ``go`` carries ``wtime/btime/winc/binc`` (and ``movestogo`` in periods). A move that
arrives after the own clock ran out raises :class:`~agents.arena.clock.TimeForfeit`, which the match
records as a loss on time.

The engine starts (handshake, options, ``isready``: its warm-up) when the agent is built, before any clock
runs; ``close`` ends it. Errors (:class:`~agents.core.AgentError`): a binary that is not there, an
engine that dies, one that does not finish the handshake (garbage instead of ``uciok``), an option it
lacks, an unreadable or illegal ``bestmove``, no answer within the move's time + ``grace``.
"""
from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shlex
import shutil
import sys
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Coroutine, TypeVar

import chess
import chess.engine

from agents.arena.clock import GameClock, TimeControl, TimeControlError, TimeForfeit
from agents.core import Agent, AgentError, AgentKind
from games.core import Game, State, UnsupportedGameError

DEFAULT_MOVETIME = 0.1
"""Seconds per move when no limit is given."""
_T = TypeVar("_T")


class EngineTimeout(AgentError):
    """The engine did not answer within the time it was given."""


@dataclass(frozen=True)
class UciOptions:
    """Options of the ``uci`` agent."""

    cmd: str = ""
    """Engine command line (required), e.g. /usr/games/stockfish or 'python -m agents.uci --net PATH'."""
    movetime: float | None = None
    """Seconds per move (go movetime)."""
    nodes: int | None = None
    """Nodes per move (go nodes)."""
    depth: int | None = None
    """Depth per move (go depth)."""
    tc: str | None = None
    """Time control [MOVES/]BASE[+INC] in seconds, e.g. 10+0.1: the agent keeps the clocks, sends
    wtime/btime/winc/binc and loses on time when its clock runs out."""
    option: tuple[tuple[str, str], ...] = field(default=(), metadata={"prefix": "option"})
    """option.NAME=VALUE: UCI options set after the handshake."""
    name: str | None = None
    """Name of the engine in messages (default: its program's file name)."""
    init_timeout: float = 60.0
    """Seconds the engine may take to start: handshake, options and warm-up (isready)."""
    grace: float = 10.0
    """Seconds past a move's time limit (movetime, or the clock) to wait for bestmove before giving up."""

    def __post_init__(self) -> None:
        if not self.cmd.strip():
            raise ValueError("give the engine's command: uci:cmd=PATH [ARGS]")
        for name in ("nodes", "depth"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1; got {value}")
        if self.movetime is not None and not self.movetime > 0:
            raise ValueError(f"movetime must be positive seconds; got {self.movetime}")
        if not (self.init_timeout > 0 and self.grace >= 0):
            raise ValueError("init_timeout must be > 0 and grace >= 0")
        try:
            self.time_control()
        except TimeControlError as err:
            raise ValueError(str(err)) from None

    def time_control(self) -> TimeControl | None:
        """The parsed ``tc`` (None without one)."""
        return TimeControl.parse(self.tc) if self.tc else None


def command_argv(cmd: str) -> list[str]:
    """The engine's argv: ``cmd`` split like a shell does, ``python`` = this interpreter; raises
    :class:`AgentError` when the program does not exist."""
    try:
        argv = shlex.split(cmd)
    except ValueError as err:
        raise AgentError(f"cannot read the engine command '{cmd}': {err}") from None
    if argv[0] in ("python", "python3"):
        argv[0] = sys.executable
    program = argv[0] if os.sep in argv[0] else shutil.which(argv[0])
    if program is None or not (os.path.isfile(program) and os.access(program, os.X_OK)):
        raise AgentError(f"engine '{argv[0]}' not found (uci:cmd={cmd})")
    return [program, *argv[1:]]


def _quit(engine: chess.engine.SimpleEngine) -> None:
    """End an engine process, politely first (``quit``), then by force."""
    try:
        engine.quit()
    except Exception:  # noqa: BLE001 - a dead or stuck engine: fall through to the forced close
        pass
    finally:
        try:
            engine.close()
        except Exception:  # noqa: BLE001 - already closed
            pass


class _ClosedLoopNoise(logging.Filter):
    """Drops asyncio's "Loop ... that handles pid ... is closed": python-chess closes its event loop right
    after killing an engine that failed to start, and the child watcher then says so on stderr, after the
    one ``error:`` line the command line prints."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "that handles pid" not in record.getMessage()


logging.getLogger("asyncio").addFilter(_ClosedLoopNoise())
_live: "weakref.WeakSet[UciAgent]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for agent in list(_live):
        agent.close()


class UciAgent(Agent):
    """One engine process; ``act`` asks it for a move in ``state.board`` under the configured limits."""

    def __init__(self, options: UciOptions, argv: list[str] | None = None) -> None:
        self.options = options
        self.argv = argv if argv is not None else command_argv(options.cmd)
        self.label = options.name or Path(self.argv[0]).name
        self.control = options.time_control()
        self.clock: GameClock | None = None
        """This game's clocks (with ``tc``)."""
        self.engine: chess.engine.SimpleEngine | None = None
        self._game_id = 0
        self._seat: int | None = None
        self._mark = time.perf_counter()
        try:
            self.engine = chess.engine.SimpleEngine.popen_uci(self.argv, timeout=options.init_timeout, setpgrp=True)
        except (TimeoutError, asyncio.TimeoutError):
            raise AgentError(f"{self.label} did not finish the UCI handshake within {options.init_timeout:g} s "
                             f"(is '{options.cmd}' a UCI engine?)") from None
        except (OSError, chess.engine.EngineError, chess.engine.EngineTerminatedError) as err:
            raise AgentError(f"could not start {self.label} ({options.cmd}): {err or type(err).__name__}") from None
        _live.add(self)
        try:
            self._configure()
            self._call(self.engine.protocol.ping(), options.init_timeout, "get ready (isready)")
        except BaseException:
            self.close()
            raise
        self.reset()

    def _configure(self) -> None:
        assert self.engine is not None
        known = {name.lower(): name for name in self.engine.options}
        config: dict[str, Any] = {}
        for name, text in self.options.option:
            real = known.get(name.lower())
            if real is None:
                raise AgentError(f"{self.label} has no option '{name}' (options: {', '.join(self.engine.options)})")
            config[real] = _option_value(self.engine.options[real], text, self.label)
        if "UCI_Elo" in config and "UCI_LimitStrength" in known.values() and "UCI_LimitStrength" not in config:
            config["UCI_LimitStrength"] = True
        try:
            self.engine.configure(config)
        except (chess.engine.EngineError, chess.engine.EngineTerminatedError) as err:
            raise AgentError(f"{self.label} rejected its options: {err}") from None

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float | None, doing: str) -> _T:
        """Run a python-chess protocol coroutine with a timeout; engine failures become AgentError."""
        assert self.engine is not None
        future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(coro, timeout), self.engine.protocol.loop)
        try:
            return future.result()
        except (TimeoutError, asyncio.TimeoutError):
            raise EngineTimeout(f"{self.label} did not {doing} within {timeout:g} s") from None
        except chess.engine.EngineTerminatedError as err:
            self.close()
            raise AgentError(f"{self.label} died or failed mid-game: {err or type(err).__name__}") from None
        except chess.engine.EngineError as err:
            raise AgentError(f"{self.label} failed to {doing}: {err}") from None

    @property
    def pid(self) -> int | None:
        """Process id of the engine (None once closed)."""
        return None if self.engine is None else int(self.engine.transport.get_pid())

    # ----- playing ---------------------------------------------------------------------------------
    def _limit(self, player: int) -> tuple[chess.engine.Limit, float | None]:
        """(the limit of this move, the seconds it may take at most or None)."""
        o = self.options
        clock = self.clock
        if o.movetime is None and o.nodes is None and o.depth is None and clock is None:
            return chess.engine.Limit(time=DEFAULT_MOVETIME), DEFAULT_MOVETIME
        limit = chess.engine.Limit(time=o.movetime, nodes=o.nodes, depth=o.depth)
        most = o.movetime
        if clock is not None:
            own = max(clock.remaining[player], 0.001)
            limit.white_clock, limit.black_clock = (max(t, 0.001) for t in clock.remaining[:2])
            limit.white_inc = limit.black_inc = clock.control.increment
            limit.remaining_moves = clock.movestogo(player)
            most = own if most is None else min(most, own)
        return limit, most

    def act(self, state: State) -> int:
        from games.chess.actions import move_to_action

        if self.engine is None:
            raise AgentError(f"{self.label} agent used after close()")
        board: chess.Board = state.board  # type: ignore[attr-defined]
        player = state.current_player
        self._seat = player
        limit, most = self._limit(player)
        timeout = None if most is None else most + self.options.grace
        began = time.perf_counter()
        try:
            result = self._call(self.engine.protocol.play(board, limit, game=self._game_id), timeout, "play a move")
        except EngineTimeout:
            if self.clock is None:
                raise
            result = None
        elapsed = time.perf_counter() - began
        self._mark = time.perf_counter()
        if self.clock is not None and not self.clock.charge(player, elapsed):
            raise TimeForfeit(f"{self.label} lost on time: {elapsed:.3f} s for a move with "
                              f"{elapsed + self.clock.remaining[player]:.3f} s left")
        move = result.move if result is not None else None
        if move is None or move not in board.legal_moves:
            raise AgentError(f"{self.label} sent the illegal bestmove {move} in {board.fen()}")
        return int(move_to_action(board, move))

    def observe(self, state: State, action: int) -> None:
        """On a clock: an opponent's move ends its thinking time (measured since our last move)."""
        mover = state.current_player
        if self.clock is not None and mover >= 0 and mover != self._seat:
            self.clock.charge(mover, time.perf_counter() - self._mark)
            self._mark = time.perf_counter()

    def reset(self) -> None:
        """A new game: new clocks; the next search is sent with a new game id (python-chess: ucinewgame)."""
        self._game_id += 1
        self.clock = GameClock(self.control) if self.control is not None else None
        self._seat = None
        self._mark = time.perf_counter()

    def close(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            _quit(engine)
        _live.discard(self)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _option_value(option: chess.engine.Option, text: str, label: str) -> Any:
    """A spec's text for a UCI option, typed for it (check: true/false, spin: an integer)."""
    if option.type == "check":
        low = text.lower()
        if low not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            raise AgentError(f"{label} option {option.name} must be true or false; got '{text}'")
        return low in ("true", "1", "yes", "on")
    if option.type == "spin":
        try:
            return int(text)
        except ValueError:
            raise AgentError(f"{label} option {option.name} must be an integer; got '{text}'") from None
    return text


def _build(game: Game, options: UciOptions, seed: int) -> UciAgent:
    if game.spec.name != "chess":
        raise UnsupportedGameError(f"the uci agent plays chess only; not {game.spec.name}")
    return UciAgent(options)


AGENT = AgentKind(name="uci", options=UciOptions, build=_build, positional="cmd",
                  help="any UCI engine, chess only (uci:cmd=PATH [ARGS],option.NAME=VALUE,movetime=S|nodes=N|"
                       "depth=N|tc=10+0.1)")
