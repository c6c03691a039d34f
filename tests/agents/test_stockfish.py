"""The Stockfish agent: options, legal moves, one process per agent that ends with close(), errors."""
from __future__ import annotations

import os
import signal
import time

import chess
import pytest

from agents.core import AgentError, AgentSpecError
from agents.arena.match import play_game
from agents.random import RandomAgent
from agents.registry import make_agent
from agents.stockfish import StockfishAgent, find_stockfish
from games.core import UnsupportedGameError
from games.registry import make_game

try:
    find_stockfish(None)
    HAVE_STOCKFISH = True
except AgentError:
    HAVE_STOCKFISH = False
needs_engine = pytest.mark.skipif(not HAVE_STOCKFISH, reason="stockfish binary not installed")


def _gone(pid: int, wait: float = 5.0) -> bool:
    """True once the process has exited and been reaped (or is a zombie about to be)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("spec, message", [
    ("stockfish:elo=1000", "elo must lie in 1350..2850"),
    ("stockfish:elo=2900", "elo must lie"),
    ("stockfish:depth=abc", "must be int"),
    ("stockfish:depth=0", "depth must be at least 1"),
    ("stockfish:movetime=-1", "movetime must be positive"),
    ("stockfish:skill=3", "unknown option 'skill'"),
])
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(AgentSpecError, match=message):
        make_agent(spec, make_game("chess"))


def test_missing_binary() -> None:
    with pytest.raises(AgentError, match="stockfish not found at /nonexistent; install it with apt-get install stockfish"):
        make_agent("stockfish:path=/nonexistent", make_game("chess"))


def test_chess_only() -> None:
    with pytest.raises(UnsupportedGameError, match="chess only"):
        make_agent("stockfish:depth=1", make_game("connect_four"))


@needs_engine
def test_plays_legal_moves_and_closes_its_process() -> None:
    game = make_game("chess")
    agent = make_agent("stockfish:depth=2", game)
    assert isinstance(agent, StockfishAgent)
    pid = agent.pid
    assert pid is not None and not _gone(pid, wait=0.0)
    record = play_game(game, [agent, RandomAgent(0)], seed=0, max_plies=30, specs=["stockfish", "random"])
    board = chess.Board()
    for san in record.moves:
        board.push_san(san)  # raises if a recorded move were illegal
    assert record.plies == len(record.moves) > 0
    agent.close()
    assert _gone(pid) and agent.pid is None
    agent.close()  # idempotent
    with pytest.raises(AgentError, match="after close"):
        agent.act(game.new_state())


@needs_engine
def test_strength_options_reach_the_engine() -> None:
    with make_agent("stockfish:elo=1500,threads=1,hash=8,nodes=100", make_game("chess")) as agent:
        assert isinstance(agent, StockfishAgent)
        config = agent.engine.protocol.config  # type: ignore[union-attr]
        assert config["UCI_LimitStrength"] is True and config["UCI_Elo"] == 1500 and config["Hash"] == 8
        state = make_game("chess").new_state()
        assert state.is_legal(agent.act(state))
        pid = agent.pid
    assert pid is not None and _gone(pid)


@needs_engine
def test_a_dead_engine_is_an_agent_error() -> None:
    game = make_game("chess")
    agent = make_agent("stockfish:depth=1", game)
    assert isinstance(agent, StockfishAgent) and agent.pid is not None
    os.kill(agent.pid, signal.SIGKILL)
    with pytest.raises(AgentError, match="died"):
        agent.act(game.new_state())
    agent.close()

