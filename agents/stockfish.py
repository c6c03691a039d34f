"""The ``stockfish`` agent: a preset of the ``uci`` agent (:mod:`agents.uci.agent`) for Stockfish (chess only).

``stockfish:elo=1500`` limits strength (``UCI_LimitStrength`` + ``UCI_Elo``, 1350..2850 as Stockfish
accepts); ``depth``, ``nodes`` and ``movetime`` (seconds) limit each search, ``tc=10+0.1`` plays on a
clock (the agent keeps it and loses on time when it runs out); with no limit at all a move gets 0.1 s.
The same as ``uci:cmd=/usr/games/stockfish,option.Threads=1,option.Hash=16[,option.UCI_Elo=E][,...]``.
Each agent owns one engine process, started at construction and ended by :meth:`close` (idempotent; also
run by ``__del__`` and at interpreter exit). A missing binary or an engine that dies raises
:class:`~agents.core.AgentError`.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from agents.core import AgentError, AgentKind
from agents.uci.agent import UciAgent, UciOptions
from games.core import Game, UnsupportedGameError

DEFAULT_PATH = "/usr/games/stockfish"
"""Where Debian's ``apt-get install stockfish`` puts the binary."""
ELO_RANGE = (1350, 2850)
"""``UCI_Elo`` values Stockfish accepts."""


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
    tc: str | None = None
    """Time control [MOVES/]BASE[+INC] in seconds, e.g. 10+0.1 (the agent keeps the clocks)."""
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
        self.uci_options("stockfish")  # checks tc

    def uci_options(self, path: str) -> UciOptions:
        """The ``uci`` agent options of this preset, for the binary at ``path``."""
        engine_options: tuple[tuple[str, str], ...] = (("Threads", str(self.threads)), ("Hash", str(self.hash)))
        if self.elo is not None:
            engine_options += (("UCI_LimitStrength", "true"), ("UCI_Elo", str(self.elo)))
        return UciOptions(cmd=path, movetime=self.movetime, nodes=self.nodes, depth=self.depth, tc=self.tc,
                          option=engine_options, name="stockfish")


def find_stockfish(path: str | None) -> str:
    """The engine binary to run; raises :class:`AgentError` if it does not exist."""
    if path is None:
        path = DEFAULT_PATH if os.path.exists(DEFAULT_PATH) else (shutil.which("stockfish") or DEFAULT_PATH)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AgentError(f"stockfish not found at {path}; install it with apt-get install stockfish")
    return path


class StockfishAgent(UciAgent):
    """One Stockfish process (a :class:`UciAgent` with the preset's options)."""

    def __init__(self, options: StockfishOptions) -> None:
        self.stockfish_options = options
        self.path = find_stockfish(options.path)
        super().__init__(options.uci_options(self.path), argv=[self.path])


def _build(game: Game, options: StockfishOptions, seed: int) -> StockfishAgent:
    if game.spec.name != "chess":
        raise UnsupportedGameError(f"the stockfish agent plays chess only; not {game.spec.name}")
    return StockfishAgent(options)


AGENT = AgentKind(name="stockfish", options=StockfishOptions, build=_build,
                  help="Stockfish over UCI, chess only (stockfish:elo=1500 | depth=N | nodes=N | movetime=S | "
                       "tc=10+0.1)")
