"""The ``stockfish`` agent: a Stockfish process driven over UCI by python-chess (chess only).

``stockfish:elo=1500`` limits strength (``UCI_LimitStrength`` + ``UCI_Elo``, 1350..2850 as Stockfish
accepts); ``depth``, ``nodes`` and ``movetime`` (seconds) limit each search; with no limit at all a move
gets 0.1 s. Each agent owns one engine process, started at construction and ended by :meth:`close`
(idempotent; also run by ``__del__`` and at interpreter exit). A missing binary or an engine that dies
raises :class:`~agents.core.AgentError`.
"""
from __future__ import annotations

import atexit
import os
import shutil
import weakref
from dataclasses import dataclass

import chess
import chess.engine

from agents.core import Agent, AgentError, AgentKind
from games.core import Game, State, UnsupportedGameError

DEFAULT_PATH = "/usr/games/stockfish"
"""Where Debian's ``apt-get install stockfish`` puts the binary."""
ELO_RANGE = (1350, 2850)
"""``UCI_Elo`` values Stockfish accepts."""
DEFAULT_MOVETIME = 0.1
"""Seconds per move when no depth, nodes or movetime is given."""
_QUIT_TIMEOUT = 5.0


@dataclass(frozen=True)
class StockfishOptions:
    """Options of ``stockfish``."""

    elo: int | None = None
    """Limit strength to this Elo (UCI_LimitStrength + UCI_Elo), 1350..2850; None = full strength."""
    depth: int | None = None
    """Search depth limit per move (plies)."""
    nodes: int | None = None
    """Node limit per move."""
    movetime: float | None = None
    """Time limit per move in seconds."""
    threads: int = 1
    """Engine threads (UCI Threads)."""
    hash: int = 16
    """Transposition table size in MiB (UCI Hash)."""
    path: str | None = None
    """Engine binary; None = /usr/games/stockfish, else `stockfish` on PATH."""

    def __post_init__(self) -> None:
        if self.elo is not None and not ELO_RANGE[0] <= self.elo <= ELO_RANGE[1]:
            raise ValueError(f"elo must lie in {ELO_RANGE[0]}..{ELO_RANGE[1]}; got {self.elo}")
        for name in ("depth", "nodes", "threads", "hash"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1; got {value}")
        if self.movetime is not None and not self.movetime > 0:
            raise ValueError(f"movetime must be positive seconds; got {self.movetime}")

    def limit(self) -> chess.engine.Limit:
        """The per-move search limit."""
        if self.depth is None and self.nodes is None and self.movetime is None:
            return chess.engine.Limit(time=DEFAULT_MOVETIME)
        return chess.engine.Limit(depth=self.depth, nodes=self.nodes, time=self.movetime)


def find_stockfish(path: str | None) -> str:
    """The engine binary to run; raises :class:`AgentError` if it does not exist."""
    if path is None:
        path = DEFAULT_PATH if os.path.exists(DEFAULT_PATH) else (shutil.which("stockfish") or DEFAULT_PATH)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AgentError(f"stockfish not found at {path}; install it with apt-get install stockfish")
    return path


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


_live: "weakref.WeakSet[StockfishAgent]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for agent in list(_live):
        agent.close()


class StockfishAgent(Agent):
    """One Stockfish process; ``act`` asks it for a move in ``state.board`` under the configured limit."""

    def __init__(self, options: StockfishOptions) -> None:
        self.options = options
        self.path = find_stockfish(options.path)
        self.engine: chess.engine.SimpleEngine | None = None
        self._game_id = 0
        try:
            self.engine = chess.engine.SimpleEngine.popen_uci([self.path], timeout=30.0, setpgrp=True)
        except (OSError, chess.engine.EngineError, chess.engine.EngineTerminatedError, TimeoutError) as err:
            raise AgentError(f"could not start stockfish at {self.path}: {err}") from None
        _live.add(self)
        try:
            self._configure()
        except BaseException:
            self.close()
            raise

    def _configure(self) -> None:
        assert self.engine is not None
        config: dict[str, int | bool] = {"Threads": self.options.threads, "Hash": self.options.hash}
        if self.options.elo is not None:
            option = self.engine.options.get("UCI_Elo")
            if option is None or "UCI_LimitStrength" not in self.engine.options:
                raise AgentError(f"the engine at {self.path} does not support UCI_Elo")
            config["UCI_LimitStrength"] = True
            config["UCI_Elo"] = min(max(self.options.elo, int(option.min or 0)), int(option.max or 10**6))
        try:
            self.engine.configure(config)
        except (chess.engine.EngineError, chess.engine.EngineTerminatedError) as err:
            raise AgentError(f"stockfish rejected its options: {err}") from None

    @property
    def pid(self) -> int | None:
        """Process id of the engine (None once closed)."""
        if self.engine is None:
            return None
        return int(self.engine.transport.get_pid())

    def act(self, state: State) -> int:
        from games.chess.actions import move_to_action

        if self.engine is None:
            raise AgentError("stockfish agent used after close()")
        board: chess.Board = state.board  # type: ignore[attr-defined]
        try:
            result = self.engine.play(board, self.options.limit(), game=self._game_id)
        except (chess.engine.EngineTerminatedError, chess.engine.EngineError) as err:
            self.close()
            raise AgentError(f"stockfish died or failed mid-game: {err or type(err).__name__}") from None
        if result.move is None or result.move not in board.legal_moves:
            raise AgentError(f"stockfish returned no legal move in {board.fen()}")
        return int(move_to_action(board, result.move))

    def reset(self) -> None:
        """A new game: the next search is sent with a new game id, so python-chess sends ``ucinewgame``."""
        self._game_id += 1

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


def _build(game: Game, options: StockfishOptions, seed: int) -> StockfishAgent:
    if game.spec.name != "chess":
        raise UnsupportedGameError(f"the stockfish agent plays chess only; not {game.spec.name}")
    return StockfishAgent(options)


AGENT = AgentKind(name="stockfish", options=StockfishOptions, build=_build,
                  help="Stockfish over UCI, chess only (stockfish:elo=1500 | depth=N | nodes=N | movetime=S)")
